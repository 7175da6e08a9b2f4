"""Run a suite against its table in the DuckDB file and turn GX's answer into plain results.

One GX validation per suite, over GX's SQL path with the DuckDB adaptation (`gx_duckdb`): the
expectations run as queries inside DuckDB, the table is never loaded into Python. Every value that
leaves here (observed values, failing examples, error texts) is cut short and has CPR-shaped
numbers masked.

GX (and with it `gx_duckdb`) is imported on the first validation, not with this module: the
Dagster definitions import this module whenever they load, and importing GX takes about 5 s. In a
run the import therefore happens in the first check step instead of at start-up.

Every validation covers the whole table, also for the raw tables, though raw rows carry their
file and a nightly run adds only a few. Decided against validating only the rows of the files
loaded in the run (November 2026):
- The gain is small. The raw suites' data-dependent time is about 0.5 s at scale 10 and 1.5 s at
  scale 50 for all seven (the rest of their 0.1-0.7 s each is fixed cost); the checks' time is in
  the staging suites, which validate the whole history (the current state after
  deltas) and cannot be cut to new rows.
- It would weaken the gate. Rows loaded in a run whose check failed stay in raw (raw keeps every
  row); a next run checking only its own files would pass over them, and the exports would read
  them. Doing it right needs, per suite, the files covered by the last run in which it passed
  with the same rules, and reports whose warning counts then mean "new rows only".
- Not every rule is per row: `columns` reads the catalog, `freshness` and `volume` read
  audit.files, and the per-file uniqueness rules need whole files.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from boligmonitor import cpr
from boligmonitor.quality.suites import EXAMPLES, Rule, Suite, to_gx_suites

MAX_TEXT = 300


def safe_text(value: Any, limit: int = MAX_TEXT) -> str:
    """A value as short text with every CPR-shaped number masked."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = cpr.mask_text(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class RuleResult:
    suite: str
    table: str
    rule_id: str
    expectation: str  # GX expectation type
    severity: str
    description: str
    success: bool
    observed_value: str | None
    unexpected_count: int | None
    examples: tuple[str, ...]
    error: str | None = None

    @property
    def failed(self) -> bool:
        return not self.success

    def describe_da(self) -> str:
        """One line in Danish: the table, the rule and what was found."""
        level = "FEJL" if self.severity == "error" else "ADVARSEL"
        text = f"{level} {self.table} · {self.rule_id}: {self.description}"
        if self.error:
            return f"{text} Kunne ikke afgøres: {self.error}"
        found = []
        if self.unexpected_count is not None:
            found.append(f"{self.unexpected_count} afvigende")
        elif self.observed_value is not None:
            found.append(f"observeret {self.observed_value}")
        if self.examples:
            found.append("fx " + "; ".join(self.examples[:3]))
        return f"{text} ({', '.join(found)})" if found else text


@dataclass(frozen=True)
class SuiteResult:
    suite: str
    table: str
    asset: str
    run_id: str
    validated_at: datetime
    results: tuple[RuleResult, ...]

    @property
    def failed_errors(self) -> list[RuleResult]:
        return [r for r in self.results if r.failed and r.severity == "error"]

    @property
    def failed_warnings(self) -> list[RuleResult]:
        return [r for r in self.results if r.failed and r.severity == "warning"]

    @property
    def success(self) -> bool:
        return all(r.success for r in self.results)

    @property
    def worst(self) -> str | None:
        """`error` if an error-level rule failed, else `warning` if a warning did, else None."""
        if self.failed_errors:
            return "error"
        if self.failed_warnings:
            return "warning"
        return None

    def summary_da(self) -> str:
        ok = sum(r.success for r in self.results)
        head = (
            f"{self.table} ({self.suite}): {ok} af {len(self.results)} regler overholdt, "
            f"{len(self.failed_errors)} fejl, {len(self.failed_warnings)} advarsler."
        )
        lines = [r.describe_da() for r in self.failed_errors + self.failed_warnings]
        return "\n".join([head, *lines])


