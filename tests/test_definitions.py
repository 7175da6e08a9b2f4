"""Load every Dagster definition, as `dg check defs` would, and check the graph's shape."""

import dagster as dg

from boligmonitor.contracts import SOURCES
from orchestration.definitions import load
from orchestration.defs.operations.jobs import MAIN_JOB


def test_definitions_load_and_the_main_job_covers_every_source() -> None:
    defs = load()
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    for source in SOURCES:
        assert f"landing/{source}" in keys
        assert f"raw/{source}" in keys
        node = graph.get(dg.AssetKey(["raw", source]))
        assert dg.AssetKey(["landing", source]) in node.parent_keys
    job = defs.resolve_job_def(MAIN_JOB)
    in_job = {k.to_user_string() for k in job.asset_layer.executable_asset_keys}
    assert {f"raw/{s}" for s in SOURCES} <= in_job
