"""Operations: the definitions (jobs, schedules, sensors), the landing sensor ticked with real
contexts, the snapshot's place in the graph, alerts on a failed run, and `boligmonitor status`."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import dagster as dg
import duckdb
import pytest
from click.testing import CliRunner

from boligmonitor import alerts, settings, snapshot, status, warehouse
from boligmonitor.cli import main
from boligmonitor.contracts import SOURCES
from orchestration.definitions import load
from orchestration.defs.operations.assets import SNAPSHOT_KEY, snapshot_asset
from orchestration.defs.operations.jobs import (
    HOUSEKEEPING_JOB,
    MAIN_JOB,
    MONTHLY_EXPORT_JOB,
    NEW_FILES_JOB,
    WRITER_TAGS,
    housekeeping,
)
from orchestration.defs.operations.schedules import month_before, monthly_export
from orchestration.defs.operations.sensors import (
    FAILURE_SENSOR,
    LANDING_SENSOR,
    alert_on_failure,
    landing_sensor,
)
from orchestration.resources import Landing, Warehouse
from tests.conftest import CPR_PATTERN
from tests.sourcefiles import allocation, shelter_stay, write_csv

CPR = "010190-1235"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv(settings.HOME_VAR, str(home))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    (tmp_path / "dagster").mkdir()
    (tmp_path / "dagster" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    monkeypatch.setenv(settings.AS_OF_VAR, "2024-01-31")
    monkeypatch.delenv(settings.WORK_DB_VAR, raising=False)
    monkeypatch.delenv(alerts.WEBHOOK_VAR, raising=False)
    return home


@pytest.fixture
def instance(home: Path) -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.get() as inst:
        yield inst


# --- definitions ------------------------------------------------------------------------------


def test_definitions_have_the_schedules_sensors_and_jobs() -> None:
    defs = load()
    schedules = {s.name: s for s in defs.schedules}
    nightly = schedules["boligmonitor_nightly_schedule"]
    assert (nightly.cron_schedule, nightly.execution_timezone, nightly.job_name) == (
        "0 2 * * *",
        "Europe/Copenhagen",
        MAIN_JOB,
    )
    assert schedules["boligmonitor_housekeeping_schedule"].job_name == HOUSEKEEPING_JOB
    monthly = schedules["boligmonitor_monthly_export_schedule"]
    assert (monthly.cron_schedule, monthly.execution_timezone, monthly.job_name) == (
        "0 6 1 * *",
        "Europe/Copenhagen",
        MONTHLY_EXPORT_JOB,
    )
    for schedule in schedules.values():
        assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING

    sensors = {s.name: s for s in defs.sensors}
    assert sensors[LANDING_SENSOR].job_name == NEW_FILES_JOB
    assert isinstance(sensors[FAILURE_SENSOR], dg.RunStatusSensorDefinition)
    assert all(s.default_status == dg.DefaultSensorStatus.RUNNING for s in sensors.values())

    graph = defs.resolve_asset_graph()
    others = {
        key
        for key in graph.get_all_asset_keys()
        if graph.get(key).is_executable and key != SNAPSHOT_KEY
    }
    # The snapshot is last: every other asset, of every domain, is its parent.
    assert set(graph.get(SNAPSHOT_KEY).parent_keys) == others
    assert {k.to_user_string() for k in others} >= {"raw/anvisninger", "raw/afdelinger"}
    for name in (MAIN_JOB, NEW_FILES_JOB, MONTHLY_EXPORT_JOB):
        job = defs.resolve_job_def(name)
        assert job.tags.items() >= WRITER_TAGS.items()
        assert SNAPSHOT_KEY in job.asset_layer.executable_asset_keys
        assert job.executor_def is dg.in_process_executor
    main_keys = defs.resolve_job_def(MAIN_JOB).asset_layer.executable_asset_keys
    assert main_keys == others | {SNAPSHOT_KEY}


def test_monthly_export_schedule_asks_for_the_month_before() -> None:
    schedule = monthly_export
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2024, 3, 1, 6, 0))
    request = schedule.evaluate_tick(context).run_requests[0]
    assert request.tags["boligmonitor/export_month"] == "2024-02"
    assert month_before(date(2024, 1, 1)) == "2023-12"


# --- landing sensor ---------------------------------------------------------------------------


def _tick(instance: dg.DagsterInstance, landing: Path, cursor: str | None):
    context = dg.build_sensor_context(
        instance=instance,
        cursor=cursor,
        sensor_name=LANDING_SENSOR,
        resources={"landing": Landing(path=str(landing))},
    )
    result = landing_sensor(context)
    return result.run_requests or [], result.cursor


def test_landing_sensor_requests_one_run_per_new_stable_file_set(
    instance: dg.DagsterInstance, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    requests, cursor = _tick(instance, landing, None)
    assert requests == []

    write_csv(landing, "anvisninger_20240102.csv", [allocation("A1")])
    write_csv(landing, "herbergsophold_20240102.csv", [shelter_stay()])
    (landing / "anvisninger" / "~$anvisninger_20240102.xlsx").write_bytes(b"lock file")
    # First sight: the files might still be being copied, so the sensor waits one tick.
    requests, cursor = _tick(instance, landing, cursor)
    assert requests == []
    requests, cursor = _tick(instance, landing, cursor)
    assert len(requests) == 1
    first_key = requests[0].run_key
    assert requests[0].tags["boligmonitor/new_files"] == "2"
    requests, cursor = _tick(instance, landing, cursor)
    assert requests == []  # the same files never trigger again

    # A file that grows between ticks is not acted on until its size is stable.
    growing = write_csv(landing, "anvisninger_20240103.csv", [allocation("A2")])
    requests, cursor = _tick(instance, landing, cursor)
    assert requests == []
    with growing.open("ab") as f:
        f.write(b"A3;" + b"x" * 10)
    requests, cursor = _tick(instance, landing, cursor)
    assert requests == []
    requests, cursor = _tick(instance, landing, cursor)
    assert len(requests) == 1
    assert requests[0].run_key != first_key
    requests, cursor = _tick(instance, landing, cursor)
    assert requests == []
    state = json.loads(cursor)
    assert sorted(state["seen"]) == [
        "anvisninger/anvisninger_20240102.csv",
        "anvisninger/anvisninger_20240103.csv",
        "herbergsophold/herbergsophold_20240102.csv",
    ]
    assert state["pending"] == {}


# --- the snapshot asset refuses after a failure -----------------------------------------------


@dg.asset
def ok_asset() -> None:
    pass


@dg.asset
def broken_asset() -> None:
    raise RuntimeError(f"Rækken for borger {CPR} kunne ikke læses")


def _publish_initial(home: Path) -> bytes:
    work = home / "work" / "boligmonitor.duckdb"
    con = warehouse.connect(work)
    warehouse.ensure_schema(con)
    con.close()
    snapshot.publish(work, settings.paths().snapshot_db)
    return settings.paths().snapshot_db.read_bytes()


def _run(instance: dg.DagsterInstance, assets: list, checks: list | None = None):
    defs = dg.Definitions(
        assets=assets,
        asset_checks=checks or [],
        jobs=[
            dg.define_asset_job(
                MAIN_JOB, executor_def=dg.in_process_executor, selection=dg.AssetSelection.all()
            )
        ],
        resources={"warehouse_db": Warehouse()},
    )
    return defs.resolve_job_def(MAIN_JOB).execute_in_process(
        instance=instance, raise_on_error=False
    )


def test_snapshot_is_not_published_when_an_upstream_asset_fails(
    home: Path, instance: dg.DagsterInstance
) -> None:
    before = _publish_initial(home)
    result = _run(instance, [ok_asset, broken_asset, snapshot_asset([ok_asset.key])])
    assert not result.success
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    # The snapshot's own dependency succeeded, but it looked at the run and refused.
    assert {e.step_key for e in failures} == {"broken_asset", "warehouse__snapshot"}
    refusal = next(e for e in failures if e.step_key == "warehouse__snapshot")
    assert "offentliggøres ikke" in refusal.step_failure_data.error.message
    assert settings.paths().snapshot_db.read_bytes() == before

    result = _run(instance, [ok_asset, broken_asset, snapshot_asset([broken_asset.key])])
    started = {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
    assert "warehouse__snapshot" not in started  # Dagster did not even start it
    assert settings.paths().snapshot_db.read_bytes() == before


def test_snapshot_is_not_published_when_a_blocking_check_fails(
    home: Path, instance: dg.DagsterInstance
) -> None:
    before = _publish_initial(home)

    @dg.asset_check(asset=ok_asset, blocking=True)
    def must_hold() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=False, description="brudt")

    result = _run(instance, [ok_asset, snapshot_asset([ok_asset.key])], [must_hold])
    assert not result.success
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert SNAPSHOT_KEY not in materialized
    assert not any(
        e.event_type_value == "STEP_SUCCESS" and e.step_key == "warehouse__snapshot"
        for e in result.all_events
    )
    assert settings.paths().snapshot_db.read_bytes() == before


def test_snapshot_asset_publishes_after_a_good_run(
    home: Path, instance: dg.DagsterInstance
) -> None:
    before = _publish_initial(home)
    con = warehouse.connect(settings.paths().work_db)
    con.execute("CREATE TABLE raw.extra AS SELECT 42 AS answer")
    con.close()
    result = _run(instance, [ok_asset, snapshot_asset([ok_asset.key])])
    assert result.success
    assert settings.paths().snapshot_db.read_bytes() != before
    answer = snapshot.query(settings.paths().snapshot_db, "SELECT answer FROM raw.extra")
    assert answer.rows == [(42,)]


# --- alerts -----------------------------------------------------------------------------------


class _Receiver(BaseHTTPRequestHandler):
    bodies: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        type(self).bodies.append(self.rfile.read(length))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[bytes]]]:
    _Receiver.bodies = []
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/alarm", _Receiver.bodies
    finally:
        server.shutdown()
        server.server_close()


def _failure_context(instance: dg.DagsterInstance, result) -> dg.RunFailureSensorContext:
    return dg.build_run_status_sensor_context(
        sensor_name=FAILURE_SENSOR,
        dagster_event=result.get_run_failure_event(),
        dagster_instance=instance,
        dagster_run=result.dagster_run,
    ).for_run_failure()


def test_a_failed_run_writes_an_alert_line_and_posts_without_personal_data(
    home: Path,
    instance: dg.DagsterInstance,
    webhook: tuple[str, list[bytes]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, bodies = webhook
    monkeypatch.setenv(alerts.WEBHOOK_VAR, url)
    result = _run(instance, [ok_asset, broken_asset])
    assert not result.success

    alert_on_failure(_failure_context(instance, result))

    lines = (home / "alerts.log").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    line = lines[0]
    assert f"job={MAIN_JOB}" in line
    assert f"run={result.run_id}" in line
    assert "trin=broken_asset" in line
    assert "Kørslen af boligmonitor_nightly fejlede i trinnet broken_asset" in line
    assert "XXXXXX-XXXX" in line  # the error text is there, masked
    assert CPR not in line and CPR_PATTERN.search(line) is None

    assert len(bodies) == 1
    payload = json.loads(bodies[0])
    assert payload["job"] == MAIN_JOB
    assert payload["run_id"] == result.run_id
    assert payload["trin"] == ["broken_asset"]
    assert payload["fejltype"] == "RuntimeError"
    assert "kunne ikke læses" not in bodies[0].decode()  # no error text leaves the machine
    assert CPR_PATTERN.search(bodies[0].decode()) is None


def test_an_unreachable_webhook_is_logged_not_raised(
    home: Path, instance: dg.DagsterInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(alerts.WEBHOOK_VAR, "http://127.0.0.1:9/ingen")
    result = _run(instance, [broken_asset])
    alert_on_failure(_failure_context(instance, result))
    lines = (home / "alerts.log").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert "kunne ikke sendes" in lines[1]
    assert CPR_PATTERN.search("\n".join(lines)) is None


# --- status -----------------------------------------------------------------------------------


def _snapshot_with_audit(home: Path, validations: bool) -> None:
    work = home / "work" / "boligmonitor.duckdb"
    con = warehouse.connect(work)
    warehouse.ensure_schema(con)
    con.execute(
        """INSERT INTO audit.files (source, path, status, extract_date, rows_quarantined)
           VALUES ('anvisninger', 'anvisninger/anvisninger_20240130.csv', 'loaded',
                   DATE '2024-01-30', 1),
                  ('anvisninger', 'anvisninger/anvisninger_20240131.csv', 'duplicate', NULL, 0),
                  ('herbergsophold', 'herbergsophold/herbergsophold_20240110.csv', 'loaded',
                   DATE '2024-01-10', 0),
                  ('herbergsophold', 'herbergsophold/herbergsophold_20240130.csv', 'rejected',
                   NULL, 0)"""
    )
    con.execute(
        "INSERT INTO quarantine.anvisninger (reason, _source_file) VALUES ('cpr: ugyldig', 'x')"
    )
    if validations:
        con.execute(
            """CREATE TABLE audit.validations AS SELECT * FROM (VALUES
                 ('unique_id', 'marts.funnel', false, 'error', TIMESTAMP '2024-01-30 02:10'),
                 ('unique_id', 'marts.funnel', true, 'error', TIMESTAMP '2024-01-31 02:10'),
                 ('not_null_rent', 'marts.gap', false, 'error', TIMESTAMP '2024-01-31 02:10'),
                 ('few_returns', 'marts.returns', false, 'warn', TIMESTAMP '2024-01-31 02:10'))
               AS t(check_name, asset, passed, severity, validated_at)"""
        )
    con.close()
    snapshot.publish(work, settings.paths().snapshot_db)


def test_status_reports_what_needs_attention(home: Path) -> None:
    _snapshot_with_audit(home, validations=True)
    package = settings.paths().exports / "2023-12"
    package.mkdir(parents=True)
    (package / "manifest.json").write_text("{}")
    (package / "tilbagemeldinger.csv").write_text("a;b\n")
    (settings.paths().exports / "2024-01").mkdir()  # unfinished: no manifest

    runs = [
        status.RunInfo(MAIN_JOB, "run-2-abcdef", "FAILURE", datetime(2024, 1, 31, 2).astimezone()),
        status.RunInfo(MAIN_JOB, "run-1-abcdef", "SUCCESS", datetime(2024, 1, 30, 2).astimezone()),
    ]
    report = status.collect(settings.paths(), date(2024, 1, 31), runs)
    by_source = {s.source: s for s in report.sources}
    assert by_source["anvisninger"].newest_extract == date(2024, 1, 31)  # the duplicate counts
    assert by_source["anvisninger"].quarantined_rows == 1
    assert not by_source["anvisninger"].stale
    assert by_source["herbergsophold"].age_days == 21 and by_source["herbergsophold"].stale
    assert by_source["herbergsophold"].rejected_files == 1
    assert not by_source["huslejeklasser"].stale  # delivered only when changed
    assert report.failing_checks == ["not_null_rent på marts.gap"]
    assert report.export is not None and report.export.folder.name == "2023-12"

    text = report.render()
    assert "Seneste kørsel: boligmonitor_nightly, fejlede" in text
    assert "Kilden herbergsophold er forældet" in text
    assert "Kontrollen fejler: not_null_rent på marts.gap" in text
    assert "Seneste eksportpakke: 2023-12" in text
    assert report.needs_attention

    assert json.loads(status.as_json(report))["needs_attention"] is True


def test_status_is_quiet_when_all_is_well(home: Path) -> None:
    work = home / "work" / "boligmonitor.duckdb"
    con = warehouse.connect(work)
    warehouse.ensure_schema(con)
    for source in SOURCES:
        con.execute(
            "INSERT INTO audit.files (source, path, status, extract_date) "
            "VALUES (?, ?, 'loaded', DATE '2024-01-30')",
            [source, f"{source}/{source}_20240130.csv"],
        )
    con.close()
    snapshot.publish(work, settings.paths().snapshot_db)
    ok = status.RunInfo(MAIN_JOB, "run-1", "SUCCESS", datetime(2024, 1, 31, 2).astimezone())
    report = status.collect(settings.paths(), date(2024, 1, 31), [ok])
    assert report.problems == []
    assert report.render().endswith("Alt er i orden.")


def test_status_without_validations_table_and_a_hanging_run(home: Path) -> None:
    _snapshot_with_audit(home, validations=False)
    started = datetime.now().astimezone() - timedelta(hours=20)
    report = status.collect(
        settings.paths(),
        date(2024, 1, 31),
        [status.RunInfo(MAIN_JOB, "killed-run", "STARTED", started)],
    )
    assert not report.validations_found and report.failing_checks == []
    assert "audit.validations findes ikke" in report.render()
    assert any("formentlig død" in p for p in report.problems)


def test_status_cli_exit_code_and_danish_output(home: Path, instance: dg.DagsterInstance) -> None:
    runner = CliRunner()
    empty = runner.invoke(main, ["status"])
    assert empty.exit_code == 1
    assert "Der er ingen kørsler i Dagster endnu." in empty.output
    assert "Der er intet øjebliksbillede" in empty.output

    _snapshot_with_audit(home, validations=False)
    con = duckdb.connect(str(settings.paths().work_db))
    con.close()
    result = _run(instance, [ok_asset])  # a successful run of the main job
    assert result.success
    report = runner.invoke(main, ["status", "--json"], env={settings.AS_OF_VAR: "2024-01-31"})
    data = json.loads(report.output)
    assert data["last_run"]["status"] == "SUCCESS"
    assert data["sources"]["herbergsophold"]["stale"] is True
    assert report.exit_code == 1


def test_housekeeping_deletes_old_finished_runs_only(
    home: Path, instance: dg.DagsterInstance
) -> None:
    kept = _run(instance, [ok_asset])
    job = housekeeping
    config = {"ops": {"delete_old_runs": {"config": {"days": 400}}}}
    result = job.execute_in_process(instance=instance, run_config=config)
    assert result.output_for_node("delete_old_runs") == 0
    assert instance.has_run(kept.run_id)
    config = {"ops": {"delete_old_runs": {"config": {"days": -1}}}}  # everything is "old"
    result = job.execute_in_process(instance=instance, run_config=config)
    assert result.output_for_node("delete_old_runs") == 2  # the kept run and the first cleanup
    assert not instance.has_run(kept.run_id)
    assert instance.has_run(result.run_id)  # a run in progress is never deleted


# --- deployment -------------------------------------------------------------------------------


def test_production_instance_config_queues_one_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dagster_home = tmp_path / "dagster"
    dagster_home.mkdir()
    config = Path(__file__).parents[1] / "deploy" / "dagster.yaml"
    (dagster_home / "dagster.yaml").write_text(config.read_text(encoding="utf-8"))
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))
    with dg.DagsterInstance.get() as instance:
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        concurrency = instance.get_concurrency_config()
        limits = concurrency.run_queue_config.tag_concurrency_limits
        assert [(x["key"], x["value"], x["limit"]) for x in limits] == [
            (*next(iter(WRITER_TAGS.items())), 1)
        ]
        assert concurrency.pool_config.default_pool_limit == 1
        assert instance.run_monitoring_enabled
    assert (dagster_home / "history").is_dir()  # storage under DAGSTER_HOME
