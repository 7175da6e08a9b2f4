"""The real job, in process and through the CLI: idempotent, incremental, and nothing leaks."""

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from boligmonitor import settings, warehouse
from orchestration.runner import run_pipeline
from tests.conftest import CPR_PATTERN, string_values
from tests.sourcefiles import allocation, returned, write_csv, write_night


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A complete night's delivery (so the quality gate passes), plus the awkward files: CPR
    numbers that are invalid or sit in free text, Windows-1252, BOM, and a truncated file."""
    home = tmp_path / "home"
    monkeypatch.setenv(settings.HOME_VAR, str(home))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    monkeypatch.setenv(settings.KEY_VAR, "a-real-secret-key-for-the-test")
    monkeypatch.setenv(settings.AS_OF_VAR, "2024-01-22")
    monkeypatch.delenv(settings.DEMO_VAR, raising=False)
    monkeypatch.delenv(settings.WORK_DB_VAR, raising=False)
    landing = home / "landing"
    write_night(landing, date(2024, 1, 21))
    write_csv(
        landing,
        "anvisninger_20240121_2.csv",
        [
            allocation("A1"),
            allocation("A2", cpr="311390-1235"),
            allocation("A3", cpr="020290-2235"),
        ],
        encoding="cp1252",
    )
    write_csv(
        landing,
        "returnerede_boliger_20240121_2.csv",
        [returned(bemaerkning="Ring til borger 010190-1235")],
        encoding="utf-8-sig",
    )
    broken = landing / "anvisninger" / "anvisninger_20240121_3.csv"
    broken.write_bytes(
        (landing / "anvisninger" / "anvisninger_20240121_2.csv").read_bytes()
        + b'A4;010190-1235;"01-12-2023;her'
    )
    return home


def test_run_loads_once_then_only_new_files_and_never_leaks_a_cpr(home: Path, capfd) -> None:
    assert run_pipeline()
    first = capfd.readouterr().out
    assert "anvisninger: 2 nye filer indlæst" in first
    assert "✓ raw__anvisninger" in first
    assert "1 filer afvist" in first and "anvisninger_20240121_3.csv" in first

    assert run_pipeline()
    second = capfd.readouterr().out
    assert "anvisninger: 0 nye filer indlæst (3 kendte sprunget over)" in second

    write_csv(home / "landing", "anvisninger_20240122.csv", [allocation("A5")])
    assert run_pipeline()
    third = capfd.readouterr().out
    assert "anvisninger: 1 nye filer indlæst (3 kendte sprunget over), 1 rækker indlæst" in third

    con = warehouse.connect(settings.paths().work_db, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM raw.anvisninger").fetchone() == (4,)
        assert con.execute("SELECT count(*) FROM quarantine.anvisninger").fetchone() == (1,)
        leaks = [(t, c) for t, c, v in string_values(con) if CPR_PATTERN.search(v)]
    finally:
        con.close()
    assert leaks == []
    assert CPR_PATTERN.search(first + second + third) is None
    logs = sorted((home / "logs").glob("run-*.log"))
    assert len(logs) == 3
    for log in logs:
        assert CPR_PATTERN.search(log.read_text(encoding="utf-8")) is None, log

    with dg.DagsterInstance.get() as instance:
        records = instance.get_run_records()
        assert len(records) == 3
        for record in records:
            for entry in instance.all_logs(record.dagster_run.run_id):
                text = entry.user_message + _emitted(entry.dagster_event)
                assert CPR_PATTERN.search(text) is None, text[:200]


def _emitted(event: dg.DagsterEvent | None) -> str:
    """What our code put into an event: metadata values, check results and error messages
    (not Dagster's own hashes, such as data versions, which are hex and may hold digit runs)."""
    if event is None:
        return ""
    texts = []
    data = event.event_specific_data
    for name in ("materialization", "asset_check_evaluation"):
        item = getattr(data, name, None)
        if item is not None:
            texts += [str(v.value) for v in item.metadata.values()]
    if hasattr(data, "metadata") and isinstance(data.metadata, dict):
        texts += [str(v.value) for v in data.metadata.values()]
    error = getattr(data, "error", None)
    while error is not None:
        texts.append(error.message)
        error = error.cause
    return "\n".join(texts)


def _cli(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BOLIGMONITOR_")}
    environment.update({settings.HOME_VAR: str(home), "DAGSTER_HOME": str(home / "dagster")})
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "boligmonitor.cli", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )


def test_cli_refuses_to_run_without_a_key_and_runs_in_demo_mode(home: Path) -> None:
    refused = _cli(home, "run")
    assert refused.returncode == 2
    assert "BOLIGMONITOR_PSEUDONYM_KEY" in refused.stderr
    assert not (home / "work").exists()

    demo = _cli(home, "run", "--demo", **{settings.AS_OF_VAR: "2024-01-22"})
    assert demo.returncode == 0, demo.stderr[-2000:]
    assert "Demotilstand" in demo.stdout
    assert "ledige_boliger: 1 nye filer indlæst" in demo.stdout
    assert CPR_PATTERN.search(demo.stdout + demo.stderr) is None
