"""Benchmark: the whole pipeline (`boligmonitor run`) on demo data at several scales.

    .venv/bin/python benchmarks/pipeline.py [--scale 1 10 50] [--incremental-scale 1 10]
                                            [--work DIR] [--results DIR] [--no-floor]

For each scale, in its own folder under --work (a BOLIGMONITOR_HOME with its own Dagster
instance):

1. generate: `boligmonitor demo-data` for the whole period (default 2021-2025) into landing/.
2. full run: `boligmonitor run --demo` with BOLIGMONITOR_AS_OF = the last day in landing/. Per
   stage times come from the run's Dagster event log (STEP_START to STEP_SUCCESS of each step in
   the run's DAGSTER_HOME), mapped to stages by step key: raw__* ingest, dbt_models dbt build,
   *_kvalitet_* checks, exports__* exports, dashboards__* dashboards, docs__* docs,
   warehouse__snapshot snapshot. "start-up and other" is the rest of the process's wall time:
   Python start, imports, loading the Dagster definitions, the run's own bookkeeping.
3. floor: the same work with nothing around it, in one process and one DuckDB connection:
   `ingest_source` for every source (the same Python ingestion as the run), the seeds copied from
   the run's warehouse (a few rows; not timed apart), then the compiled SQL of every dbt model in
   dependency order as CREATE VIEW/TABLE (compiled by `dbt compile` into the scale's folder,
   before the floor starts), then every compiled dbt data test as SELECT count(*). The floor's
   connection has the run's DuckDB settings (warehouse.connect: the memory limit that keeps a
   run under 4 GB, which dbt's profile has too), so both do the same work under the same
   limit. Not in the
   floor: Dagster, dbt's process and its unit tests and DuckDB comments (persist_docs), the Great
   Expectations checks, exports, dashboards, docs and the snapshot. So "orchestration overhead"
   (whole run / floor) charges everything the run does beyond ingest + models + data tests.
4. incremental (at the --incremental-scale scales, default 1 and 10): the full run there is over
   landing/ without the files of the last day (AS_OF = the day before); then those files are
   moved back in and the pipeline runs again (AS_OF = the last day). At scale 10 its time
   against the full run must be < 15 %; the same nightly run at scale 1 shows which part of it
   is fixed (the same at both scales) and which grows with the history.

Peak memory: see measuring.py. Per stage, the largest sampled RSS of `boligmonitor run` and all
its children (dbt runs as a child) summed, during that stage's steps. For the whole run also the
wait4 figure (the largest single process). Timings on a shared machine are noisy: compare figures
from one run. Results go to --results/<YYYY-MM-DD>.json (merged by scale with earlier runs that
day).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from measuring import Measured, run_measured

ROOT = Path(__file__).resolve().parent.parent
STAGES = {
    "generate": "generering",
    "ingest": "indlæsning",
    "dbt build": "dbt build",
    "checks": "kontroller (GX)",
    "exports": "eksport",
    "dashboards": "dashboards",
    "docs": "dokumentation",
    "snapshot": "øjebliksbillede",
    "other": "opstart og andet",
}
RUN_STAGES = [s for s in STAGES if s != "generate"]
FILE_DATE = re.compile(r"_(\d{8})(?:_\d+)?\.(?:csv|xlsx)$", re.IGNORECASE)
# Targets (2 cores, 24 GiB), issue 7.
TARGET_SCALE_1_S = 60
TARGET_SCALE_50_S = 600
TARGET_SCALE_50_BYTES = 4e9
TARGET_OVERHEAD = 1.5
TARGET_INCREMENTAL = 0.15


def stage_of(step_key: str) -> str:
    """The benchmark stage of a Dagster step key."""
    if "_kvalitet_" in step_key:
        return "checks"
    for prefix, stage in (
        ("raw__", "ingest"),
        ("exports__", "exports"),
        ("dashboards__", "dashboards"),
        ("docs__", "docs"),
        ("warehouse__snapshot", "snapshot"),
        ("dbt_models", "dbt build"),
    ):
        if step_key.startswith(prefix):
            return stage
    return "other"


def step_spans(dagster_home: Path) -> tuple[str, dict[str, tuple[float, float]]]:
    """The latest run in an instance: its id and each step's (start, end) wall-clock times."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        run = instance.get_runs(limit=1)[0]
        kinds = {
            dg.DagsterEventType.STEP_START,
            dg.DagsterEventType.STEP_SUCCESS,
            dg.DagsterEventType.STEP_FAILURE,
        }
        records = instance.get_records_for_run(run.run_id, of_type=kinds, limit=None).records
    starts: dict[str, float] = {}
    spans: dict[str, tuple[float, float]] = {}
    for record in records:
        entry = record.event_log_entry
        step = entry.dagster_event.step_key
        if entry.dagster_event.event_type == dg.DagsterEventType.STEP_START:
            starts[step] = entry.timestamp
        elif step in starts:
            spans[step] = (starts[step], entry.timestamp)
    return run.run_id, spans


