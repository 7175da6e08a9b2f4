"""The dbt models in Dagster: one connected graph from every landed source to the marts."""

from typing import Any

import dagster as dg
import pytest

from boligmonitor.contracts import SOURCES
from orchestration.definitions import load
from orchestration.defs.models.assets import DOCS_KEY

STAGING = {
    "anvisninger": "stg_anvisninger__allocations",
    "ledige_boliger": "stg_ledige_boliger__dwellings",
    "huslejeklasser": "stg_huslejeklasser__rent_classes",
    "returnerede_boliger": "stg_returnerede_boliger__returns",
    "bostotte": "stg_bostotte__support_episodes",
    "herbergsophold": "stg_herbergsophold__shelter_stays",
    "afdelinger": "stg_afdelinger__department_months",
}


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    return load()


def test_every_source_flows_from_landing_through_staging_into_a_mart(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    assert set(STAGING) == set(SOURCES)
    for source, model in STAGING.items():
        raw = dg.AssetKey(["raw", source])
        staging = dg.AssetKey(["staging", model])
        assert dg.AssetKey(["landing", source]) in graph.get(raw).parent_keys
        assert graph.get(staging).parent_keys == {raw}, source
        reached = _descendants(graph, staging)
        assert {k for k in reached if k.path[0] == "marts"}, f"{model} reaches no mart"
    node = graph.get(dg.AssetKey(["staging", "stg_anvisninger__allocations"]))
    assert node.group_name == "staging"
    assert {"dbt", "duckdb"} <= set(node.kinds)
    assert DOCS_KEY in graph.get_all_asset_keys()


def _descendants(graph: Any, key: dg.AssetKey) -> set[dg.AssetKey]:
    seen: set[dg.AssetKey] = set()
    todo = [key]
    while todo:
        for child in graph.get(todo.pop()).child_keys:
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return seen


def test_dbt_tests_are_asset_checks_and_models_use_the_duckdb_pool(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    checks = {c.name for c in graph.asset_check_keys}
    assert "unique_stg_anvisninger__allocations_allocation_id" in checks
    dbt_assets = [
        a for a in defs.resolve_all_asset_specs() if "dbt" in a.kinds and a.key.path[0] != "docs"
    ]
    assert dbt_assets
    job = defs.resolve_job_def("boligmonitor_nightly")
    pools = {node.definition.pool for node in job.graph.node_dict.values()}
    assert pools == {"duckdb"}
