"""The partner tables for BL 1. kreds: aggregates of the marts, through disclosure control.

These are the shared tables of the monthly export package (issue 4) and the only input of the
partner site. Every table is long-form with its categories in dimensions and the margins marked
`I alt`, so the disclosure module can protect each count column on its own; every rate is
declared as derived from its counts, so it is hidden with them. `partner_tables` returns a list
of `boligmonitor.export.ExportTable`: exactly what `write_package` writes. The names and columns
below are the contract the partner site (`dashboards.partner`) reads.

The export asset (`exports/partner_tables`) keeps them in the warehouse, in the schema `partner`
(`store`): one table per export table with suppressed cells NULL, `partner.suppression_log`
(table, row, column, reason and the row's categories; never a value), and two catalog tables
with the titles, descriptions and column labels. The quality checks validate those tables, and
the package and the partner site read them back (`load`), so what is checked is what leaves.

The tables cover the 12 months up to and including the last finished month as of the report
date (`last_finished_month`): a month is finished when its last day lies before the report day,
as in `marts.dim_months.is_complete`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import product
from typing import Any

import duckdb
import pyarrow as pa

from boligmonitor.disclosure import DEFAULT_K, TOTAL, Derived, TableSpec, suppress
from boligmonitor.export import Column, ExportTable, PassedCheck, SourceExtract

# The marts the partner tables read.
MARTS = (
    "dim_months",
    "dwelling_funnel",
    "dwelling_returns",
    "department_months",
    "district_months",
    "support_methods",
    "support_at_move_in_months",
    "shelter_exit_months",
    "tenancy_retention",
    "subsidy_cliff",
)
COUNT = "antal"
SHARE = "andel (0-1)"
CITY_NAME = "Hele byen"
# Rent subsidies ending within 12 months, split by whether the citizen's ability to pay covers
# the full rent (kan_betale / kan_ikke_betale / ukendt): one row per subsidy type and answer.
# The partner table tilskud_ophoer (suppressed) and the internal dashboards (as is) both read it.
SUBSIDIES_ENDING_BY_ABILITY = """
SELECT rent_subsidy_type, able_to_pay, subsidies::BIGINT AS subsidies FROM (
    SELECT rent_subsidy_type,
           ending_within_12_months_able_to_pay AS kan_betale,
           ending_within_12_months_not_able_to_pay AS kan_ikke_betale,
           ending_within_12_months - ending_within_12_months_able_to_pay
               - ending_within_12_months_not_able_to_pay AS ukendt
    FROM marts.subsidy_cliff
) UNPIVOT (subsidies FOR able_to_pay IN (kan_betale, kan_ikke_betale, ukendt))
"""


def _complete(
    rows: Sequence[dict[str, Any]],
    groups: Sequence[str],
    dims: Sequence[str],
    counts: Sequence[str],
    categories: dict[str, Sequence[Any]] | None = None,
) -> list[dict[str, Any]]:
    """Every combination of the dimensions' categories (zeros included) plus the margins
    (`I alt`), per value of the groups; the counts summed."""
    categories = dict(categories or {})
    for d in dims:
        categories.setdefault(d, sorted({r[d] for r in rows}))
    group_values = sorted({tuple(r[g] for g in groups) for r in rows})
    cells: dict[tuple[Any, ...], list[int]] = {}
    for r in rows:
        key = tuple(r[g] for g in groups) + tuple(r[d] for d in dims)
        acc = cells.setdefault(key, [0] * len(counts))
        for i, c in enumerate(counts):
            acc[i] += int(r[c] or 0)
    out = []
    for g in group_values:
        for combo in product(*[[*categories[d], TOTAL] for d in dims]):
            values = [0] * len(counts)
            inner = [
                [c] if c != TOTAL else list(categories[d]) for c, d in zip(combo, dims, strict=True)
            ]
            for cell in product(*inner):
                for i, v in enumerate(cells.get(g + cell, [0] * len(counts))):
                    values[i] += v
            row = dict(zip(groups, g, strict=True)) | dict(zip(dims, combo, strict=True))
            out.append(row | dict(zip(counts, values, strict=True)))
    return out


def _rate(rows: list[dict[str, Any]], name: str, num: str, den: str) -> None:
    for r in rows:
        r[name] = r[num] / r[den] if r[den] else None


def _table(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema)


def _export(
    rows: list[dict[str, Any]],
    schema: pa.Schema,
    spec: TableSpec,
    *,
    title: str,
    description: str,
    columns: Sequence[Column],
    k: int,
) -> ExportTable:
    result = suppress(_table(rows, schema), spec, k)
    return ExportTable.from_suppression(
        result, title=title, description=description, columns=columns
    )


def _q(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()) -> list[dict]:
    return con.execute(sql, list(params)).to_arrow_table().to_pylist()


def last_finished_month(as_of: date) -> date:
    """The first day of the last month that is over on `as_of`: a month is over when its last
    day lies before `as_of` (marts.dim_months.is_complete), so it is always the month before
    (as of 31 December, December is not over yet; as of 1 January it is)."""
    return _previous_month(as_of.replace(day=1))


def _previous_month(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def _last_day(month: date) -> date:
    following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def window(con: duckdb.DuckDBPyConnection, month: date | None = None) -> tuple[date, date]:
    """The 12 months the tables cover: (first month, last month). The last is `month` when
    given, else the last complete month in marts.dim_months."""
    if month is None:
        last = con.execute(
            "SELECT max(month_start) FROM marts.dim_months WHERE is_complete"
        ).fetchone()
        if not last or last[0] is None:
            raise ValueError("Der er ingen afsluttet måned i marts.dim_months.")
        month = last[0]
    first = con.execute("SELECT (? - INTERVAL 11 MONTH)::DATE", [month]).fetchone()
    return first[0], month


def data_period(con: duckdb.DuckDBPyConnection, month: date | None = None) -> tuple[date, date]:
    """The first and the last day the partner tables cover."""
    first, last = window(con, month)
    return first, _last_day(last)


def partner_tables(
    con: duckdb.DuckDBPyConnection, k: int = DEFAULT_K, month: date | None = None
) -> list[ExportTable]:
    """The partner tables for the 12 months up to and including `month` (default: the last
    complete month in marts.dim_months), suppressed."""
    first, last = window(con, month)
    period = f"de 12 måneder {first:%m.%Y}-{last:%m.%Y}"
    tables = []

    # -- boligtragt: dwellings received per month, organisation and outcome --
    rows = _q(
        con,
        """
        UNPIVOT (
            SELECT received_month AS month_start,
                   coalesce(housing_organisation, 'Ukendt') AS housing_organisation,
                   sum(dwellings_moved_into)::BIGINT AS indflyttet,
                   sum(dwellings_returned)::BIGINT AS returneret,
                   sum(dwellings_open)::BIGINT AS aaben
            FROM marts.dwelling_funnel WHERE received_month BETWEEN ? AND ? GROUP BY 1, 2
        ) ON indflyttet, returneret, aaben INTO NAME outcome VALUE dwellings
        """,
        [first, last],
    )
    dims = ("housing_organisation", "outcome")
    grid = _complete(rows, ["month_start"], dims, ["dwellings"])
    tables.append(
        _export(
            grid,
            pa.schema(
                [
                    ("month_start", pa.date32()),
                    ("housing_organisation", pa.string()),
                    ("outcome", pa.string()),
                    ("dwellings", pa.int64()),
                ]
            ),
            TableSpec(
                "boligtragt", counts=("dwellings",), dimensions=dims, groups=("month_start",)
            ),
            title="Boligtragt",
            description=f"Boliger modtaget til boligsocial anvisning i {period}, pr. "
            "modtagelsesmåned og boligorganisation, efter udfald i dag.",
            columns=[
                Column("month_start", "Modtaget i måned", "Måneden boligen blev modtaget"),
                Column("housing_organisation", "Boligorganisation", "I alt = hele byen"),
                Column("outcome", "Udfald", "indflyttet, returneret, aaben; I alt = modtaget"),
                Column("dwellings", "Boliger", "Antal boliger", COUNT),
            ],
            k=k,
        )
    )

    # -- returneringer: returned dwellings by rent class and reason --
    rows = _q(
        con,
        """
        SELECT rent_class, replace(reason, 'returned_', '') AS return_reason,
               sum(n)::BIGINT AS dwellings_returned
        FROM (UNPIVOT (SELECT * FROM marts.dwelling_returns WHERE received_month BETWEEN ? AND ?)
              ON returned_husleje_for_hoej, returned_stoerrelse, returned_beliggenhed,
                 returned_afdeling_skaermet, returned_ingen_match_inden_frist,
                 returned_boligens_stand, returned_andet
              INTO NAME reason VALUE n)
        GROUP BY 1, 2
        """,
        [first, last],
    )
    dims = ("rent_class", "return_reason")
    tables.append(
        _export(
            _complete(rows, [], dims, ["dwellings_returned"]),
            pa.schema(
                [
                    ("rent_class", pa.string()),
                    ("return_reason", pa.string()),
                    ("dwellings_returned", pa.int64()),
                ]
            ),
            TableSpec("returneringer", counts=("dwellings_returned",), dimensions=dims),
            title="Returneringsårsager",
            description=f"Returnerede boliger modtaget i {period}, pr. huslejeklasse og årsag.",
            columns=[
                Column("rent_class", "Huslejeklasse", "Huslejeklasse på modtagelsesdagen"),
                Column("return_reason", "Årsag", "Årsag til returnering"),
                Column("dwellings_returned", "Returnerede boliger", "Antal", COUNT),
            ],
            k=k,
        )
    )

    # -- returandel: received and returned by rent class --
    rows = _q(
        con,
        """
        SELECT rent_class, sum(dwellings_received)::BIGINT AS dwellings_received,
               sum(dwellings_returned)::BIGINT AS dwellings_returned
        FROM marts.dwelling_returns WHERE received_month BETWEEN ? AND ? GROUP BY 1
        """,
        [first, last],
    )
    grid = _complete(rows, [], ["rent_class"], ["dwellings_received", "dwellings_returned"])
    _rate(grid, "return_rate", "dwellings_returned", "dwellings_received")
    tables.append(
        _export(
            grid,
            pa.schema(
                [
                    ("rent_class", pa.string()),
                    ("dwellings_received", pa.int64()),
                    ("dwellings_returned", pa.int64()),
                    ("return_rate", pa.float64()),
                ]
            ),
            TableSpec(
                "returandel",
                counts=("dwellings_received", "dwellings_returned"),
                dimensions=("rent_class",),
                derived=(Derived("return_rate", ("dwellings_received", "dwellings_returned")),),
            ),
            title="Returneringsandel",
            description=f"Modtagne og returnerede boliger i {period}, pr. huslejeklasse.",
            columns=[
                Column("rent_class", "Huslejeklasse", "Huslejeklasse på modtagelsesdagen"),
                Column("dwellings_received", "Modtagne boliger", "Antal", COUNT),
                Column("dwellings_returned", "Returnerede boliger", "Antal", COUNT),
                Column("return_rate", "Returneringsandel", "Returnerede / modtagne", SHARE),
            ],
            k=k,
        )
    )

    # -- afdelinger: the one-third rule per department, the city as I alt --
    rows = _q(
        con,
        """
        SELECT department_id, coalesce(housing_organisation, 'Ukendt') AS housing_organisation,
               coalesce(department_name, department_id) AS department_name,
               allocated_by_municipality_12m::BIGINT AS allocated_by_municipality_12m,
               vacancies_12m::BIGINT AS vacancies_12m
        FROM marts.department_months WHERE month_start = ?
        """,
        [last],
    )
    labels = {r["department_id"]: (r["housing_organisation"], r["department_name"]) for r in rows}
    counts = ["allocated_by_municipality_12m", "vacancies_12m"]
    grid = _complete(rows, [], ["department_id"], counts)
    for r in grid:
        r["housing_organisation"], r["department_name"] = labels.get(
            r["department_id"], (TOTAL, CITY_NAME)
        )
    _rate(grid, "municipal_share_12m", "allocated_by_municipality_12m", "vacancies_12m")
    tables.append(
        _export(
            grid,
            pa.schema(
                [
                    ("department_id", pa.string()),
                    ("allocated_by_municipality_12m", pa.int64()),
                    ("vacancies_12m", pa.int64()),
                    ("housing_organisation", pa.string()),
                    ("department_name", pa.string()),
                    ("municipal_share_12m", pa.float64()),
                ]
            ),
            TableSpec(
                "afdelinger",
                counts=tuple(counts),
                dimensions=("department_id",),
                labels=("housing_organisation", "department_name"),
                derived=(Derived("municipal_share_12m", tuple(counts)),),
            ),
            title="Afdelinger og tredjedelsregel",
            description=f"Kommunens anvisninger mod afdelingens ledige boliger over {period}.",
            columns=[
                Column("department_id", "Afdeling", "Afdelingens nummer; I alt = hele byen"),
                Column("allocated_by_municipality_12m", "Anvist af kommunen", "12 mdr.", COUNT),
                Column("vacancies_12m", "Ledige boliger", "12 mdr.", COUNT),
                Column("housing_organisation", "Boligorganisation", "Afdelingens organisation"),
                Column("department_name", "Afdelingens navn", "Navn"),
                Column("municipal_share_12m", "Kommunens andel", "Anvist / ledige", SHARE),
            ],
            k=k,
        )
    )

    # -- bydele: move-ins and dwellings received by district --
    rows = _q(
        con,
        """
        SELECT district, sum(move_ins)::BIGINT AS move_ins,
               sum(dwellings_received)::BIGINT AS dwellings_received
        FROM marts.district_months WHERE month_start BETWEEN ? AND ? GROUP BY 1
        """,
        [first, last],
    )
    numbers = dict(
        con.execute(
            "SELECT DISTINCT district, district_number FROM marts.district_months"
        ).fetchall()
    )
    grid = _complete(rows, [], ["district"], ["move_ins", "dwellings_received"])
    for r in grid:
        r["district_number"] = numbers.get(r["district"], 99)
    tables.append(
        _export(
            grid,
            pa.schema(
                [
                    ("district", pa.string()),
                    ("district_number", pa.int64()),
                    ("move_ins", pa.int64()),
                    ("dwellings_received", pa.int64()),
                ]
            ),
            TableSpec(
                "bydele",
                counts=("move_ins", "dwellings_received"),
                dimensions=("district",),
                labels=("district_number",),
            ),
            title="Bydele",
            description=f"Indflytninger og modtagne boliger i {period}, pr. bydel.",
            columns=[
                Column("district", "Bydel", "Bydel; I alt = hele byen"),
                Column("district_number", "Bydelsnummer", "Til sortering"),
                Column("move_ins", "Indflytninger", "Antal", COUNT),
                Column("dwellings_received", "Modtagne boliger", "Antal", COUNT),
            ],
            k=k,
        )
    )

    # -- bostoette: support episodes by method --
    rows = _q(
        con,
        """
        SELECT support_method, sum(support_episodes)::BIGINT AS support_episodes,
               sum(episodes_active_as_of)::BIGINT AS episodes_active_as_of
        FROM marts.support_methods GROUP BY 1
        """,
    )
    counts = ["support_episodes", "episodes_active_as_of"]
    tables.append(
        _export(
            _complete(rows, [], ["support_method"], counts),
            pa.schema(
                [
                    ("support_method", pa.string()),
                    ("support_episodes", pa.int64()),
                    ("episodes_active_as_of", pa.int64()),
                ]
            ),
            TableSpec("bostoette", counts=tuple(counts), dimensions=("support_method",)),
            title="Bostøtte",
            description="Bostøtteforløb omkring anviste borgeres lejemål, pr. indsats.",
            columns=[
                Column("support_method", "Indsats", "CTI, ICM, ACT, SEL85, SEL99, ..."),
                Column("support_episodes", "Forløb", "Antal", COUNT),
                Column("episodes_active_as_of", "Forløb i gang", "På opgørelsesdagen", COUNT),
            ],
            k=k,
        )
    )

    # -- bostoette_30_dage: support within 30 days per move-in month --
    rows = _q(
        con,
        """
        SELECT month_start,
               move_ins_needing_support_measurable::BIGINT AS move_ins_needing_support_measurable,
               with_support_within_30_days::BIGINT AS with_support_within_30_days
        FROM marts.support_at_move_in_months WHERE month_start BETWEEN ? AND ?
        ORDER BY month_start
        """,
        [first, last],
    )
    _rate(
        rows,
        "share_with_support_within_30_days",
        "with_support_within_30_days",
        "move_ins_needing_support_measurable",
    )
    counts = ["move_ins_needing_support_measurable", "with_support_within_30_days"]
    tables.append(
        _export(
            rows,
            pa.schema(
                [
                    ("month_start", pa.date32()),
                    *[(c, pa.int64()) for c in counts],
                    ("share_with_support_within_30_days", pa.float64()),
                ]
            ),
            TableSpec(
                "bostoette_30_dage",
                counts=tuple(counts),
                groups=("month_start",),
                totals=False,
                derived=(Derived("share_with_support_within_30_days", tuple(counts)),),
            ),
            title="Bostøtte inden for 30 dage",
            description="Indflyttede med behov for bostøtte og med støtte inden for 30 dage.",
            columns=[
                Column("month_start", "Indflytningsmåned", "Måned"),
                Column(counts[0], "Indflyttede med behov", "Målbare (dag 30 nået)", COUNT),
                Column(counts[1], "Med støtte inden for 30 dage", "Antal", COUNT),
                Column(
                    "share_with_support_within_30_days", "Andel", "Med støtte / med behov", SHARE
                ),
            ],
            k=k,
        )
    )

    # -- herberg_90_dage: own home within 90 days per entry month --
    rows = _q(
        con,
        """
        SELECT entered_month, sum(stays_measurable)::BIGINT AS stays_measurable,
               sum(own_home_within_90_days)::BIGINT AS own_home_within_90_days
        FROM marts.shelter_exit_months WHERE entered_month BETWEEN ? - INTERVAL 12 MONTH AND ?
        GROUP BY 1 HAVING sum(stays_measurable) > 0 ORDER BY entered_month
        """,
        [first, last],
    )
    _rate(rows, "share_own_home_within_90_days", "own_home_within_90_days", "stays_measurable")
    counts = ["stays_measurable", "own_home_within_90_days"]
    tables.append(
        _export(
            rows,
            pa.schema(
                [
                    ("entered_month", pa.date32()),
                    *[(c, pa.int64()) for c in counts],
                    ("share_own_home_within_90_days", pa.float64()),
                ]
            ),
            TableSpec(
                "herberg_90_dage",
                counts=tuple(counts),
                groups=("entered_month",),
                totals=False,
                derived=(Derived("share_own_home_within_90_days", tuple(counts)),),
            ),
            title="Herberg til bolig 90 dage",
            description="Herbergsophold pr. indskrivningsmåned og dem i egen bolig inden for "
            "90 dage.",
            columns=[
                Column("entered_month", "Indskrivningsmåned", "Måned"),
                Column(counts[0], "Ophold (målbare)", "Dag 90 nået", COUNT),
                Column(counts[1], "I egen bolig inden for 90 dage", "Antal", COUNT),
                Column("share_own_home_within_90_days", "Andel", "I egen bolig / ophold", SHARE),
            ],
            k=k,
        )
    )

    # -- herberg_dage: days from entry to own home, in buckets --
    rows = _q(
        con,
        """
        SELECT days_bucket, stays FROM (UNPIVOT (
            SELECT sum(own_home_days_0_30)::BIGINT AS "0-30",
                   sum(own_home_days_31_60)::BIGINT AS "31-60",
                   sum(own_home_days_61_90)::BIGINT AS "61-90",
                   sum(own_home_days_91_180)::BIGINT AS "91-180",
                   sum(own_home_days_181_365)::BIGINT AS "181-365",
                   sum(own_home_days_over_365)::BIGINT AS "over 365"
            FROM marts.shelter_exit_months WHERE entered_month BETWEEN ? - INTERVAL 12 MONTH AND ?
        ) ON COLUMNS(*) INTO NAME days_bucket VALUE stays)
        """,
        [first, last],
    )
    buckets = ["0-30", "31-60", "61-90", "91-180", "181-365", "over 365"]
    tables.append(
        _export(
            _complete(rows, [], ["days_bucket"], ["stays"], {"days_bucket": buckets}),
            pa.schema([("days_bucket", pa.string()), ("stays", pa.int64())]),
            TableSpec("herberg_dage", counts=("stays",), dimensions=("days_bucket",)),
            title="Dage til egen bolig",
            description="Herbergsophold der endte i egen bolig, efter dage fra indskrivning.",
            columns=[
                Column("days_bucket", "Dage", "Dage fra indskrivning til egen bolig"),
                Column("stays", "Ophold", "Antal", COUNT),
            ],
            k=k,
        )
    )

    # -- fastholdelse: still housed after 6, 12, 24 months by support at move-in --
    rows = _q(
        con,
        """
        WITH g AS (
            SELECT CASE WHEN support_method IN ('CTI', 'ICM', 'ACT', 'ingen')
                        THEN support_method ELSE 'anden' END AS "group", *
            FROM marts.tenancy_retention WHERE support_method <> 'ukendt'
        )
        SELECT 6 AS months_after, "group", sum(eligible_6_months)::BIGINT AS eligible,
               sum(housed_at_6_months)::BIGINT AS housed FROM g GROUP BY 2
        UNION ALL SELECT 12, "group", sum(eligible_12_months)::BIGINT,
               sum(housed_at_12_months)::BIGINT FROM g GROUP BY 2
        UNION ALL SELECT 24, "group", sum(eligible_24_months)::BIGINT,
               sum(housed_at_24_months)::BIGINT FROM g GROUP BY 2
        """,
    )
    grid = _complete(rows, ["months_after"], ["group"], ["eligible", "housed"])
    _rate(grid, "share_housed", "housed", "eligible")
    tables.append(
        _export(
            grid,
            pa.schema(
                [
                    ("months_after", pa.int64()),
                    ("group", pa.string()),
                    ("eligible", pa.int64()),
                    ("housed", pa.int64()),
                    ("share_housed", pa.float64()),
                ]
            ),
            TableSpec(
                "fastholdelse",
                counts=("eligible", "housed"),
                dimensions=("group",),
                groups=("months_after",),
                derived=(Derived("share_housed", ("eligible", "housed")),),
            ),
            title="Fastholdelse",
            description="Indflytninger og dem der stadig bor i boligen 6, 12 og 24 måneder "
            "efter, pr. bostøtte ved indflytningen.",
            columns=[
                Column("months_after", "Måneder efter indflytning", "6, 12 eller 24"),
                Column("group", "Bostøtte", "CTI, ICM, ACT, anden, ingen; I alt = alle"),
                Column("eligible", "Indflytninger (målbare)", "Antal", COUNT),
                Column("housed", "Stadig i bolig", "Antal", COUNT),
                Column("share_housed", "Andel stadig i bolig", "Stadig i bolig / målbare", SHARE),
            ],
            k=k,
        )
    )

    # -- tilskud_ophoer: subsidies ending within 12 months --
    rows = _q(con, SUBSIDIES_ENDING_BY_ABILITY)
    dims = ("rent_subsidy_type", "able_to_pay")
    tables.append(
        _export(
            _complete(rows, [], dims, ["subsidies"]),
            pa.schema(
                [
                    ("rent_subsidy_type", pa.string()),
                    ("able_to_pay", pa.string()),
                    ("subsidies", pa.int64()),
                ]
            ),
            TableSpec("tilskud_ophoer", counts=("subsidies",), dimensions=dims),
            title="Tilskud der ophører",
            description="Huslejetilskud der slutter inden for 12 måneder, og om borgerens "
            "betalingsevne dækker den fulde husleje.",
            columns=[
                Column("rent_subsidy_type", "Tilskudstype", "Type"),
                Column("able_to_pay", "Betalingsevne", "kan_betale, kan_ikke_betale, ukendt"),
                Column("subsidies", "Tilskud", "Antal", COUNT),
            ],
            k=k,
        )
    )
    return tables


# --- the tables in the warehouse: schema `partner` ---------------------------------------------

SCHEMA = "partner"
TABLE_INFO = f"{SCHEMA}.table_info"
COLUMN_INFO = f"{SCHEMA}.column_info"
SUPPRESSION_LOG = f"{SCHEMA}.suppression_log"
RESERVED_NAMES = frozenset({"table_info", "column_info", "suppression_log"})

# Every partner table and its count columns, known before any data exists: the quality checks
# on the tables are defined from this (a test holds it against what `partner_tables` builds).
COUNTS: dict[str, tuple[str, ...]] = {
    "boligtragt": ("dwellings",),
    "returneringer": ("dwellings_returned",),
    "returandel": ("dwellings_received", "dwellings_returned"),
    "afdelinger": ("allocated_by_municipality_12m", "vacancies_12m"),
    "bydele": ("move_ins", "dwellings_received"),
    "bostoette": ("support_episodes", "episodes_active_as_of"),
    "bostoette_30_dage": ("move_ins_needing_support_measurable", "with_support_within_30_days"),
    "herberg_90_dage": ("stays_measurable", "own_home_within_90_days"),
    "herberg_dage": ("stays",),
    "fastholdelse": ("eligible", "housed"),
    "tilskud_ophoer": ("subsidies",),
}


class PartnerTablesMissing(RuntimeError):
    """The warehouse holds no partner tables (the export asset has not run)."""


@dataclass(frozen=True)
class StoredTables:
    """The partner tables as the export asset left them in the warehouse."""

    month: date  # the last month covered (first day)
    period: tuple[date, date]  # first and last day covered
    as_of: date
    k: int
    tables: tuple[ExportTable, ...]

    @property
    def month_label(self) -> str:
        return f"{self.month:%Y-%m}"


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _table_ref(name: str) -> str:
    return f'{SCHEMA}."{name}"'


def store(
    con: duckdb.DuckDBPyConnection,
    tables: Sequence[ExportTable],
    *,
    month: date,
    as_of: date,
) -> None:
    """Replace the schema `partner` with `tables` (suppressed cells NULL), the suppression log
    and the catalog, in one transaction: a reader sees the old tables or the new, never half."""
    first, last = _previous_months(month, 11), _last_day(month)
    for t in tables:
        if t.name in RESERVED_NAMES:
            raise ValueError(f"Tabelnavnet '{t.name}' er forbeholdt kataloget i {SCHEMA}.")
        published = {
            c: t.data.column(c).is_valid().to_pylist() for c in {c for _, c in t.suppressed}
        }
        for row, column in sorted(t.suppressed):
            if published[column][row]:
                raise ValueError(
                    f"Tabellen '{t.name}', række {row + 1}, kolonne '{column}': markeret som "
                    "undertrykt, men har en værdi."
                )
    con.execute("BEGIN")
    try:
        con.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        con.execute(f"CREATE SCHEMA {SCHEMA}")
        con.execute(
            f"""CREATE TABLE {TABLE_INFO} (position INTEGER, name VARCHAR, title VARCHAR,
                description VARCHAR, counts VARCHAR[], k INTEGER, month DATE,
                period_start DATE, period_end DATE, as_of DATE)"""
        )
        con.execute(
            f"""CREATE TABLE {COLUMN_INFO} (table_name VARCHAR, position INTEGER, name VARCHAR,
                label VARCHAR, description VARCHAR, unit VARCHAR, decimals INTEGER)"""
        )
        con.execute(
            f"""CREATE TABLE {SUPPRESSION_LOG} (table_name VARCHAR, row_index INTEGER,
                column_name VARCHAR, reason VARCHAR, row_key JSON, position INTEGER)"""
        )
        for i, t in enumerate(tables):
            con.register("_partner_data", t.data)
            try:
                con.execute(f"CREATE TABLE {_table_ref(t.name)} AS SELECT * FROM _partner_data")
            finally:
                con.unregister("_partner_data")
            con.execute(
                f"COMMENT ON TABLE {_table_ref(t.name)} IS "
                + _quoted(f"{t.title}: {t.description} Diskretioneret: skjulte tal er NULL.")
            )
            con.execute(
                f"INSERT INTO {TABLE_INFO} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [i, t.name, t.title, t.description, list(t.counts), t.k, month, first, last, as_of],
            )
            con.executemany(
                f"INSERT INTO {COLUMN_INFO} VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    [t.name, j, c.name, c.label, c.description, c.unit, c.decimals]
                    for j, c in enumerate(t.columns)
                ],
            )
            for c in t.columns:
                con.execute(
                    f'COMMENT ON COLUMN {_table_ref(t.name)}."{c.name}" IS '
                    + _quoted(f"{c.label}: {c.description}" + (f" ({c.unit})" if c.unit else ""))
                )
            if t.log:  # one insert of the whole log (row by row took seconds at scale)
                log = pa.table(
                    {
                        "table_name": [t.name] * len(t.log),
                        "row_index": pa.array([e["row"] for e in t.log], pa.int32()),
                        "column_name": [e["column"] for e in t.log],
                        "reason": [e["reason"] for e in t.log],
                        "row_key": [
                            json.dumps(e["key"], ensure_ascii=False, sort_keys=True) for e in t.log
                        ],
                        "position": pa.array(range(len(t.log)), pa.int32()),
                    }
                )
                columns = "table_name, row_index, column_name, reason, row_key, position"
                con.register("_partner_log", log)
                try:
                    con.execute(
                        f"INSERT INTO {SUPPRESSION_LOG} ({columns}) "
                        f"SELECT {columns} FROM _partner_log"
                    )
                finally:
                    con.unregister("_partner_log")
        con.execute(
            f"COMMENT ON TABLE {SUPPRESSION_LOG} IS 'Hver undertrykt celle i partnertabellerne: "
            "tabel, række (fra 0), kolonne, årsag (primary, complementary, derived) og rækkens "
            "kategorier. Aldrig selve tallet. Kun internt.'"
        )
        con.execute(
            f"COMMENT ON TABLE {TABLE_INFO} IS 'Partnertabellerne til BL 1. kreds: titel, "
            "beskrivelse, tællekolonner, grænse for små tal, måned og periode.'"
        )
        con.execute(
            f"COMMENT ON TABLE {COLUMN_INFO} IS 'Kolonnerne i partnertabellerne: dansk "
            "overskrift, betydning, enhed og decimaler.'"
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def load(con: duckdb.DuckDBPyConnection) -> StoredTables:
    """The partner tables as `store` left them, as ExportTables (row order kept)."""
    if not _exists(con, SCHEMA, "table_info"):
        raise PartnerTablesMissing(
            f"Lageret har ingen partnertabeller (skemaet {SCHEMA}): "
            "eksporttrinnet exports/partner_tables har ikke kørt."
        )
    info = con.execute(
        f"""SELECT name, title, description, counts, k, month, period_start, period_end, as_of
            FROM {TABLE_INFO} ORDER BY position"""
    ).fetchall()
    if not info:
        raise PartnerTablesMissing(f"{TABLE_INFO} er tom: der er ingen partnertabeller.")
    tables = []
    for name, title, description, counts, k, *_ in info:
        columns = [
            Column(*row)
            for row in con.execute(
                f"""SELECT name, label, description, unit, decimals FROM {COLUMN_INFO}
                    WHERE table_name = ? ORDER BY position""",
                [name],
            ).fetchall()
        ]
        data = con.execute(f"SELECT * FROM {_table_ref(name)} ORDER BY rowid").to_arrow_table()
        log = [
            {"table": name, "row": row, "column": column, "reason": reason, "key": json.loads(key)}
            for row, column, reason, key in con.execute(
                f"""SELECT row_index, column_name, reason, row_key FROM {SUPPRESSION_LOG}
                    WHERE table_name = ? ORDER BY position""",
                [name],
            ).fetchall()
        ]
        tables.append(
            ExportTable(
                name=name,
                title=title,
                description=description,
                columns=tuple(columns),
                data=data,
                suppressed=frozenset((e["row"], e["column"]) for e in log),
                counts=tuple(counts),
                k=k,
                log=tuple(log),
            )
        )
    *_, month, first, last, as_of = info[0]
    return StoredTables(month, (first, last), as_of, max(t.k for t in tables), tuple(tables))


# --- what the package says about its inputs --------------------------------------------------


def source_extracts(con: duckdb.DuckDBPyConnection) -> list[SourceExtract]:
    """The source extracts the tables are built from: every landed file loaded into the
    warehouse (audit.files), one entry per source, since a nightly source has a file per night
    (the demo data: about 7,900 files, which listed one by one made a 2 MB manifest). The entry
    names the number of files and their first and last extract date, the rows loaded, the newest
    extract date, and as `sha256` a fingerprint of exactly that set of files: the SHA-256 of the
    sorted lines "<path> <sha256>\n" of the files, which anyone can recompute from
    audit.files."""
    if not _exists(con, "audit", "files"):
        return []
    rows = con.execute(
        """SELECT source, path, sha256, rows_loaded, extract_date FROM audit.files
           WHERE status = 'loaded' ORDER BY source, path"""
    ).fetchall()
    by_source: dict[str, list[tuple]] = {}
    for row in rows:
        by_source.setdefault(row[0], []).append(row)
    extracts = []
    for source, files in sorted(by_source.items()):
        listing = "".join(f"{path} {sha}\n" for _, path, sha, _, _ in files)
        dates = sorted(d for *_, d in files if d is not None)
        span = f", udtræk {dates[0]:%d-%m-%Y} til {dates[-1]:%d-%m-%Y}" if dates else ""
        extracts.append(
            SourceExtract(
                source=source,
                path=f"{source}/ ({len(files)} filer{span})",
                sha256=hashlib.sha256(listing.encode("utf-8")).hexdigest(),
                rows=sum(int(n or 0) for *_, n, _ in files),
                extract_date=dates[-1] if dates else None,
            )
        )
    return extracts


def passed_checks(con: duckdb.DuckDBPyConnection, run_id: str) -> list[PassedCheck]:
    """The quality suites validated in run `run_id` (audit.validations) in which every
    error-level rule held, named as their Dagster checks. Warnings may have failed: they are
    reported, never blocking."""
    if not _exists(con, "audit", "validations"):
        return []
    rows = con.execute(
        """SELECT suite, table_name FROM audit.validations WHERE run_id = ?
           GROUP BY suite, table_name
           HAVING bool_and(success OR severity <> 'error')
           ORDER BY table_name, suite""",
        [run_id],
    ).fetchall()
    return [PassedCheck(f"kvalitet_{suite}", table, "error") for suite, table in rows]


def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = ? AND table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(found and found[0])


def _previous_months(month: date, n: int) -> date:
    for _ in range(n):
        month = _previous_month(month)
    return month
