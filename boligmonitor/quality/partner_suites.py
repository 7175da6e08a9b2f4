"""The quality suites of the partner tables (schema `partner`): what every export table must
satisfy before anything leaves for BL 1. kreds. All rules are error-level: a failure stops the
export package and the partner site in the same run.

Per table (`quality.exports.export_suite`, plus three rules):
- `ingen_cpr`: no value in any column looks like a CPR number;
- `ingen_smaa_tal`: no count from 1 to k-1 (small-cell suppression left one out);
- `ingen_fritekst`: no column named like free text (e.g. `bemaerkning`): free text never leaves;
- `pilot_ikke_opdelt`: no column or value mentioning the pilot in a table of more than one row:
  the 2022 pilot is only ever published as its total;
- `undertrykt_er_tomt`: every cell the suppression log names is NULL in the table.

And `partner.suppression_log` itself: no CPR-shaped value in it.
"""

from __future__ import annotations

from dataclasses import replace

from boligmonitor.disclosure import DEFAULT_K, FREE_TEXT_NAMES
from boligmonitor.partner_tables import COUNTS, SCHEMA, SUPPRESSION_LOG
from boligmonitor.quality.exports import export_suite, no_cpr_rule
from boligmonitor.quality.suites import Rule, Suite

ASSET = ("exports", "partner_tables")


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _unused_batch(query: str) -> str:
    """GX wants every query to read `{batch}`: rules on the catalog name it in a CTE nothing
    reads (DuckDB never evaluates it)."""
    return "WITH _batch AS (SELECT * FROM {batch} LIMIT 0),\n" + query


def free_text_rule(table: str) -> Rule:
    names = ", ".join(_lit(n) for n in sorted(FREE_TEXT_NAMES))
    query = f"""columns AS (
    SELECT column_name AS kolonne FROM duckdb_columns()
    WHERE database_name = current_database() AND schema_name = {_lit(SCHEMA)}
      AND table_name = {_lit(table)} AND lower(column_name) IN ({names})
)
SELECT kolonne FROM columns"""
    return Rule(
        "ingen_fritekst",
        "error",
        "Ingen kolonne er fritekst (fx bemærkninger): fritekst eksporteres aldrig.",
        "sql",
        _unused_batch(query),
    )


def pilot_rule() -> Rule:
    query = """WITH b AS (SELECT * FROM {batch}),
cells AS (
    UNPIVOT (SELECT COLUMNS(*)::VARCHAR FROM b) ON COLUMNS(*) INTO NAME kolonne VALUE vaerdi
)
SELECT DISTINCT kolonne, vaerdi FROM cells
WHERE (kolonne ILIKE '%pilot%' OR vaerdi ILIKE '%pilot%') AND (SELECT count(*) FROM b) > 1"""
    return Rule(
        "pilot_ikke_opdelt",
        "error",
        "Pilotprojektet vises kun samlet: ingen kolonne eller værdi om piloten i en tabel med "
        "mere end én række.",
        "sql",
        query,
    )


def suppressed_are_empty_rule(table: str) -> Rule:
    query = f"""cells AS (
    UNPIVOT (SELECT rowid AS _raekke, COLUMNS(*)::VARCHAR FROM {SCHEMA}."{table}")
    ON COLUMNS(* EXCLUDE (_raekke)) INTO NAME kolonne VALUE vaerdi
)
SELECT l.row_index + 1 AS raekke, l.column_name AS kolonne, l.reason AS aarsag
FROM cells c JOIN {SUPPRESSION_LOG} l
  ON l.table_name = {_lit(table)} AND l.row_index = c._raekke AND l.column_name = c.kolonne"""
    return Rule(
        "undertrykt_er_tomt",
        "error",
        "Hver celle, som diskretioneringen har skjult (partner.suppression_log), er tom (NULL).",
        "sql",
        _unused_batch(query),
    )


def partner_suites(k: int = DEFAULT_K) -> list[Suite]:
    """One suite per partner table, and one for the suppression log."""
    suites = []
    for table, counts in COUNTS.items():
        suite = export_suite(f"{SCHEMA}.{table}", ASSET, counts, k=k)
        rules = (
            *suite.rules,
            free_text_rule(table),
            pilot_rule(),
            suppressed_are_empty_rule(table),
        )
        suites.append(
            replace(
                suite,
                rules=rules,
                description=f"Partnertabellen {table} til BL 1. kreds: ingen CPR-numre, ingen "
                f"små tal (1-{k - 1}), ingen fritekst, piloten ikke opdelt, skjulte celler tomme.",
            )
        )
    suites.append(
        Suite(
            name="eksport_partner_suppression_log",
            table=SUPPRESSION_LOG,
            asset=ASSET,
            description="Loggen over skjulte celler: ingen værdi ligner et CPR-nummer.",
            rules=(no_cpr_rule(),),
        )
    )
    return suites
