"""Run the main job in this process, as `boligmonitor run` does, and report in Danish."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from datetime import datetime
from pathlib import Path

import dagster as dg

from boligmonitor import settings
from boligmonitor.cpr import mask_text
from orchestration.definitions import load
from orchestration.defs.operations.jobs import MAIN_JOB
from orchestration.progress import progress_logger

# The terminal gets one line per step (progress); Dagster's log lines and dbt's own output go
# to the run's log file, and to the Dagster UI.
LOGGERS = {"loggers": {"progress": {}, "console": {"config": {"log_level": "INFO"}}}}
KEEP_LOGS = 30


def instance() -> dg.DagsterInstance:
    """Run history shared with `dagster dev`: DAGSTER_HOME, default BOLIGMONITOR_HOME/dagster."""
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(settings.paths().home / "dagster")))
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    return dg.DagsterInstance.get()


def run_pipeline(echo: Callable[[str], None] = print) -> bool:
    """One full run. Returns whether it succeeded; raises ConfigError before starting when a
    setting is missing (no key, bad date)."""
    settings.pseudonym_key()
    as_of = settings.as_of()
    paths = settings.paths()
    if settings.demo_mode():
        echo(
            "Demotilstand: CPR-numre pseudonymiseres med den faste, offentlige demonøgle. "
            "Brug den aldrig til rigtige data."
        )
    echo(f"Kører {MAIN_JOB} over {paths.landing} (opgjort pr. {as_of:%d.%m.%Y})")
    log_file = _new_log_file(paths.home / "logs")
    echo(f"Log for kørslen: {log_file}")
    job = load().resolve_job_def(MAIN_JOB)
    job = job.with_logger_defs(
        {"progress": progress_logger, "console": dg.default_loggers()["console"]}
    )
    with (
        instance() as inst,
        log_file.open("w", encoding="utf-8") as log,
        redirect_stdout(log),
        redirect_stderr(log),
    ):
        result = job.execute_in_process(instance=inst, run_config=LOGGERS, raise_on_error=False)
    for event in result.get_asset_materialization_events():
        summary = event.materialization.metadata.get("summary")
        if summary is not None:
            echo(summary.value)
    if result.success:
        echo(f"Kørslen lykkedes. Arbejdsdatabasen: {paths.work_db}")
        return True
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            error = event.step_failure_data.error
            message = (
                error.cause.message if error and error.cause else error.message if error else ""
            )
            echo(mask_text(f"FEJL i {event.step_key}: {message.strip()}"))
    for line in failed_checks(result):
        echo(line)
    echo(f"Kørslen fejlede. Se {log_file} og kørslen i Dagster (run id {result.run_id}).")
    return False


def failed_checks(result: dg.ExecuteInProcessResult) -> list[str]:
    """Every check that failed with severity ERROR in the run: its name, its asset and what it
    found (its text metadata: the table, the rule and failing values), CPR-shaped numbers
    masked."""
    lines = []
    for event in result.all_events:
        if event.event_type != dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            continue
        evaluation = event.event_specific_data
        if evaluation.passed or evaluation.severity != dg.AssetCheckSeverity.ERROR:
            continue
        lines.append(
            f"KONTROL {evaluation.check_name} på {evaluation.asset_key.to_user_string()} "
            f"bestod ikke" + (f": {evaluation.description}" if evaluation.description else "")
        )
        for name, value in evaluation.metadata.items():
            if isinstance(value, dg.TextMetadataValue):
                lines.append(f"  {name}: {value.value}")
    return [mask_text(line) for line in lines]


def _new_log_file(folder: Path) -> Path:
    """A new log file for this run; only the newest KEEP_LOGS are kept."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in sorted(folder.glob("run-*.log"))[: -(KEEP_LOGS - 1)]:
        old.unlink()
    return folder / f"run-{datetime.now():%Y%m%d-%H%M%S-%f}.log"
