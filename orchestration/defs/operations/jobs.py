"""The jobs. All run in one process (the multiprocess executor costs seconds per step on these
machines) and all write to the warehouse, so all carry the writer tag that the production run
queue limits to one run at a time (deploy/dagster.yaml).

- MAIN_JOB: the whole graph. `boligmonitor run` and the nightly schedule run this same job.
- NEW_FILES_JOB: ingest and build when files arrive: everything except the export packages
  (and what depends on them), then the analyst snapshot.
- MONTHLY_EXPORT_JOB: the export packages, everything upstream of them, and what reads them
  (the partner dashboards, which show exactly what the package holds), then the snapshot.
- HOUSEKEEPING_JOB: deletes finished runs older than RUN_RETENTION_DAYS from Dagster's history
  (Dagster's instance config has retention for schedule and sensor ticks, not for runs). It does
  not touch the warehouse and carries no writer tag.
"""

from datetime import UTC, datetime, timedelta

import dagster as dg

from orchestration.defs.operations.assets import (
    EXPORTS_GROUP,
    SNAPSHOT_KEY,
)

MAIN_JOB = "boligmonitor_nightly"
NEW_FILES_JOB = "boligmonitor_new_files"
MONTHLY_EXPORT_JOB = "boligmonitor_monthly_export"
HOUSEKEEPING_JOB = "boligmonitor_housekeeping"
RUN_RETENTION_DAYS = 400  # run history (and its event logs) kept: more than a year

# Runs with this tag write to the working DuckDB file; the run queue lets one run at a time.
WRITER_TAG_KEY = "boligmonitor/writer"
WRITER_TAG_VALUE = "warehouse"
WRITER_TAGS = {WRITER_TAG_KEY: WRITER_TAG_VALUE}
WRITER_JOBS = (MAIN_JOB, NEW_FILES_JOB, MONTHLY_EXPORT_JOB)


def _job(name: str, selection: dg.AssetSelection, description: str):  # an unresolved job
    return dg.define_asset_job(
        name,
        selection=selection,
        executor_def=dg.in_process_executor,
        tags=WRITER_TAGS,
        description=description,
    )


class RetentionConfig(dg.Config):
    days: int = RUN_RETENTION_DAYS


@dg.op(description="Sletter afsluttede kørsler (og deres logs) ældre end `days` dage.")
def delete_old_runs(context: dg.OpExecutionContext, config: RetentionConfig) -> int:
    cutoff = datetime.now(UTC) - timedelta(days=config.days)
    finished = [dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE]
    finished.append(dg.DagsterRunStatus.CANCELED)
    old = context.instance.get_run_records(
        filters=dg.RunsFilter(created_before=cutoff, statuses=finished)
    )
    for record in old:
        context.instance.delete_run(record.dagster_run.run_id)
    context.log.info(f"{len(old)} kørsler ældre end {config.days} dage er slettet.")
    return len(old)


@dg.job(
    name=HOUSEKEEPING_JOB,
    executor_def=dg.in_process_executor,
    description="Oprydning i Dagsters kørselshistorik; rører ikke lageret.",
)
def housekeeping() -> None:
    delete_old_runs()


@dg.definitions
def defs(context: dg.ComponentLoadContext) -> dg.Definitions:
    snapshot = dg.AssetSelection.assets(SNAPSHOT_KEY)
    exports = dg.AssetSelection.groups(EXPORTS_GROUP)
    monthly = exports.upstream() | exports.downstream() | snapshot
    new_files = (dg.AssetSelection.all() - exports.downstream()) | snapshot
    return dg.Definitions(
        jobs=[
            housekeeping,
            _job(
                MAIN_JOB,
                dg.AssetSelection.all(),
                "Hele kørslen: indlæsning, modeller, kontroller, eksport, dashboards og til sidst "
                "øjebliksbilledet til analytikere.",
            ),
            _job(
                NEW_FILES_JOB,
                new_files,
                "Startes af sensoren, når der er kommet nye filer i landingsmappen: indlæsning, "
                "modeller, kontroller og dashboards (ikke eksportpakker), og øjebliksbilledet.",
            ),
            _job(
                MONTHLY_EXPORT_JOB,
                monthly,
                "Den månedlige eksport til BL 1. kreds for måneden før: eksportpakkerne og alt "
                "hvad de bygger på; porten (blokerende kontroller) afgør, om de skrives.",
            ),
        ]
    )
