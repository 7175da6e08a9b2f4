"""Run the main job in this process, as `boligmonitor run` does, and report in Danish."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import dagster as dg

from boligmonitor import settings
from orchestration.definitions import load
from orchestration.defs.operations.jobs import MAIN_JOB

# Dagster's own log lines are for the Dagster UI; the terminal gets the summary and warnings.
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


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
    job = load().resolve_job_def(MAIN_JOB)
    with instance() as inst:
        result = job.execute_in_process(instance=inst, run_config=QUIET, raise_on_error=False)
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
            echo(f"FEJL i {event.step_key}: {message.strip()}")
    echo(f"Kørslen fejlede. Se kørslen i Dagster (run id {result.run_id}).")
    return False
