"""Smoke test of the pipeline benchmark's own logic (benchmarks/pipeline.py) on tiny made-up data:
stage mapping, the floor's build order, per-stage sums and the printed table. No pipeline runs,
and no time is asserted."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name: str) -> ModuleType:
    """Import a benchmark script by path; benchmarks/ is not put on sys.path, where its
    dashboards.py would shadow the dashboards package for the other tests."""
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


measuring = _load("measuring")  # pipeline.py imports it by this name
pipeline = _load("pipeline")
Measured, run_measured = measuring.Measured, measuring.run_measured


@pytest.mark.parametrize(
    ("step", "stage"),
    [
        ("raw__anvisninger", "ingest"),
        ("raw__anvisninger_kvalitet_raw_anvisninger", "checks"),
        ("staging__stg_x_kvalitet_stg_x", "checks"),
        ("exports__partner_tables_kvalitet_eksport_partner_bydele", "checks"),
        ("exports__bl1kreds_package", "exports"),
        ("dbt_models", "dbt build"),
        ("dashboards__internal", "dashboards"),
        ("docs__dbt_docs", "docs"),
        ("warehouse__snapshot", "snapshot"),
        ("something_else", "other"),
    ],
)
def test_stage_of(step: str, stage: str) -> None:
    assert pipeline.stage_of(step) == stage


def test_floor_statements_follow_dependencies() -> None:
    def node(uid: str, kind: str, schema: str, deps: list[str], mat: str = "table") -> dict:
        return {
            "unique_id": uid,
            "resource_type": kind,
            "schema": schema,
            "relation_name": f'"boligmonitor"."{schema}"."{uid.split(".")[-1]}"',
            "depends_on": {"nodes": deps},
            "config": {"materialized": mat},
            "compiled_code": f"select 1 as x -- {uid}",
        }

    manifest = {
        "nodes": {
            "model.p.mart": node("model.p.mart", "model", "marts", ["model.p.stg", "seed.p.s"]),
            "model.p.stg": node("model.p.stg", "model", "staging", [], "view"),
            "model.p.eph": node("model.p.eph", "model", "staging", [], "ephemeral"),
            "seed.p.s": node("seed.p.s", "seed", "reference", []),
            "test.p.t": node("test.p.t", "test", "main", ["model.p.mart"]),
        }
    }
    build, tests = pipeline.floor_statements(manifest)
    ids = [uid for uid, _ in build]
    assert ids[:3] == ["schema.marts", "schema.reference", "schema.staging"]
    assert ids.index("model.p.stg") < ids.index("model.p.mart")
    assert ids.index("seed.p.s") < ids.index("model.p.mart")
    assert "model.p.eph" not in ids
    sql = dict(build)
    assert sql["model.p.stg"].startswith('CREATE VIEW "boligmonitor"."staging"."stg"')
    assert sql["seed.p.s"].endswith('FROM pipe."reference"."s"')
    assert tests == [("test.p.t", "SELECT count(*) FROM (select 1 as x -- test.p.t) AS t")]


def test_stages_and_table() -> None:
    measured = Measured(
        wall=10.0,
        max_rss_mib=100.0,
        tree_peak_mib=150.0,
        started=1000.0,
        cpu=8.0,
        samples=[(1000.5, 50.0), (1002.0, 120.0), (1005.0, 150.0), (1009.5, 60.0)],
    )
    spans = {"raw__a": (1001.0, 1003.0), "dbt_models": (1004.0, 1008.0)}
    stages = pipeline.stages_of(measured, spans)
    assert stages["ingest"].seconds == pytest.approx(2.0)
    assert stages["ingest"].peak_mib == 120.0
    assert stages["dbt build"].peak_mib == 150.0
    assert stages["other"].seconds == pytest.approx(4.0)
    assert stages["other"].peak_mib == 60.0

    run = {
        "wall": 10.0,
        "max_rss_mib": 100.0,
        "tree_peak_mib": 150.0,
        "cpu": 8.0,
        "stages": {k: vars(v) for k, v in stages.items()},
        "startup": 1.0,
        "between": 1.0,
        "teardown": 2.0,
    }
    result = {
        "scale": 1.0,
        "files": 3,
        "rows": 1000,
        "landing_mb": 0.1,
        "as_of": "2025-12-31",
        "load_average_before": 1.0,
        "load_average_after": 1.0,
        "generate": {"seconds": 1.0, "peak_mib": 40.0, "cpu": 1.0, "max_rss_mib": 40.0},
        "full": run,
        "floor": {
            "wall": 5.0,
            "max_rss_mib": 90.0,
            "tree_peak_mib": 90.0,
            "cpu": 4.0,
            "parts": {"ingest": 3.0, "models": 1.0, "tests": 0.5},
            "models": 2,
            "tests": 1,
            "slowest": [("model.p.mart", 0.9)],
        },
        "incremental": {**run, "wall": 1.0, "cpu": 1.0, "files": 1, "rows": 10, "as_of": "x"},
    }
    ratios = pipeline.ratios(result)
    assert ratios["overhead"] == pytest.approx(2.0)
    assert ratios["incremental"] == pytest.approx(0.1)
    table = pipeline.render(result)
    assert "orkestreringsoverhead" in table
    assert "hele kørslen < 60 s: nået" in table
    # the nightly run's target is at scale 10; at other scales the ratio is shown without it
    assert "natlig kørsel / fuld kørsel: 10,0 %" in table
    assert "natlig kørsel < 15 %" not in table
    table = pipeline.render({**result, "scale": 10.0})
    assert "natlig kørsel < 15 %: nået" in table
    assert "hele kørslen < 60 s" not in table


def test_run_measured_reports_a_child() -> None:
    done = run_measured([sys.executable, "-c", "print('ok')"])
    assert done.stdout.strip() == "ok"
    assert done.max_rss_mib > 0