def _examples(result: dict[str, Any]) -> tuple[str, ...]:
    rows = (result.get("details") or {}).get("unexpected_rows")
    if rows is not None:
        if hasattr(rows, "to_dict"):  # a DataFrame on some GX paths
            rows = rows.to_dict(orient="records")
        return tuple(safe_text(row, 200) for row in list(rows)[:EXAMPLES])
    values = result.get("partial_unexpected_list") or []
    return tuple(safe_text(v, 100) for v in values[:EXAMPLES])


def _rule_result(suite: Suite, rule: Rule, gx_result: Any) -> RuleResult:
    result = dict(gx_result.result or {})
    info = gx_result.exception_info or {}
    error = None
    if info.get("raised_exception"):
        error = safe_text(info.get("exception_message") or "ukendt fejl")
    elif any(isinstance(v, dict) and v.get("raised_exception") for v in info.values()):
        messages = [v.get("exception_message") for v in info.values() if isinstance(v, dict)]
        error = safe_text(next((m for m in messages if m), "ukendt fejl"))
    observed = result.get("observed_value")
    count = result.get("unexpected_count")
    if rule.is_sql and isinstance(observed, int):
        count = observed
    return RuleResult(
        suite=suite.name,
        table=suite.table,
        rule_id=rule.id,
        expectation=gx_result.expectation_config.type,
        severity=rule.severity,
        description=rule.description,
        success=bool(gx_result.success) and error is None,
        observed_value=None if observed is None else safe_text(observed),
        unexpected_count=None if count is None else int(count),
        examples=_examples(result),
        error=error,
    )


def _missing_table_result(suite: Suite, rule: Rule, message: str) -> RuleResult:
    return RuleResult(
        suite=suite.name,
        table=suite.table,
        rule_id=rule.id,
        expectation="",
        severity=rule.severity,
        description=rule.description,
        success=False,
        observed_value=None,
        unexpected_count=None,
        examples=(),
        error=safe_text(message),
    )


def validate_suite(
    db_path: Path, suite: Suite, *, as_of: date, run_id: str, validated_at: datetime | None = None
) -> SuiteResult:
    """Validate `suite` against its table in the DuckDB file at `db_path` (opened read-only and
    released before this returns)."""
    from sqlalchemy import text

    from boligmonitor.quality import gx_duckdb

    validated_at = validated_at or datetime.now().replace(microsecond=0)
    gx_suites = to_gx_suites(suite, as_of)
    by_id = {r.id: r for r in suite.rules}
    results: list[RuleResult] = []
    with gx_duckdb.open_datasource(db_path) as datasource:
        exists = datasource.get_execution_engine().execute_query(
            text(
                "SELECT count(*) FROM duckdb_tables() WHERE schema_name = :s AND table_name = :t "
                "UNION ALL SELECT count(*) FROM duckdb_views() "
                "WHERE schema_name = :s AND view_name = :t"
            ).bindparams(s=suite.schema_name, t=suite.table_name)
        )
        if sum(n for (n,) in exists.fetchall()) == 0:
            message = f"tabellen {suite.table} findes ikke i databasen"
            results = [_missing_table_result(suite, r, message) for r in suite.rules]
        else:
            with warnings.catch_warnings():
                # GX deprecates schema_name on table assets in favour of one datasource per
                # schema; one datasource per file is what lets a rule join across schemas.
                warnings.simplefilter("ignore", DeprecationWarning)
                asset = datasource.add_table_asset(
                    suite.name, table_name=suite.table_name, schema_name=suite.schema_name
                )
            batch = asset.add_batch_definition_whole_table("hele_tabellen").get_batch()
            for gx_suite, result_format in gx_suites:
                validation = batch.validate(gx_suite, result_format=result_format)
                for gx_result in validation.results:
                    rule = by_id[gx_result.expectation_config.meta["rule_id"]]
                    results.append(_rule_result(suite, rule, gx_result))
    order = {r.id: i for i, r in enumerate(suite.rules)}
    results.sort(key=lambda r: order[r.rule_id])
    return SuiteResult(
        suite=suite.name,
        table=suite.table,
        asset="/".join(suite.asset),
        run_id=run_id,
        validated_at=validated_at,
        results=tuple(results),
    )
