"""What has gone wrong so far in the current run: the one test of "the gate" that assets which
publish something (snapshot, dashboards, exports) apply before they write.

Dagster already skips an asset downstream of a failed step or a failed blocking check; this
reads the run's own event log as well, so a gap in that skipping can never publish a bad state.
Only a blocking check that failed with severity ERROR closes the gate: warnings are reported,
never blocking.
"""

import dagster as dg


def failures_in_run(context: dg.AssetExecutionContext, ignore_steps: str = "") -> list[str]:
    """Failed steps and blocking checks failed with severity ERROR recorded so far in this run,
    in Danish. Steps whose key starts with `ignore_steps` (when given) are not counted."""
    records = context.instance.get_records_for_run(
        context.run.run_id,
        of_type={dg.DagsterEventType.STEP_FAILURE, dg.DagsterEventType.ASSET_CHECK_EVALUATION},
    ).records
    problems = []
    for record in records:
        event = record.event_log_entry.dagster_event
        if event is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            if not (ignore_steps and str(event.step_key).startswith(ignore_steps)):
                problems.append(f"trinnet {event.step_key} fejlede")
            continue
        evaluation = event.event_specific_data
        failed = not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
        if failed and evaluation.blocking:
            problems.append(
                f"den blokerende kontrol {evaluation.check_name} på "
                f"{evaluation.asset_key.to_user_string()} bestod ikke"
            )
    return problems
