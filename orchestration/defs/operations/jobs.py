"""The jobs. All run in one process (the multiprocess executor costs seconds per step on these
machines) and all write to the warehouse, so all carry the writer tag that the production run
queue limits to one run at a time (deploy/dagster.yaml).

- MAIN_JOB: the whole graph. `boligmonitor run` and the nightly schedule run this same job.
- NEW_FILES_JOB: ingest and build when files arrive: everything except the export packages
  (and what depends on them), then the analyst snapshot.
- MONTHLY_EXPORT_JOB: the export packages and everything upstream of them, then the snapshot.
  While no asset is in the group "exports" yet, it runs the whole graph (the same as MAIN_JOB),
  so the monthly schedule already does the right thing the day the export assets appear.
"""

import dagster as dg

from orchestration.defs.operations.assets import (
    EXPORTS_GROUP,
    SNAPSHOT_KEY,
    executable_assets,
    other_domain_definitions,
)

MAIN_JOB = "boligmonitor_nightly"
NEW_FILES_JOB = "boligmonitor_new_files"
MONTHLY_EXPORT_JOB = "boligmonitor_monthly_export"

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


@dg.definitions
def defs(context: dg.ComponentLoadContext) -> dg.Definitions:
    groups = set(executable_assets(other_domain_definitions(context)).values())
    snapshot = dg.AssetSelection.assets(SNAPSHOT_KEY)
    exports = dg.AssetSelection.groups(EXPORTS_GROUP)
    if EXPORTS_GROUP in groups:
        monthly = exports.upstream() | snapshot
        new_files = (dg.AssetSelection.all() - exports.downstream()) | snapshot
    else:
        monthly = dg.AssetSelection.all()
        new_files = dg.AssetSelection.all()
    return dg.Definitions(
        jobs=[
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
