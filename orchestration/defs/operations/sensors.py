"""Sensors: new files in the landing folder start a run; a failed run raises an alert.

The landing sensor's cursor is the set of files it has seen (path, size, modification time) and
the files it is waiting on. A new file is acted on only when its size and modification time are
the same on two ticks in a row (a file still being copied is left for the next tick), and then
once: the run request carries a run key made from the file set, and the files move to "seen".
The run itself ingests only what audit.files does not know yet, so a replaced or duplicate file
is never loaded twice.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

import dagster as dg

from boligmonitor import alerts
from boligmonitor.contracts import SOURCES
from boligmonitor.landing import LandedFile, list_files
from orchestration.defs.operations.jobs import NEW_FILES_JOB
from orchestration.resources import Landing

LANDING_SENSOR = "boligmonitor_landing_sensor"
FAILURE_SENSOR = "boligmonitor_run_failure_alert"
INTERVAL_SECONDS = 60


@dataclass
class LandingState:
    """The sensor's cursor: files already acted on, and new files waiting to be stable."""

    seen: dict[str, str] = field(default_factory=dict)  # relpath -> "size:mtime_ns"
    pending: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, cursor: str | None) -> "LandingState":
        if not cursor:
            return cls()
        data = json.loads(cursor)
        return cls(seen=dict(data.get("seen", {})), pending=dict(data.get("pending", {})))

    def dump(self) -> str:
        return json.dumps({"seen": self.seen, "pending": self.pending}, sort_keys=True)


def _signature(f: LandedFile) -> str:
    return f"{f.size}:{f.mtime_ns}"


def advance(state: LandingState, files: Iterable[LandedFile]) -> tuple[LandingState, list[str]]:
    """One tick: the new state and the files that are new and stable now (sorted).

    A file is new when its path is not in `seen` or its size or time changed. It is stable when
    the previous tick saw it with the same size and time. Files that disappeared are forgotten.
    """
    current = {f.relpath: _signature(f) for f in files}
    ready = []
    pending = {}
    for path, signature in sorted(current.items()):
        if state.seen.get(path) == signature:
            continue
        if state.pending.get(path) == signature:
            ready.append(path)
        else:
            pending[path] = signature
    seen = {p: s for p, s in state.seen.items() if p in current}
    seen.update({p: current[p] for p in ready})
    return LandingState(seen=seen, pending=pending), ready


def landed_files(landing: Landing) -> list[LandedFile]:
    folder = landing.folder()
    return [f for source in SOURCES for f in list_files(folder, source)]


def run_key(ready: list[str], state: LandingState) -> str:
    digest = hashlib.sha256("\n".join(f"{p}={state.seen[p]}" for p in ready).encode()).hexdigest()
    return f"nye-filer-{digest[:16]}"


@dg.sensor(
    name=LANDING_SENSOR,
    job_name=NEW_FILES_JOB,
    minimum_interval_seconds=INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Starter indlæsning og opbygning, når der er kommet nye filer i landingsmappen. En fil "
        "tages først med, når dens størrelse er uændret over to tjek (den er færdigkopieret)."
    ),
)
def landing_sensor(context: dg.SensorEvaluationContext, landing: Landing) -> dg.SensorResult:
    state, ready = advance(LandingState.load(context.cursor), landed_files(landing))
    requests = []
    if ready:
        sources = sorted({p.split("/", 1)[0] for p in ready})
        requests.append(
            dg.RunRequest(
                run_key=run_key(ready, state),
                tags={"boligmonitor/new_files": str(len(ready))},
            )
        )
        context.log.info(f"{len(ready)} nye filer fra {', '.join(sources)}: starter en kørsel.")
    skip = None
    if not requests:
        waiting = len(state.pending)
        skip = (
            f"Venter på at {waiting} nye filer bliver færdige." if waiting else "Ingen nye filer."
        )
    return dg.SensorResult(run_requests=requests, cursor=state.dump(), skip_reason=skip)


def _first_error(context: dg.RunFailureSensorContext) -> tuple[list[str], str, str]:
    steps, error_type, text = [], "", ""
    for event in context.get_step_failure_events():
        steps.append(event.step_key or "")
        error = event.step_failure_data.error if event.step_failure_data else None
        if error is not None and not error_type:
            root = error.cause if error.cause is not None else error
            error_type = root.cls_name or ""
            text = root.message or ""
    if not text:
        text = context.failure_event.message or ""
    return steps, error_type, text


@dg.run_failure_sensor(
    name=FAILURE_SENSOR,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Skriver en linje i $BOLIGMONITOR_HOME/alerts.log, når en kørsel fejler, og sender en "
        "besked til BOLIGMONITOR_ALERT_WEBHOOK, hvis den er sat. Ingen persondata."
    ),
)
def alert_on_failure(context: dg.RunFailureSensorContext) -> None:
    run = context.dagster_run
    steps, error_type, text = _first_error(context)
    alert = alerts.compose(run.job_name, run.run_id, steps, error_type, text)
    problems = alerts.deliver(alert)
    context.log.info(f"Alarm skrevet i {alerts.log_path()}: {alert.message}")
    for problem in problems:
        context.log.warning(problem)


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(sensors=[landing_sensor, alert_on_failure])
