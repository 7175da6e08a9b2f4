"""Schedules, in Copenhagen time (Dagster runs them once on both daylight-saving days).

- Nightly at 02:00: the main job.
- The 1st of every month at 06:00: the BL 1. kreds export for the month before. The export
  assets measure "the last finished month" from BOLIGMONITOR_AS_OF, which production leaves
  unset (today, i.e. the 1st), so the run exports the month before; the month is also put on
  the run as a tag, so it is visible in the Dagster UI.
- Sundays at 05:00: housekeeping of Dagster's run history (runs older than about 13 months).
"""

from datetime import date, timedelta

import dagster as dg

from orchestration.defs.operations.jobs import HOUSEKEEPING_JOB, MAIN_JOB, MONTHLY_EXPORT_JOB

TIMEZONE = "Europe/Copenhagen"
NIGHTLY_CRON = "0 2 * * *"
MONTHLY_EXPORT_CRON = "0 6 1 * *"
EXPORT_MONTH_TAG = "boligmonitor/export_month"


def month_before(day: date) -> str:
    """'YYYY-MM' of the month before the one `day` is in."""
    return (day.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


nightly = dg.ScheduleDefinition(
    name="boligmonitor_nightly_schedule",
    job_name=MAIN_JOB,
    cron_schedule=NIGHTLY_CRON,
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Hele kørslen hver nat kl. 02:00 (dansk tid).",
)


@dg.schedule(
    name="boligmonitor_monthly_export_schedule",
    job_name=MONTHLY_EXPORT_JOB,
    cron_schedule=MONTHLY_EXPORT_CRON,
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Eksport til BL 1. kreds den 1. i måneden kl. 06:00 for måneden før.",
)
def monthly_export(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    month = month_before(context.scheduled_execution_time.date())
    return dg.RunRequest(run_key=f"export-{month}", tags={EXPORT_MONTH_TAG: month})


housekeeping = dg.ScheduleDefinition(
    name="boligmonitor_housekeeping_schedule",
    job_name=HOUSEKEEPING_JOB,
    cron_schedule="0 5 * * 0",
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Oprydning i kørselshistorikken søndag kl. 05:00.",
)


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(schedules=[nightly, monthly_export, housekeeping])
