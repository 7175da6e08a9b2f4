"""The analyst snapshot: atomic publishing, read-only queries (CLI, DuckDB CLI, Python), and that
analysts keep reading during a run and after a run is killed in the middle."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from click.testing import CliRunner

from boligmonitor import settings, snapshot, warehouse
from boligmonitor.cli import main
from boligmonitor.demo import generate
from orchestration.defs.operations.jobs import MAIN_JOB

DUCKDB_CLI = Path(sys.executable).parent / "duckdb"


def _work_db(path: Path, answer: int = 1) -> Path:
    con = warehouse.connect(path)
    warehouse.ensure_schema(con)
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute(
        "CREATE OR REPLACE TABLE marts.answers AS SELECT ? AS answer, 'Østerbro' AS bydel", [answer]
    )
    con.execute("COMMENT ON TABLE marts.answers IS 'Svar pr. bydel'")
    # dbt's views name their tables with the catalog, i.e. the file's stem.
    con.execute(
        'CREATE OR REPLACE VIEW "boligmonitor"."marts"."answers_view" AS '
        'SELECT answer FROM "boligmonitor"."marts"."answers"'
    )
    con.close()
    return path


def test_publish_copies_tables_views_and_comments_and_swaps_atomically(tmp_path: Path) -> None:
    work = _work_db(tmp_path / "work" / "boligmonitor.duckdb", answer=1)
    target = tmp_path / "warehouse" / "boligmonitor.duckdb"
    first = snapshot.publish(work, target)
    assert (first.tables, first.views) == (16, 1)  # raw 7, quarantine 7, audit 1, marts 1
    assert os.listdir(target.parent) == ["boligmonitor.duckdb"]

    reader = duckdb.connect(str(target), read_only=True)  # an analyst with the file open
    assert reader.execute("SELECT answer FROM marts.answers_view").fetchall() == [(1,)]
    comment = reader.execute(
        "SELECT comment FROM duckdb_tables() WHERE table_name = 'answers'"
    ).fetchone()
    assert comment == ("Svar pr. bydel",)

    _work_db(work, answer=2)
    # A temp file left by a publish that was killed (a pid that cannot exist) is cleaned up.
    (target.parent / ".boligmonitor.duckdb.999999999.tmp").write_bytes(b"half a file")
    snapshot.publish(work, target)
    assert os.listdir(target.parent) == ["boligmonitor.duckdb"]
    # The open reader still sees the state it opened; a new connection sees the new one.
    assert reader.execute("SELECT answer FROM marts.answers").fetchall() == [(1,)]
    reader.close()
    assert snapshot.query(target, "SELECT answer FROM marts.answers_view").rows == [(2,)]
    # The working file was only read: the pipeline can open it for writing at once.
    duckdb.connect(str(work)).close()


def test_publish_includes_what_is_still_in_the_write_ahead_log(tmp_path: Path) -> None:
    """A writer that died without closing leaves its last commits in the WAL, not in the file:
    the copy is made after a checkpoint, so it holds them, equal row for row."""
    work = _work_db(tmp_path / "work" / "boligmonitor.duckdb", answer=1)
    died = (
        "import os, sys, duckdb\n"
        "con = duckdb.connect(sys.argv[1])\n"
        "con.execute('INSERT INTO marts.answers VALUES (2, $$Valby$$), (3, $$Vanløse$$)')\n"
        "con.execute('CREATE TABLE marts.late AS SELECT range AS n FROM range(5000)')\n"
        "os._exit(0)\n"  # no close, no checkpoint
    )
    subprocess.run([sys.executable, "-c", died, str(work)], check=True, timeout=60)
    assert Path(f"{work}.wal").exists()
    target = tmp_path / "warehouse" / "boligmonitor.duckdb"
    published = snapshot.publish(work, target)
    assert (published.tables, published.views) == (17, 1)
    assert not Path(f"{work}.wal").exists()
    assert os.listdir(target.parent) == ["boligmonitor.duckdb"]
    state = (
        "SELECT (SELECT list(answer ORDER BY answer) FROM marts.answers), "
        "(SELECT count(*) FROM marts.late), "
        "(SELECT list(bydel ORDER BY answer) FROM marts.answers_view JOIN marts.answers "
        "USING (answer))"
    )
    expected = [([1, 2, 3], 5000, ["Østerbro", "Valby", "Vanløse"])]
    assert snapshot.query(target, state).rows == expected
    with duckdb.connect(str(work), read_only=True) as con:
        assert con.execute(state).fetchall() == expected


def test_publish_keeps_the_writers_lock_of_this_process(tmp_path: Path) -> None:
    """DuckDB's lock is a POSIX record lock: closing any handle of the file in this process
    would release it. After a publish, a connection this process still holds to the working
    file must still keep other processes out (the copy is made by a child process)."""
    work = _work_db(tmp_path / "work" / "boligmonitor.duckdb", answer=1)
    held = duckdb.connect(str(work))
    try:
        snapshot.publish(work, tmp_path / "warehouse" / "boligmonitor.duckdb")
        other = (
            "import sys, duckdb\n"
            "try:\n"
            "    duckdb.connect(sys.argv[1]).execute('INSERT INTO marts.answers VALUES "
            "(9, $$Brønshøj$$)')\n"
            "except duckdb.IOException as exc:\n"
            "    sys.exit(3 if 'lock' in str(exc).lower() else 4)\n"
        )
        done = subprocess.run([sys.executable, "-c", other, str(work)], timeout=60)
        assert done.returncode == 3, "another process could write while this one held the file"
    finally:
        held.close()


def test_a_failed_publish_leaves_the_snapshot_alone(tmp_path: Path) -> None:
    work = _work_db(tmp_path / "work" / "boligmonitor.duckdb")
    target = tmp_path / "warehouse" / "boligmonitor.duckdb"
    snapshot.publish(work, target)
    before = target.read_bytes()
    with pytest.raises(snapshot.SnapshotError, match="findes ikke"):
        snapshot.publish(tmp_path / "nowhere" / "boligmonitor.duckdb", target)
    holder = duckdb.connect(str(work))  # another process-like writer holds the working file
    try:
        subprocess_code = (
            "import sys; from pathlib import Path; from boligmonitor import snapshot\n"
            "try:\n"
            f"    snapshot.publish(Path({str(work)!r}), Path({str(target)!r}), "
            "lock_wait_seconds=1)\n"
            "except Exception as exc:\n"
            "    print(snapshot.is_lock_error(exc)); sys.exit(3)\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", subprocess_code], capture_output=True, text=True, timeout=60
        )
    finally:
        holder.close()
    assert done.returncode == 3 and done.stdout.strip() == "True", done.stderr[-500:]
    assert target.read_bytes() == before
    assert os.listdir(target.parent) == ["boligmonitor.duckdb"]


def test_sql_command_and_duckdb_cli_read_the_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv(settings.HOME_VAR, str(home))
    runner = CliRunner()
    missing = runner.invoke(main, ["sql", "SELECT 1"])
    assert missing.exit_code == 2
    assert "Der er endnu ikke offentliggjort et øjebliksbillede" in missing.output

    _work_db(settings.paths().work_db, answer=7)
    snapshot.publish(settings.paths().work_db, settings.paths().snapshot_db)
    table = runner.invoke(main, ["sql", "SELECT bydel, answer FROM marts.answers"])
    assert table.exit_code == 0, table.output
    assert table.output.splitlines() == [
        "bydel    | answer",
        "---------+-------",
        "Østerbro |      7",
        "(1 række)",
    ]
    as_csv = runner.invoke(main, ["sql", "--csv", "SELECT bydel, answer FROM marts.answers"])
    assert as_csv.output == "bydel,answer\nØsterbro,7\n"
    refused = runner.invoke(main, ["sql", "DELETE FROM marts.answers"])
    assert refused.exit_code == 1
    assert "kan kun læses" in refused.output
    bad = runner.invoke(main, ["sql", "SELECT nothing FROM nowhere"])
    assert bad.exit_code == 1 and "Forespørgslen fejlede" in bad.output

    cli = subprocess.run(
        [
            str(DUCKDB_CLI),
            "-readonly",
            str(settings.paths().snapshot_db),
            "-csv",
            "-c",
            "SELECT answer FROM marts.answers_view; SELECT version();",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.splitlines()[:2] == ["answer", "7"]
    assert f"v{duckdb.__version__}" in cli.stdout  # the same DuckDB version as the pipeline


# --- real runs in a subprocess ----------------------------------------------------------------


def _environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOLIGMONITOR_")}
    env.update(
        {
            settings.HOME_VAR: str(home),
            "DAGSTER_HOME": str(home / "dagster"),
            settings.AS_OF_VAR: "2024-02-29",
        }
    )
    return env


@pytest.fixture
def demo_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two months of small demo data and a published snapshot of an empty warehouse."""
    home = tmp_path / "home"
    for key, value in _environment(home).items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv(settings.WORK_DB_VAR, raising=False)
    (home / "dagster").mkdir(parents=True)
    (home / "dagster" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    generate(home / "landing", seed=7, scale=0.02, start=date(2024, 1, 1), end=date(2024, 2, 29))
    _work_db(settings.paths().work_db, answer=0)
    snapshot.publish(settings.paths().work_db, settings.paths().snapshot_db)
    return home


def _start_run(home: Path) -> subprocess.Popen:
    """`boligmonitor run --demo` in its own process; output to run.log (a pipe could fill up)."""
    with (home / "run.log").open("a", encoding="utf-8") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "boligmonitor.cli", "run", "--demo"],
            env=_environment(home),
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )


