"""The monthly export to BL 1. kreds behind the gate (issue 4, "Done when").

- The partner tables go into the schema `partner` and come back unchanged; their export checks
  catch every breach they are for.
- A small real graph on hand-made marts writes a package; read back from disk (CSV and XLSX),
  no count lies from 1 to 4 and no suppressed cell can be worked out from the totals of its
  table (the linear-programming check of tests/test_disclosure.py).
- The real job, twice on the same complete night: the same package byte for byte, logged twice.
  Then an impossible rent in a new delivery: `boligmonitor run` exits non-zero and names the
  check, the table and the failing value, and the previous package is unchanged byte for byte.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow as pa
import pytest
from openpyxl import load_workbook

from boligmonitor import partner_tables, settings
from boligmonitor.disclosure import TOTAL, Suppression, TableSpec
from boligmonitor.export import MARKER
from boligmonitor.quality.partner_suites import partner_suites
from boligmonitor.quality.validation import validate_suite
from orchestration.defs.exports.assets import (
    PACKAGE_KEY,
    PARTNER_TABLES_KEY,
    bl1kreds_package,
    partner_tables_asset,
)
from orchestration.defs.quality.checks import suite_check
from orchestration.resources import Warehouse
from orchestration.runner import run_pipeline
from tests.conftest import CPR_PATTERN
from tests.dashboards_checks import read_csv
from tests.dashboards_fixture import AS_OF, make_marts
from tests.sourcefiles import dwelling, write_night, write_xlsx
from tests.test_disclosure import intervals

K = 5
# The package's tables as a reader sees them, by their Danish column labels: (groups with no
# totals across them, dimensions with `I alt` margins, counts, shares built on the counts).
LAYOUT: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "boligtragt": (("Modtaget i måned",), ("Boligorganisation", "Udfald"), ("Boliger",), ()),
    "returneringer": ((), ("Huslejeklasse", "Årsag"), ("Returnerede boliger",), ()),
    "returandel": (
        (),
        ("Huslejeklasse",),
        ("Modtagne boliger", "Returnerede boliger"),
        ("Returneringsandel",),
    ),
    "afdelinger": (
        (),
        ("Afdeling",),
        ("Anvist af kommunen", "Ledige boliger"),
        ("Kommunens andel",),
    ),
    "bydele": ((), ("Bydel",), ("Indflytninger", "Modtagne boliger"), ()),
    "bostoette": ((), ("Indsats",), ("Forløb", "Forløb i gang"), ()),
    "bostoette_30_dage": (
        ("Indflytningsmåned",),
        (),
        ("Indflyttede med behov", "Med støtte inden for 30 dage"),
        ("Andel",),
    ),
    "herberg_90_dage": (
        ("Indskrivningsmåned",),
        (),
        ("Ophold (målbare)", "I egen bolig inden for 90 dage"),
        ("Andel",),
    ),
    "herberg_dage": ((), ("Dage",), ("Ophold",), ()),
    "fastholdelse": (
        ("Måneder efter indflytning",),
        ("Bostøtte",),
        ("Indflytninger (målbare)", "Stadig i bolig"),
        ("Andel stadig i bolig",),
    ),
    "tilskud_ophoer": ((), ("Tilskudstype", "Betalingsevne"), ("Tilskud",), ()),
}


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _count(text: str) -> int | None:
    """A published count: None when suppressed ('..'), else the whole number."""
    if text == MARKER:
        return None
    assert text.isdigit(), f"ikke et helt tal: {text!r}"
    return int(text)


def assert_package_is_safe(folder: Path, k: int = K) -> int:
    """Read a package back from disk: in every CSV and every XLSX sheet no count lies from 1
    to k-1; a share is hidden wherever a count it is built on is hidden; and no suppressed cell
    can be worked out from the totals of its table. Returns the number of suppressed cells."""
    hidden = assert_no_small_counts(folder, k)
    assert_no_cell_recoverable(folder, k)
    return hidden


def assert_no_small_counts(folder: Path, k: int = K) -> int:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    titles = {t["navn"]: t["titel"] for t in manifest["tabeller"]}
    assert set(titles) == set(LAYOUT)
    workbook = load_workbook(next(folder.glob("*.xlsx")), read_only=True)
    hidden_total = 0
    for name, (_, _, counts, shares) in LAYOUT.items():
        header, rows = read_csv(folder / f"{name}.csv")
        for row in rows:
            for label in counts:
                value = _count(row[header.index(label)])
                assert value is None or not 0 < value < k, (name, label, row)
                hidden_total += value is None
                for share in shares:
                    assert value is not None or row[header.index(share)] == MARKER, (name, row)
        sheet = list(workbook[titles[name]].iter_rows(values_only=True))
        assert list(sheet[0]) == header
        assert len(sheet) - 1 == len(rows)
        for row in sheet[1:]:
            for label in counts:
                value = row[header.index(label)]
                assert value == MARKER or (isinstance(value, int | float) and not 0 < value < k)
    workbook.close()
    return hidden_total


def assert_no_cell_recoverable(folder: Path, k: int = K) -> None:
    """Every suppressed count can still take at least two whole values given every published
    number and total of its table (and that a hidden count is at least 1)."""
    for name, (groups, dims, counts, _) in LAYOUT.items():
        if not dims:
            continue  # no totals: only primary suppression applies
        header, rows = read_csv(folder / f"{name}.csv")
        column = {label: header.index(label) for label in header}
        keys = sorted({tuple(r[column[g]] for g in groups) for r in rows})
        for key in keys:
            part = [r for r in rows if tuple(r[column[g]] for g in groups) == key]
            dimensions = tuple(f"d{i}" for i in range(len(dims)))
            for label in counts:
                labels = zip(dimensions, dims, strict=True)
                published = pa.table(
                    {
                        **{d: [r[column[lab]] for r in part] for d, lab in labels},
                        "antal": pa.array([_count(r[column[label]]) for r in part], pa.int64()),
                    }
                )
                spec = TableSpec(name, counts=("antal",), dimensions=dimensions)
                assert all(TOTAL in published.column(d).to_pylist() for d in dimensions)
                view = Suppression(spec=spec, k=k, table=published, cells=())
                for row, (low, high) in intervals(published, view, "antal").items():
                    assert high - low >= 1 - 1e-7, (
                        f"{name} {key} {label}: række {row + 1} kan regnes ud: [{low}, {high}]"
                    )


# ---- plain: the tables in the warehouse and their checks ----------------------------------


@pytest.fixture(scope="module")
def marts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_marts(tmp_path_factory.mktemp("export_marts") / "warehouse.duckdb")


def test_the_last_finished_month_is_the_month_before_the_report_day() -> None:
    assert partner_tables.last_finished_month(date(2025, 12, 31)) == date(2025, 11, 1)
    assert partner_tables.last_finished_month(date(2026, 1, 1)) == date(2025, 12, 1)
    assert partner_tables.last_finished_month(date(2024, 3, 1)) == date(2024, 2, 1)


def test_partner_tables_go_into_the_warehouse_and_come_back_unchanged(
    marts: Path, tmp_path: Path
) -> None:
    db = tmp_path / "w.duckdb"
    db.write_bytes(marts.read_bytes())
    month = partner_tables.last_finished_month(AS_OF)
    with duckdb.connect(str(db)) as con:
        built = partner_tables.partner_tables(con, month=month)
        assert {t.name: t.counts for t in built} == partner_tables.COUNTS
        partner_tables.store(con, built, month=month, as_of=AS_OF)
        stored = partner_tables.load(con)
        log = con.execute("SELECT * FROM partner.suppression_log").to_arrow_table()
    assert stored.month_label == "2025-11"
    assert stored.period == (date(2024, 12, 1), date(2025, 11, 30))
    assert sum(len(t.suppressed) for t in built) > 0
    for before, after in zip(built, stored.tables, strict=True):
        assert after.name == before.name and after.columns == before.columns
        assert after.data.schema == before.data.schema
        assert after.data.to_pylist() == before.data.to_pylist()
        assert after.suppressed == before.suppressed and after.log == before.log
        assert after.counts == before.counts and after.k == before.k
    # The log says where and why, never the number.
    assert log.column_names == [
        "table_name",
        "row_index",
        "column_name",
        "reason",
        "row_key",
        "position",
    ]
    assert log.num_rows == sum(len(t.suppressed) for t in built)


class _FailingLogInsert:
    """A connection whose insert into the suppression log fails; all else goes to `con`."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def __getattr__(self, name: str) -> object:
        return getattr(self._con, name)

    def execute(self, sql: str, *args: object) -> duckdb.DuckDBPyConnection:
        if sql.startswith(f"INSERT INTO {partner_tables.SUPPRESSION_LOG}"):
            raise duckdb.IOException("disken er fuld")
        return self._con.execute(sql, *args)


