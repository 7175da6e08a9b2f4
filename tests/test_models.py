"""The dbt models on a hand-made fixture (tests/model_fixture): real files, real ingestion, a
real `dbt build` into a DuckDB file, and every mart's numbers worked out by hand.

Report date 2024-06-30. Who is who (see tests/model_fixture/__init__.py):
  dwellings  B01 FSB familie 5.200 rec 10-01-2024  offered A01 15-01 (declined), A02 20-01,
                                                     moved in 01-02-2024
             B02 FSB familie 6.000 rec 12-01-2024  returned 26-01 (high rent, after a correction)
             B03 KAB ungdom  3.000 rec 05-02-2024  offered A03 08-02, moved in 01-03, out 01-05
             B04 KAB ungdom  3.600 rec 20-02-2024  returned 05-03 (high rent)
             B05 FSB familie 4.500 rec 10-11-2023  offered A04 15-11, moved in 01-12-2023
             B06 AAB familie 4.200 rec 03-03-2024  offered A05 10-03 (pending; AAB shielded)
             B07 KAB aeldre  4.800 rec 15-03-2024  returned 01-04 (size)
             B08 FSB skaev   2.500 rec 02-04-2024  not offered
             B09 KAB ungdom  3.200 rec 10-04-2024  offered A06 12-04, accepted
             B10 FSB familie 5.500 rec 15-04-2024  returned 30-04 (high rent; was 4.900)
  waiting windows [recommended, offer or cancellation):
             A01 P1 familie 4.800 [01-12-2023, 15-01-2024)
             A02 P2 familie 5.300 [05-12-2023, 20-01-2024)
             A03 P3 ungdom  3.100 [10-01-2024, 08-02-2024)
             A04 P4 familie 4.600 [01-10-2023, 15-11-2023)
             A05 P5 familie 4.300 [01-02-2024, 10-03-2024)
             A06 P6 ungdom  3.300 [01-03-2024, 12-04-2024)
             A07 P7 familie 5.000 [05-01-2024, open)  (4.500 before a correction)
             A08 P8 ungdom  2.800 [15-01-2024, 25-02-2024)  (cancelled; last change 25-02)
             A09 P9 aeldre  4.000 [01-02-2024, open)        A11 P1 familie 4.800 [16-01-2024, open)
             A10 deleted at the source.
  rent classes (newest file): K1 [0, 4.000) and K2 [4.000, ...) until 01-01-2024; from then
             H1 [0, 3.500), H2 [3.500, 5.000), H3 [5.000, ...).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from boligmonitor import modelling, warehouse
from tests.conftest import ingest_fixture
from tests.model_fixture import AS_OF, write_landing


@pytest.fixture(scope="module")
def warehouse_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Write the fixture, ingest it and run `dbt build` once for the whole module."""
    root = tmp_path_factory.mktemp("models")
    db = ingest_fixture(root, write_landing)
    modelling.build_models(db, date.fromisoformat(AS_OF), work_dir=root / "dbt")
    return db


