"""The last asset of every run: publish the analyst snapshot of the working file.

How the snapshot stays last without anyone editing it: at definitions-load time this module
asks Dagster's component tree for the definitions of every *other* domain folder in `defs/`
(`context.build_defs(folder)`; the tree caches them, so they are built once and are the same
objects the project loads) and makes the snapshot depend on every executable asset found there.
An engineer who adds a domain folder or an asset anywhere outside `operations/` gets it upstream
of the snapshot automatically; `tests/test_operations.py` checks that the snapshot's parents are
exactly all other executable assets. (So no asset may depend on the snapshot: that would be a
cycle. Anything that must come after publishing belongs in a sensor, not in the graph.)

Because it depends on everything, Dagster skips the snapshot when any upstream step fails or
any blocking check fails (a blocking check gates its asset's downstream assets). The asset also
looks at the run's own event log before publishing and refuses if a step failed or a blocking
check did not pass, so a gap in Dagster's skipping can never publish a bad state.
"""

from pathlib import Path

import dagster as dg

from boligmonitor import settings, snapshot
from orchestration.defs.ingest.assets import DUCKDB_POOL
from orchestration.gate import failures_in_run
from orchestration.resources import Warehouse

SNAPSHOT_KEY = dg.AssetKey(["warehouse", "snapshot"])
OPERATIONS_GROUP = "operations"
EXPORTS_GROUP = "exports"
_THIS_DOMAIN = Path(__file__).parent.name


def other_domain_definitions(context: dg.ComponentLoadContext) -> list[dg.Definitions]:
    """The definitions of every domain in `defs/` except this one (built once, cached).

    The domains are the children of the defs folder in Dagster's own component tree, so this
    sees exactly what `load_from_defs_folder` loads."""
    root = context.component_tree.find_decl_at_path(context.defs_module_path)
    found = []
    for path in sorted(root.children):  # a DefsFolderDecl: Path -> ComponentDecl
        if Path(path).name != _THIS_DOMAIN:
            found.append(context.build_defs(Path(path)))
    return found


def executable_assets(definitions: list[dg.Definitions]) -> dict[dg.AssetKey, str | None]:
    """Every materialisable asset key in `definitions`, with its group."""
    keys: dict[dg.AssetKey, str | None] = {}
    for defs in definitions:
        for item in defs.assets or []:
            if isinstance(item, dg.AssetsDefinition) and item.is_executable:
                for spec in item.specs:
                    keys[spec.key] = spec.group_name
    return keys


def snapshot_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=SNAPSHOT_KEY,
        deps=upstream,
        group_name=OPERATIONS_GROUP,
        pool=DUCKDB_POOL,
        kinds={"duckdb"},
        retry_policy=dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL),
        description=(
            "Øjebliksbilledet til analytikere: warehouse/boligmonitor.duckdb. Efter en vellykket "
            "kørsel kopieres arbejdsdatabasen til en ny fil, som atomisk erstatter den gamle. "
            "Analytikere åbner den skrivebeskyttet, også mens næste kørsel er i gang. "
            "Afhænger af alle andre aktiver, så den kun skrives, når alt andet i kørslen lykkedes."
        ),
    )
    def _snapshot(
        context: dg.AssetExecutionContext, warehouse_db: Warehouse
    ) -> dg.MaterializeResult:
        problems = failures_in_run(context)
        if problems:
            raise dg.Failure(
                description="Øjebliksbilledet offentliggøres ikke, fordi "
                + "; ".join(problems)
                + ". Analytikerne beholder det forrige.",
                allow_retries=False,
            )
        published = snapshot.publish(
            warehouse_db.file(), settings.paths().snapshot_db, log=context.log.warning
        )
        context.log.info(published.describe())
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(published.path)),
                "size_bytes": published.size_bytes,
                "tables": published.tables,
                "views": published.views,
                "seconds": round(published.seconds, 2),
                "summary": dg.MetadataValue.text(published.describe()),
            }
        )

    return _snapshot


@dg.definitions
def defs(context: dg.ComponentLoadContext) -> dg.Definitions:
    upstream = sorted(executable_assets(other_domain_definitions(context)), key=str)
    return dg.Definitions(assets=[snapshot_asset(upstream)])
