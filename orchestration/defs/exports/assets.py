"""The monthly export to BL 1. kreds: the partner tables in the warehouse, then the package.

- `exports/partner_tables` builds the suppressed partner tables (`boligmonitor.partner_tables`)
  from the marts for the 12 months up to the last finished month as of BOLIGMONITOR_AS_OF, and
  keeps them in the schema `partner` with the suppression log. Its blocking checks (`checks.py`)
  validate exactly those tables.
- `exports/bl1kreds_package` reads them back and writes `$BOLIGMONITOR_HOME/exports/bl1kreds/
  <YYYY-MM>/` with `boligmonitor.export.write_package`, and logs it in audit.exports.

Which month: every run writes the last finished month as of the report day (as of 31 December,
November; as of 1 January, December). A month M is exported again (a backfill) by a run with
BOLIGMONITOR_AS_OF in the month after M (docs/runbook.md). The package rewrites that month's
folder only; the same inputs give byte-identical data files.

The gate: the package depends on the partner tables, whose blocking checks stop it, and on every
asset a blocking quality check guards (the suites in expectations/). Before writing it also reads
the run's own event log (`orchestration.gate.failures_in_run`) and refuses when a step or an
error-level blocking check failed; the previous package for the month is then left as it was.
"""

import dagster as dg

from boligmonitor import __version__, partner_tables, settings
from boligmonitor.export import log_export, write_package
from boligmonitor.quality.suites import load_suites
from orchestration.gate import failures_in_run
from orchestration.resources import Warehouse

DUCKDB_POOL = "duckdb"  # one DuckDB user at a time, as every other DuckDB-touching step
GROUP = "exports"  # the monthly export job selects this group
PARTNER_TABLES_KEY = dg.AssetKey(["exports", "partner_tables"])
PACKAGE_KEY = dg.AssetKey(["exports", "bl1kreds_package"])


def gate_keys() -> list[dg.AssetKey]:
    """Every asset a blocking quality check guards: the dbt step builds staging and marts
    together and their checks run after it, so the marts alone would not order the export
    after the gate."""
    return sorted({dg.AssetKey(list(s.asset)) for s in load_suites() if s.is_wired()})


def _deps() -> list[dg.AssetKey]:
    marts = {dg.AssetKey(["marts", name]) for name in partner_tables.MARTS}
    return sorted(marts | set(gate_keys()))


@dg.asset(
    key=PARTNER_TABLES_KEY,
    deps=_deps(),
    group_name=GROUP,
    pool=DUCKDB_POOL,
    kinds={"duckdb"},
    description=(
        "Partnertabellerne til BL 1. kreds i skemaet partner: samlede tal fra marts-tabellerne "
        "for de 12 måneder til og med den seneste afsluttede måned, diskretioneret (tal fra 1 "
        "til 4 og de tal, der kunne afsløre dem, er NULL). partner.suppression_log siger hvilke "
        "celler der er skjult og hvorfor, aldrig tallet. Eksportpakken og partnerdashboards "
        "læser kun disse tabeller."
    ),
)
def partner_tables_asset(
    context: dg.AssetExecutionContext, warehouse_db: Warehouse
) -> dg.MaterializeResult:
    as_of = settings.as_of()
    month = partner_tables.last_finished_month(as_of)
    with warehouse_db.connect() as con:
        tables = partner_tables.partner_tables(con, month=month)
        partner_tables.store(con, tables, month=month, as_of=as_of)
    suppressed = sum(len(t.suppressed) for t in tables)
    context.log.info(
        f"Partnertabeller for {month:%Y-%m}: {len(tables)} tabeller, {suppressed} skjulte celler."
    )
    return dg.MaterializeResult(
        metadata={
            "maaned": f"{month:%Y-%m}",
            "tabeller": len(tables),
            "raekker": sum(t.data.num_rows for t in tables),
            "skjulte_celler": suppressed,
        }
    )


@dg.asset(
    key=PACKAGE_KEY,
    deps=[PARTNER_TABLES_KEY, *gate_keys()],
    group_name=GROUP,
    pool=DUCKDB_POOL,
    kinds={"csv", "xlsx", "parquet"},
    description=(
        "Den månedlige eksportpakke til BL 1. kreds: $BOLIGMONITOR_HOME/exports/bl1kreds/"
        "<ÅÅÅÅ-MM>/ for den seneste afsluttede måned (CSV til dansk Excel, XLSX, Parquet, "
        "dataordbog og manifest.json). Skrives kun, når alle blokerende kontroller i kørslen "
        "bestod; ellers står den forrige pakke uændret. Logges i audit.exports."
    ),
)
def bl1kreds_package(
    context: dg.AssetExecutionContext, warehouse_db: Warehouse
) -> dg.MaterializeResult:
    problems = failures_in_run(context, ignore_steps="dashboards__")  # the sites do not gate it
    if problems:
        raise dg.Failure(
            description="Eksportpakken til BL 1. kreds skrives ikke, fordi "
            + "; ".join(problems)
            + ". Den forrige pakke bliver stående uændret.",
            allow_retries=False,
        )
    with warehouse_db.connect() as con:
        stored = partner_tables.load(con)
        package = write_package(
            settings.paths().exports,
            stored.month_label,
            stored.tables,
            sources=partner_tables.source_extracts(con),
            checks=partner_tables.passed_checks(con, context.run.run_id),
            version=__version__,
            as_of=stored.as_of,
        )
        log_export(con, package)
    summary = (
        f"Eksportpakke til BL 1. kreds for {package.month}: {len(package.tables)} tabeller, "
        f"{package.rows} rækker, {package.suppressed_cells} skjulte celler, "
        f"{len(package.checks)} kontroller bestået: {package.path}"
    )
    context.log.info(summary)
    return dg.MaterializeResult(
        metadata={
            "maaned": package.month,
            "mappe": dg.MetadataValue.path(str(package.path)),
            "filer": len(package.files),
            "raekker": package.rows,
            "skjulte_celler": package.suppressed_cells,
            "kontroller": len(package.checks),
            "manifest_sha256": package.manifest_sha256,
            "summary": summary,
        }
    )


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[partner_tables_asset, bl1kreds_package])
