"""The dbt models as Dagster assets (dagster-dbt), and the dbt docs site for analysts.

Every dbt model and seed is an asset; the dbt sources carry `meta.dagster.asset_key` =
raw/<source>, so the models hang below the ingest assets in one graph. dbt tests become asset
checks. The dbt step gets the Warehouse resource's file (BOLIGMONITOR_WORK_DB) and the report
date (BOLIGMONITOR_AS_OF) explicitly, so dbt always writes the file the other assets use.

The manifest is made when the definitions load, if it is missing or stale
(`boligmonitor.modelling.ensure_manifest`), so a fresh clone needs no manual step.

The docs asset rewrites the docs page only when what it shows changed (the manifest's content or
the warehouse's tables and columns: `modelling.refresh_docs`); otherwise its materialisation says
"uændret" and the page stays.
"""

from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from boligmonitor import modelling, settings
from orchestration.resources import Warehouse

DUCKDB_POOL = "duckdb"  # one writer at a time: every DuckDB-touching asset uses this pool
DOCS_KEY = dg.AssetKey(["docs", "dbt_docs"])


class Translator(DagsterDbtTranslator):
    """Groups follow the schemas the dbt folders build into: staging, intermediate, marts,
    reference (seeds)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props.get("config", {}).get("schema") or "models"


def dbt_project() -> DbtProject:
    modelling.ensure_manifest()
    return DbtProject(project_dir=modelling.PROJECT_DIR)


def build_dbt_assets(project: DbtProject) -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=Translator(),
        pool=DUCKDB_POOL,
        name="dbt_models",
    )
    def dbt_models(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse_db: Warehouse
    ) -> Iterator[Any]:
        """`dbt build`: seeds, models and data tests, in dependency order. dbt's unit tests test
        the SQL, not the data: they run where the SQL changes (`make test`, CI), not every
        night (as dbt advises)."""
        target = project.project_dir / "target" / "dagster_build"
        with modelling.environment(modelling.dbt_env(warehouse_db.file(), settings.as_of())):
            invocation = dbt.cli(
                ["build", *modelling.PRODUCTION_BUILD_ARGS], context=context, target_path=target
            )
        # The last model's output is held back to carry a one-line summary of the whole build
        # (`boligmonitor run` prints the `summary` metadata of materialisations).
        held: dg.Output | None = None
        try:
            for event in invocation.stream():
                if isinstance(event, dg.Output):
                    if held is not None:
                        yield held
                    held = event
                else:
                    yield event
        except Exception:
            if held is not None:
                yield held
            raise
        if held is not None:
            summary = modelling.describe_run_results(invocation.get_artifact("run_results.json"))
            context.log.info(summary)
            yield held.with_metadata({**held.metadata, "summary": dg.MetadataValue.text(summary)})

    return dbt_models


def build_docs_asset(models: dg.AssetsDefinition) -> dg.AssetsDefinition:
    @dg.asset(
        key=DOCS_KEY,
        deps=[models],
        group_name="docs",
        pool=DUCKDB_POOL,
        kinds={"dbt", "html"},
        description=(
            "Modeldokumentationen (dbt docs) som ét statisk HTML-dokument i "
            "$BOLIGMONITOR_HOME/docs/index.html: alle modeller og kolonner med beskrivelser, "
            "test og afstamning, til analytikere. Skrives kun om, når modellerne (manifestet) "
            "eller lagerets tabeller og kolonner er ændret; ellers beholdes siden."
        ),
    )
    def dbt_docs(
        context: dg.AssetExecutionContext, warehouse_db: Warehouse
    ) -> dg.MaterializeResult:
        docs = modelling.refresh_docs(settings.paths().docs, warehouse_db.file(), settings.as_of())
        context.log.info(docs.describe())
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(docs.page)),
                "status": "genereret" if docs.regenerated else "uændret",
                "fingeraftryk": docs.fingerprint,
                "summary": dg.MetadataValue.text(docs.describe()),
            }
        )

    return dbt_docs


@dg.definitions
def defs() -> dg.Definitions:
    project = dbt_project()
    models = build_dbt_assets(project)
    return dg.Definitions(
        assets=[models, build_docs_asset(models)],
        resources={
            "dbt": DbtCliResource(project_dir=project, dbt_executable=modelling.dbt_executable())
        },
    )
