"""Run history for `boligmonitor status`: the latest warehouse runs from the Dagster instance,
as plain `RunInfo` records (boligmonitor.status imports no Dagster). Defines no Dagster objects.
"""

from datetime import datetime

import dagster as dg

from boligmonitor.status import RunInfo
from orchestration.defs.operations.jobs import WRITER_JOBS


def _time(timestamp: float | None) -> datetime | None:
    return None if timestamp is None else datetime.fromtimestamp(timestamp).astimezone()


def recent_runs(instance: dg.DagsterInstance, limit: int = 20) -> list[RunInfo]:
    """The latest runs of the warehouse jobs, newest first."""
    runs = []
    for record in instance.get_run_records(limit=limit * 5):  # newest first
        run = record.dagster_run
        if run.job_name not in WRITER_JOBS:
            continue
        runs.append(
            RunInfo(
                job=run.job_name,
                run_id=run.run_id,
                status=run.status.value,
                started=_time(record.start_time),
                ended=_time(record.end_time),
            )
        )
    return runs[:limit]
