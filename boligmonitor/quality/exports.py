"""Suites for the export tables to BL 1. kreds, built from what every export must satisfy.

No value in any column may look like a CPR number, and no count may lie between 1 and k-1
(small-cell suppression leaves such counts out, see the disclosure rules in DESIGN.md). Both are
error-level: a failure stops the export.
"""

from __future__ import annotations

from collections.abc import Sequence

from boligmonitor import cpr
from boligmonitor.quality.suites import Rule, Suite

DEFAULT_K = 5


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _braces(sql: str) -> str:
    """GX fills `{batch}` with str.format: every other brace in a query must be doubled."""
    return sql.replace("{", "{{").replace("}", "}}")


def no_cpr_rule() -> Rule:
    """Every value of every column, as text, checked for a CPR-shaped number."""
    query = f"""
SELECT kolonne, vaerdi
FROM (
    UNPIVOT (SELECT COLUMNS(*)::VARCHAR FROM {{batch}})
    ON COLUMNS(*) INTO NAME kolonne VALUE vaerdi
)
WHERE regexp_matches(vaerdi, '{_braces(cpr.BOUNDED_PATTERN_SQL)}')
"""
    return Rule(
        "ingen_cpr",
        "error",
        "Ingen værdi i nogen kolonne ligner et CPR-nummer (seks cifre, evt. bindestreg, fire "
        "cifre).",
        "sql",
        query,
    )


def small_counts_rule(count_columns: Sequence[str], k: int = DEFAULT_K) -> Rule:
    if k < 3:
        raise ValueError(f"k = {k}: tærsklen for små tal må aldrig være under 3")
    if not count_columns:
        raise ValueError("en eksporttabel med optællinger skal nævne sine tælle-kolonner")
    checks = " OR ".join(f"{_ident(c)} BETWEEN 1 AND {k - 1}" for c in count_columns)
    listed = ", ".join(count_columns)
    return Rule(
        "ingen_smaa_tal",
        "error",
        f"Ingen optælling i {listed} ligger mellem 1 og {k - 1} (små tal skal være undertrykt).",
        "sql",
        f"SELECT * FROM {{batch}} WHERE {checks}",
    )


def export_suite(
    table: str,
    asset: Sequence[str],
    count_columns: Sequence[str] = (),
    *,
    k: int = DEFAULT_K,
) -> Suite:
    """The suite for one export table: no CPR-shaped values, and (when it has counts) no count
    from 1 to k-1."""
    rules = [no_cpr_rule()]
    if count_columns:
        rules.append(small_counts_rule(count_columns, k))
    name = "eksport_" + table.replace(".", "_")
    return Suite(
        name=name,
        table=table,
        asset=tuple(asset),
        description=f"Eksporttabellen {table}: ingen personhenførbare værdier, ingen små tal.",
        rules=tuple(rules),
    )
