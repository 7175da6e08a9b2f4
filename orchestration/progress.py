"""Short Danish progress lines for a run started from the terminal (`boligmonitor run`).

A Dagster logger that turns step and check events into one line each, written to the
process's real standard output; everything else (dbt's own output and Dagster's log lines)
goes to the run's log file. Attached only to runs the CLI starts: runs in the Dagster UI and
daemon keep Dagster's own logging.
"""

import logging
import sys
import time

import dagster as dg

from boligmonitor.cpr import mask_text


class ProgressHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)  # step events are logged at DEBUG
        self.started: dict[str, float] = {}

    def _say(self, text: str) -> None:
        stream = sys.__stdout__
        if stream is not None:
            stream.write(mask_text(text) + "\n")
            stream.flush()

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        if event is None:
            if record.levelno >= logging.WARNING:
                self._say(f"  ! {meta.get('orig_message') or record.getMessage()}")
            return
        kind = event.event_type_value
        step = event.step_key or ""
        if kind == "STEP_START":
            self.started[step] = time.monotonic()
            self._say(f"▸ {step} …")
        elif kind == "STEP_SUCCESS":
            seconds = time.monotonic() - self.started.get(step, time.monotonic())
            self._say(f"✓ {step} ({seconds:.1f} s)".replace(".", ","))
        elif kind == "STEP_FAILURE":
            self._say(f"✗ {step} fejlede")
        elif kind == "STEP_SKIPPED":
            self._say(f"– {step} sprunget over (noget opstrøms fejlede eller blev stoppet)")
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                check = evaluation.asset_check_key
                where = f"kontrol {check.name} på {check.asset_key.to_user_string()}"
                if evaluation.severity == dg.AssetCheckSeverity.ERROR:
                    self._say(f"  ✗ {where} fejlede")
                else:
                    self._say(f"  ! {where}: advarsel")


@dg.logger(description="Korte fremskridtslinjer på dansk til terminalen (boligmonitor run).")
def progress_logger(_init_context: dg.InitLoggerContext) -> logging.Logger:
    log = logging.getLogger("boligmonitor.progress")
    log.setLevel(logging.DEBUG)
    log.handlers = [ProgressHandler()]
    log.propagate = False
    return log
