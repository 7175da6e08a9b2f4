"""The suites in expectations/ run against real DuckDB files with real GX validations.

Source files are written by the test and ingested as the pipeline does; staging models are
stood in for by tables with the model's columns (the dbt models are tested in their own project).
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from boligmonitor import warehouse
from boligmonitor.contracts import SOURCES
from boligmonitor.ingest import ingest_source
from boligmonitor.quality.exports import export_suite
from boligmonitor.quality.gate import check_suite
from boligmonitor.quality.suites import (
    Suite,
    SuiteError,
    load_suite,
    load_suites,
    to_gx_suites,
)
from boligmonitor.quality.validation import SuiteResult, validate_suite
from tests.conftest import CPR_PATTERN, TEST_KEY
from tests.sourcefiles import allocation, write_csv

AS_OF = date(2024, 1, 10)


def suite(name: str) -> Suite:
    return next(s for s in load_suites() if s.name == name)


def failed(result: SuiteResult) -> dict[str, str]:
    return {r.rule_id: r.severity for r in result.results if not r.success}


def nightly_allocations(
    landing: Path, nights: int, rows: int, last_rows: int | None = None
) -> None:
    """`nights` nightly anvisninger extracts ending on AS_OF, `rows` rows each (the last
    `last_rows`)."""
    for night in range(nights):
        day = date.fromordinal(AS_OF.toordinal() - nights + 1 + night)
        count = last_rows if last_rows is not None and night == nights - 1 else rows
        write_csv(
            landing,
            f"anvisninger_{day:%Y%m%d}.csv",
            [
                allocation(f"A{day:%Y%m%d}-{i:05d}", opdateret=f"{day:%d-%m-%Y} 10:00:00")
                for i in range(count)
            ],
        )


def ingest(db: Path, landing: Path, source: str = "anvisninger") -> None:
    con = warehouse.connect(db)
    warehouse.ensure_schema(con)
    ingest_source(con, SOURCES[source], landing, TEST_KEY)
    con.close()


def test_every_suite_file_loads_and_builds_a_gx_suite() -> None:
    suites = load_suites()
    assert {s.name for s in suites} >= {f"raw_{name}" for name in SOURCES}
    for s in suites:
        assert s.rules, s.name
        assert {r.severity for r in s.rules} <= {"error", "warning"}
        built = to_gx_suites(s, AS_OF)
        assert sum(len(g.expectations) for g, _ in built) == len(s.rules)
    for name in SOURCES:
        if name != "huslejeklasser":  # rent classes arrive only when they change
            assert any(r.kind == "freshness" for r in suite(f"raw_{name}").rules), name
            assert any(r.kind == "volume" for r in suite(f"raw_{name}").rules), name


def test_a_suite_file_without_severity_or_with_a_stray_brace_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.yml"
    path.write_text(
        "suite: x\ntable: raw.x\nasset: raw/x\nrules:\n"
        "  - {id: a, description: d, sql: 'SELECT * FROM {batch}'}\n",
        encoding="utf-8",
    )
    with pytest.raises(SuiteError, match="severity"):
        load_suite(path)
    path.write_text(
        "suite: x\ntable: raw.x\nasset: raw/x\nrules:\n"
        "  - {id: a, severity: error, description: d,"
        " sql: \"SELECT * FROM {batch} WHERE regexp_matches(v, '[0-9]{6}')\"}\n",
        encoding="utf-8",
    )
    with pytest.raises(SuiteError, match="krøllede"):
        load_suite(path)


def test_an_unknown_gx_expectation_is_refused_when_read_without_importing_gx(
    tmp_path: Path,
) -> None:
    """Suites are read when the Dagster definitions load; GX (about 5 s to import) is not
    imported for that, yet a misspelt expectation is still refused on reading."""
    path = tmp_path / "bad.yml"
    path.write_text(
        "suite: x\ntable: raw.x\nasset: raw/x\nrules:\n"
        "  - {id: a, severity: error, description: d,"
        " gx: {expect_column_values_to_be_betwen: {column: v, min_value: 0}}}\n",
        encoding="utf-8",
    )
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from boligmonitor.quality.suites import SuiteError, load_suite, load_suites\n"
        "assert load_suites()\n"
        "try:\n"
        f"    load_suite(Path({str(path)!r}))\n"
        "except SuiteError as exc:\n"
        "    assert 'expect_column_values_to_be_betwen' in str(exc), exc\n"
        "else:\n"
        "    raise AssertionError('not refused')\n"
        "assert 'great_expectations' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    # and with GX imported, the class itself is asked
    with pytest.raises(SuiteError, match="expect_column_values_to_be_betwen"):
        load_suite(path)


def test_the_raw_suite_passes_on_good_data(tmp_path: Path, landing: Path) -> None:
    db = tmp_path / "w.duckdb"
    nightly_allocations(landing, nights=8, rows=30)
    ingest(db, landing)
    result = validate_suite(db, suite("raw_anvisninger"), as_of=AS_OF, run_id="r1")
    assert failed(result) == {}, result.summary_da()
    assert result.worst is None
    assert len(result.results) == len(suite("raw_anvisninger").rules)


def test_a_half_empty_extract_and_an_old_extract_are_errors(tmp_path: Path, landing: Path) -> None:
    db = tmp_path / "w.duckdb"
    nightly_allocations(landing, nights=10, rows=100, last_rows=40)
    ingest(db, landing)
    result = validate_suite(db, suite("raw_anvisninger"), as_of=AS_OF, run_id="r1")
    assert failed(result) == {"volumen": "error"}
    volume = next(r for r in result.results if r.rule_id == "volumen")
    assert volume.unexpected_count == 1
    assert "40" in volume.examples[0] and "100" in volume.examples[0]

    late = validate_suite(
        db, suite("raw_anvisninger"), as_of=date(2024, 1, 14), run_id="r2"
    )  # newest extract 2024-01-10 is 4 days old; at most 3 allowed
    assert failed(late) == {"volumen": "error", "friskhed": "error"}


def test_impossible_and_implausible_values(tmp_path: Path, landing: Path) -> None:
    db = tmp_path / "w.duckdb"
    write_csv(
        landing,
        "anvisninger_20240110.csv",
        [
            allocation("A1", betalingsevne_kr="60.000"),  # impossible: error
            allocation("A2", betalingsevne_kr="900"),  # implausible: warning
            allocation("A3"),
        ],
    )
    ingest(db, landing)
    result = validate_suite(db, suite("raw_anvisninger"), as_of=AS_OF, run_id="r1")
    assert failed(result) == {"betalingsevne_mulig": "error", "betalingsevne_plausibel": "warning"}
    impossible = next(r for r in result.results if r.rule_id == "betalingsevne_mulig")
    assert impossible.unexpected_count == 1
    assert impossible.examples == ("60000.0",) or "60000" in impossible.examples[0]
    assert result.worst == "error"


def test_columns_and_types_catch_a_changed_table(tmp_path: Path, landing: Path) -> None:
    db = tmp_path / "w.duckdb"
    nightly_allocations(landing, nights=1, rows=3)
    ingest(db, landing)
    con = duckdb.connect(str(db))
    con.execute("ALTER TABLE raw.anvisninger ALTER betalingsevne_kr TYPE DOUBLE")
    con.execute("ALTER TABLE raw.anvisninger ADD COLUMN ekstra VARCHAR")
    con.close()
    result = validate_suite(db, suite("raw_anvisninger"), as_of=AS_OF, run_id="r1")
    columns = next(r for r in result.results if r.rule_id == "kolonner_og_typer")
    assert not columns.success
    assert columns.unexpected_count == 2
    assert any("betalingsevne_kr" in e and "DOUBLE" in e for e in columns.examples)
    assert any("ekstra" in e for e in columns.examples)


def _staging(db: Path, ddl: str, rows: str) -> None:
    con = duckdb.connect(str(db))
    con.execute("CREATE SCHEMA IF NOT EXISTS staging")
    con.execute(ddl)
    con.execute(rows)
    con.close()


RENT_CLASSES = """CREATE TABLE staging.stg_huslejeklasser__rent_classes (
    rent_class VARCHAR, rent_class_label VARCHAR, min_rent_kr DECIMAL(14,2),
    max_rent_kr DECIMAL(14,2), valid_from DATE, valid_to DATE, source_file VARCHAR,
    source_row INTEGER, extract_date DATE)"""


def _classes(*rows: tuple) -> str:
    values = ", ".join(
        f"('{k}', '{k}', {lo}, {'NULL' if hi is None else hi}, DATE '{fra}', "
        f"{'NULL' if til is None else repr(til) + '::DATE'}, 'f.csv', {i}, DATE '2024-01-01')"
        for i, (k, lo, hi, fra, til) in enumerate(rows, start=2)
    )
    return f"INSERT INTO staging.stg_huslejeklasser__rent_classes VALUES {values}"


GOOD_CLASSES = (
    ("K1", 0, 3000, "2021-01-01", "2024-01-01"),
    ("K2", 3000, None, "2021-01-01", "2024-01-01"),
    ("H1", 0, 3500, "2024-01-01", None),
    ("H2", 3500, 5000, "2024-01-01", None),
    ("H3", 5000, None, "2024-01-01", None),
)


def test_rent_classes_that_cover_every_rent_pass(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    duckdb.connect(str(db)).close()
    _staging(db, RENT_CLASSES, _classes(*GOOD_CLASSES))
    result = validate_suite(db, suite("stg_huslejeklasser__rent_classes"), as_of=AS_OF, run_id="r")
    assert failed(result) == {}, result.summary_da()


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("H2", 3600, 5000, "2024-01-01", None), "hul efter forrige klasse"),
        (("H2", 3400, 5000, "2024-01-01", None), "overlap med forrige klasse"),
        (("H3", 5000, 9000, "2024-01-01", None), "højeste klasse er ikke åben opad"),
        (("K1", 100, 3000, "2021-01-01", "2024-01-01"), "laveste klasse starter ikke i 0"),
        (("K2", 3000, None, "2021-01-01", "2023-06-01"), "hul efter forrige klasse"),
    ],
)
def test_a_gap_or_overlap_in_the_rent_classes_is_an_error(
    tmp_path: Path, change: tuple, problem: str
) -> None:
    db = tmp_path / "w.duckdb"
    duckdb.connect(str(db)).close()
    rows = [change if r[0] == change[0] else r for r in GOOD_CLASSES]
    _staging(db, RENT_CLASSES, _classes(*rows))
    result = validate_suite(db, suite("stg_huslejeklasser__rent_classes"), as_of=AS_OF, run_id="r")
    assert failed(result) == {"daekker_alle_huslejer": "error"}
    coverage = next(r for r in result.results if r.rule_id == "daekker_alle_huslejer")
    assert any(problem in e for e in coverage.examples) or (
        # K2 ending early leaves 2023-06-01..2024-01-01 with only K1: the top is not open
        change[0] == "K2" and any("åben opad" in e for e in coverage.examples)
    ), coverage.examples


DWELLINGS = """CREATE TABLE staging.stg_ledige_boliger__dwellings (
    dwelling_id VARCHAR, department_id VARCHAR, received_on DATE, rent_kr DECIMAL(14,2),
    area_m2 DECIMAL(14,2), source_file VARCHAR, source_row INTEGER)"""
ALLOCATIONS = """CREATE TABLE staging.stg_anvisninger__allocations (
    allocation_id VARCHAR, dwelling_id VARCHAR, recommended_on DATE, offered_on DATE,
    moved_in_on DATE, moved_out_on DATE, source_file VARCHAR, source_row INTEGER)"""


def test_staging_keys_references_and_date_order(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    duckdb.connect(str(db)).close()
    _staging(
        db,
        DWELLINGS,
        "INSERT INTO staging.stg_ledige_boliger__dwellings SELECT 'B' || range, 'AF1', "
        "DATE '2024-01-01', 5000, 70, 'f.csv', range FROM range(100)",
    )
    good = (
        "INSERT INTO staging.stg_anvisninger__allocations SELECT 'A' || range, 'B' || range, "
        "DATE '2024-01-01', DATE '2024-01-05', DATE '2024-02-01', NULL, 'f.csv', range "
        "FROM range(100)"
    )
    _staging(db, ALLOCATIONS, good)
    allocations = suite("stg_anvisninger__allocations")
    assert failed(validate_suite(db, allocations, as_of=AS_OF, run_id="r")) == {}

    con = duckdb.connect(str(db))
    con.execute(  # a duplicated key, a move-in before the offer, one unknown dwelling
        "INSERT INTO staging.stg_anvisninger__allocations VALUES "
        "('A1', 'B1', '2024-01-01', '2024-01-05', '2024-02-01', NULL, 'g.csv', 2), "
        "('A200', 'B2', '2024-01-01', '2024-01-05', '2024-01-03', NULL, 'g.csv', 3), "
        "('A201', 'UKENDT', '2024-01-01', NULL, NULL, NULL, 'g.csv', 4)"
    )
    con.close()
    result = validate_suite(db, allocations, as_of=AS_OF, run_id="r")
    assert failed(result) == {
        "noegle_entydig": "error",
        "datoer_i_orden": "error",
        "bolig_findes": "warning",  # 1 of 103: below the 2 % that makes it an error
    }
    order = next(r for r in result.results if r.rule_id == "datoer_i_orden")
    assert order.unexpected_count == 1 and "A200" in order.examples[0]

    con = duckdb.connect(str(db))
    con.execute(
        "INSERT INTO staging.stg_anvisninger__allocations SELECT 'X' || range, 'UKENDT', "
        "DATE '2024-01-01', NULL, NULL, NULL, 'h.csv', range FROM range(5)"
    )
    con.close()
    result = validate_suite(db, allocations, as_of=AS_OF, run_id="r")
    assert failed(result)["bolig_findes_for_naesten_alle"] == "error"


def test_a_missing_table_fails_every_rule_at_its_severity(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    duckdb.connect(str(db)).close()
    result = validate_suite(db, suite("stg_bostotte__support_episodes"), as_of=AS_OF, run_id="r")
    assert result.worst == "error"
    assert all(r.error and "findes ikke" in r.error for r in result.results)


def test_export_suite_builder_catches_cpr_numbers_and_small_counts(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE SCHEMA export")
    con.execute(
        "CREATE TABLE export.returns AS SELECT * FROM (VALUES "
        "('Nørrebro', 12, 0.25), ('Valby', 0, NULL), ('Amager Øst', NULL, NULL)) "
        "AS t(bydel, antal, andel)"
    )
    con.close()
    built = export_suite("export.returns", ["export", "returns"], ["antal"], k=5)
    assert failed(validate_suite(db, built, as_of=AS_OF, run_id="r")) == {}

    con = duckdb.connect(str(db))
    con.execute("INSERT INTO export.returns VALUES ('Valby 010190-1235', 7, NULL)")
    con.execute("INSERT INTO export.returns VALUES ('Vanløse', 3, 0.1)")
    con.execute("INSERT INTO export.returns VALUES ('Indre By', 2101901235, NULL)")
    con.close()
    result = validate_suite(db, built, as_of=AS_OF, run_id="r")
    assert failed(result) == {"ingen_cpr": "error", "ingen_smaa_tal": "error"}
    cpr_rule = next(r for r in result.results if r.rule_id == "ingen_cpr")
    assert cpr_rule.unexpected_count == 2  # the text, and the number that looks like one
    small = next(r for r in result.results if r.rule_id == "ingen_smaa_tal")
    assert small.unexpected_count == 1
    for r in result.results:  # the failing values are reported, the CPR numbers never
        for text in (*r.examples, r.observed_value or ""):
            assert not CPR_PATTERN.search(text), text
    with pytest.raises(ValueError, match="under 3"):
        export_suite("export.returns", ["export", "returns"], ["antal"], k=2)


def test_results_are_stored_and_published_as_a_danish_report_without_external_resources(
    tmp_path: Path, landing: Path
) -> None:
    db = tmp_path / "w.duckdb"
    write_csv(
        landing,
        "anvisninger_20240110.csv",
        [allocation("A1", betalingsevne_kr="60.000"), allocation("A2")],
    )
    ingest(db, landing)
    report_dir = tmp_path / "quality"
    result = check_suite(
        db, suite("raw_anvisninger"), as_of=AS_OF, run_id="run-1", report_dir=report_dir
    )
    assert result.worst == "error"
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        "SELECT rule_id, severity, success, unexpected_count, failing_examples, table_name, "
        "run_id FROM audit.validations ORDER BY rule_id"
    ).fetchall()
    con.close()
    assert len(rows) == len(suite("raw_anvisninger").rules)
    by_rule = {r[0]: r for r in rows}
    assert by_rule["betalingsevne_mulig"][1:4] == ("error", False, 1)
    assert "60000" in json.loads(by_rule["betalingsevne_mulig"][4])[0]
    assert {r[5] for r in rows} == {"raw.anvisninger"} and {r[6] for r in rows} == {"run-1"}

    # Validating again in the same run replaces, never duplicates.
    check_suite(db, suite("raw_anvisninger"), as_of=AS_OF, run_id="run-1", report_dir=report_dir)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM audit.validations").fetchone()[0] == len(rows)
    con.close()

    assert (report_dir / "index.html").stat().st_mode & 0o004  # readable by everyone
    page = (report_dir / "index.html").read_text(encoding="utf-8")
    assert '<html lang="da">' in page
    assert "raw.anvisninger" in page and "betalingsevne_mulig" in page and "FEJL" in page
    assert "Betalingsevnen er ikke negativ" in page
    for external in ("http://", "https://", "<script", "<link", "src="):
        assert external not in page
    assert not CPR_PATTERN.search(page)