@dataclass
class Stage:
    seconds: float
    peak_mib: float | None  # sampled tree RSS during the stage
    steps: int = 0


@dataclass
class RunResult:
    wall: float
    max_rss_mib: float  # wait4: largest single process (run process or dbt)
    tree_peak_mib: float  # sampled: run process + children at one moment
    cpu: float  # user + system seconds, the run process and its children
    stages: dict[str, Stage] = field(default_factory=dict)
    run_id: str = ""
    # "start-up and other", split: before the first step, between steps, after the last one
    startup: float = 0.0
    between: float = 0.0
    teardown: float = 0.0


def stages_of(measured: Measured, spans: dict[str, tuple[float, float]]) -> dict[str, Stage]:
    """Sum step times per stage; the peak tree RSS sampled during each stage's steps."""
    stages: dict[str, Stage] = {}
    for step, (start, end) in spans.items():
        name = stage_of(step)
        stage = stages.setdefault(name, Stage(0.0, None))
        stage.seconds += end - start
        stage.steps += 1
        peak = measured.peak_between(start, end)
        if peak is not None:
            stage.peak_mib = max(stage.peak_mib or 0.0, peak)
    covered = sum(s.seconds for s in stages.values())
    other = stages.setdefault("other", Stage(0.0, None))
    other.seconds += max(measured.wall - covered, 0.0)
    outside = [
        mib
        for t, mib in measured.samples
        if not any(start <= t <= end for start, end in spans.values())
    ]
    if outside:
        other.peak_mib = max(other.peak_mib or 0.0, *outside)
    return stages


def run_env(home: Path, as_of: date) -> dict[str, str]:
    env = dict(os.environ)
    for var in (
        "BOLIGMONITOR_PSEUDONYM_KEY",
        "BOLIGMONITOR_WORK_DB",
        "BOLIGMONITOR_DEMO",
    ):
        env.pop(var, None)
    env.update(
        BOLIGMONITOR_HOME=str(home),
        DAGSTER_HOME=str(home / "dagster"),
        BOLIGMONITOR_AS_OF=as_of.isoformat(),
    )
    return env


def run_pipeline(home: Path, as_of: date, label: str) -> RunResult:
    (home / "dagster").mkdir(parents=True, exist_ok=True)
    config = home / "dagster" / "dagster.yaml"
    if not config.exists():
        config.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    measured = run_measured(
        [sys.executable, "-m", "boligmonitor.cli", "run", "--demo"],
        env=run_env(home, as_of),
        cwd=ROOT,
        stdout=home / f"{label}.out",
    )
    run_id, spans = step_spans(home / "dagster")
    first = min((start for start, _ in spans.values()), default=measured.started)
    last = max((end for _, end in spans.values()), default=first)
    steps = sum(end - start for start, end in spans.values())
    return RunResult(
        wall=measured.wall,
        max_rss_mib=measured.max_rss_mib,
        tree_peak_mib=measured.tree_peak_mib,
        cpu=measured.cpu,
        stages=stages_of(measured, spans),
        run_id=run_id,
        startup=first - measured.started,
        between=(last - first) - steps,
        teardown=measured.started + measured.wall - last,
    )


