"""The main job: the whole graph, in one process (the multiprocess executor costs seconds per
step on these machines). `boligmonitor run` and the nightly schedule run this same job."""

import dagster as dg

MAIN_JOB = "boligmonitor_nightly"


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(
        jobs=[
            dg.define_asset_job(
                MAIN_JOB,
                selection=dg.AssetSelection.all(),
                executor_def=dg.in_process_executor,
                description="Hele kørslen: indlæsning, modeller, kontroller, eksport, dashboards.",
            )
        ]
    )
