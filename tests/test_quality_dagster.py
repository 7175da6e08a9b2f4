"""The suites as blocking Dagster asset checks, in real materialisations.

A small graph: the real ingest asset for anvisninger, its real quality check, and a downstream
asset standing in for an export. A failing error-level rule must stop the downstream asset in the
same run; a failing warning must not.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from boligmonitor.contracts import ANVISNINGER
from orchestration.definitions import load
from orchestration.defs.ingest.assets import _ingest_asset, raw_key
from orchestration.defs.quality.checks import check_name, suite_check
from orchestration.resources import Landing, Warehouse
from tests.sourcefiles import allocation, write_csv
from tests.test_quality_suites import suite

AS_OF = date(2024, 1, 10)
EXPORT_KEY = dg.AssetKey(["export", "stand_in"])


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("BOLIGMONITOR_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BOLIGMONITOR_AS_OF", AS_OF.isoformat())
    monkeypatch.setenv("BOLIGMONITOR_PSEUDONYM_KEY", "test-key-0123456789abcdef")
    monkeypatch.delenv("BOLIGMONITOR_DEMO", raising=False)
    return tmp_path / "home"


def _graph(tmp_path: Path) -> list:
    written = tmp_path / "export.txt"

    @dg.asset(key=EXPORT_KEY, deps=[raw_key(ANVISNINGER)])
    def stand_in() -> None:
        written.write_text("eksporteret", encoding="utf-8")

    return [_ingest_asset(ANVISNINGER), suite_check(suite("raw_anvisninger")), stand_in]


def _run(tmp_path: Path, landing: Path) -> dg.ExecuteInProcessResult:
    db = tmp_path / "w.duckdb"
    return dg.materialize(
        _graph(tmp_path),
        resources={
            "warehouse_db": Warehouse(path=str(db)),
            "landing": Landing(path=str(landing)),
        },
        raise_on_error=False,
    )


def _evaluation(result: dg.ExecuteInProcessResult) -> dg.AssetCheckEvaluation:
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.check_name == check_name(suite("raw_anvisninger"))
    return evaluation


def test_a_passing_suite_lets_the_downstream_asset_run(
    tmp_path: Path, landing: Path, environment: Path
) -> None:
    write_csv(landing, "anvisninger_20240110.csv", [allocation("A1"), allocation("A2")])
    result = _run(tmp_path, landing)
    assert result.success
    evaluation = _evaluation(result)
    assert evaluation.passed
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert EXPORT_KEY in materialized
    assert (tmp_path / "export.txt").exists()
    assert (environment / "quality" / "index.html").exists()


def test_a_failing_error_rule_blocks_the_downstream_asset_in_the_same_run(
    tmp_path: Path, landing: Path
) -> None:
    write_csv(
        landing,
        "anvisninger_20240110.csv",
        [allocation("A1", betalingsevne_kr="60.000"), allocation("A2")],
    )
    result = _run(tmp_path, landing)
    assert not result.success
    evaluation = _evaluation(result)
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    metadata = {k: v.value for k, v in evaluation.metadata.items()}
    assert metadata["tabel"] == "raw.anvisninger"
    assert "betalingsevne_mulig" in metadata["fejl: betalingsevne_mulig"]
    assert "60000" in metadata["fejl: betalingsevne_mulig"]
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert raw_key(ANVISNINGER) in materialized
    assert EXPORT_KEY not in materialized
    assert not (tmp_path / "export.txt").exists()

    # The results are kept, and the file is free: another process opens it as a writer.
    db = tmp_path / "w.duckdb"
    code = (
        "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
        'print(c.execute("SELECT count(*) FROM audit.validations WHERE NOT success '
        "AND severity = 'error'\").fetchone()[0]); c.close()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(db)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"


def test_a_failing_warning_is_reported_but_does_not_block(tmp_path: Path, landing: Path) -> None:
    write_csv(
        landing,
        "anvisninger_20240110.csv",
        [allocation("A1", betalingsevne_kr="900"), allocation("A2")],
    )
    result = _run(tmp_path, landing)
    assert result.success
    evaluation = _evaluation(result)
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    assert EXPORT_KEY in {e.asset_key for e in result.get_asset_materialization_events()}
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert con.execute("SELECT rule_id FROM audit.validations WHERE NOT success").fetchall() == [
        ("betalingsevne_plausibel",)
    ]
    con.close()


def test_every_wired_suite_is_a_blocking_check_on_an_asset_that_exists() -> None:
    defs = load()
    graph = defs.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    checks = {c.asset_key: c for c in graph.asset_check_keys if c.name.startswith("kvalitet_")}
    assert {dg.AssetKey(["raw", name]) for name in ("anvisninger", "afdelinger")} <= set(checks)
    for key in checks:
        assert key in keys, key
    for spec_key in graph.asset_check_keys:
        if spec_key.name.startswith("kvalitet_"):
            assert graph.get_check_spec(spec_key).blocking, spec_key


def test_loading_the_definitions_does_not_import_great_expectations() -> None:
    """GX takes about 5 s to import; `dagster dev`, every sensor tick and the CLI load the
    definitions, and only a running check needs GX."""
    script = (
        "import sys\n"
        "from orchestration.definitions import load\n"
        "defs = load()\n"
        "assert defs.resolve_asset_graph().asset_check_keys\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'great_expectations')\n"
        "assert not loaded, loaded[:5]\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