def landed_rows(work_db: Path) -> tuple[int, int]:
    """Files and data rows read (loaded + quarantined) according to the file registry."""
    import duckdb

    con = duckdb.connect(str(work_db), read_only=True)
    try:
        files, rows = con.execute(
            "SELECT count(*), coalesce(sum(rows_read), 0) FROM audit.files"
        ).fetchone()
    finally:
        con.close()
    return int(files), int(rows)


def hold_back_day(landing: Path, day: date, folder: Path) -> int:
    """Move the files of one extract day out of landing (same names, contents and times)."""
    stamp = day.strftime("%Y%m%d")
    moved = 0
    for path in sorted(landing.rglob("*")):
        match = FILE_DATE.search(path.name)
        if path.is_file() and match and match.group(1) == stamp:
            target = folder / path.relative_to(landing)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            moved += 1
    return moved


def put_back(folder: Path, landing: Path) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            os.replace(path, landing / path.relative_to(folder))


# ---- the floor ---------------------------------------------------------------------------------


def compile_dbt(work_db: Path, as_of: date, target: Path) -> Path:
    """`dbt compile` against the run's warehouse into `target`; returns its manifest."""
    from boligmonitor import modelling

    env = {
        **os.environ,
        **modelling.dbt_env(work_db, as_of),
        "DBT_TARGET_PATH": str(target),
        "DBT_LOG_PATH": str(target),
    }
    project, dbt = str(modelling.PROJECT_DIR), modelling.dbt_executable()
    done = subprocess.run(
        [
            dbt,
            "compile",
            "--quiet",
            "--project-dir",
            project,
            "--profiles-dir",
            project,
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"dbt compile failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return target / "manifest.json"


def build_order(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Seeds and models in dependency order (ties by id), as dbt builds them."""
    nodes = {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] in {"seed", "model"}
    }
    waiting = {
        uid: {d for d in n.get("depends_on", {}).get("nodes", []) if d in nodes}
        for uid, n in nodes.items()
    }
    order: list[dict[str, Any]] = []
    while waiting:
        ready = sorted(uid for uid, deps in waiting.items() if not deps)
        if not ready:
            raise ValueError(f"cycle among {sorted(waiting)}")
        for uid in ready:
            order.append(nodes[uid])
            del waiting[uid]
        for deps in waiting.values():
            deps.difference_update(ready)
    return order


def floor_statements(
    manifest: dict[str, Any],
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(dbt unique id, SQL) to build seeds and models in order, and the data tests' count
    queries."""
    build: list[tuple[str, str]] = []
    schemas = sorted({n["schema"] for n in build_order(manifest)})
    build += [(f"schema.{s}", f'CREATE SCHEMA IF NOT EXISTS "{s}"') for s in schemas]
    for node in build_order(manifest):
        name = node["relation_name"]
        if node["resource_type"] == "seed":
            sql = f"CREATE TABLE {name} AS SELECT * FROM pipe.{_unqualified(name)}"
            build.append((node["unique_id"], sql))
            continue
        materialized = node["config"]["materialized"]
        if materialized == "ephemeral":
            continue  # inlined into the compiled SQL of the models that use it
        kind = "VIEW" if materialized == "view" else "TABLE"
        build.append((node["unique_id"], f"CREATE {kind} {name} AS {node['compiled_code']}"))
    tests = [
        (uid, f"SELECT count(*) FROM ({node['compiled_code']}) AS t")
        for uid, node in sorted(manifest["nodes"].items())
        if node["resource_type"] == "test" and node.get("compiled_code")
    ]
    return build, tests


def _unqualified(relation: str) -> str:
    """ "db"."schema"."name" -> "schema"."name" """
    return ".".join(relation.split(".")[1:])


def child_floor(landing: str, db: str, manifest_json: str, seeds_db: str) -> None:
    """In a child process: the floor. Prints JSON: seconds per part and rows read."""
    from boligmonitor import settings, warehouse
    from boligmonitor.contracts import SOURCES
    from boligmonitor.ingest import ingest_source

    manifest = json.loads(Path(manifest_json).read_text(encoding="utf-8"))
    build, tests = floor_statements(manifest)
    times: dict[str, float] = {}
    # the run's DuckDB settings (its memory limit), as the run's ingestion and dbt have them
    con = warehouse.connect(Path(db))
    start = time.perf_counter()
    warehouse.ensure_schema(con)
    rows = 0
    for source in SOURCES.values():
        result = ingest_source(con, source, Path(landing), settings.DEMO_PSEUDONYM_KEY.encode())
        rows += result.rows_loaded + result.rows_quarantined
    times["ingest"] = time.perf_counter() - start
    con.execute(f"ATTACH '{seeds_db}' AS pipe (READ_ONLY)")
    each: list[tuple[float, str]] = []  # (seconds, name) of every model and test
    start = time.perf_counter()
    for name, sql in build:
        began = time.perf_counter()
        con.execute(sql)
        each.append((time.perf_counter() - began, name))
    times["models"] = time.perf_counter() - start
    con.execute("DETACH pipe")
    start = time.perf_counter()
    for name, sql in tests:
        began = time.perf_counter()
        con.execute(sql).fetchall()
        each.append((time.perf_counter() - began, name))
    times["tests"] = time.perf_counter() - start
    con.close()
    models = sum(1 for name, _ in build if name.startswith("model."))
    slowest = [[name, round(seconds, 3)] for seconds, name in sorted(each, reverse=True)[:8]]
    print(
        json.dumps(
            {
                "seconds": times,
                "rows": rows,
                "models": models,
                "tests": len(tests),
                "slowest": slowest,
            }
        )
    )


@dataclass
class Floor:
    wall: float
    max_rss_mib: float
    tree_peak_mib: float
    cpu: float
    parts: dict[str, float]
    models: int
    tests: int
    slowest: list[tuple[str, float]]  # the slowest models and data tests, seconds each


def run_floor(here: Path, home: Path, as_of: date) -> Floor:
    manifest = compile_dbt(home / "work" / "boligmonitor.duckdb", as_of, here / "dbt-compile")
    folder = here / "floor"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    # named like the run's warehouse: the compiled SQL names the database "boligmonitor"
    db = folder / "boligmonitor.duckdb"
    floor_args = [home / "landing", db, manifest, home / "work" / "boligmonitor.duckdb"]
    measured = run_measured(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "_floor",
            *map(str, floor_args),
        ],
        cwd=ROOT,
    )
    out = json.loads(measured.stdout)
    return Floor(
        measured.wall,
        measured.max_rss_mib,
        measured.tree_peak_mib,
        measured.cpu,
        out["seconds"],
        out["models"],
        out["tests"],
        [(name, seconds) for name, seconds in out["slowest"]],
    )


# ---- one scale ---------------------------------------------------------------------------------


def bench_scale(scale: float, args: argparse.Namespace, incremental: bool) -> dict[str, Any]:
    here = args.work / f"scale-{scale:g}"
    shutil.rmtree(here, ignore_errors=True)
    home = here / "home"
    landing = home / "landing"
    landing.mkdir(parents=True)
    say = lambda msg: print(f"  skala {scale:g}: {msg}", file=sys.stderr, flush=True)  # noqa: E731

    say("genererer demodata …")
    gen = run_measured(
        [
            *(
                sys.executable,
                "-m",
                "boligmonitor.cli",
                "demo-data",
                "--landing",
                str(landing),
            ),
            *("--scale", str(scale), "--seed", str(args.seed)),
            *("--start", args.start.isoformat(), "--end", args.end.isoformat()),
        ],
        cwd=ROOT,
    )
    size_mb = sum(p.stat().st_size for p in landing.rglob("*") if p.is_file()) / 1e6
    result: dict[str, Any] = {
        "scale": scale,
        "period": [args.start.isoformat(), args.end.isoformat()],
        "landing_mb": round(size_mb, 1),
        "load_average_before": os.getloadavg()[0],
        "generate": {
            "seconds": gen.wall,
            "cpu": gen.cpu,
            "peak_mib": gen.tree_peak_mib,
            "max_rss_mib": gen.max_rss_mib,
        },
    }
    as_of = args.end
    held = here / "last-day"
    if incremental:
        result["held_back_files"] = hold_back_day(landing, args.end, held)
        as_of = args.end - timedelta(days=1)
    result["as_of"] = as_of.isoformat()

    say(f"kører boligmonitor run (opgjort pr. {as_of}) …")
    full = run_pipeline(home, as_of, "run-full")
    files, rows = landed_rows(home / "work" / "boligmonitor.duckdb")
    result.update(files=files, rows=rows, full=asdict(full))

    if not args.no_floor:
        say("gulvet: samme indlæsning og dbt-SQL direkte i én DuckDB-forbindelse …")
        result["floor"] = asdict(run_floor(here, home, as_of))

    if incremental:
        say(f"natlig kørsel med én dag mere ({result['held_back_files']} filer) …")
        put_back(held, landing)
        inc = run_pipeline(home, args.end, "run-incremental")
        new_files, new_rows = landed_rows(home / "work" / "boligmonitor.duckdb")
        result["incremental"] = {
            **asdict(inc),
            "files": new_files - files,
            "rows": new_rows - rows,
            "as_of": args.end.isoformat(),
        }
    result["load_average_after"] = os.getloadavg()[0]
    result["measured_at"] = datetime.now().isoformat(timespec="seconds")
    return result


# ---- report ------------------------------------------------------------------------------------


def _n(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".")


def _s(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _pct(value: float) -> str:
    return f"{value * 100:.1f} %".replace(".", ",")


def _x(value: float) -> str:
    return f"{value:.2f}×".replace(".", ",")


def _mib(value: float | None) -> str:
    return _n(value) if value is not None else "–"


def ratios(r: dict[str, Any]) -> dict[str, float]:
    full = r["full"]
    out = {"gate_cost": full["stages"].get("checks", {}).get("seconds", 0.0) / full["wall"]}
    if "floor" in r:
        floor = r["floor"]
        out["overhead"] = full["wall"] / floor["wall"]
        out["overhead_cpu"] = full["cpu"] / floor["cpu"]
        same = sum(full["stages"].get(s, {}).get("seconds", 0.0) for s in ("ingest", "dbt build"))
        out["same_work"] = same / sum(floor["parts"].values())
        out["dbt_tests_share"] = floor["parts"]["tests"] / full["wall"]
    if "incremental" in r:
        out["incremental"] = r["incremental"]["wall"] / full["wall"]
        out["incremental_cpu"] = r["incremental"]["cpu"] / full["cpu"]
    return out


def targets(r: dict[str, Any]) -> list[tuple[str, bool]]:
    scale, full, q = r["scale"], r["full"], ratios(r)
    found: list[tuple[str, bool]] = []
    if scale == 1:
        found.append((f"hele kørslen < {TARGET_SCALE_1_S} s", full["wall"] < TARGET_SCALE_1_S))
    if scale == 50:
        found.append((f"hele kørslen < {TARGET_SCALE_50_S} s", full["wall"] < TARGET_SCALE_50_S))
        peak = max(full["tree_peak_mib"], full["max_rss_mib"]) * (1 << 20)
        found.append(("maks. hukommelse < 4 GB", peak < TARGET_SCALE_50_BYTES))
        if "overhead" in q:
            found.append((f"overhead ≤ {TARGET_OVERHEAD}×", q["overhead"] <= TARGET_OVERHEAD))
    if "incremental" in q and scale == 10:
        limit = f"{TARGET_INCREMENTAL * 100:.0f} %"
        found.append((f"natlig kørsel < {limit}", q["incremental"] < TARGET_INCREMENTAL))
    return found


def render(r: dict[str, Any]) -> str:
    full, rows = r["full"], r["rows"]
    lines = [
        f"Skala {r['scale']:g}: {_n(r['files'])} filer, {_n(rows)} rækker, "
        f"{_s(r['landing_mb'])} MB, opgjort pr. {r['as_of']}; maskinens belastning (1 min) "
        f"{_s(r['load_average_before'])} før, {_s(r['load_average_after'])} efter",
        f"  {'trin':<34} {'sek.':>8} {'maks. MiB':>10} {'rækker/s':>10}",
    ]

    def row(label: str, seconds: float, mib: float | None, note: str = "") -> None:
        rate = _n(rows / seconds) if seconds > 0 else "–"
        lines.append(f"  {label:<34} {_s(seconds):>8} {_mib(mib):>10} {rate:>10}  {note}".rstrip())

    gen = r["generate"]
    row(
        STAGES["generate"],
        gen["seconds"],
        gen["peak_mib"],
        "(før kørslen, ikke i summen)",
    )
    for stage in RUN_STAGES:
        found = full["stages"].get(stage)
        if found is None:
            lines.append(f"  {STAGES[stage]:<34} {'–':>8} {'–':>10} {'–':>10}  (ingen trin)")
        elif stage == "other":
            note = (
                f"før 1. trin {_s(full['startup'])}, mellem trin {_s(full['between'])}, "
                f"efter sidste {_s(full['teardown'])}"
            )
            row(STAGES[stage], found["seconds"], found["peak_mib"], note)
        else:
            row(
                STAGES[stage],
                found["seconds"],
                found["peak_mib"],
                f"{found['steps']} trin",
            )
    row(
        "hele kørslen (boligmonitor run)",
        full["wall"],
        full["tree_peak_mib"],
        f"CPU {_s(full['cpu'])} s; wait4 største proces {_n(full['max_rss_mib'])} MiB",
    )
    if "floor" in r:
        floor = r["floor"]
        parts = floor["parts"]
        row("gulv: indlæsning", parts["ingest"], None)
        row(f"gulv: seeds + {floor['models']} modeller", parts["models"], None)
        row(f"gulv: {floor['tests']} dbt-datatest", parts["tests"], None)
        row(
            "gulv i alt (én proces)",
            floor["wall"],
            floor["tree_peak_mib"],
            f"CPU {_s(floor['cpu'])} s",
        )
        slowest = ", ".join(
            f"{name.split('.')[2]} {_s(seconds)} s" for name, seconds in floor["slowest"][:4]
        )
        lines.append(f"  langsomst i gulvet: {slowest}")
    inc = r.get("incremental")
    if inc:
        lines.append(
            f"  natlig kørsel med én dag mere: {_n(inc['files'])} nye filer, "
            f"{_n(inc['rows'])} nye rækker, opgjort pr. {inc['as_of']}"
        )
        for stage in RUN_STAGES:
            found = inc["stages"].get(stage)
            if found is not None:
                row(f"  {STAGES[stage]}", found["seconds"], found["peak_mib"])
        row(
            "  hele den natlige kørsel",
            inc["wall"],
            inc["tree_peak_mib"],
            f"CPU {_s(inc['cpu'])} s",
        )
    q = ratios(r)
    lines.append("  forhold:")
    if "overhead" in q:
        lines.append(
            f"    orkestreringsoverhead (hele kørslen / gulv): {_x(q['overhead'])} "
            f"(CPU-tid: {_x(q['overhead_cpu'])})"
        )
        lines.append(f"    samme arbejde (indlæsning + dbt build / gulv): {_x(q['same_work'])}")
    lines.append(f"    portens pris (GX-kontroller / hele kørslen): {_pct(q['gate_cost'])}")
    if "dbt_tests_share" in q:
        lines.append(
            f"    dbt-datatestenes SQL (i gulvet) / hele kørslen: {_pct(q['dbt_tests_share'])}"
        )
    if "incremental" in q:
        lines.append(
            f"    natlig kørsel / fuld kørsel: {_pct(q['incremental'])} "
            f"(CPU-tid: {_pct(q['incremental_cpu'])})"
        )
    for label, met in targets(r):
        lines.append(f"  mål: {label}: {'nået' if met else 'IKKE nået'}")
    return "\n".join(lines)


# ---- machine and results -----------------------------------------------------------------------


def machine() -> dict[str, Any]:
    import duckdb

    meminfo = Path("/proc/meminfo").read_text().split("\n")
    total_kib = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # changes to the code measured; not the results this benchmark writes itself
    dirty = bool(
        subprocess.run(
            [
                "git",
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                ".",
                ":!benchmarks/results",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    from importlib.metadata import version

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(total_kib / (1 << 20), 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "dagster": version("dagster"),
        "dbt_core": version("dbt-core"),
        "dbt_duckdb": version("dbt-duckdb"),
        "great_expectations": version("great_expectations"),
        "commit": commit,
        "uncommitted_changes": dirty,
    }


def describe_machine(m: dict[str, Any]) -> str:
    return (
        f"Maskine: {m['nproc']} kerner ({m['cpu']}), {_s(m['memory_gib'])} GiB, "
        f"Python {m['python']}, DuckDB {m['duckdb']}, Dagster {m['dagster']}, "
        f"dbt-core {m['dbt_core']} / dbt-duckdb {m['dbt_duckdb']}, commit {m['commit']}"
        + (" (med ændringer)" if m["uncommitted_changes"] else "")
    )


def save(results_dir: Path, m: dict[str, Any], results: list[dict[str, Any]]) -> Path:
    """benchmarks/results/<date>.json; scales measured earlier the same day are kept."""
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{date.today().isoformat()}.json"
    data: dict[str, Any] = {"scales": {}}
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
    for r in results:
        data["scales"][f"{r['scale']:g}"] = {
            **r,
            "machine": m,
            "ratios": ratios(r),
            "targets": {label: met for label, met in targets(r)},
        }
    data["machine"] = m
    data["scales"] = dict(sorted(data["scales"].items(), key=lambda kv: float(kv[0])))
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_floor":
        return child_floor(*sys.argv[2:6])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, nargs="+", default=[1, 10, 50])
    parser.add_argument(
        "--incremental-scale",
        type=float,
        nargs="*",
        default=[1, 10],
        help="scales that also get a nightly run with one day more (the target is at 10)",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2021, 1, 1))
    parser.add_argument("--end", type=date.fromisoformat, default=date(2025, 12, 31))
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "work" / "pipeline")
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--no-floor", action="store_true", help="skip the direct DuckDB floor")
    args = parser.parse_args()
    # dbt's manifest is parsed once after a deployment (modelling.ensure_manifest), not by every
    # run: parse it before the first timed run, so the first scale does not pay for it alone.
    from boligmonitor import modelling

    modelling.ensure_manifest()
    m = machine()
    print(describe_machine(m))
    results = []
    for scale in args.scale:
        r = bench_scale(scale, args, incremental=scale in args.incremental_scale)
        results.append(r)
        print(render(r), flush=True)
        save(args.results, m, [r])  # after every scale, so a long run keeps what it measured
    print(f"Resultater: {save(args.results, m, results)}")


if __name__ == "__main__":
    main()
