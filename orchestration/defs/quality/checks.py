"""The quality suites (expectations/*.yml) as blocking asset checks on the assets they validate.

A check fails with severity ERROR when an error-level rule fails, which stops every asset
downstream in the same run (the exports); with WARN when only warnings fail. Each check stores its
results in audit.validations and rewrites the quality report ($BOLIGMONITOR_HOME/quality/).
Suites on dbt models are wired once the model is in the dbt project.
"""

import dagster as dg

from boligmonitor import settings
from boligmonitor.quality.gate import check_suite
from boligmonitor.quality.suites import Suite, load_suites
from boligmonitor.quality.validation import SuiteResult
from orchestration.resources import Warehouse

DUCKDB_POOL = "duckdb"  # one DuckDB user at a time, as every other DuckDB-touching step


def check_name(suite: Suite) -> str:
    return "kvalitet_" + suite.name.replace(".", "_")


def _markdown(result: SuiteResult) -> str:
    failed = result.failed_errors + result.failed_warnings
    if not failed:
        return f"Alle {len(result.results)} regler overholdt."
    lines = ["| niveau | regel | fundet | eksempler |", "| --- | --- | --- | --- |"]
    for r in failed:
        found = r.error or (
            f"{r.unexpected_count} afvigende"
            if r.unexpected_count is not None
            else f"observeret {r.observed_value}"
        )
        examples = "; ".join(r.examples[:3])
        cells = [
            "fejl" if r.severity == "error" else "advarsel",
            r.rule_id,
            found,
            examples,
        ]
        lines.append(
            "| " + " | ".join(c.replace("|", "/").replace("\n", " ") for c in cells) + " |"
        )
    return "\n".join(lines)


def check_result(result: SuiteResult) -> dg.AssetCheckResult:
    """The Dagster result of a suite: passed when every rule held; otherwise ERROR when an
    error-level rule failed (blocks), else WARN."""
    worst = result.worst
    metadata: dict[str, object] = {
        "tabel": result.table,
        "regelsaet": result.suite,
        "regler": len(result.results),
        "fejl": len(result.failed_errors),
        "advarsler": len(result.failed_warnings),
        "afvigelser": dg.MetadataValue.md(_markdown(result)),
    }
    for r in result.failed_errors + result.failed_warnings:
        metadata[f"{'fejl' if r.severity == 'error' else 'advarsel'}: {r.rule_id}"] = (
            dg.MetadataValue.text(r.describe_da())
        )
    return dg.AssetCheckResult(
        passed=worst is None,
        severity=dg.AssetCheckSeverity.ERROR if worst == "error" else dg.AssetCheckSeverity.WARN,
        metadata=metadata,
        description=result.summary_da().splitlines()[0],
    )


def suite_check(suite: Suite) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(list(suite.asset)),
        name=check_name(suite),
        blocking=True,
        pool=DUCKDB_POOL,
        description=(
            f"Kvalitetsregler for {suite.table} ({suite.path.name if suite.path else suite.name}):"
            f" {len(suite.rules)} regler. {suite.description}"
        ),
    )
    def _check(
        context: dg.AssetCheckExecutionContext, warehouse_db: Warehouse
    ) -> dg.AssetCheckResult:
        result = check_suite(
            warehouse_db.file(),
            suite,
            as_of=settings.as_of(),
            run_id=context.run.run_id,
            report_dir=settings.paths().quality,
        )
        for r in result.failed_errors:
            context.log.error(r.describe_da())
        for r in result.failed_warnings:
            context.log.warning(r.describe_da())
        return check_result(result)

    return _check


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(asset_checks=[suite_check(s) for s in load_suites() if s.is_wired()])