def test_a_failed_store_keeps_the_old_tables_and_leaves_no_view_registered(
    marts: Path, tmp_path: Path
) -> None:
    """A store that fails half way (here the suppression log's insert) is rolled back whole and
    leaves no Arrow view registered on the connection. (DuckDB's ROLLBACK also drops a view
    registered in the transaction; store unregisters in a finally as well, not relying on it.)"""
    db = tmp_path / "w.duckdb"
    db.write_bytes(marts.read_bytes())
    month = partner_tables.last_finished_month(AS_OF)
    with duckdb.connect(str(db)) as con:
        built = partner_tables.partner_tables(con, month=month)
        partner_tables.store(con, built, month=month, as_of=AS_OF)
        log = "SELECT * FROM partner.suppression_log ORDER BY table_name, position"
        before = con.execute(log).fetchall()
        assert before
        with pytest.raises(duckdb.IOException, match="disken er fuld"):
            partner_tables.store(_FailingLogInsert(con), built, month=month, as_of=AS_OF)
        assert con.execute(log).fetchall() == before  # rolled back
        with pytest.raises(duckdb.CatalogException):
            con.execute("SELECT * FROM _partner_log")
        partner_tables.store(con, built, month=month, as_of=AS_OF)  # the next try works
        assert con.execute(log).fetchall() == before


