"""One asset per source: the landed files (external) and their ingestion into raw.<source>."""

import dagster as dg

from boligmonitor import settings, warehouse
from boligmonitor.contracts import SOURCES, Source
from boligmonitor.ingest import ingest_source
from orchestration.resources import Landing, Warehouse

DUCKDB_POOL = "duckdb"  # one writer at a time: every DuckDB-touching asset uses this pool


def landing_key(source: Source) -> dg.AssetKey:
    return dg.AssetKey(["landing", source.name])


def raw_key(source: Source) -> dg.AssetKey:
    return dg.AssetKey(["raw", source.name])


def _landing_spec(source: Source) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=landing_key(source),
        group_name="landing",
        description=(
            f"{source.title_da}: filer leveret i landingsmappen `landing/{source.name}/` "
            f"({source.mode}-udtræk). Kontrakten står i SOURCES.md."
        ),
        kinds={"csv"},
    )


def _ingest_asset(source: Source) -> dg.AssetsDefinition:
    @dg.asset(
        key=raw_key(source),
        deps=[landing_key(source)],
        group_name="ingest",
        pool=DUCKDB_POOL,
        kinds={"duckdb"},
        description=(
            f"Indlæser nye filer fra landing/{source.name}/ i raw.{source.name}: tegnsæt og "
            "feltadskiller genkendes, danske tal og datoer fortolkes, CPR erstattes af et "
            f"pseudonym, og fejlrækker lægges i quarantine.{source.name} med årsag."
        ),
    )
    def _asset(
        context: dg.AssetExecutionContext, warehouse_db: Warehouse, landing: Landing
    ) -> dg.MaterializeResult:
        key = settings.pseudonym_key()
        if settings.demo_mode():
            context.log.info("Demotilstand: CPR pseudonymiseres med den faste demonøgle.")
        with warehouse_db.connect() as con:
            warehouse.ensure_schema(con)
            result = ingest_source(con, source, landing.folder(), key, log=context.log.info)
        context.log.info(result.describe())
        return dg.MaterializeResult(
            metadata={
                "files_loaded": result.count("loaded"),
                "files_rejected": result.count("rejected"),
                "files_duplicate": result.count("duplicate"),
                "rows_loaded": result.rows_loaded,
                "rows_quarantined": result.rows_quarantined,
                "summary": dg.MetadataValue.text(result.describe()),
            }
        )

    return _asset


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(
        assets=[_landing_spec(s) for s in SOURCES.values()]
        + [_ingest_asset(s) for s in SOURCES.values()]
    )
