"""The outcome marts (DESIGN.md questions 5-10) on a hand-made fixture: real source files, real
ingestion, one real `dbt build` into a DuckDB file, and every mart's numbers worked out by hand.

Report date 2025-06-30 (+6 months = 2025-12-30, +12 months = 2026-06-30). Who is who:

  tenancies (case, citizen, target group, support need, move-in, move-out and reason, subsidy):
    A01 P01 herberg     1  15-01-2023  -                      no subsidy
    A02 P02 herberg     1  01-03-2023  01-03-2024 udsat       no subsidy
    A03 P03 herberg     1  10-01-2024  -                      kommunal 800, ends 30-09-2025, rent
                                                               5.000, can pay 4.200 (a newer delta
                                                               row added the subsidy)
    A04 P04 gade        1  01-08-2024  15-01-2025 frivillig   no subsidy
    A05 P05 krisecenter 0  01-03-2025  -                      no subsidy
    A06 P06 herberg     1  01-06-2022  01-06-2023 doed        no subsidy
    A07 P07 gade        0  01-09-2022  02-01-2023 udsat       no subsidy
    A08 P08 sofasover   0  01-02-2023  -                      kommunal 500, ends 31-03-2026, rent
                                                               5.000, can pay 5.200
    A09 P09 botilbud    0  01-05-2023  15-05-2025 frivillig   statslig_midlertidig 600, ends
                                                               30-11-2024, rent 4.000, can pay 3.000
    A10 P10 flygtning   0  01-04-2023  -                      statslig_permanent 700, no end
    A11 P11 ung         0  10-01-2023  -                      kommunal 400, ends 31-05-2024, rent
                                                               4.500, can pay 4.600
    A12 P12 herberg     1  01-05-2024  -                      no subsidy
    A13 P13 ung         1  15-06-2025  -                      no subsidy
    A20 P30 herberg     1  01-06-2022  -                      pilot sundholm
    A21 P31 herberg     1  01-07-2022  01-03-2023 udsat       pilot sundholm
    A22 P32 ung         1  still waiting                      pilot ung
    A23 P33 ung         1  01-09-2024  -                      pilot ung
    A24 P34 gade        0  15-08-2022  -                      pilot uden_bostotte
    A30 P01 deleted at the source (would be a move-in 01-02-2024)
    A31 P35 herberg     0  15-07-2025, after the report date: counts nowhere
  support in place within 30 days (rule: started day -90 to day 30, not ended before day 0):
    A01 CTI (E01, day 5); A02 ICM (E02, day -9); A06 ACT (E04, day 0); A10 boligraadgiver (E07,
    day 10, no need assessed); A21 CTI (E09, day 9); A13 not known yet (E06 on day 5, but day 30
    is after the report date); none for A04 (E03 SEL85 on day 45) and A12 (only E05 SEL99, begun
    on day -213); E08 (ngo, P20) belongs to no tenancy and counts for capacity only.
  support episodes: E01 CTI 20-01-2023 -; E02 ICM 20-02-2023 to 01-03-2024 flyttet;
    E03 SEL85 (privat) 15-09-2024 to 15-01-2025 afbrudt; E04 ACT 01-06-2022 to 01-06-2023 doed;
    E05 SEL99 01-10-2023 -; E06 CTI 20-06-2025 -; E07 boligraadgiver 11-04-2023 to 11-10-2023
    maal_naaet; E08 ngo 01-01-2024 -; E09 CTI 10-07-2022 to 01-03-2023 flyttet.
  shelter stays (day 0 = entry):
    S01 P02 Sundholm (kommunal)              01-06-2024 open, action plan 01-07-2024
    S02 P07 Sundholm (kommunal)              03-01-2024 to 03-02-2024 gaden
    S03 P01 Mændenes Hjem (driftsoverensk.)  01-11-2022 to 15-01-2023 egen_bolig (day 75)
    S04 P03 Sundholm (kommunal)              01-09-2023 to 10-01-2024 egen_bolig (day 131)
    S05 P04 Mændenes Hjem (driftsoverensk.)  01-06-2024 to 20-07-2024 gaden; move-in 12 days
                                             later, day 61
    S06 P12 Sundholm (kommunal)              01-04-2024 to 30-04-2024 ukendt; move-in the next
                                             day, day 30
    S07 P21 Sundholm (kommunal)              01-05-2025 open (60 days: not measurable yet)
    S08 P22 Sundholm (kommunal)              15-01-2025 open, no action plan (166 days)
    S09 P23 Mændenes Hjem (driftsoverensk.)  01-04-2025 open (day 90 is the report date)
    S10 P13 Herberg i Roskilde (ekstern)     01-03-2025 to 15-06-2025 egen_bolig (day 106)
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from boligmonitor import modelling, warehouse
from tests.conftest import ingest_fixture
from tests.sourcefiles import allocation, dwelling, shelter_stay, write_csv

AS_OF = date(2025, 6, 30)


def cpr(person: int) -> str:
    return f"010180-{person:04d}"


def d(value: str) -> date:
    return date.fromisoformat(value)


def danish(day: date | None) -> str | None:
    return None if day is None else day.strftime("%d-%m-%Y")


# case, citizen, target group, needs support, move-in, move-out, reason, subsidy type (- none,
# kom kommunal_udslusning, mid statslig_midlertidig, perm statslig_permanent), kr. a month,
# subsidy end, rent of the dwelling, ability to pay, pilot group; "-" = empty
TENANCY_TABLE = """
A01  1 herberg     1 2023-01-15 -          -         -    -   -          4800 4900 -
A02  2 herberg     1 2023-03-01 2024-03-01 udsat     -    -   -          4800 4900 -
A03  3 herberg     1 2024-01-10 -          -         kom  800 2025-09-30 5000 4200 -
A04  4 gade        1 2024-08-01 2025-01-15 frivillig -    -   -          4000 4100 -
A05  5 krisecenter 0 2025-03-01 -          -         -    -   -          4000 4100 -
A06  6 herberg     1 2022-06-01 2023-06-01 doed      -    -   -          4000 4100 -
A07  7 gade        0 2022-09-01 2023-01-02 udsat     -    -   -          4000 4100 -
A08  8 sofasover   0 2023-02-01 -          -         kom  500 2026-03-31 5000 5200 -
A09  9 botilbud    0 2023-05-01 2025-05-15 frivillig mid  600 2024-11-30 4000 3000 -
A10 10 flygtning   0 2023-04-01 -          -         perm 700 -          4000 4100 -
A11 11 ung         0 2023-01-10 -          -         kom  400 2024-05-31 4500 4600 -
A12 12 herberg     1 2024-05-01 -          -         -    -   -          4000 4100 -
A13 13 ung         1 2025-06-15 -          -         -    -   -          3000 3100 -
A20 30 herberg     1 2022-06-01 -          -         -    -   -          4000 4100 sundholm
A21 31 herberg     1 2022-07-01 2023-03-01 udsat     -    -   -          4000 4100 sundholm
A23 33 ung         1 2024-09-01 -          -         -    -   -          3000 3100 ung
A24 34 gade        0 2022-08-15 -          -         -    -   -          4000 4100 uden_bostotte
A31 35 herberg     0 2025-07-15 -          -         -    -   -          4000 4100 -
"""
SUBSIDIES = {
    "-": "ingen",
    "kom": "kommunal_udslusning",
    "mid": "statslig_midlertidig",
    "perm": "statslig_permanent",
}


def _table(text: str) -> list[list[str | None]]:
    return [[None if v == "-" else v for v in line.split()] for line in text.strip().splitlines()]


def _tenancy(row: list[str | None]) -> tuple:
    case, person, group, need, moved_in, moved_out, reason, subsidy, kr, ends, rent, pay, pilot = (
        row
    )
    return (
        case,
        int(person),
        group,
        int(need),
        moved_in,
        moved_out,
        reason,
        SUBSIDIES[subsidy or "-"],
        kr,
        ends,
        int(rent),
        int(pay),
        pilot,
    )


TENANCIES = [_tenancy(row) for row in _table(TENANCY_TABLE)]
PILOT_START = "01-05-2022"

# episode, citizen, method, provider type, team, start, end, end reason
EPISODE_TABLE = """
E01  1 CTI            kommunal CTI-teamet        2023-01-20 -          -
E02  2 ICM            kommunal ICM-teamet        2023-02-20 2024-03-01 flyttet
E03  4 SEL85          privat   Privat_Bostøtte   2024-09-15 2025-01-15 afbrudt
E04  6 ACT            kommunal ACT-teamet        2022-06-01 2023-06-01 doed
E05 12 SEL99          kommunal Kontaktpersoner   2023-10-01 -          -
E06 13 CTI            kommunal CTI-teamet        2025-06-20 -          -
E07 10 boligraadgiver kommunal Boligrådgivningen 2023-04-11 2023-10-11 maal_naaet
E08 20 ngo            ngo      Projekt_Udenfor   2024-01-01 -          -
E09 31 CTI            kommunal CTI-teamet        2022-07-10 2023-03-01 flyttet
"""
EPISODES = [
    (episode, int(person), method, provider, team.replace("_", " "), start, end, reason)
    for episode, person, method, provider, team, start, end, reason in _table(EPISODE_TABLE)
]

SUNDHOLM = ("Herberget på Sundholm", "kommunal")
MAENDENES = ("Mændenes Hjem", "driftsoverenskomst")
ROSKILDE = ("Herberg i Roskilde", "ekstern")
# stay, person, shelter, entry, exit, destination, action plan
STAYS = [
    ("S01", 2, SUNDHOLM, "2024-06-01", None, None, "2024-07-01"),
    ("S02", 7, SUNDHOLM, "2024-01-03", "2024-02-03", "gaden", None),
    ("S03", 1, MAENDENES, "2022-11-01", "2023-01-15", "egen_bolig", "2022-12-01"),
    ("S04", 3, SUNDHOLM, "2023-09-01", "2024-01-10", "egen_bolig", "2023-10-01"),
    ("S05", 4, MAENDENES, "2024-06-01", "2024-07-20", "gaden", None),
    ("S06", 12, SUNDHOLM, "2024-04-01", "2024-04-30", "ukendt", None),
    ("S07", 21, SUNDHOLM, "2025-05-01", None, None, None),
    ("S08", 22, SUNDHOLM, "2025-01-15", None, None, None),
    ("S09", 23, MAENDENES, "2025-04-01", None, None, None),
    ("S10", 13, ROSKILDE, "2025-03-01", "2025-06-15", "egen_bolig", "2025-04-01"),
]


def write_landing(landing: Path) -> None:
    cases, dwellings = [], []
    for n, (
        case,
        person,
        group,
        need,
        moved_in,
        moved_out,
        reason,
        subsidy,
        kr,
        ends,
        rent,
        pay,
        pilot,
    ) in enumerate(TENANCIES, start=1):
        moved_in_on = d(moved_in)
        bolig = f"FSB-0101-{n:03d}"
        dwellings.append(
            dwelling(
                bolig,
                husleje_kr=f"{rent}",
                modtaget_dato=danish(moved_in_on - timedelta(days=20)),
                svarfrist_dato=danish(moved_in_on - timedelta(days=6)),
                opdateret=f"{danish(moved_in_on - timedelta(days=20))} 08:00:00",
            )
        )
        cases.append(
            allocation(
                case,
                cpr=cpr(person),
                indstillet_dato=PILOT_START if pilot else danish(moved_in_on - timedelta(days=30)),
                maalgruppe=group,
                betalingsevne_kr=f"{pay}",
                bostotte_behov=str(need),
                bolig_id=bolig,
                tilbudt_dato=danish(moved_in_on - timedelta(days=10)),
                status="fraflyttet" if moved_out else "indflyttet",
                indflytning_dato=danish(moved_in_on),
                fraflytning_dato=danish(moved_out and d(moved_out)),
                fraflytning_aarsag=reason,
                huslejetilskud=subsidy,
                tilskud_kr_md=kr,
                tilskud_slut_dato=danish(ends and d(ends)),
                pilot_gruppe=pilot,
                opdateret="30-06-2025 12:00:00",
            )
        )
    # A22: a pilot citizen still waiting for a dwelling
    cases.append(
        allocation(
            "A22",
            cpr=cpr(32),
            indstillet_dato=PILOT_START,
            maalgruppe="ung",
            pilot_gruppe="ung",
            opdateret="01-05-2022 12:00:00",
        )
    )
    # A30: deleted at the source; it would otherwise be a 2024 move-in of P01
    cases.append(
        allocation(
            "A30",
            cpr=cpr(1),
            indstillet_dato="01-01-2024",
            status="indflyttet",
            bolig_id="FSB-0101-001",
            tilbudt_dato="15-01-2024",
            indflytning_dato="01-02-2024",
            opdateret="30-06-2025 12:00:00",
            slettet="1",
        )
    )
    # an older state of A03 (no subsidy yet), replaced by the newer row above
    older_a03 = dict(cases[2])
    older_a03.update(
        huslejetilskud="ingen",
        tilskud_kr_md=None,
        tilskud_slut_dato=None,
        opdateret="10-01-2024 09:00:00",
    )
    write_csv(landing, "anvisninger_20240110.csv", [older_a03])
    write_csv(landing, "anvisninger_20250630.csv", cases)
    write_csv(landing, "ledige_boliger_20250630.csv", dwellings)
    write_csv(
        landing,
        "huslejeklasser_20220101.csv",
        [
            {
                "klasse": "H1",
                "navn": "Alle huslejer",
                "min_kr": "0",
                "max_kr": None,
                "gyldig_fra": "01-01-2000",
                "gyldig_til": None,
            }
        ],
    )
    write_csv(
        landing,
        "bostotte_20250630.csv",
        [
            {
                "forloeb_id": episode,
                "cpr": cpr(person),
                "indsats": method,
                "leverandoer": provider,
                "team": team,
                "bevilget_dato": danish(d(start) - timedelta(days=5)),
                "start_dato": danish(d(start)),
                "slut_dato": danish(end and d(end)),
                "slut_aarsag": reason,
                "opdateret": "30-06-2025 12:00:00",
                "slettet": "0",
            }
            for episode, person, method, provider, team, start, end, reason in EPISODES
        ],
    )
    write_csv(
        landing,
        "herbergsophold_20250630.csv",
        [
            shelter_stay(
                stay,
                cpr=cpr(person),
                herberg=shelter[0],
                herberg_type=shelter[1],
                indskrevet_dato=danish(d(entry)),
                udskrevet_dato=danish(exit_ and d(exit_)),
                udskrevet_til=destination,
                handleplan_dato=danish(plan and d(plan)),
                opdateret="30-06-2025 12:00:00",
            )
            for stay, person, shelter, entry, exit_, destination, plan in STAYS
        ],
    )


def dbt_build(db: Path, work_dir: Path) -> None:
    env = {
        **os.environ,
        **modelling.dbt_env(db, AS_OF),
        "DBT_TARGET_PATH": str(work_dir),
        "DBT_LOG_PATH": str(work_dir),
    }
    project = str(modelling.PROJECT_DIR)
    done = subprocess.run(
        [modelling.dbt_executable(), "build", "--project-dir", project, "--profiles-dir", project],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-30:])
    assert done.returncode == 0, tail


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Write the fixture, ingest it and run one `dbt build`; returns the folder of it all."""
    root = tmp_path_factory.mktemp("outcomes")
    db = ingest_fixture(root, write_landing)
    dbt_build(db, root / "dbt")
    return root