def test_tables_by_month_are_in_month_order(marts: Path, tmp_path: Path) -> None:
    """The same marts give the same files byte for byte, so no table may take its row order
    from how the marts happen to be stored or how DuckDB happened to group (a hash aggregate's
    order varies from run to run). Here the marts are stored newest month first."""
    db = tmp_path / "w.duckdb"
    db.write_bytes(marts.read_bytes())
    with duckdb.connect(str(db)) as con:
        for table, month in (
            ("shelter_exit_months", "entered_month"),
            ("support_at_move_in_months", "month_start"),
        ):
            con.execute(
                f"CREATE OR REPLACE TABLE marts.{table} AS "
                f"SELECT * FROM marts.{table} ORDER BY {month} DESC"
            )
        built = partner_tables.partner_tables(con, month=partner_tables.last_finished_month(AS_OF))
    by_name = {t.name: t.data for t in built}
    for name, column in (
        ("herberg_90_dage", "entered_month"),
        ("bostoette_30_dage", "month_start"),
    ):
        months = by_name[name].column(column).to_pylist()
        assert len(months) > 1 and months == sorted(months), (name, months)


def test_a_table_whose_suppressed_cell_holds_a_number_is_not_stored(marts: Path) -> None:
    """`store` refuses the whole set, naming the first such cell, and keeps what was there."""
    with duckdb.connect(str(marts), read_only=True) as con:
        built = partner_tables.partner_tables(con, month=partner_tables.last_finished_month(AS_OF))
    broken = next(t for t in built if t.suppressed)
    row, column = min(broken.suppressed)
    values = broken.data.column(column).to_pylist()
    values[row] = 3
    data = broken.data.set_column(
        broken.data.column_names.index(column), column, pa.array(values, pa.int64())
    )
    tables = [replace(t, data=data) if t is broken else t for t in built]
    with duckdb.connect() as con:
        con.execute("CREATE SCHEMA partner; CREATE TABLE partner.tidligere AS SELECT 1 AS x")
        with pytest.raises(ValueError, match=rf"række {row + 1}, kolonne '{column}'.*har en værdi"):
            partner_tables.store(con, tables, month=date(2025, 11, 1), as_of=AS_OF)
        assert con.execute("SELECT x FROM partner.tidligere").fetchall() == [(1,)]


