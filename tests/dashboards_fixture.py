"""Small marts made by the tests: the columns the dashboards read, with known, varied counts.

Two years of months (2024-2025, reported as of 31.12.2025), three housing organisations with
four departments each, ten districts. Counts are small arithmetic patterns, so some are below
the suppression threshold and some far above it.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb

from boligmonitor.quality import store

AS_OF = date(2025, 12, 31)
ORGS = ("fsb", "KAB", "3B")
DISTRICTS = (
    "Indre By",
    "Østerbro",
    "Nørrebro",
    "Vesterbro/Kongens Enghave",
    "Valby",
    "Vanløse",
    "Brønshøj-Husum",
    "Bispebjerg",
    "Amager Øst",
    "Amager Vest",
)
RUN_ID = "test-run-0001"

SQL = f"""
CREATE SCHEMA marts;
CREATE TABLE marts.dim_months AS
SELECT m::DATE AS month_start, last_day(m)::DATE AS month_end,
       strftime(m, '%Y-%m') AS month_label, year(m) AS year, month(m) AS month_number,
       last_day(m) < DATE '{AS_OF}' AS is_complete,
       date_trunc('month', DATE '{AS_OF}') = m AS is_report_month
FROM range(DATE '2024-01-01', DATE '2026-01-01', INTERVAL 1 MONTH) t(m);

CREATE TABLE marts.orgs AS SELECT * FROM (VALUES (1, 'fsb'), (2, 'KAB'), (3, '3B')) o(o, org);
CREATE TABLE marts.rent_classes AS
SELECT * FROM (VALUES (1, 'H01', 3500), (2, 'H02', 4500), (3, 'H03', 5500), (4, 'H04', 6500))
    r(r, rent_class, rent);

CREATE TABLE marts.dwelling_funnel AS
SELECT d.month_start AS received_month, 'Østerbro' AS district, org AS housing_organisation,
       upper(org) || '-000' || o AS department_id, rent_class, 'familie' AS dwelling_type,
       ((month(d.month_start) * 3 + o * 5 + r) % 9 + o)::BIGINT AS dwellings_moved_into,
       ((month(d.month_start) + o * 2 + r * 3) % 6)::BIGINT AS dwellings_returned,
       (CASE WHEN d.month_start >= DATE '2025-10-01' THEN (o + r) % 4 ELSE 0 END)::BIGINT
           AS dwellings_open
FROM marts.dim_months d, marts.orgs, marts.rent_classes;

