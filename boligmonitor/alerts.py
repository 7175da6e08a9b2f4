"""Alerts when a run fails: a line in $BOLIGMONITOR_HOME/alerts.log and, when
BOLIGMONITOR_ALERT_WEBHOOK is set, a JSON POST to that address.

An alert never carries personal data. It names the job, the run, the failed step and the kind
of error; the error text itself is only written to the local log, on one line, cut short, and
with every CPR-shaped number masked. The webhook (which leaves the machine) gets no error text.
Nothing here imports Dagster.
"""

from __future__ import annotations

import json
import os
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from boligmonitor import settings
from boligmonitor.cpr import mask_text

WEBHOOK_VAR = "BOLIGMONITOR_ALERT_WEBHOOK"
LOG_NAME = "alerts.log"
DETAIL_CHARS = 200
WEBHOOK_TIMEOUT_SECONDS = 10.0


def log_path() -> Path:
    return settings.paths().home / LOG_NAME


def _clean(text: str, limit: int) -> str:
    one_line = " ".join(mask_text(text).split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


@dataclass(frozen=True)
class Alert:
    time: datetime
    job: str
    run_id: str
    steps: tuple[str, ...]
    error_type: str
    detail: str  # masked, one line, short; local log only

    @property
    def message(self) -> str:
        where = f" i trinnet {', '.join(self.steps)}" if self.steps else ""
        kind = f" ({self.error_type})" if self.error_type else ""
        return (
            f"Kørslen af {self.job} fejlede{where}{kind}. Det forrige øjebliksbillede og den "
            "forrige eksportpakke er uændrede. Se kørslen i Dagster."
        )

    def log_line(self) -> str:
        fields = [
            self.time.isoformat(timespec="seconds"),
            f"job={self.job}",
            f"run={self.run_id}",
            f"trin={','.join(self.steps) or '-'}",
            self.message,
        ]
        if self.detail:
            fields.append(f"fejl: {self.detail}")
        return "\t".join(fields)

    def payload(self) -> dict[str, object]:
        """What the webhook receives: no error text, no data from the warehouse."""
        return {
            "tid": self.time.isoformat(timespec="seconds"),
            "vaert": socket.gethostname(),
            "job": self.job,
            "run_id": self.run_id,
            "trin": list(self.steps),
            "fejltype": self.error_type,
            "besked": self.message,
            "text": self.message,  # the field chat webhooks (Teams, Slack, Mattermost) show
        }


def compose(
    job: str,
    run_id: str,
    steps: list[str] | tuple[str, ...],
    error_type: str = "",
    error_text: str = "",
    time: datetime | None = None,
) -> Alert:
    return Alert(
        time=time or datetime.now().astimezone(),
        job=_clean(job, 100),
        run_id=_clean(run_id, 64),
        steps=tuple(_clean(s, 100) for s in steps),
        error_type=_clean(error_type, 80),
        detail=_clean(error_text, DETAIL_CHARS),
    )


def append(alert: Alert, path: Path | None = None) -> Path:
    target = path or log_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("a", encoding="utf-8") as f:
        f.write(alert.log_line() + "\n")
    return target


def post(alert: Alert, url: str, timeout: float = WEBHOOK_TIMEOUT_SECONDS) -> int:
    """POST the alert as JSON; returns the HTTP status. Raises OSError when it cannot be sent."""
    body = json.dumps(alert.payload(), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return int(response.status)


def deliver(alert: Alert, path: Path | None = None) -> list[str]:
    """Write the log line, then POST when a webhook is configured. Returns problems (Danish);
    a webhook that cannot be reached is written to the log too, never raised."""
    written = append(alert, path)
    url = os.environ.get(WEBHOOK_VAR, "").strip()
    if not url:
        return []
    try:
        post(alert, url)
    except (OSError, urllib.error.URLError, ValueError) as exc:
        problem = compose(
            alert.job,
            alert.run_id,
            alert.steps,
            "webhook",
            f"Alarmen kunne ikke sendes til {WEBHOOK_VAR}: {type(exc).__name__}",
        )
        append(problem, written)
        return [problem.detail]
    return []