def test_the_export_checks_catch_each_breach(marts: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    db.write_bytes(marts.read_bytes())
    month = partner_tables.last_finished_month(AS_OF)
    with duckdb.connect(str(db)) as con:
        tables = partner_tables.partner_tables(con, month=month)
        partner_tables.store(con, tables, month=month, as_of=AS_OF)
    suites = partner_suites()
    assert [s.table for s in suites] == [
        *(f"partner.{n}" for n in partner_tables.COUNTS),
        "partner.suppression_log",
    ]
    assert all(r.severity == "error" for s in suites for r in s.rules)
    clean = [validate_suite(db, s, as_of=AS_OF, run_id="ren") for s in suites]
    assert all(r.success for r in clean), [r.summary_da() for r in clean if not r.success]

    with duckdb.connect(str(db)) as con:
        row, column = con.execute(
            "SELECT row_index, column_name FROM partner.suppression_log "
            "WHERE table_name = 'bostoette' ORDER BY position LIMIT 1"
        ).fetchone()
        con.execute(f'UPDATE partner.bostoette SET "{column}" = 7 WHERE rowid = {row}')
        con.execute("UPDATE partner.bydele SET move_ins = 3 WHERE rowid = 0")
        con.execute("ALTER TABLE partner.returneringer ADD COLUMN bemaerkning VARCHAR")
        con.execute("UPDATE partner.fastholdelse SET \"group\" = 'pilot Sundholm' WHERE rowid = 0")
        con.execute(
            "UPDATE partner.boligtragt SET housing_organisation = 'Ring 010190-1235' "
            "WHERE rowid = 0"
        )
    failed = {}
    for s in suites:
        result = validate_suite(db, s, as_of=AS_OF, run_id="brudt")
        failed |= {(s.table, r.rule_id): r for r in result.failed_errors}
    assert set(failed) == {
        ("partner.bostoette", "undertrykt_er_tomt"),
        ("partner.bydele", "ingen_smaa_tal"),
        ("partner.returneringer", "ingen_fritekst"),
        ("partner.fastholdelse", "pilot_ikke_opdelt"),
        ("partner.boligtragt", "ingen_cpr"),
    }
    cpr_found = failed[("partner.boligtragt", "ingen_cpr")].describe_da()
    assert "XXXXXX-XXXX" in cpr_found and CPR_PATTERN.search(cpr_found) is None
    assert '"move_ins": 3' in failed[("partner.bydele", "ingen_smaa_tal")].describe_da()


def test_the_assets_write_a_package_that_is_safe_read_back_from_disk(
    marts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "w.duckdb"
    db.write_bytes(marts.read_bytes())
    monkeypatch.setenv(settings.HOME_VAR, str(tmp_path / "home"))
    monkeypatch.setenv(settings.AS_OF_VAR, AS_OF.isoformat())
    result = dg.materialize(
        [partner_tables_asset, *(suite_check(s) for s in partner_suites()), bl1kreds_package],
        resources={"warehouse_db": Warehouse(path=str(db))},
    )
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == len(partner_suites()) and all(e.passed for e in evaluations)
    folder = tmp_path / "home" / "exports" / "bl1kreds" / "2025-11"
    assert assert_package_is_safe(folder) > 0
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert {c["navn"] for c in manifest["kontroller"]} == {
        f"kvalitet_{s.name}" for s in partner_suites()
    }
    with duckdb.connect(str(db), read_only=True) as con:
        logged = con.execute("SELECT month, suppressed_cells FROM audit.exports").fetchall()
    assert logged == [("2025-11", manifest["diskretionering"]["undertrykte_celler_i_alt"])]

    # The read-back check can fail: publish all but one hidden cell of a line as 1, and the last
    # one follows from the total; a published 3 is a small count.
    _tamper_until_one_hidden_cell_is_left(folder)
    with pytest.raises(AssertionError, match="kan regnes ud"):
        assert_no_cell_recoverable(folder)
    header, rows = read_csv(folder / "bydele.csv")
    rows[0][header.index("Indflytninger")] = "3"
    _write_csv(folder / "bydele.csv", header, rows)
    with pytest.raises(AssertionError, match="Indflytninger"):
        assert_package_is_safe(folder)


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows([header, *rows])
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))


def _tamper_until_one_hidden_cell_is_left(folder: Path) -> None:
    for name, (groups, dims, counts, _) in LAYOUT.items():
        if groups or len(dims) != 1:
            continue
        header, rows = read_csv(folder / f"{name}.csv")
        for label in counts:
            j = header.index(label)
            hidden = [r for r in rows if r[j] == MARKER and r[header.index(dims[0])] != TOTAL]
            total = next(r for r in rows if r[header.index(dims[0])] == TOTAL)
            if len(hidden) >= 2 and total[j] != MARKER:
                for row in hidden[1:]:
                    row[j] = "1"
                _write_csv(folder / f"{name}.csv", header, rows)
                return
    raise AssertionError("ingen envejstabel med to skjulte celler at pille ved")


# ---- the real job on a complete night, then a corrupted source ----------------------------

NIGHT = date(2024, 1, 21)
RUN_AS_OF = "2024-01-22"  # the last finished month: December 2023
MONTH = "2023-12"
KEY = "a-real-secret-key-for-the-test"


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    tmp = tmp_path_factory.mktemp("export_gate")
    home = tmp / "home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(settings.HOME_VAR, str(home))
        mp.setenv("DAGSTER_HOME", str(tmp / "dagster"))
        mp.setenv(settings.KEY_VAR, KEY)
        mp.setenv(settings.AS_OF_VAR, RUN_AS_OF)
        mp.delenv(settings.DEMO_VAR, raising=False)
        mp.delenv(settings.WORK_DB_VAR, raising=False)
        write_night(home / "landing", NIGHT)
        yield home


