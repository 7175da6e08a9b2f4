import dagster as dg

from orchestration.resources import Landing, Warehouse


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(resources={"warehouse_db": Warehouse(), "landing": Landing()})