@pytest.fixture(scope="module")
def built(build_dir: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = warehouse.connect(build_dir / "work.duckdb", read_only=True)
    yield con
    con.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple:
    result = rows(con, sql)
    assert len(result) == 1, (sql, result)
    return result[0]


# ------------------------------------------------------------------ question 5: support


def test_support_methods(built: duckdb.DuckDBPyConnection) -> None:
    got = {
        r[0]: r[1:]
        for r in rows(
            built,
            """SELECT support_method, provider_type, team, support_episodes, citizens,
                      episodes_in_place_within_30_days, episodes_active_as_of, episodes_ended,
                      episodes_ended_goal_reached, episodes_ended_interrupted, days_duration_median
               FROM marts.support_methods""",
        )
    }
    # E08 (P20) has no tenancy, so 'ngo' is not support an allocated citizen receives: no row.
    assert set(got) == {"CTI", "ICM", "ACT", "SEL85", "SEL99", "boligraadgiver"}
    # CTI: E01 (P01, day 5), E06 (P13, day 5), E09 (P31, day 9): all in place within 30 days;
    # E01 and E06 still running; E09 ended after 234 days (10-07-2022 to 01-03-2023).
    assert got["CTI"] == ("kommunal", "CTI-teamet", 3, 3, 3, 2, 1, 0, 0, 234)
    # ICM: E02 from day -9, ended 01-03-2024 after 375 days (20-02-2023 to 01-03-2024, leap year)
    assert got["ICM"] == ("kommunal", "ICM-teamet", 1, 1, 1, 0, 1, 0, 0, 375)
    # ACT: E04 from day 0, ended when the citizen died a year later (365 days)
    assert got["ACT"] == ("kommunal", "ACT-teamet", 1, 1, 1, 0, 1, 0, 0, 365)
    # SEL85: E03 began day 45 (too late for the rule), interrupted after 122 days
    assert got["SEL85"] == ("privat", "Privat Bostøtte", 1, 1, 0, 0, 1, 0, 1, 122)
    # SEL99: E05 began 213 days before the move-in (older than N = 90), still running
    assert got["SEL99"] == ("kommunal", "Kontaktpersoner", 1, 1, 0, 1, 0, 0, 0, None)
    # boligraadgiver: E07 for P10 (no need assessed) from day 10, goal reached after 183 days
    assert got["boligraadgiver"] == ("kommunal", "Boligrådgivningen", 1, 1, 1, 0, 1, 1, 0, 183)


def test_support_within_30_days_of_moving_in(built: duckdb.DuckDBPyConnection) -> None:
    months = {
        r[0].isoformat()[:7]: r[1:]
        for r in rows(
            built,
            """SELECT month_start, move_ins, move_ins_needing_support,
                      move_ins_needing_support_measurable, with_support_within_30_days,
                      share_with_support_within_30_days, with_support_by_move_in_day,
                      with_only_older_support, without_need_with_support_within_30_days
               FROM marts.support_at_move_in_months""",
        )
    }
    # every month from the first a source mentions (pilot recommendations, May 2022) to June 2025
    assert len(months) == 38 and min(months) == "2022-05" and max(months) == "2025-06"
    # June 2022: A06 (ACT from day 0: in place, by the move-in day) and A20 (pilot, no support)
    assert months["2022-06"] == (2, 2, 2, 1, 0.5, 1, 0, 0)
    # March 2023: A02, ICM started 9 days before moving in (inside N = 90)
    assert months["2023-03"] == (1, 1, 1, 1, 1.0, 1, 0, 0)
    # April 2023: A10 needs no support but got a housing adviser on day 10
    assert months["2023-04"] == (1, 0, 0, 0, None, 0, 0, 1)
    # May 2024: A12 only has E05, begun 213 days before: not support put in place for this home
    assert months["2024-05"] == (1, 1, 1, 0, 0.0, 0, 1, 0)
    # August 2024: A04's SEL85 began on day 45: too late
    assert months["2024-08"] == (1, 1, 1, 0, 0.0, 0, 0, 0)
    # June 2025: A13 moved in 15-06-2025, day 30 is after the report date: not measurable yet
    assert months["2025-06"] == (1, 1, 0, 0, None, 0, 0, 0)
    # February 2024: A30 would have moved in, but it was deleted at the source
    assert months["2024-02"] == (0, 0, 0, 0, None, 0, 0, 0)
    # overall: 10 tenancies need support, 9 measurable, 4 in place (A01, A02, A06, A21)
    assert one(
        built,
        """SELECT sum(move_ins), sum(move_ins_needing_support),
                  sum(move_ins_needing_support_measurable), sum(with_support_within_30_days)
           FROM marts.support_at_move_in_months""",
    ) == (17, 10, 9, 4)


def test_support_capacity_against_the_plan(built: duckdb.DuckDBPyConnection) -> None:
    got = {
        r[0].isoformat()[:7]: r[1:]
        for r in rows(
            built,
            """SELECT month_start, episodes_active, citizens_supported,
                      citizens_supported_housing_first, episodes_started, baseline_citizens,
                      planned_extra_citizens, capacity_target_citizens, extra_citizens_vs_baseline
               FROM marts.support_capacity_months""",
        )
    }
    # baseline on 31-12-2023: E01, E02 (until 01-03-2024) and E05 running -> 3 citizens
    # 30-04-2023: E01, E02, E04, E07 (from 11-04) running; E09 ended 01-03; E07 started in April
    assert got["2023-04"] == (4, 4, 3, 1, 3, None, None, None)
    # 31-12-2024: E01, E03, E05, E08 (P20, no tenancy, counts for capacity); only E01 is Housing
    # First. Plan: +60 in 2024 -> target 3 + 60 = 63; 4 - 3 = 1 extra.
    assert got["2024-12"] == (4, 4, 1, 0, 3, 60, 63, 1)
    # June 2024: 60 * 6/12 = 30 planned extra; E01, E02 gone? E02 ended 01-03-2024: E01, E05, E08
    assert got["2024-06"] == (3, 3, 1, 0, 3, 30, 33, 0)
    # 30-06-2025 (report month, counted on the report date): E01, E05, E06, E08; CTI E01 and E06.
    # Plan: 60 (2024) + 40 * 6/12 (2025) = 80 -> 83.
    assert got["2025-06"] == (4, 4, 2, 1, 3, 80, 83, 1)


# ------------------------------------------------------------- question 6: shelter to home


def test_shelter_exits_within_90_days(built: duckdb.DuckDBPyConnection) -> None:
    got = {
        (r[0].isoformat()[:7], r[1]): r[2:]
        for r in rows(
            built,
            """SELECT entered_month, shelter_type, stays_entered, stays_not_yet_measurable,
                      stays_measurable, own_home_within_90_days, share_own_home_within_90_days,
                      measurable_still_open, own_home_by_report_date,
                      days_entry_to_own_home_median, own_home_days_0_30, own_home_days_61_90,
                      own_home_days_91_180, past_90_days_without_action_plan
               FROM marts.shelter_exit_months""",
        )
    }
    assert len(got) == 10
    # S03: exit to egen_bolig on day 75 -> within 90
    assert got[("2022-11", "driftsoverenskomst")] == (1, 0, 1, 1, 1.0, 0, 1, 75, 0, 1, 0, 0)
    # S04: egen_bolig on day 131 -> measurable, not within; bucket 91-180
    assert got[("2023-09", "kommunal")] == (1, 0, 1, 0, 0.0, 0, 1, 131, 0, 0, 1, 0)
    # S02: left for the street, no move-in since -> no own home
    assert got[("2024-01", "kommunal")] == (1, 0, 1, 0, 0.0, 0, 0, None, 0, 0, 0, 0)
    # S06: exit 'ukendt' 30-04, move-in the next day (within 14 days of the exit) -> day 30
    assert got[("2024-04", "kommunal")] == (1, 0, 1, 1, 1.0, 0, 1, 30, 1, 0, 0, 0)
    # S05: exit to the street 20-07, move-in 01-08 (12 days later) -> own home on day 61
    assert got[("2024-06", "driftsoverenskomst")] == (1, 0, 1, 1, 1.0, 0, 1, 61, 0, 1, 0, 0)
    # S01: still open after 394 days -> counts as not yet; it has an action plan
    assert got[("2024-06", "kommunal")] == (1, 0, 1, 0, 0.0, 1, 0, None, 0, 0, 0, 0)
    # S08: open 166 days, no action plan
    assert got[("2025-01", "kommunal")] == (1, 0, 1, 0, 0.0, 1, 0, None, 0, 0, 0, 1)
    # S10: egen_bolig on day 106
    assert got[("2025-03", "ekstern")] == (1, 0, 1, 0, 0.0, 0, 1, 106, 0, 0, 1, 0)
    # S09: entered 01-04-2025, day 90 is the report date itself -> measurable, open, not yet
    assert got[("2025-04", "driftsoverenskomst")] == (1, 0, 1, 0, 0.0, 1, 0, None, 0, 0, 0, 0)
    # S07: entered 60 days before the report date -> not yet measurable, out of the denominator
    assert got[("2025-05", "kommunal")] == (1, 1, 0, 0, None, 0, 0, None, 0, 0, 0, 0)
    # overall: 9 measurable stays, 3 reached an own home within 90 days (S03, S05, S06)
    assert one(
        built,
        "SELECT sum(stays_measurable), sum(own_home_within_90_days) FROM marts.shelter_exit_months",
    ) == (9, 3)


def test_open_shelter_stays_past_90_days(built: duckdb.DuckDBPyConnection) -> None:
    got = rows(
        built,
        """SELECT shelter, shelter_type, as_of_date, stays_open, stays_past_90_days,
                  stays_past_90_days_without_action_plan, stays_with_action_plan,
                  days_in_shelter_median, days_in_shelter_max
           FROM marts.open_shelter_stays ORDER BY shelter""",
    )
    assert got == [
        # S01 (394 days, plan), S07 (60 days), S08 (166 days, no plan): median 166
        ("Herberget på Sundholm", "kommunal", AS_OF, 3, 2, 1, 1, 166, 394),
        # S09: exactly 90 days is not past 90 days
        ("Mændenes Hjem", "driftsoverenskomst", AS_OF, 1, 0, 0, 0, 90, 90),
    ]


# ------------------------------------------------------------ question 7: keeping the home


def test_tenancy_retention(built: duckdb.DuckDBPyConnection) -> None:
    got = {
        (r[0].isoformat()[:7], r[1], r[2]): r[3:]
        for r in rows(
            built,
            """SELECT moved_in_month, support_method, rent_subsidy_type, move_ins,
                      eligible_6_months, housed_at_6_months, eligible_12_months,
                      housed_at_12_months, eligible_24_months, housed_at_24_months
               FROM marts.tenancy_retention""",
        )
    }
    assert len(got) == 17  # the 17 move-ins by the report date fall in 17 different cells
    # A06: died on the 12-month anniversary: a move-out on or before it -> not housed
    assert got[("2022-06", "ACT", "ingen")] == (1, 1, 1, 1, 0, 1, 0)
    # A07: moved out after 4 months
    assert got[("2022-09", "ingen", "ingen")] == (1, 1, 0, 1, 0, 1, 0)
    # A02: evicted on the 12-month anniversary (01-03-2024) -> housed at 6, not at 12 or 24
    assert got[("2023-03", "ICM", "ingen")] == (1, 1, 1, 1, 0, 1, 0)
    # A09: moved out 15-05-2025, after the 24-month day (01-05-2025) -> housed at 24
    assert got[("2023-05", "ingen", "statslig_midlertidig")] == (1, 1, 1, 1, 1, 1, 1)
    # A03: 24-month day 10-01-2026 not reached -> not eligible
    assert got[("2024-01", "ingen", "kommunal_udslusning")] == (1, 1, 1, 1, 1, 0, 0)
    # A04: moved out 15-01-2025, before the 6-month day 01-02-2025
    assert got[("2024-08", "ingen", "ingen")] == (1, 1, 0, 0, 0, 0, 0)
    # A13: support not known yet ('ukendt'), no anniversary reached
    assert got[("2025-06", "ukendt", "ingen")] == (1, 0, 0, 0, 0, 0, 0)
    # overall: 6 months 13 of 15 (A04, A07 gone); 12 months 9 of 13 (A02, A06, A07, A21 gone);
    # 24 months 7 of 11
    assert one(
        built,
        """SELECT sum(eligible_6_months), sum(housed_at_6_months), sum(eligible_12_months),
                  sum(housed_at_12_months), sum(eligible_24_months), sum(housed_at_24_months),
                  min(reference_retention_12_months), max(reference_retention_12_months)
           FROM marts.tenancy_retention""",
    ) == (15, 13, 13, 9, 11, 7, 0.94, 0.94)


def test_returns_to_homelessness(built: duckdb.DuckDBPyConnection) -> None:
    got = {
        (r[0].isoformat()[:7], r[1]): r[2:]
        for r in rows(
            built,
            """SELECT moved_out_month, move_out_reason, move_outs, eligible_180_days,
                      returned_within_180_days, eligible_365_days, returned_within_365_days,
                      eligible_730_days, returned_within_730_days, days_move_out_to_shelter_median
               FROM marts.homelessness_returns""",
        )
    }
    assert got == {
        # A07: out 02-01-2023, back in a shelter 03-01-2024 = day 366: within 730 only
        ("2023-01", "udsat"): (1, 1, 0, 1, 0, 1, 1, 366),
        # A21: out 01-03-2023, no shelter since; 730 days passed on 28-02-2025
        ("2023-03", "udsat"): (1, 1, 0, 1, 0, 1, 0, None),
        # A06 died: never eligible
        ("2023-06", "doed"): (1, 0, 0, 0, 0, 0, 0, None),
        # A02: out 01-03-2024, shelter 01-06-2024 = day 92; 730 days not yet passed
        ("2024-03", "udsat"): (1, 1, 1, 1, 1, 0, 0, 92),
        # A04 and A09: fewer than 180 days ago
        ("2025-01", "frivillig"): (1, 0, 0, 0, 0, 0, 0, None),
        ("2025-05", "frivillig"): (1, 0, 0, 0, 0, 0, 0, None),
    }


# ------------------------------------------------------------- question 8: rent subsidies


def test_rent_subsidies_per_month(built: duckdb.DuckDBPyConnection) -> None:
    got = {
        (r[0].isoformat()[:7], r[1]): r[2:]
        for r in rows(
            built,
            """SELECT month_start, rent_subsidy_type, subsidies_active, subsidy_kr_per_month_total,
                      subsidies_started, subsidies_ended
               FROM marts.rent_subsidy_months""",
        )
    }
    assert len(got) == 38 * 3  # every month x the three types
    # 31-05-2024: A11's subsidy ends that day (the first day without) -> A03 and A08 only
    assert got[("2024-05", "kommunal_udslusning")] == (2, 1300, 0, 1)
    assert got[("2024-05", "statslig_midlertidig")] == (1, 600, 0, 0)
    assert got[("2024-05", "statslig_permanent")] == (1, 700, 0, 0)
    # 30-11-2024: A09's temporary state subsidy ends
    assert got[("2024-11", "statslig_midlertidig")] == (0, 0, 0, 1)
    # January 2023: A11 moves in with a municipal subsidy (A01 has none)
    assert got[("2023-01", "kommunal_udslusning")] == (1, 400, 1, 0)
    # A03's subsidy starts on its move-in day 10-01-2024
    assert got[("2024-01", "kommunal_udslusning")] == (3, 1700, 1, 0)
    assert got[("2025-06", "kommunal_udslusning")] == (2, 1300, 0, 0)


def test_subsidy_cliff(built: duckdb.DuckDBPyConnection) -> None:
    got = {
        r[0]: r[1:]
        for r in rows(
            built,
            """SELECT rent_subsidy_type, subsidies_active, ending_within_6_months,
                      ending_within_6_months_able_to_pay, ending_within_6_months_not_able_to_pay,
                      ending_within_6_months_rent_gap_median_kr, ending_within_12_months,
                      ending_within_12_months_able_to_pay, ending_within_12_months_subsidy_kr
               FROM marts.subsidy_cliff""",
        )
    }
    # A03 ends 30-09-2025 (within 6 months; can pay 4.200 of 5.000: gap 800);
    # A08 ends 31-03-2026 (within 12 only; can pay 5.200 >= 5.000). 800 + 500 kr. a month.
    assert got["kommunal_udslusning"] == (2, 1, 0, 1, 800, 2, 1, 1300)
    # A09's ended in 2024; the type still has its row
    assert got["statslig_midlertidig"] == (0, 0, 0, 0, None, 0, 0, 0)
    # A10's permanent subsidy has no end
    assert got["statslig_permanent"] == (1, 0, 0, 0, None, 0, 0, 0)


def test_retention_after_a_subsidy_ended(built: duckdb.DuckDBPyConnection) -> None:
    got = rows(
        built,
        """SELECT subsidy_ended_month, rent_subsidy_type, subsidies_ended, ended_able_to_pay,
                  eligible_6_months_after_end, housed_6_months_after_end,
                  eligible_12_months_after_end, housed_12_months_after_end
           FROM marts.subsidy_end_retention ORDER BY 1""",
    )
    assert got == [
        # A11: ended 31-05-2024, can pay the full rent, still there a year later
        (date(2024, 5, 1), "kommunal_udslusning", 1, 1, 1, 1, 1, 1),
        # A09: ended 30-11-2024, cannot pay, moved out 15-05-2025, before the 6-month day
        # 30-05-2025; the 12-month day is after the report date
        (date(2024, 11, 1), "statslig_midlertidig", 1, 0, 1, 0, 0, 0),
    ]


# --------------------------------------------------------- question 9: targets and pilot


def test_housing_target_months(built: duckdb.DuckDBPyConnection) -> None:
    got = {
        r[0].isoformat()[:7]: r[1:]
        for r in rows(
            built,
            """SELECT month_start, move_ins_all, move_ins_target_groups, baseline_monthly_move_ins,
                      baseline_months, move_ins_above_baseline, target_extra_per_month,
                      target_extra_in_year, move_ins_target_groups_year_to_date,
                      above_baseline_year_to_date, target_extra_year_to_date
               FROM marts.housing_target_months""",
        )
    }
    # 2023 target-group move-ins: A01, A11 (January), A08 (February), A02 (March) = 4; A09
    # (botilbud) and A10 (flygtning) are not homeless target groups -> baseline 4 / 12
    base = 4 / 12
    # before the baseline year there is no "extra"
    assert got["2022-06"] == (2, 2, pytest.approx(base), 12, None, None, None, 2, None, None)
    assert got["2023-04"][:2] == (1, 0)  # A10, a refugee
    # January 2024: A03 -> 1 - 1/3 above; the plan's 10 a month and 120 a year
    jan = got["2024-01"]
    assert jan[:2] == (1, 1) and jan[4] == pytest.approx(1 - base)
    assert jan[5:8] == (10, 120, 1) and jan[8] == pytest.approx(1 - base) and jan[9] == 10
    # December 2024: 4 in 2024 (A03, A12, A04, A23) = exactly the baseline; target 120 to date
    dec = got["2024-12"]
    assert dec[7] == 4 and dec[8] == pytest.approx(0, abs=1e-9) and dec[9] == 120
    # 2025 has no published monthly target; A31 (July 2025) is after the report date
    assert got["2025-06"][5:8] == (None, None, 2)
    assert "2025-07" not in got


def test_pilot_2022(built: duckdb.DuckDBPyConnection, build_dir: Path) -> None:
    got = rows(
        built,
        """SELECT pilot_group, citizens_planned, citizens, citizens_moved_in, citizens_housed_as_of,
                  citizens_eligible_12_months, citizens_housed_at_12_months,
                  share_housed_at_12_months, citizens_needing_support_measurable,
                  citizens_with_support_within_30_days, days_recommended_to_move_in_median
           FROM marts.pilot_2022 ORDER BY sort_order""",
    )
    assert got == [
        # A20 stays; A21 evicted after 8 months; A21 had CTI from day 9; 31 and 61 days waited
        ("sundholm", 20, 2, 2, 1, 2, 1, 0.5, 2, 1, 46),
        # A22 still waiting; A23 moved in 01-09-2024 (854 days), 12 months not yet passed
        ("ung", 20, 2, 1, 1, 0, 0, None, 1, 0, 854),
        # A24: no support need, still housed; 106 days waited
        ("uden_bostotte", 10, 1, 1, 1, 1, 1, 1.0, 0, 0, 106),
        # the whole pilot: the median of 31, 61, 106 and 854 days is 83.5
        ("i_alt", 50, 5, 4, 3, 3, 2, pytest.approx(2 / 3), 3, 1, 83.5),
    ]
    manifest = json.loads((build_dir / "dbt" / "manifest.json").read_text())
    meta = manifest["nodes"]["model.boligmonitor.pilot_2022"]["config"]["meta"]
    assert meta == {"partner_export": False, "pilot": True}


# ----------------------------------------------------------------- question 10: context


def test_reference_figures(built: duckdb.DuckDBPyConnection) -> None:
    vive = rows(
        built,
        """SELECT figure_year, figure_value, change_from_previous
           FROM marts.reference_figures WHERE figure_code = 'vive_homeless_count' ORDER BY 1""",
    )
    assert vive == [
        (2015, 1562, None),
        (2017, 1482, -80),
        (2019, 1442, -40),
        (2022, 1370, -72),
    ]
    assert (
        one(
            built,
            """SELECT figure_value, source FROM marts.reference_figures
           WHERE figure_id = 'retention_12m_reference'""",
        )[0]
        == 0.94
    )
    assert one(built, "SELECT count(*), count(source) FROM marts.reference_figures") == (12, 12)


def test_descriptions_are_duckdb_comments(built: duckdb.DuckDBPyConnection) -> None:
    marts = [
        "support_methods",
        "support_at_move_in_months",
        "support_capacity_months",
        "shelter_exit_months",
        "open_shelter_stays",
        "tenancy_retention",
        "homelessness_returns",
        "rent_subsidy_months",
        "subsidy_cliff",
        "subsidy_end_retention",
        "housing_target_months",
        "pilot_2022",
        "reference_figures",
    ]
    tables = dict(
        rows(
            built,
            "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'marts'",
        )
    )
    for mart in marts:
        assert tables.get(mart) and " / " in tables[mart], mart
    undocumented = rows(
        built,
        f"""SELECT table_name, column_name FROM duckdb_columns()
            WHERE schema_name IN ('marts', 'intermediate')
              AND table_name IN ({", ".join(f"'{m}'" for m in marts)},
                                 'int_tenancies_supported', 'int_tenancies_retained',
                                 'int_subsidies_followed', 'int_shelter_stays_measured')
              AND (comment IS NULL OR comment = '')""",
    )
    assert undocumented == []


def test_make_test_runs_every_dbt_unit_test(build_dir: Path) -> None:
    """The nightly build leaves dbt's unit tests out (modelling.PRODUCTION_BUILD_ARGS), so this
    build is where they run: every unit test of the project, each passed."""
    manifest = json.loads(modelling.manifest_path().read_text(encoding="utf-8"))
    results = json.loads((build_dir / "dbt" / "run_results.json").read_text(encoding="utf-8"))
    unit_tests = {r["unique_id"]: r["status"] for r in results["results"]}
    expected = set(manifest["unit_tests"])
    assert len(expected) >= 14
    assert {u: unit_tests.get(u) for u in expected} == {u: "pass" for u in expected}