@pytest.fixture(scope="module")
def two_good_runs(night: Path) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The job twice on the same inputs: the package's files after each run."""
    folder = night / "exports" / "bl1kreds" / MONTH
    assert run_pipeline(echo=lambda _: None)
    first = _files(folder)
    assert run_pipeline(echo=lambda _: None)
    return first, _files(folder)


def _exports_logged(home: Path) -> list[tuple]:
    con = duckdb.connect(str(home / "work" / "boligmonitor.duckdb"), read_only=True)
    try:
        return con.execute(
            "SELECT month, manifest_sha256 FROM audit.exports ORDER BY created_at"
        ).fetchall()
    finally:
        con.close()


@pytest.mark.slow
def test_the_job_writes_the_same_package_twice_and_logs_both(
    night: Path, two_good_runs: tuple[dict[str, bytes], dict[str, bytes]]
) -> None:
    first, second = two_good_runs
    assert first == second  # every data file and the manifest, byte for byte
    assert {f"{n}.csv" for n in LAYOUT} | {f"{n}.parquet" for n in LAYOUT} <= set(first)
    manifest = json.loads(first["manifest.json"])
    assert manifest["maaned"] == MONTH and manifest["opgjort_pr"] == RUN_AS_OF
    sources = {s["kilde"] for s in manifest["kilder"]}
    assert {"anvisninger", "afdelinger", "huslejeklasser", "ledige_boliger"} <= sources
    checks = {c["navn"] for c in manifest["kontroller"]}
    assert "kvalitet_eksport_partner_afdelinger" in checks
    assert "kvalitet_raw_anvisninger" in checks
    sha = hashlib.sha256(first["manifest.json"]).hexdigest()
    assert _exports_logged(night) == [(MONTH, sha), (MONTH, sha)]
    assert_package_is_safe(night / "exports" / "bl1kreds" / MONTH)


@pytest.mark.slow
def test_an_impossible_rent_blocks_the_export_and_keeps_the_previous_package(
    night: Path, two_good_runs: tuple[dict[str, bytes], dict[str, bytes]]
) -> None:
    """A new delivery of vacant dwellings with a rent of 51.250 kr. a month (a slipped comma):
    the error-level rule husleje_mulig on raw.ledige_boliger fails, which stops everything the
    export is built from. (A CPR number in a text field does not get this far: ingestion
    quarantines the row; the export tables' own CPR check is shown failing above. A rent-class
    gap is caught by a dbt test, whose failure names no values.)"""
    before, _ = two_good_runs
    folder = night / "exports" / "bl1kreds" / MONTH
    logged = _exports_logged(night)
    write_xlsx(
        night / "landing",
        "ledige_boliger_20240122_1.xlsx",
        [dwelling("FSB-0101-002", husleje_kr="51.250,00")],
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BOLIGMONITOR_")}
    environment.update(
        {
            settings.HOME_VAR: str(night),
            "DAGSTER_HOME": os.environ["DAGSTER_HOME"],
            settings.KEY_VAR: KEY,
            settings.AS_OF_VAR: RUN_AS_OF,
        }
    )
    run = subprocess.run(
        [sys.executable, "-m", "boligmonitor.cli", "run"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=900,
    )
    print(run.stdout)
    assert run.returncode == 1, run.stderr[-2000:]
    out = run.stdout
    assert "KONTROL kvalitet_raw_ledige_boliger på raw/ledige_boliger bestod ikke" in out
    assert "FEJL raw.ledige_boliger · husleje_mulig" in out
    assert "51250" in out  # the failing value
    assert "Kørslen fejlede" in out
    assert CPR_PATTERN.search(run.stdout + run.stderr) is None
    assert _files(folder) == before  # the previous package, byte for byte
    assert not list(folder.parent.glob(f".{MONTH}*"))  # nothing half-written beside it
    assert _exports_logged(night) == logged
    with dg.DagsterInstance.get() as instance:
        last = instance.get_run_records(limit=1)[0].dagster_run
        assert last.status == dg.DagsterRunStatus.FAILURE
        for key in (PARTNER_TABLES_KEY, PACKAGE_KEY):
            materialized = instance.get_latest_materialization_event(key)
            assert materialized is not None and materialized.run_id != last.run_id, key