@pytest.fixture
def built(warehouse_file: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = warehouse.connect(warehouse_file, read_only=True)
    yield con
    con.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple:
    result = rows(con, sql)
    assert len(result) == 1, (sql, result)
    return result[0]


def test_staging_resolves_deltas_and_full_extracts(built: duckdb.DuckDBPyConnection) -> None:
    # A10 was deleted at the source: 10 cases remain of A01-A11
    ids = [
        r[0]
        for r in rows(
            built, "SELECT allocation_id FROM staging.stg_anvisninger__allocations ORDER BY 1"
        )
    ]
    assert ids == ["A01", "A02", "A03", "A04", "A05", "A06", "A07", "A08", "A09", "A11"]
    # A07's ability to pay was corrected from 4.500 to 5.000 (later opdateret)
    assert one(
        built,
        """SELECT ability_to_pay_kr
        FROM staging.stg_anvisninger__allocations
        WHERE allocation_id = 'A07'""",
    ) == (Decimal("5000.00"),)
    # B10's rent corrected from 4.900 to 5.500; B02's return reason from 'andet' to high rent
    assert one(
        built, "SELECT rent_kr FROM staging.stg_ledige_boliger__dwellings WHERE dwelling_id = 'B10'"
    ) == (Decimal("5500.00"),)
    assert one(
        built,
        """SELECT return_reason
        FROM staging.stg_returnerede_boliger__returns
        WHERE dwelling_id = 'B02'""",
    ) == ("husleje_for_hoej",)
    # H4 deleted at the source: H1, H2, H3, H5 remain
    assert one(
        built,
        """SELECT string_agg(shelter_stay_id, ',' ORDER BY shelter_stay_id)
        FROM staging.stg_herbergsophold__shelter_stays""",
    ) == ("H1,H2,H3,H5",)
    # rent classes: only the newest file's five versions
    assert one(
        built,
        """SELECT string_agg(rent_class || '@' || valid_from, ',' ORDER BY valid_from, rent_class)
        FROM staging.stg_huslejeklasser__rent_classes""",
    ) == ("K1@2023-01-01,K2@2023-01-01,H1@2024-01-01,H2@2024-01-01,H3@2024-01-01",)
    # afdelinger: FSB-0101 January 2024 from the March file (2 vacancies), not February's (1);
    # 9 + 4 FSB months, 4 KAB, 4 AAB
    assert one(
        built,
        """SELECT vacancies
        FROM staging.stg_afdelinger__department_months
        WHERE department_id = 'FSB-0101'
        AND month_start = DATE '2024-01-01'""",
    ) == (2,)
    assert one(built, "SELECT count(*) FROM staging.stg_afdelinger__department_months") == (21,)


def test_rent_class_is_the_one_valid_on_the_day_received(built: duckdb.DuckDBPyConnection) -> None:
    classes = dict(
        rows(built, "SELECT dwelling_id, rent_class FROM intermediate.int_dwellings_classified")
    )
    # B05 (4.500, 2023): K2; the 2024 dwellings get H classes: 5.200/6.000/5.500 -> H3,
    # 3.600/4.200/4.800 -> H2, 3.000/2.500/3.200 -> H1
    assert classes == {
        "B05": "K2",
        "B01": "H3",
        "B02": "H3",
        "B10": "H3",
        "B04": "H2",
        "B06": "H2",
        "B07": "H2",
        "B03": "H1",
        "B08": "H1",
        "B09": "H1",
    }


def test_dwelling_funnel(built: duckdb.DuckDBPyConnection) -> None:
    # 10 received: moved into 3 (B05, B01, B03), returned 4 (B02, B04, B07, B10), open 3 (B06
    # offered, B08 not offered, B09 accepted); offered 6 (B01, B03, B05, B06, B09 and ... B01
    # twice): dwellings offered B01, B03, B05, B06, B09 = 5, offers 6, declined 1 (A01 on B01);
    # accepted 4 (B01, B03, B05 moved in, B09 awaiting move-in)
    totals = one(
        built,
        """
        SELECT sum(dwellings_received), sum(dwellings_offered), sum(offers_made),
               sum(offers_declined), sum(dwellings_accepted), sum(dwellings_moved_into),
               sum(dwellings_returned), sum(dwellings_open)
        FROM marts.dwelling_funnel""",
    )
    assert totals == (10, 5, 6, 1, 4, 3, 4, 3)
    # January 2024, FSB-0101, H3, familie: B01 and B02. First offer of B01 after 5 days
    # (10-01 -> 15-01); the accepted offer (20-01) to move-in (01-02) 12 days; received to
    # move-in 22 days; B02 received to returned 14 days (12-01 -> 26-01)
    assert one(
        built,
        """
        SELECT dwellings_received, dwellings_offered, offers_made, offers_declined,
               dwellings_accepted, dwellings_moved_into, dwellings_returned, dwellings_open,
               days_received_to_offer_avg, days_offer_to_move_in_avg,
               days_received_to_move_in_avg, days_received_to_return_avg
        FROM marts.dwelling_funnel
        WHERE received_month = DATE '2024-01-01' AND department_id = 'FSB-0101'
          AND rent_class = 'H3' AND dwelling_type = 'familie'""",
    ) == (2, 1, 2, 1, 1, 1, 1, 0, 5.0, 12.0, 22.0, 14.0)
    # February 2024, KAB, H1, ungdom: B03, offered after 3 days (05-02 -> 08-02), in 22 days
    # later (08-02 -> 01-03, 2024 is a leap year), 25 days from received to move-in
    assert one(
        built,
        """
        SELECT days_received_to_offer_total, days_offer_to_move_in_total,
               days_received_to_move_in_total, district, housing_organisation
        FROM marts.dwelling_funnel
        WHERE received_month = DATE '2024-02-01' AND rent_class = 'H1'""",
    ) == (3, 22, 25, "Valby", "KAB")
    # B04 returned after 14 days (20-02 -> 05-03 in a leap year); B07 after 17 (15-03 -> 01-04)
    assert one(
        built,
        """SELECT days_received_to_return_total
        FROM marts.dwelling_funnel
        WHERE received_month = DATE '2024-02-01'
        AND rent_class = 'H2'""",
    ) == (14,)
    assert one(
        built,
        """SELECT days_received_to_return_total
        FROM marts.dwelling_funnel
        WHERE dwelling_type = 'aeldre'""",
    ) == (17,)
    # one row per (month, department, class, type): 9 groups (B01 and B02 share one)
    assert one(built, "SELECT count(*) FROM marts.dwelling_funnel") == (9,)


def test_dwelling_returns(built: duckdb.DuckDBPyConnection) -> None:
    # 4 of 10 returned (40 %); 3 of the 4 for high rent (B02, B04, B10), 1 for size (B07)
    assert one(
        built,
        """
        SELECT sum(dwellings_received), sum(dwellings_returned), sum(returned_husleje_for_hoej),
               sum(returned_stoerrelse), sum(returned_andet)
        FROM marts.dwelling_returns""",
    ) == (10, 4, 3, 1, 0)
    # by rent class: H3 3 received, 2 returned for high rent (B02, B10); H2 3 received, B04
    # (rent) and B07 (size) returned; H1 and K2 none
    by_class = {
        r[0]: r[1:]
        for r in rows(
            built,
            """
            SELECT rent_class, sum(dwellings_received), sum(dwellings_returned),
                   sum(returned_husleje_for_hoej)
            FROM marts.dwelling_returns GROUP BY 1""",
        )
    }
    assert by_class == {"H3": (3, 2, 2), "H2": (3, 2, 1), "H1": (3, 0, 0), "K2": (1, 0, 0)}
    # January 2024 in Østerbro, fsb, H3, familie: B01 and B02 received, B02 returned for rent:
    # rate 1/2, high-rent share of returns 1/1
    assert one(
        built,
        """
        SELECT return_rate, high_rent_return_rate, high_rent_share_of_returns
        FROM marts.dwelling_returns
        WHERE received_month = DATE '2024-01-01' AND district = 'Østerbro'""",
    ) == (0.5, 0.5, 1.0)
    # March 2024, KAB, H2, aeldre: B07 returned for size: rate 1, high-rent share 0
    assert one(
        built,
        """SELECT return_rate, high_rent_share_of_returns
        FROM marts.dwelling_returns
        WHERE dwelling_type = 'aeldre'""",
    ) == (1.0, 0.0)
    # B06 (March, AAB): nothing returned, share of returns undefined
    assert one(
        built,
        """SELECT return_rate, high_rent_share_of_returns, dwellings_open
        FROM marts.dwelling_returns
        WHERE district = 'Nørrebro'""",
    ) == (0.0, None, 1)


def test_affordability_gap(built: duckdb.DuckDBPyConnection) -> None:
    got = {
        r[0]: r[1:]
        for r in rows(
            built,
            """
            SELECT dwelling_id, waiting_citizens, waiting_citizens_able_to_pay,
                   ability_to_pay_max_kr, subsidy_needed_kr, subsidy_needed_median_kr,
                   was_returned_for_rent
            FROM marts.affordability_gap""",
        )
    }
    d = Decimal
    assert got == {
        # familie on 10-01-2024: P1 4.800 (A01), P2 5.300 (A02), P7 5.000 (A07); A11 starts
        # 16-01, A04 ended 15-11. Able to pay 5.200: P2. Max 5.300 -> subsidy 0; median 5.000
        # -> 200
        "B01": (3, 1, d("5300.00"), d("0.00"), d("200.00"), False),
        # the same three on 12-01-2024 (A01's window runs to 15-01); nobody pays 6.000;
        # 6.000 - 5.300 = 700, 6.000 - 5.000 = 1.000; returned for rent
        "B02": (3, 0, d("5300.00"), d("700.00"), d("1000.00"), True),
        # ungdom on 05-02-2024: P3 3.100 (A03, offered 08-02), P8 2.800 (A08, cancelled 25-02);
        # able to pay 3.000: P3; median 2.950 -> 50
        "B03": (2, 1, d("3100.00"), d("0.00"), d("50.00"), False),
        # ungdom on 20-02-2024: only P8 2.800 (A03 was offered on 08-02, A06 starts 01-03);
        # 3.600 - 2.800 = 800
        "B04": (1, 0, d("2800.00"), d("800.00"), d("800.00"), True),
        # familie on 10-11-2023: only P4 4.600 (A04, offered 15-11), who can pay 4.500
        "B05": (1, 1, d("4600.00"), d("0.00"), d("0.00"), False),
        # familie on 03-03-2024: P5 4.300 (A05 until 10-03), P7 5.000, P1 4.800 (A11): all pay
        # 4.200
        "B06": (3, 3, d("5000.00"), d("0.00"), d("0.00"), False),
        # aeldre on 15-03-2024: P9 4.000; 4.800 - 4.000 = 800; returned for size, not rent
        "B07": (1, 0, d("4000.00"), d("800.00"), d("800.00"), False),
        # skaev: nobody waiting: subsidy undefined
        "B08": (0, 0, None, None, None, False),
        # ungdom on 10-04-2024: P6 3.300 (A06 until 12-04) pays 3.200
        "B09": (1, 1, d("3300.00"), d("0.00"), d("0.00"), False),
        # familie on 15-04-2024: P7 5.000 (corrected from 4.500) and P1 4.800 (A11); A05 was
        # offered on 10-03. 5.500 - 5.000 = 500; median 4.900 -> 600
        "B10": (2, 0, d("5000.00"), d("500.00"), d("600.00"), True),
    }
    assert one(
        built, "SELECT share_able_to_pay FROM marts.affordability_gap WHERE dwelling_id = 'B01'"
    ) == (pytest.approx(1 / 3),)


def test_subsidy_what_if(built: duckdb.DuckDBPyConnection) -> None:
    # High-rent returns, all received in 2024, with subsidy needed B02 700, B04 800, B10 500.
    got = {
        r[0]: r[1:]
        for r in rows(
            built,
            """
            SELECT subsidy_kr_per_month, received_year, rent_returns, returns_prevented,
                   yearly_cost_flat_kr, yearly_cost_needed_kr
            FROM marts.subsidy_what_if""",
        )
    }
    # levels 0, 250, ..., 3.000: 13 rows, one year
    assert sorted(got) == list(range(0, 3001, 250))
    assert got[0] == (2024, 3, 0, 0, 0)
    assert got[250] == (2024, 3, 0, 0, 0)
    # 500 covers B10: flat 1 x 500 x 12 = 6.000; as needed 500 x 12 = 6.000
    assert got[500] == (2024, 3, 1, 6000, 6000)
    # 750 covers B10 and B02: flat 2 x 750 x 12 = 18.000; needed (500 + 700) x 12 = 14.400
    assert got[750] == (2024, 3, 2, 18000, 14400)
    # 1.000 covers all three: flat 3 x 1.000 x 12 = 36.000; needed 2.000 x 12 = 24.000
    assert got[1000] == (2024, 3, 3, 36000, 24000)
    assert got[3000] == (2024, 3, 3, 108000, 24000)


def test_department_months_and_the_one_third_rule(built: duckdb.DuckDBPyConnection) -> None:
    got = {
        (r[0], r[1].strftime("%Y-%m")): r[2:]
        for r in rows(
            built,
            """
            SELECT department_id, month_start, allocated_by_municipality_12m, vacancies_12m,
                   months_reported_12m, is_over_one_third
            FROM marts.department_months WHERE month_start >= DATE '2024-01-01'""",
        )
    }
    assert got == {
        # FSB: April 2023 (6 vacancies) is in the window through March 2024 and out in April.
        # Jan: 6 + 2 (corrected) = 8 vacancies, 1 allocated (10 months reported, April-January)
        ("FSB-0101", "2024-01"): (1, 8, 10, False),
        ("FSB-0101", "2024-02"): (2, 9, 11, False),
        ("FSB-0101", "2024-03"): (2, 9, 12, False),
        # May 2023 - April 2024: 2 + 1 + 0 + 3 = 6 vacancies, 1 + 1 + 0 + 1 = 3 allocated: 9 > 6
        ("FSB-0101", "2024-04"): (3, 6, 12, True),
        # KAB: 1 of 3 is exactly a third: allowed; then 2 of 3, 2 of 5 over; 2 of 6 a third again
        ("KAB-0202", "2024-01"): (1, 3, 1, False),
        ("KAB-0202", "2024-02"): (2, 3, 2, True),
        ("KAB-0202", "2024-03"): (2, 5, 3, True),
        ("KAB-0202", "2024-04"): (2, 6, 4, False),
        ("AAB-0303", "2024-01"): (0, 0, 1, False),
        ("AAB-0303", "2024-02"): (0, 1, 2, False),
        ("AAB-0303", "2024-03"): (0, 2, 3, False),
        ("AAB-0303", "2024-04"): (0, 2, 4, False),
    }
    # no vacancies in the window: share undefined; FSB April 3 of 6
    assert one(
        built,
        """SELECT municipal_share_12m
        FROM marts.department_months
        WHERE department_id = 'AAB-0303'
        AND month_start = DATE '2024-01-01'""",
    ) == (None,)
    assert one(
        built,
        """SELECT municipal_share_12m
        FROM marts.department_months
        WHERE department_id = 'FSB-0101'
        AND month_start = DATE '2024-04-01'""",
    ) == (0.5,)
    # Concentration: FSB tenants at month end: A04 (in 01-12-2023) and A02 (in 01-02-2024):
    # 1 in December and January, 2 from February; 2 of 100 dwellings
    fsb = dict(
        rows(
            built,
            """SELECT strftime(month_start, '%Y-%m'), tenants_housed
            FROM marts.department_months
            WHERE department_id = 'FSB-0101'
            AND month_start >= DATE '2023-11-01'""",
        )
    )
    assert fsb == {
        "2023-11": 0,
        "2023-12": 1,
        "2024-01": 1,
        "2024-02": 2,
        "2024-03": 2,
        "2024-04": 2,
    }
    assert one(
        built,
        """SELECT tenants_housed_share, move_ins
        FROM marts.department_months
        WHERE department_id = 'FSB-0101'
        AND month_start = DATE '2024-02-01'""",
    ) == (0.02, 1)
    # KAB: A03 moved in 01-03 and out 01-05: housed at the end of March and April
    kab = dict(
        rows(
            built,
            """SELECT strftime(month_start, '%Y-%m'), tenants_housed
            FROM marts.department_months
            WHERE department_id = 'KAB-0202'""",
        )
    )
    assert kab == {"2024-01": 0, "2024-02": 0, "2024-03": 1, "2024-04": 1}
    # offers: FSB Nov 2023 1 (A04), Jan 2024 2 (A01, A02); AAB March 1 (A05) while shielded
    assert one(
        built,
        """SELECT offers_made
        FROM marts.department_months
        WHERE department_id = 'FSB-0101'
        AND month_start = DATE '2024-01-01'""",
    ) == (2,)
    assert one(built, "SELECT sum(offers_while_shielded) FROM marts.department_months") == (1,)
    assert rows(
        built,
        """SELECT allocation_id, dwelling_id, department_id, offered_on
        FROM marts.shielded_allocations""",
    ) == [("A05", "B06", "AAB-0303", date(2024, 3, 10))]


def test_district_months_and_dim_months(built: duckdb.DuckDBPyConnection) -> None:
    # months from April 2023 (the first afdelinger month) to June 2024 (the report month)
    assert one(
        built,
        """SELECT count(*), min(month_start), max(month_start), count(*) FILTER (WHERE is_complete)
        FROM marts.dim_months""",
    ) == (
        15,
        date(2023, 4, 1),
        date(2024, 6, 1),
        14,
    )
    # ten districts in every month
    assert one(built, "SELECT count(*), count(DISTINCT district) FROM marts.district_months") == (
        150,
        10,
    )
    got = {
        (r[0], r[1].strftime("%Y-%m")): r[2:]
        for r in rows(
            built,
            """
            SELECT district, month_start, dwellings_received, dwellings_returned, offers_made,
                   move_ins, tenants_housed, share_of_city_move_ins
            FROM marts.district_months
            WHERE district IN ('Østerbro', 'Valby')
              AND month_start BETWEEN DATE '2024-01-01' AND DATE '2024-05-01'""",
        )
    }
    assert got == {
        # Østerbro: B01 and B02 received in January (B02 returned), 2 offers of B01; A04 housed
        # since December; no move-in in the city in January
        ("Østerbro", "2024-01"): (2, 1, 2, 0, 1, None),
        # A02 moves in in February: the city's only move-in that month
        ("Østerbro", "2024-02"): (0, 0, 0, 1, 2, 1.0),
        ("Østerbro", "2024-03"): (0, 0, 0, 0, 2, 0.0),
        # B08 and B10 received in April, B10 returned
        ("Østerbro", "2024-04"): (2, 1, 0, 0, 2, None),
        ("Østerbro", "2024-05"): (0, 0, 0, 0, 2, None),
        # Valby: B03 and B04 received in February (B04 returned), B03 offered
        ("Valby", "2024-01"): (0, 0, 0, 0, 0, None),
        ("Valby", "2024-02"): (2, 1, 1, 0, 0, 0.0),
        # A03 moves into B03 in March; B07 received (and returned in April, counted in March)
        ("Valby", "2024-03"): (1, 1, 0, 1, 1, 1.0),
        # B09 received and offered in April; A03 still housed at the end of April
        ("Valby", "2024-04"): (1, 0, 1, 0, 1, None),
        # A03 moved out on 01-05
        ("Valby", "2024-05"): (0, 0, 0, 0, 0, None),
    }


def test_tenancies_followed_supported_retained(built: duckdb.DuckDBPyConnection) -> None:
    got = {
        r[0]: r[1:]
        for r in rows(
            built,
            """
            SELECT allocation_id, supported.has_support_within_30_days, prior_shelter_stay_id,
                   days_shelter_entry_to_move_in, next_shelter_stay_id,
                   followed.days_move_out_to_shelter, retained.is_eligible_6_months,
                   retained.housed_at_6_months, is_housed_as_of
            FROM intermediate.int_tenancies_followed AS followed
            JOIN intermediate.int_tenancies_supported AS supported USING (allocation_id)
            JOIN intermediate.int_tenancies_retained AS retained USING (allocation_id)""",
        )
    }
    assert got == {
        # P2: CTI from 20-02, day 19 after moving in on 01-02: in place; shelter H1 from
        # 01-09-2023: 153 days to move-in; 6 months (01-08-2024) not reached by 30-06-2024
        "A02": (True, "H1", 153, None, None, False, None, True),
        # P3: ICM from 15-04, day 45 after 01-03: not within 30 days; H2 from 02-01 (59 days);
        # moved out 01-05, back in a shelter (H3) on 20-05: 19 days
        "A03": (False, "H2", 59, "H3", 19, False, None, False),
        # P4: §85 ended 30-11, the day before moving in: not in place; no shelter; 6 months
        # reached on 01-06-2024, still housed
        "A04": (False, None, None, None, None, True, True, True),
    }


def test_descriptions_are_duckdb_comments(built: duckdb.DuckDBPyConnection) -> None:
    (table_comment,) = one(
        built,
        """SELECT comment
        FROM duckdb_tables()
        WHERE schema_name = 'marts'
        AND table_name = 'dwelling_funnel'""",
    )
    assert "boligtragten" in table_comment and "dwelling funnel" in table_comment
    (column_comment,) = one(
        built,
        """
        SELECT comment FROM duckdb_columns()
        WHERE schema_name = 'marts' AND table_name = 'affordability_gap'
          AND column_name = 'subsidy_needed_kr'""",
    )
    assert column_comment.startswith("Mindste tilskud pr. måned")
    # every column of every mart, intermediate and staging model has a description
    missing = rows(
        built,
        """
        SELECT schema_name || '.' || table_name || '.' || column_name FROM duckdb_columns()
        WHERE schema_name IN ('staging', 'intermediate', 'marts', 'reference')
          AND coalesce(comment, '') = ''""",
    )
    assert missing == []
    undocumented = rows(
        built,
        """
        SELECT schema_name || '.' || table_name FROM duckdb_tables()
        WHERE schema_name IN ('staging', 'intermediate', 'marts', 'reference')
          AND coalesce(comment, '') = ''""",
    )
    assert undocumented == []


def test_docs_site_is_one_static_page_with_the_descriptions(
    warehouse_file: Path, tmp_path: Path
) -> None:
    page = modelling.generate_docs(tmp_path / "docs", warehouse_file, date.fromisoformat(AS_OF))
    assert page == tmp_path / "docs" / "index.html"
    html = page.read_text(encoding="utf-8")
    # the manifest and the catalog (read from the warehouse) are embedded in the one page
    assert "Spørgsmål 1, boligtragten" in html or "Sp\\u00f8rgsm\\u00e5l 1, boligtragten" in html
    assert "days_received_to_offer_median" in html


def test_no_mart_column_is_a_128_bit_integer(built: duckdb.DuckDBPyConnection) -> None:
    """DuckDB's sum of integers is a HUGEINT, which pandas, Parquet readers and Excel do not
    take as an integer (and which is slow to read): the marts cast their sums to BIGINT."""
    hugeints = rows(
        built,
        """SELECT table_name, column_name FROM duckdb_columns()
        WHERE schema_name IN ('marts', 'partner') AND data_type = 'HUGEINT'""",
    )
    assert hugeints == []
