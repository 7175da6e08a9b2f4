"""The internal site for the municipality: read from the marts, every question of the plan.

`internal_pages(con, as_of)` runs one small aggregate query per chart against the marts
(schema `marts`), hands the result to the chart function and pairs it with a plain-Danish
explanation and its CSV. `build_internal_site` writes the pages with `site.write_site`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from boligmonitor import partner_tables
from dashboards import charts
from dashboards.formatting import csv_bytes
from dashboards.site import BuiltSite, Figure, Page, QualityStatus, Section, SiteInfo, write_site

TOP_DEPARTMENTS = 40  # the one-third chart shows the departments with the highest share

# Danish column headings of the CSV files (English column names as in the marts).
LABELS: Mapping[str, str] = {
    "month_start": "Måned",
    "entered_month": "Indskrivningsmåned",
    "outcome": "Udfald",
    "dwellings": "Boliger",
    "rent_class": "Huslejeklasse",
    "return_reason": "Årsag",
    "dwellings_received": "Modtagne boliger",
    "dwellings_returned": "Returnerede boliger",
    "return_rate": "Returneringsandel",
    "high_rent_return_rate": "Andel returneret for høj husleje",
    "rent_median_kr": "Husleje, median (kr. pr. måned)",
    "ability_to_pay_median_kr": "Betalingsevne hos ventende, median (kr. pr. måned)",
    "share_able_to_pay": "Andel af ventende der kunne betale (gennemsnit)",
    "subsidy_kr_per_month": "Tilskud (kr. pr. måned)",
    "received_year": "Modtagelsesår",
    "rent_returns": "Returneret for høj husleje",
    "returns_prevented": "Forhindrede returneringer",
    "yearly_cost_flat_kr": "Årlig pris (kr.)",
    "district": "Bydel",
    "district_number": "Bydelsnummer",
    "move_ins": "Indflytninger",
    "department_id": "Afdeling",
    "department_name": "Afdelingens navn",
    "housing_organisation": "Boligorganisation",
    "allocated_by_municipality_12m": "Anvist af kommunen, 12 mdr.",
    "vacancies_12m": "Ledige boliger, 12 mdr.",
    "municipal_share_12m": "Kommunens andel, 12 mdr.",
    "support_method": "Indsats",
    "support_episodes": "Bostøtteforløb",
    "episodes_active_as_of": "Forløb i gang på opgørelsesdagen",
    "move_ins_needing_support_measurable": "Indflyttede med behov (målbare)",
    "with_support_within_30_days": "Med støtte inden for 30 dage",
    "share_with_support_within_30_days": "Andel med støtte inden for 30 dage",
    "citizens_supported": "Borgere med bostøtte",
    "capacity_target_citizens": "Planens kapacitet (borgere)",
    "stays_measurable": "Ophold (målbare)",
    "own_home_within_90_days": "I egen bolig inden for 90 dage",
    "share_own_home_within_90_days": "Andel i egen bolig inden for 90 dage",
    "days_bucket": "Dage til egen bolig",
    "stays": "Ophold",
    "months_after": "Måneder efter indflytning",
    "group": "Gruppe",
    "eligible": "Indflytninger (målbare)",
    "housed": "Stadig i bolig",
    "share_housed": "Andel stadig i bolig",
    "rent_subsidy_type": "Tilskudstype",
    "able_to_pay": "Betalingsevne dækker fuld husleje",
    "subsidies": "Tilskud",
    "move_ins_target_groups": "Borgere i egen bolig (målgrupperne)",
    "move_ins_above_baseline": "Ekstra over 2023-niveauet",
    "pilot_group": "Pilotgruppe",
    "citizens_planned": "Planlagt",
    "citizens": "Borgere i piloten",
    "citizens_moved_in": "Flyttet ind",
    "citizens_housed_at_12_months": "I bolig efter 12 måneder",
    "figure_year": "År",
    "figure_value": "Hjemløse borgere",
    "source": "Kilde",
}


def label(column: str) -> str:
    return LABELS.get(column, column)


def figure(key: str, chart: charts.Spec, table: pa.Table, explanation: str) -> Figure:
    return Figure(key, chart, explanation, csv_bytes(table, [label(c) for c in table.column_names]))


def _q(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()) -> pa.Table:
    return con.execute(sql, list(params)).to_arrow_table()


def _last_complete_month(con: duckdb.DuckDBPyConnection) -> date | None:
    row = con.execute("SELECT max(month_start) FROM marts.dim_months WHERE is_complete").fetchone()
    return row[0] if row else None


def data_period(con: duckdb.DuckDBPyConnection, as_of: date) -> tuple[date, date] | None:
    """From the first month any source mentions (dim_months) to the report date."""
    row = con.execute("SELECT min(month_start) FROM marts.dim_months").fetchone()
    return (row[0], as_of) if row and row[0] else None


# ---- the pages --------------------------------------------------------------------------


def _dwellings(con: duckdb.DuckDBPyConnection) -> Section:
    funnel = _q(
        con,
        """
        UNPIVOT (
            SELECT received_month AS month_start,
                   sum(dwellings_moved_into)::BIGINT AS indflyttet,
                   sum(dwellings_returned)::BIGINT AS returneret,
                   sum(dwellings_open)::BIGINT AS aaben
            FROM marts.dwelling_funnel GROUP BY 1
        ) ON indflyttet, returneret, aaben INTO NAME outcome VALUE dwellings
        ORDER BY month_start, outcome
        """,
    )
    return Section(
        "Boligtragten",
        (
            figure(
                "boligtragt",
                charts.funnel_chart(funnel),
                funnel,
                "Hver søjle er de boliger, kommunen modtog til boligsocial anvisning i måneden, "
                "delt efter hvor langt de er nået i dag: en borger er flyttet ind, boligen er "
                "leveret tilbage (returneret), eller sagen er stadig åben. En bolig tælles i "
                "måneden den blev modtaget; er der både indflytning og returnering, tæller den "
                "som indflyttet. De seneste måneder har derfor flere åbne boliger.",
            ),
        ),
    )


def _returns(con: duckdb.DuckDBPyConnection) -> Section:
    rate = _q(
        con,
        """
        SELECT rent_class,
               sum(dwellings_received)::BIGINT AS dwellings_received,
               sum(dwellings_returned)::BIGINT AS dwellings_returned,
               sum(dwellings_returned) / nullif(sum(dwellings_received), 0) AS return_rate
        FROM marts.dwelling_returns GROUP BY 1 ORDER BY 1
        """,
    )
    reasons = _q(
        con,
        """
        SELECT rent_class, replace(reason, 'returned_', '') AS return_reason,
               sum(n)::BIGINT AS dwellings_returned
        FROM (UNPIVOT marts.dwelling_returns
              ON returned_husleje_for_hoej, returned_stoerrelse, returned_beliggenhed,
                 returned_afdeling_skaermet, returned_ingen_match_inden_frist,
                 returned_boligens_stand, returned_andet
              INTO NAME reason VALUE n)
        GROUP BY 1, 2 HAVING sum(n) > 0 ORDER BY 1, 2
        """,
    )
    trend = _q(
        con,
        """
        SELECT received_month AS month_start,
               sum(dwellings_received)::BIGINT AS dwellings_received,
               sum(dwellings_returned) / nullif(sum(dwellings_received), 0) AS return_rate,
               sum(returned_husleje_for_hoej) / nullif(sum(dwellings_received), 0)
                   AS high_rent_return_rate
        FROM marts.dwelling_returns GROUP BY 1 ORDER BY 1
        """,
    )
    return Section(
        "Returnerede boliger",
        (
            figure(
                "returandel",
                charts.return_rate_chart(rate),
                rate,
                "Andelen af de modtagne boliger i hver huslejeklasse, som kommunen leverede "
                "tilbage uden at nogen flyttede ind. Huslejeklassen er den, der gjaldt på dagen "
                "boligen blev modtaget. Alle boliger i perioden tæller; boliger der stadig er "
                "åbne, tæller som ikke returneret.",
            ),
            figure(
                "returaarsager",
                charts.return_reasons_chart(reasons),
                reasons,
                "De returnerede boliger delt efter den årsag, der er registreret ved "
                "returneringen. 'Huslejen for høj' betyder, at ingen ventende borger kunne "
                "betale huslejen.",
            ),
            figure(
                "returtrend",
                charts.return_trend_chart(trend),
                trend,
                "Returneringsandelen for de boliger, der blev modtaget i hver måned, og den del "
                "af dem, der blev returneret fordi huslejen var for høj. Kurven for de seneste "
                "måneder kan stige endnu, mens boligerne stadig er åbne.",
            ),
        ),
    )


def _affordability(con: duckdb.DuckDBPyConnection) -> Section:
    gap = _q(
        con,
        """
        SELECT rent_class, count(*)::BIGINT AS dwellings,
               median(rent_kr)::DOUBLE AS rent_median_kr,
               median(ability_to_pay_median_kr)::DOUBLE AS ability_to_pay_median_kr,
               avg(share_able_to_pay) AS share_able_to_pay
        FROM marts.affordability_gap GROUP BY 1 ORDER BY 1
        """,
    )
    what_if = _q(
        con,
        """
        SELECT subsidy_kr_per_month::DOUBLE AS subsidy_kr_per_month, received_year,
               rent_returns::BIGINT AS rent_returns,
               returns_prevented::BIGINT AS returns_prevented,
               yearly_cost_flat_kr::DOUBLE AS yearly_cost_flat_kr
        FROM marts.subsidy_what_if ORDER BY received_year, subsidy_kr_per_month
        """,
    )
    return Section(
        "Betalingsevne og huslejetilskud",
        (
            figure(
                "betalingsevne",
                charts.affordability_chart(gap),
                gap,
                "For hver huslejeklasse: medianen af de modtagne boligers husleje uden forbrug, "
                "og medianen af betalingsevnen hos de borgere, der ventede på samme boligtype på "
                "dagen boligen blev modtaget. Når betalingsevnen ligger under huslejen, kan de "
                "fleste ventende ikke betale boligen.",
            ),
            figure(
                "tilskud-hvad-nu-hvis",
                charts.subsidy_what_if_chart(what_if),
                what_if,
                "Hvis kommunen havde givet et fast huslejetilskud på det viste beløb om måneden: "
                "hvor mange af de boliger, der blev returneret for høj husleje, ville den bedst "
                "betalende ventende borger så kunne have betalt. Én kurve pr. år. Den årlige "
                "pris (tilskud x 12 for hver forhindret returnering) står i CSV-filen og i "
                "diagrammets forklaring ved musen.",
            ),
        ),
    )


def _sql_sum(values: Sequence[int | None]) -> int | None:
    """sum() as SQL has it: nulls left out, null when there is nothing to add."""
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _city(con: duckdb.DuckDBPyConnection, as_of: date) -> Section:
    districts = _q(
        con,
        """
        SELECT district, min(district_number) AS district_number,
               sum(move_ins)::BIGINT AS move_ins,
               sum(dwellings_received)::BIGINT AS dwellings_received
        FROM marts.district_months
        WHERE month_start > ? - INTERVAL 12 MONTH AND month_start <= ?
        GROUP BY 1 ORDER BY 2
        """,
        [as_of, as_of],
    )
    month = _last_complete_month(con)
    departments = _q(
        con,
        """
        SELECT department_id, coalesce(department_name, department_id) AS department_name,
               housing_organisation,
               allocated_by_municipality_12m, vacancies_12m, municipal_share_12m
        FROM marts.department_months WHERE month_start = ?
        ORDER BY municipal_share_12m DESC NULLS LAST, department_id
        """,
        [month],
    )
    # The city's share from the rows already fetched (all departments of the month), not from a
    # second scan of the mart: sum(allocated) / sum(vacancies) as SQL has it (_sql_sum).
    allocated = departments.column("allocated_by_municipality_12m").to_pylist()
    vacancies = departments.column("vacancies_12m").to_pylist()
    allocated_sum, vacancies_sum = _sql_sum(allocated), _sql_sum(vacancies)
    city_share = (
        allocated_sum / vacancies_sum if allocated_sum is not None and vacancies_sum else None
    )
    over = sum(
        1 for a, v in zip(allocated, vacancies, strict=True) if a is not None and v and a * 3 > v
    )
    top = departments.slice(0, TOP_DEPARTMENTS)
    month_text = f"{month:%m.%Y}" if month else "–"
    return Section(
        "Hvor i byen, og tredjedelsreglen",
        (
            figure(
                "bydele",
                charts.district_chart(districts),
                districts,
                "Borgere der flyttede ind i en anvist bolig i de seneste 12 måneder til og med "
                "opgørelsesdagen, pr. bydel. Modtagne boliger i samme periode står i "
                "forklaringen ved musen og i CSV-filen.",
            ),
            figure(
                "tredjedel",
                charts.one_third_chart(top, city_share),
                departments,
                f"Kommunen må højst anvise hver tredje ledige bolig i en afdeling. For hver "
                f"afdeling: kommunens anvisninger delt med afdelingens ledige boliger over de 12 "
                f"måneder til og med {month_text} (den seneste afsluttede måned). Præcis en "
                f"tredjedel er tilladt. {over} afdelinger ligger over loftet. Diagrammet viser de "
                f"{TOP_DEPARTMENTS} afdelinger med den højeste andel; CSV-filen har dem alle.",
            ),
        ),
    )


def _support(con: duckdb.DuckDBPyConnection) -> Section:
    methods = _q(
        con,
        """
        SELECT support_method, sum(support_episodes)::BIGINT AS support_episodes,
               sum(episodes_active_as_of)::BIGINT AS episodes_active_as_of
        FROM marts.support_methods GROUP BY 1 ORDER BY 2 DESC
        """,
    )
    within = _q(
        con,
        """
        SELECT month_start, move_ins_needing_support_measurable::BIGINT
                   AS move_ins_needing_support_measurable,
               with_support_within_30_days::BIGINT AS with_support_within_30_days,
               share_with_support_within_30_days
        FROM marts.support_at_move_in_months
        WHERE move_ins_needing_support_measurable > 0 ORDER BY 1
        """,
    )
    capacity = _q(
        con,
        """
        SELECT month_start, citizens_supported::BIGINT AS citizens_supported,
               capacity_target_citizens::DOUBLE AS capacity_target_citizens
        FROM marts.support_capacity_months WHERE year(month_start) >= 2023 ORDER BY 1
        """,
    )
    return Section(
        "Bostøtte",
        (
            figure(
                "bostoette-indsatser",
                charts.support_methods_chart(methods),
                methods,
                "Bostøtteforløb hos borgere, kommunen har anvist en bolig, pr. indsats: de tre "
                "Housing First-metoder CTI, ICM og ACT, støtte efter serviceloven § 85 og § 99, "
                "boligrådgivere og NGO'er. Et forløb tæller med, når det hører til borgerens "
                "lejemål (ikke afsluttet mere end 90 dage før indflytningen).",
            ),
            figure(
                "bostoette-30-dage",
                charts.support_within_30_days_chart(within),
                within,
                "Af de borgere, der flyttede ind i måneden og var vurderet til at have brug for "
                "bostøtte: andelen, der havde et forløb på plads senest 30 dage efter "
                "indflytningen. En indflytning tæller først med, når der er gået 30 dage.",
            ),
            figure(
                "bostoette-kapacitet",
                charts.support_capacity_chart(capacity),
                capacity,
                "Borgere med et aktivt bostøtteforløb på månedens sidste dag, mod planens "
                "kapacitet: niveauet ved udgangen af 2023 plus ca. 60 flere borgere i 2024 og 40 "
                "flere om året derefter, fordelt jævnt over året.",
            ),
        ),
    )


def _shelter(con: duckdb.DuckDBPyConnection) -> Section:
    exits = _q(
        con,
        """
        SELECT entered_month, sum(stays_measurable)::BIGINT AS stays_measurable,
               sum(own_home_within_90_days)::BIGINT AS own_home_within_90_days,
               sum(own_home_within_90_days) / nullif(sum(stays_measurable), 0)
                   AS share_own_home_within_90_days
        FROM marts.shelter_exit_months GROUP BY 1 HAVING sum(stays_measurable) > 0 ORDER BY 1
        """,
    )
    days = _q(
        con,
        """
        SELECT days_bucket, stays FROM (UNPIVOT (
            SELECT sum(own_home_days_0_30)::BIGINT AS "0-30",
                   sum(own_home_days_31_60)::BIGINT AS "31-60",
                   sum(own_home_days_61_90)::BIGINT AS "61-90",
                   sum(own_home_days_91_180)::BIGINT AS "91-180",
                   sum(own_home_days_181_365)::BIGINT AS "181-365",
                   sum(own_home_days_over_365)::BIGINT AS "over 365"
            FROM marts.shelter_exit_months
        ) ON COLUMNS(*) INTO NAME days_bucket VALUE stays)
        """,
    )
    return Section(
        "Fra herberg til egen bolig",
        (
            figure(
                "herberg-90-dage",
                charts.shelter_exit_chart(exits),
                exits,
                "Af de herbergsophold, der begyndte i måneden: andelen, hvor borgeren var i egen "
                "bolig senest 90 dage efter indskrivningen (udskrevet til egen bolig eller flyttet "
                "ind i en anvist bolig). Ophold, der begyndte for mindre end 90 dage siden, "
                "tæller først med, når de 90 dage er gået.",
            ),
            figure(
                "herberg-dage",
                charts.shelter_days_chart(days),
                days,
                "Alle herbergsophold, der er endt i egen bolig, fordelt efter hvor mange dage "
                "der gik fra indskrivning til egen bolig. Den stiplede linje er reformens mål om "
                "egen bolig inden for 90 dage.",
            ),
        ),
    )


def retention_table(con: duckdb.DuckDBPyConnection) -> pa.Table:
    return _q(
        con,
        """
        WITH by_group AS (
            SELECT CASE WHEN support_method IN ('CTI', 'ICM', 'ACT', 'ingen')
                        THEN support_method ELSE 'anden' END AS "group",
                   sum(eligible_6_months) AS e6, sum(housed_at_6_months) AS h6,
                   sum(eligible_12_months) AS e12, sum(housed_at_12_months) AS h12,
                   sum(eligible_24_months) AS e24, sum(housed_at_24_months) AS h24
            FROM marts.tenancy_retention WHERE support_method <> 'ukendt'
            GROUP BY ROLLUP ("group")
        ), long AS (
            SELECT coalesce("group", 'I alt') AS "group", 6 AS months_after, e6 AS eligible,
                   h6 AS housed FROM by_group
            UNION ALL SELECT coalesce("group", 'I alt'), 12, e12, h12 FROM by_group
            UNION ALL SELECT coalesce("group", 'I alt'), 24, e24, h24 FROM by_group
        )
        SELECT months_after, "group", eligible::BIGINT AS eligible, housed::BIGINT AS housed,
               housed / nullif(eligible, 0) AS share_housed
        FROM long WHERE eligible > 0
        ORDER BY "group" = 'I alt' DESC, "group", months_after
        """,
    )


def _retention(con: duckdb.DuckDBPyConnection) -> Section:
    table = retention_table(con)
    ref = con.execute(
        "SELECT max(reference_retention_12_months) FROM marts.tenancy_retention"
    ).fetchone()
    reference = float(ref[0]) if ref and ref[0] is not None else charts.HOUSING_FIRST_EUROPE_12M
    return Section(
        "Fastholdelse af boligen",
        (
            figure(
                "fastholdelse",
                charts.retention_chart(table, reference),
                table,
                "Andelen af de borgere, der flyttede ind, som stadig boede i boligen 6, 12 og 24 "
                "måneder efter indflytningen; enhver fraflytning tæller. En indflytning tæller "
                "først med, når tiden er gået. Opdelt efter den bostøtte, borgeren havde på "
                "plads inden for 30 dage. Den stiplede linje er Housing First Europes resultat "
                "for København efter 12 måneder: et referencetal, ikke et mål.",
            ),
        ),
    )


def _subsidies_and_targets(con: duckdb.DuckDBPyConnection) -> Section:
    cliff = _q(con, f"{partner_tables.SUBSIDIES_ENDING_BY_ABILITY} ORDER BY 1, 2")
    target = _q(
        con,
        """
        SELECT month_start, move_ins_target_groups::BIGINT AS move_ins_target_groups,
               move_ins_above_baseline::DOUBLE AS move_ins_above_baseline
        FROM marts.housing_target_months WHERE year >= 2023 ORDER BY 1
        """,
    )
    return Section(
        "Huslejetilskud og planens mål",
        (
            figure(
                "tilskud-ophoer",
                charts.subsidy_cliff_chart(cliff),
                cliff,
                "Aktive huslejetilskud, der slutter inden for de næste 12 måneder efter "
                "opgørelsesdagen, og om borgerens betalingsevne (vurderet ved indstillingen) "
                "dækker den fulde husleje uden forbrug, når tilskuddet falder væk.",
            ),
            figure(
                "maal-10-om-maaneden",
                charts.housing_target_chart(target),
                target,
                "Borgere fra de hjemløse målgrupper (herberg, gade, sofasovere, unge og "
                "krisecentre), der flyttede ind i egen bolig i måneden, ud over gennemsnittet "
                "pr. måned i 2023. Planens mål er ca. 10 ekstra om måneden (120 i 2024).",
            ),
        ),
    )


def _pilot_and_context(con: duckdb.DuckDBPyConnection) -> Section:
    pilot = _q(
        con,
        """
        SELECT pilot_group, citizens_planned::BIGINT AS citizens_planned,
               citizens::BIGINT AS citizens, citizens_moved_in::BIGINT AS citizens_moved_in,
               citizens_housed_at_12_months::BIGINT AS citizens_housed_at_12_months
        FROM marts.pilot_2022 ORDER BY sort_order
        """,
    )
    vive = _q(
        con,
        """
        SELECT figure_year, figure_value::BIGINT AS figure_value, source
        FROM marts.reference_figures WHERE figure_code = 'vive_homeless_count' ORDER BY 1
        """,
    )
    return Section(
        "Pilotprojektet og sammenhæng",
        (
            figure(
                "pilot",
                charts.pilot_chart(pilot),
                pilot,
                "Pilotprojektet fra 1. maj 2022 med 50 borgere: 20 fra Sundholm, 20 unge og 10 "
                "uden behov for bostøtte. Pr. gruppe: planlagt antal, borgere i data, borgere "
                "der flyttede ind, og dem der stadig boede der efter 12 måneder. Tælles pr. "
                "borger. Kun til internt brug; piloten vises aldrig opdelt for partnere.",
            ),
            figure(
                "vive",
                charts.homeless_count_chart(vive),
                vive,
                "VIVE's nationale tællinger af hjemløse borgere i København, som offentliggjort. "
                "Tallene er ikke beregnet i boligmonitor; de giver sammenhæng til tallene ovenfor.",
            ),
        ),
    )


def internal_pages(con: duckdb.DuckDBPyConnection, as_of: date) -> list[Page]:
    """The pages of the internal site, from the marts."""
    dwellings, returns = _dwellings(con), _returns(con)
    targets = _subsidies_and_targets(con)
    retention = _retention(con)
    overview = Page(
        "index",
        "Overblik",
        "Overblik",
        (
            Section("Planens mål", (targets.figures[1],)),
            Section("Boliger", (dwellings.figures[0], returns.figures[0])),
            Section("Fastholdelse", retention.figures),
        ),
        intro="Planen mod hjemløshed i tal: boliger modtaget og anvist, returneringer, bostøtte, "
        "herberg, fastholdelse og huslejetilskud. Til kommunens ledelse og politikere; "
        "tallene er ikke diskretionerede og må ikke deles uden for kommunen.",
    )
    return [
        overview,
        Page(
            "boliger",
            "Boliger, returneringer og betalingsevne",
            "Boliger",
            (dwellings, returns, _affordability(con)),
        ),
        Page("byen", "Hvor i byen og tredjedelsreglen", "Byen og afdelinger", (_city(con, as_of),)),
        Page(
            "stoette-og-herberg",
            "Bostøtte og herberg",
            "Bostøtte og herberg",
            (_support(con), _shelter(con)),
        ),
        Page(
            "fastholdelse-og-maal",
            "Fastholdelse, tilskud og mål",
            "Fastholdelse og mål",
            (retention, targets, _pilot_and_context(con)),
        ),
    ]


def quality_status(con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> QualityStatus:
    """The quality status of a run from audit.validations: the run named, or the latest run
    that validated anything when that one did not."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'audit' "
        "AND table_name = 'validations'"
    ).fetchone()
    if not exists or not exists[0]:
        return QualityStatus(False, "Ingen kvalitetskontroller er registreret.")
    ran = (
        run_id is not None
        and con.execute(
            "SELECT count(*) FROM audit.validations WHERE run_id = ?", [run_id]
        ).fetchone()[0]
    )
    if not ran:  # no suite ran in that run (or none was named): the latest run that had one
        row = con.execute(
            "SELECT run_id FROM audit.validations ORDER BY validated_at DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return QualityStatus(False, "Ingen kvalitetskontroller er registreret.")
        run_id = row[0]
    blocking, errors, warnings = con.execute(
        """SELECT count(*) FILTER (WHERE severity = 'error'),
                  count(*) FILTER (WHERE NOT success AND severity = 'error'),
                  count(*) FILTER (WHERE NOT success AND severity <> 'error')
           FROM audit.validations WHERE run_id = ?""",
        [run_id],
    ).fetchone()
    if errors:
        return QualityStatus(False, f"{errors} af {blocking} blokerende kvalitetsregler fejlede.")
    text = f"Alle {blocking} blokerende kvalitetsregler bestod"
    if warnings:
        text += f"; {warnings} advarsel" if warnings == 1 else f"; {warnings} advarsler"
    return QualityStatus(True, text + ".")


def site_info(
    period: tuple[date, date] | None, as_of: date, run_at: datetime, quality: QualityStatus
) -> SiteInfo:
    return SiteInfo(
        title="Boligmonitor – intern",
        audience="Københavns Kommune, Socialforvaltningen: planen mod hjemløshed i tal.",
        period=period,
        as_of=as_of,
        run_at=run_at,
        quality=quality,
        footer="Kilde: boligmonitor, bygget af kommunens egne data (marts-tabellerne). "
        "Tallene er ikke diskretionerede: kun til intern brug.",
    )


def build_internal_site(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    *,
    as_of: date,
    run_at: datetime,
    quality: QualityStatus | None = None,
) -> BuiltSite:
    info = site_info(data_period(con, as_of), as_of, run_at, quality or quality_status(con))
    return write_site(folder, info, internal_pages(con, as_of))
