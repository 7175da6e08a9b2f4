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

from collections.abc import Sequence
from datetime import date
from itertools import product
from typing import Any

import duckdb
import pyarrow as pa

from boligmonitor.disclosure import DEFAULT_K, TOTAL, Derived, TableSpec, suppress
from boligmonitor.export import Column, ExportTable

COUNT = "antal"
SHARE = "andel (0-1)"
CITY_NAME = "Hele byen"


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


def window(con: duckdb.DuckDBPyConnection) -> tuple[date, date]:
    """The 12 complete months the tables cover: (first month, last month)."""
    last = con.execute("SELECT max(month_start) FROM marts.dim_months WHERE is_complete").fetchone()
    if not last or last[0] is None:
        raise ValueError("Der er ingen afsluttet måned i marts.dim_months.")
    first = con.execute("SELECT (? - INTERVAL 11 MONTH)::DATE", [last[0]]).fetchone()
    return first[0], last[0]


def data_period(con: duckdb.DuckDBPyConnection) -> tuple[date, date]:
    """The first and the last day the partner tables cover."""
    first, last = window(con)
    end = con.execute("SELECT last_day(?::DATE)", [last]).fetchone()
    return first, end[0]


def partner_tables(con: duckdb.DuckDBPyConnection, k: int = DEFAULT_K) -> list[ExportTable]:
    """The partner tables for the 12 complete months up to the report date, suppressed."""
    first, last = window(con)
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
        GROUP BY 1 HAVING sum(stays_measurable) > 0
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
    rows = _q(
        con,
        """
        SELECT rent_subsidy_type, able_to_pay, subsidies::BIGINT AS subsidies FROM (
            SELECT rent_subsidy_type,
                   ending_within_12_months_able_to_pay AS kan_betale,
                   ending_within_12_months_not_able_to_pay AS kan_ikke_betale,
                   ending_within_12_months - ending_within_12_months_able_to_pay
                       - ending_within_12_months_not_able_to_pay AS ukendt
            FROM marts.subsidy_cliff
        ) UNPIVOT (subsidies FOR able_to_pay IN (kan_betale, kan_ikke_betale, ukendt))
        """,
    )
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