CREATE TABLE marts.dwelling_returns AS
SELECT received_month, rent_class,
       sum(dwellings_moved_into + dwellings_returned + dwellings_open)::BIGINT
           AS dwellings_received,
       sum(dwellings_returned)::BIGINT AS dwellings_returned,
       sum(dwellings_returned // 2 + dwellings_returned % 2)::BIGINT AS returned_husleje_for_hoej,
       sum(dwellings_returned // 2)::BIGINT AS returned_stoerrelse,
       0::BIGINT AS returned_beliggenhed, 0::BIGINT AS returned_afdeling_skaermet,
       0::BIGINT AS returned_ingen_match_inden_frist, 0::BIGINT AS returned_boligens_stand,
       0::BIGINT AS returned_andet
FROM marts.dwelling_funnel GROUP BY 1, 2;

CREATE TABLE marts.affordability_gap AS
SELECT 'B' || i AS dwelling_id, rent_class, (rent + i % 7 * 100)::DECIMAL(12, 2) AS rent_kr,
       (rent - 900 + i % 5 * 150)::DOUBLE AS ability_to_pay_median_kr,
       (i % 10) / 10.0 AS share_able_to_pay
FROM range(40) t(i), marts.rent_classes WHERE i % 4 + 1 = r;

CREATE TABLE marts.subsidy_what_if AS
SELECT (s * 250)::INTEGER AS subsidy_kr_per_month, y AS received_year, 30::BIGINT AS rent_returns,
       least(30, s * 3)::BIGINT AS returns_prevented, (least(30, s * 3) * s * 250 * 12)::DOUBLE
           AS yearly_cost_flat_kr
FROM range(0, 13) a(s), (VALUES (2024), (2025)) b(y);

CREATE TABLE marts.district_months AS
SELECT d.month_start, district, n AS district_number,
       ((n * 7 + month(d.month_start)) % 8)::BIGINT AS move_ins,
       ((n * 5 + month(d.month_start)) % 11)::BIGINT AS dwellings_received
FROM marts.dim_months d,
     (SELECT unnest({list(DISTRICTS)}) AS district, generate_subscripts({list(DISTRICTS)}, 1) AS n);

CREATE TABLE marts.department_months AS
SELECT upper(org) || '-000' || k AS department_id, d.month_start, org AS housing_organisation,
       'Afdeling ' || org || ' ' || k AS department_name,
       (o * 3 + k * 4)::BIGINT AS allocated_by_municipality_12m,
       (o * 6 + k * 10 + 5)::BIGINT AS vacancies_12m,
       (o * 3 + k * 4) / (o * 6 + k * 10 + 5) AS municipal_share_12m
FROM marts.dim_months d, marts.orgs, range(1, 5) t(k);

CREATE TABLE marts.support_methods AS
SELECT * FROM (VALUES ('CTI', 40, 12), ('ICM', 25, 9), ('ACT', 12, 3), ('SEL85', 30, 10),
                      ('SEL99', 3, 1), ('boligraadgiver', 18, 6), ('ngo', 7, 2))
    s(support_method, support_episodes, episodes_active_as_of);

CREATE TABLE marts.support_at_move_in_months AS
SELECT month_start, is_complete, (month(month_start) % 6 + 6)::BIGINT
           AS move_ins_needing_support_measurable,
       (month(month_start) % 6 + 3)::BIGINT AS with_support_within_30_days,
       (month(month_start) % 6 + 3) / (month(month_start) % 6 + 6) AS
           share_with_support_within_30_days
FROM marts.dim_months;

CREATE TABLE marts.support_capacity_months AS
SELECT month_start, (200 + month(month_start) * 4)::BIGINT AS citizens_supported,
       (200 + month(month_start) * 5)::DOUBLE AS capacity_target_citizens
FROM marts.dim_months;

CREATE TABLE marts.shelter_exit_months AS
SELECT month_start AS entered_month, 'kommunal' AS shelter_type,
       (month(month_start) % 5 + 8)::BIGINT AS stays_measurable,
       (month(month_start) % 5 + 2)::BIGINT AS own_home_within_90_days,
       3::BIGINT AS own_home_days_0_30, (month(month_start) % 3)::BIGINT AS own_home_days_31_60,
       2::BIGINT AS own_home_days_61_90, 4::BIGINT AS own_home_days_91_180,
       1::BIGINT AS own_home_days_181_365, 0::BIGINT AS own_home_days_over_365
FROM marts.dim_months;

CREATE TABLE marts.tenancy_retention AS
SELECT d.month_start AS moved_in_month, m AS support_method, 'ingen' AS rent_subsidy_type,
       10::BIGINT AS move_ins, 10::BIGINT AS eligible_6_months,
       (9 + (month(d.month_start) % 2))::BIGINT AS housed_at_6_months,
       (CASE WHEN d.month_start < DATE '2025-01-01' THEN 10 ELSE 0 END)::BIGINT
           AS eligible_12_months,
       (CASE WHEN d.month_start < DATE '2025-01-01' THEN 9 ELSE 0 END)::BIGINT
           AS housed_at_12_months,
       0::BIGINT AS eligible_24_months, 0::BIGINT AS housed_at_24_months,
       0.94 AS reference_retention_12_months
FROM marts.dim_months d, (VALUES ('CTI'), ('ICM'), ('SEL85'), ('ingen')) s(m);

CREATE TABLE marts.subsidy_cliff AS
SELECT * FROM (VALUES ('kommunal_udslusning', 120, 40, 22, 15),
                      ('statslig_midlertidig', 30, 12, 2, 9),
                      ('statslig_permanent', 20, 0, 0, 0))
    s(rent_subsidy_type, subsidies_active, ending_within_12_months,
      ending_within_12_months_able_to_pay, ending_within_12_months_not_able_to_pay);

CREATE TABLE marts.housing_target_months AS
SELECT month_start, year, month_number, is_complete,
       (20 + month_number % 7)::BIGINT AS move_ins_target_groups,
       (month_number % 7 - 2)::DOUBLE AS move_ins_above_baseline
FROM marts.dim_months;

CREATE TABLE marts.pilot_2022 AS
SELECT * FROM (VALUES (1, 'sundholm', 20.0, 19, 17, 15), (2, 'ung', 20.0, 20, 18, 16),
                      (3, 'uden_bostotte', 10.0, 10, 9, 9), (4, 'i_alt', 50.0, 49, 44, 40))
    p(sort_order, pilot_group, citizens_planned, citizens, citizens_moved_in,
      citizens_housed_at_12_months);

CREATE TABLE marts.reference_figures AS
SELECT * FROM (VALUES ('vive_homeless_count', 2015, 1562.0, 'VIVE 2015'),
                      ('vive_homeless_count', 2017, 1482.0, 'VIVE 2017'),
                      ('vive_homeless_count', 2019, 1442.0, 'VIVE 2019'),
                      ('vive_homeless_count', 2022, 1370.0, 'VIVE 2022'),
                      ('retention_12m_reference', NULL, 0.94, 'Housing First Europe'))
    r(figure_code, figure_year, figure_value, source);
DROP TABLE marts.orgs;
DROP TABLE marts.rent_classes;
"""


def make_marts(path: Path, *, failing_rule: bool = False) -> Path:
    """Write the small marts (and one run's quality results) into a new DuckDB file."""
    con = duckdb.connect(str(path))
    try:
        con.execute(SQL)
        store.ensure_table(con)
        con.execute(
            "INSERT INTO audit.validations (run_id, validated_at, suite, table_name, rule_id, "
            "severity, success) VALUES (?, ?, 's', 'raw.x', 'r1', 'error', ?), "
            "(?, ?, 's', 'raw.x', 'r2', 'warning', false)",
            [
                RUN_ID,
                datetime(2025, 12, 31, 2, 0),
                not failing_rule,
                RUN_ID,
                datetime(2025, 12, 31),
            ],
        )
    finally:
        con.close()
    return path