def _steps_started(instance: dg.DagsterInstance) -> list[str] | None:
    """The steps the newest run has started so far, read from its SQLite event log; None when
    that cannot be read right now (the run is writing it), so the caller asks again."""
    try:
        records = instance.get_run_records(limit=1)
        if not records:
            return []
        events = instance.get_records_for_run(
            records[0].dagster_run.run_id, of_type=dg.DagsterEventType.STEP_START
        ).records
    except Exception:
        return None
    return [r.event_log_entry.step_key for r in events]


def _count_files(snapshot_db: Path) -> int:
    con = duckdb.connect(str(snapshot_db), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM audit.files").fetchone()[0]
    finally:
        con.close()


def _tree_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _kill_in_the_middle(home: Path) -> list[str]:
    """Start a run, SIGKILL it once it has started writing the working file; the steps begun."""
    run = _start_run(home)
    try:
        with dg.DagsterInstance.get() as instance:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline and run.poll() is None:
                steps = _steps_started(instance)
                # In the middle of ingestion: writing the working file.
                if steps is not None and len(steps) >= 2:
                    os.kill(run.pid, signal.SIGKILL)
                    run.wait(timeout=60)
                    return steps
                time.sleep(0.2)
    finally:
        if run.poll() is None:
            run.kill()
    raise AssertionError(f"the run ended (code {run.returncode}) before it could be killed")


def _read_while_running(run: subprocess.Popen, snapshot_db: Path) -> int:
    """Query the snapshot from this process every half second while `run` runs; every query
    must succeed. Returns how many were made while the run was writing the working file."""
    mid_run_reads = 0
    with dg.DagsterInstance.get() as instance:
        while run.poll() is None:
            files = _count_files(snapshot_db)  # raises if the snapshot could not be opened
            steps = _steps_started(instance)  # read after the query
            if steps is not None and "warehouse__snapshot" not in steps:
                assert files == 0  # the last good state, until the run publishes a new one
                if steps and run.poll() is None:
                    mid_run_reads += 1
                    if mid_run_reads == 1:  # and once from the DuckDB CLI
                        cli = subprocess.run(
                            [
                                str(DUCKDB_CLI),
                                "-readonly",
                                str(snapshot_db),
                                "-c",
                                "SELECT count(*) FROM marts.answers",
                            ],
                            capture_output=True,
                            text=True,
                            timeout=60,
                        )
                        assert cli.returncode == 0, cli.stderr
            time.sleep(0.5)
    return mid_run_reads


@pytest.mark.slow
def test_a_killed_run_changes_nothing_and_analysts_read_during_the_next_run(
    demo_home: Path,
) -> None:
    """SIGKILL a run in the middle: the published snapshot and the last export package are
    unchanged and readable. Then a full run in a subprocess, during which this process queries
    the snapshot successfully all the time; it completes and publishes the new state.
    (One test, so that the slow full run happens once.)"""
    snapshot_db = settings.paths().snapshot_db
    package = settings.paths().exports / "2023-12"
    package.mkdir(parents=True)
    (package / "manifest.json").write_text('{"maaned": "2023-12"}', encoding="utf-8")
    (package / "anvisninger_pr_bydel.csv").write_text("bydel;antal\nValby;12\n", encoding="utf-8")
    snapshot_before = snapshot_db.read_bytes()
    package_before = _tree_digest(package)

    steps = _kill_in_the_middle(demo_home)
    assert "warehouse__snapshot" not in steps
    assert snapshot_db.read_bytes() == snapshot_before
    assert _count_files(snapshot_db) == 0
    cli = subprocess.run(
        [str(DUCKDB_CLI), "-readonly", str(snapshot_db), "-c", "SELECT * FROM marts.answers"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert cli.returncode == 0 and "Østerbro" in cli.stdout, cli.stderr
    assert _tree_digest(package) == package_before
    assert os.listdir(snapshot_db.parent) == ["boligmonitor.duckdb"]

    run = _start_run(demo_home)
    try:
        mid_run_reads = _read_while_running(run, snapshot_db)
        run.wait(timeout=60)
    finally:
        if run.poll() is None:
            run.kill()
    output = (demo_home / "run.log").read_text(encoding="utf-8")
    assert run.returncode == 0, output[-3000:]
    assert mid_run_reads >= 3, output[-3000:]
    assert "Øjebliksbilledet til analytikere er offentliggjort" in output
    assert _count_files(snapshot_db) > 100  # the new state, published at the end
    assert _tree_digest(package) == package_before
    with dg.DagsterInstance.get() as instance:
        newest = instance.get_run_records(limit=1)[0].dagster_run
        assert (newest.job_name, newest.status) == (MAIN_JOB, dg.DagsterRunStatus.SUCCESS)
