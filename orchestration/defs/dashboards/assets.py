"""The dashboards: two static sites in $BOLIGMONITOR_HOME/dashboards/, built after the gate.

`dashboards/internal` reads the marts; `dashboards/partner` reads only the suppressed partner
tables that `exports/partner_tables` left in the schema `partner` (the tables of the export
package, after their blocking checks), and depends on that asset. Both depend on the marts
they read and on every asset a blocking quality check guards, so Dagster runs them after the
gate and skips them when a model fails or a blocking check fails. They also look at the run's
own event log and refuse to publish when a step failed or a blocking check did not pass. A site
is swapped in whole, so a refused or failed build leaves the previous site.
"""

from datetime import datetime

import dagster as dg

from boligmonitor import partner_tables, settings
from boligmonitor.quality.suites import load_suites
from dashboards import internal, partner
from dashboards.site import BuiltSite, QualityStatus, write_site
from orchestration.defs.exports.assets import PARTNER_TABLES_KEY
from orchestration.gate import failures_in_run
from orchestration.resources import Warehouse

DUCKDB_POOL = "duckdb"  # one DuckDB user at a time, as every other DuckDB-touching step
GROUP = "dashboards"
INTERNAL_KEY = dg.AssetKey(["dashboards", "internal"])
PARTNER_KEY = dg.AssetKey(["dashboards", "partner"])

INTERNAL_MARTS = (
    "dim_months",
    "dwelling_funnel",
    "dwelling_returns",
    "affordability_gap",
    "subsidy_what_if",
    "district_months",
    "department_months",
    "support_methods",
    "support_at_move_in_months",
    "support_capacity_months",
    "shelter_exit_months",
    "tenancy_retention",
    "subsidy_cliff",
    "housing_target_months",
    "pilot_2022",
    "reference_figures",
)
PARTNER_MARTS = partner_tables.MARTS  # the marts the partner tables are built from


def gate_keys() -> list[dg.AssetKey]:
    """Every asset a blocking quality check guards (the suites in expectations/). The dbt step
    builds staging and marts together and the checks run after it, so without these deps a
    dashboard could be drawn before a failing check on a staging model had been evaluated."""
    return sorted({dg.AssetKey(list(s.asset)) for s in load_suites() if s.is_wired()})


def _deps(marts: tuple[str, ...]) -> list[dg.AssetKey]:
    keys = {dg.AssetKey(["marts", n]) for n in marts}
    return sorted(keys | set(gate_keys()))


def _refuse_on_failures(context: dg.AssetExecutionContext, what: str) -> None:
    problems = failures_in_run(context, ignore_steps="dashboards__")  # not the other site
    if problems:
        raise dg.Failure(
            description=f"{what} bygges ikke, fordi " + "; ".join(problems) + ". Den forrige "
            "udgave bliver stående.",
            allow_retries=False,
        )


def _result(site: BuiltSite) -> dg.MaterializeResult:
    return dg.MaterializeResult(
        metadata={
            "index": dg.MetadataValue.path(str(site.index)),
            "sider": len(site.pages),
            "diagrammer": site.charts,
            "bytes": site.bytes,
        }
    )


@dg.asset(
    key=INTERNAL_KEY,
    deps=_deps(INTERNAL_MARTS),
    group_name=GROUP,
    pool=DUCKDB_POOL,
    kinds={"html", "altair"},
    description=(
        "De interne dashboards for kommunen: $BOLIGMONITOR_HOME/dashboards/internal/index.html. "
        "Alle ti spørgsmål fra marts-tabellerne, ikke diskretioneret. Statiske sider der virker "
        "uden netværk; hvert diagrams data kan hentes som CSV."
    ),
)
def internal_dashboards(
    context: dg.AssetExecutionContext, warehouse_db: Warehouse
) -> dg.MaterializeResult:
    _refuse_on_failures(context, "De interne dashboards")
    as_of, run_at = settings.as_of(), datetime.now().replace(microsecond=0)
    with warehouse_db.connect() as con:
        pages = internal.internal_pages(con, as_of)
        period = internal.data_period(con, as_of)
        quality = internal.quality_status(con, context.run.run_id)
    site = write_site(
        settings.paths().dashboards / "internal",
        internal.site_info(period, as_of, run_at, quality),
        pages,
    )
    context.log.info(f"Interne dashboards: {site.index}")
    return _result(site)


@dg.asset(
    key=PARTNER_KEY,
    deps=[*_deps(PARTNER_MARTS), PARTNER_TABLES_KEY],
    group_name=GROUP,
    pool=DUCKDB_POOL,
    kinds={"html", "altair"},
    description=(
        "Dashboards for BL 1. kreds: $BOLIGMONITOR_HOME/dashboards/partner/index.html. Læser kun "
        "de diskretionerede partnertabeller (samme tal som eksportpakken): et overblik over byen "
        "og en side pr. boligorganisation. Statiske sider uden netværk; data som CSV."
    ),
)
def partner_dashboards(
    context: dg.AssetExecutionContext, warehouse_db: Warehouse
) -> dg.MaterializeResult:
    _refuse_on_failures(context, "Partnerdashboards")
    as_of, run_at = settings.as_of(), datetime.now().replace(microsecond=0)
    with warehouse_db.connect() as con:
        stored = partner_tables.load(con)
        quality = internal.quality_status(con, context.run.run_id)
    shown = QualityStatus(
        quality.passed,
        "Alle blokerende kvalitetskontroller bestod."
        if quality.passed
        else "En blokerende kvalitetskontrol fejlede.",
    )
    site = write_site(
        settings.paths().dashboards / "partner",
        partner.site_info(stored.period, as_of, run_at, shown),
        partner.partner_pages(list(stored.tables)),
    )
    context.log.info(f"Partnerdashboards: {site.index}")
    return _result(site)
