"""Quality suites as data: one YAML file per table in `expectations/`, read into `Suite`s.

A suite names the table it validates, the Dagster asset it guards (and, for a dbt model, the
model), and its rules. Every rule has an id, a severity (`error` blocks what reads the table,
`warning` is reported) and a Danish description, and is one of these kinds:

- `gx`: any GX expectation by its snake-case name, with its arguments
  (`expect_column_values_to_be_between: {column: husleje_kr, min_value: 0}`).
- `sql`: a query returning the rows that break the rule (GX's `UnexpectedRowsExpectation`);
  `{batch}` is the table, as a subquery GX has already aliased: never alias it again (wrap it
  in a CTE, `WITH r AS (SELECT * FROM {batch})`, to join it). GX fills it in with
  `str.format`, so any other brace (a regex quantifier) is written doubled: `[0-9]{{6}}`.
  Regex and LIKE rules must be written this way: GX's own regex and LIKE expectations do not
  run on DuckDB and fail without saying why.
- `columns`: the table's columns, in order, with their DuckDB types (read from the catalog).
- `freshness`: the newest extract of a source (audit.files) is at most `max_days` old on the day
  the run reports as of (settings.as_of()).
- `volume`: the newest extract's rows read (audit.files) against the median of the source's
  previous `history` extracts: too few when below `min_share` of that median *and* more than
  `sigmas` standard deviations (√median, as for counts) below it, so that a half-empty extract is
  caught while a quiet night with few changes is not.

`columns`, `freshness` and `volume` are compiled into SQL rules here, so the whole suite runs as
one GX validation of the table.

Great Expectations is imported only when a suite is turned into GX expectations (`to_gx_suites`),
not when suites are read: importing GX takes about 5 s, and the Dagster definitions read every
suite whenever they load (`dagster dev`, every sensor tick, the CLI). Reading a suite still
refuses a GX expectation that does not exist (`_known_gx_expectation`).
"""

from __future__ import annotations

import importlib.util
import re
import string
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml

if TYPE_CHECKING:
    import great_expectations as gx
    import great_expectations.expectations as gxe

Severity = Literal["error", "warning"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning")
KINDS = ("gx", "sql", "columns", "freshness", "volume")

EXPECTATIONS_DIR = Path(__file__).resolve().parents[2] / "expectations"
DBT_MODELS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "models"

# Row-level results: a few failing values go into the results and the report, never more.
EXAMPLES = 5


class SuiteError(ValueError):
    """A suite file is wrong; the message names the file and the rule."""


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    description: str
    kind: str
    spec: Any

    @property
    def is_sql(self) -> bool:
        return self.kind != "gx"


@dataclass(frozen=True)
class Suite:
    name: str
    table: str  # schema.table in the warehouse
    asset: tuple[str, ...]  # the Dagster asset key it guards
    description: str = ""
    dbt_model: str | None = None  # set when the table is a dbt model: wired when it exists
    rules: tuple[Rule, ...] = field(default_factory=tuple)
    path: Path | None = None

    @property
    def schema_name(self) -> str:
        return self.table.split(".", 1)[0]

    @property
    def table_name(self) -> str:
        return self.table.split(".", 1)[1]

    def is_wired(self, models_dir: Path | None = None) -> bool:
        """Whether the table exists to be checked: always for ingested tables; for a dbt model
        only once its SQL file is in the dbt project."""
        if self.dbt_model is None:
            return True
        return any((models_dir or DBT_MODELS_DIR).rglob(f"{self.dbt_model}.sql"))

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(f"{self.name} har ingen regel {rule_id!r}")


def _lit(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- rules compiled to SQL --------------------------------------------------------------------


def columns_sql(suite: Suite, columns: dict[str, str]) -> str:
    """Rows for every column that is missing, extra, out of order or of another type."""
    expected = ", ".join(
        f"({i}, {_lit(name)}, {_lit(sql_type.upper())})"
        for i, (name, sql_type) in enumerate(columns.items(), start=1)
    )
    return f"""
WITH expected(position, column_name, data_type) AS (VALUES {expected}),
actual AS (
    SELECT row_number() OVER (ORDER BY column_index) AS position, column_name, data_type
    FROM duckdb_columns()
    WHERE database_name = current_database()
      AND schema_name = {_lit(suite.schema_name)} AND table_name = {_lit(suite.table_name)}
)
SELECT coalesce(e.column_name, a.column_name) AS kolonne,
       e.data_type AS forventet_type, a.data_type AS faktisk_type,
       e.position AS forventet_plads, a.position AS faktisk_plads
FROM expected e FULL OUTER JOIN actual a ON a.column_name = e.column_name
WHERE e.column_name IS NULL OR a.column_name IS NULL
   OR e.data_type <> a.data_type OR e.position <> a.position
ORDER BY coalesce(e.position, 1000 + a.position)
"""


def freshness_sql(source: str, max_days: int, as_of: date) -> str:
    """One row when the newest readable extract of `source` is older than `max_days`."""
    return f"""
WITH newest AS (
    SELECT max(extract_date) AS nyeste_udtraek
    FROM audit.files
    WHERE source = {_lit(source)} AND status IN ('loaded', 'duplicate')
)
SELECT {_lit(source)} AS kilde, nyeste_udtraek,
       DATE {_lit(as_of.isoformat())} - nyeste_udtraek AS dage_gammelt,
       {int(max_days)} AS hoejst_dage
FROM newest
WHERE nyeste_udtraek IS NULL
   OR nyeste_udtraek < DATE {_lit(as_of.isoformat())} - INTERVAL {int(max_days)} DAY
"""


def volume_sql(source: str, history: int, min_share: float, sigmas: float, min_history: int) -> str:
    """One row when the newest extract's rows read are far below the trailing median."""
    return f"""
WITH per_extract AS (
    SELECT extract_date, sum(rows_read) AS raekker
    FROM audit.files
    WHERE source = {_lit(source)} AND status = 'loaded'
    GROUP BY extract_date
),
ranked AS (
    SELECT *, row_number() OVER (ORDER BY extract_date DESC) AS n FROM per_extract
),
newest AS (SELECT extract_date, raekker FROM ranked WHERE n = 1),
history AS (
    SELECT median(raekker) AS median_raekker, count(*) AS udtraek
    FROM ranked WHERE n BETWEEN 2 AND {int(history) + 1}
)
SELECT {_lit(source)} AS kilde, newest.extract_date AS nyeste_udtraek, newest.raekker,
       history.median_raekker, history.udtraek AS historik_udtraek
FROM newest, history
WHERE history.udtraek >= {int(min_history)}
  AND newest.raekker < {float(min_share)} * history.median_raekker
  AND newest.raekker < history.median_raekker - {float(sigmas)} * sqrt(history.median_raekker)
"""


def _naming_the_batch(query: str) -> str:
    """GX wants every query to read `{batch}`, and prints a reminder on stdout at each
    validation when one does not. Rules on the catalog or on audit.files name it in a CTE that
    nothing reads (DuckDB never evaluates it)."""
    body = query.strip()
    assert body.startswith("WITH "), body
    return "WITH _batch AS (SELECT * FROM {batch} LIMIT 0),\n" + body.removeprefix("WITH ")


def rule_sql(suite: Suite, rule: Rule, as_of: date) -> str:
    """The query of a SQL-kind rule: rows returned are the rows that break it."""
    spec = rule.spec
    if rule.kind == "sql":
        return str(spec)
    if rule.kind == "columns":
        return _naming_the_batch(columns_sql(suite, spec))
    if rule.kind == "freshness":
        return _naming_the_batch(freshness_sql(spec["source"], spec["max_days"], as_of))
    if rule.kind == "volume":
        return _naming_the_batch(
            volume_sql(
                spec["source"],
                spec.get("history", 28),
                spec.get("min_share", 0.5),
                spec.get("sigmas", 4.0),
                spec.get("min_history", 7),
            )
        )
    raise SuiteError(f"{suite.name}: {rule.id}: ukendt regeltype {rule.kind!r}")


# --- GX expectations --------------------------------------------------------------------------


_GX_NAME = re.compile(r"expect_[a-z0-9_]+")


def _known_gx_expectation(name: str) -> bool:
    """Whether GX has an expectation of this snake-case name, answered without importing GX.

    GX keeps each of its expectations in a module of the same name,
    `great_expectations/expectations/core/<name>.py`; the file is looked for where Python would
    import GX from. Once GX is imported anyway, the class itself is asked. When a rule is
    validated, `_gx_class` looks the class up and raises the same error if it is not there."""
    if not _GX_NAME.fullmatch(name):
        return False
    if "great_expectations.expectations" in sys.modules:
        return _gx_class_or_none(name) is not None
    spec = importlib.util.find_spec("great_expectations")
    if spec is None or not spec.submodule_search_locations:
        return False
    return any(
        (Path(folder) / "expectations" / "core" / f"{name}.py").is_file()
        for folder in spec.submodule_search_locations
    )


def _gx_class_or_none(name: str) -> type[gxe.Expectation] | None:
    import great_expectations.expectations as gxe

    class_name = "".join(part.capitalize() for part in name.split("_"))
    cls = getattr(gxe, class_name, None)
    return cls if isinstance(cls, type) else None


def _gx_class(name: str) -> type[gxe.Expectation]:
    cls = _gx_class_or_none(name)
    if cls is None:
        raise SuiteError(f"GX har ingen forventning ved navn {name!r}")
    return cls


def to_expectation(suite: Suite, rule: Rule, as_of: date) -> gxe.Expectation:
    """The GX expectation for a rule; its id and severity travel in `meta`."""
    import great_expectations.expectations as gxe

    meta = {"rule_id": rule.id, "severity": rule.severity}
    if rule.is_sql:
        return gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=rule_sql(suite, rule, as_of),
            description=rule.description,
            meta=meta,
        )
    (name, kwargs), *_ = rule.spec.items()
    return _gx_class(name)(**kwargs, meta=meta)


# How much GX reports: the failing rows of SQL rules (GX reads at most 200 of them), a few
# failing values of column rules (never the full list, which could be the whole column).
SQL_RESULT_FORMAT = {"result_format": "COMPLETE"}
GX_RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": EXAMPLES}


def to_gx_suites(suite: Suite, as_of: date) -> list[tuple[gx.ExpectationSuite, dict]]:
    """The suite as GX suites with the result format each needs: SQL rules and GX's own
    expectations are validated separately, because GX applies one result format per
    validation (a per-expectation format is ignored)."""
    import great_expectations as gx

    parts = []
    for label, is_sql, result_format in (
        ("sql", True, SQL_RESULT_FORMAT),
        ("gx", False, GX_RESULT_FORMAT),
    ):
        rules = [r for r in suite.rules if r.is_sql is is_sql]
        if rules:
            expectations = [to_expectation(suite, r, as_of) for r in rules]
            parts.append(
                (
                    gx.ExpectationSuite(f"{suite.name}_{label}", expectations=expectations),
                    result_format,
                )
            )
    return parts


# --- reading suite files ----------------------------------------------------------------------


def _rule(path: Path, raw: Any) -> Rule:
    where = f"{path.name}: regel {raw.get('id', '?') if isinstance(raw, dict) else raw!r}"
    if not isinstance(raw, dict):
        raise SuiteError(f"{where}: skal være en tabel med id, severity og én regeltype")
    rule_id = raw.get("id")
    severity = raw.get("severity")
    description = raw.get("description", "")
    kinds = [k for k in KINDS if k in raw]
    unknown = set(raw) - {"id", "severity", "description", *KINDS}
    if not rule_id or not isinstance(rule_id, str):
        raise SuiteError(f"{where}: mangler id")
    if severity not in SEVERITIES:
        raise SuiteError(f"{where}: severity skal være error eller warning, ikke {severity!r}")
    if not description:
        raise SuiteError(f"{where}: mangler en beskrivelse (description) på dansk")
    if len(kinds) != 1 or unknown:
        raise SuiteError(f"{where}: skal have netop én af {', '.join(KINDS)}; ukendt: {unknown}")
    kind = kinds[0]
    spec = raw[kind]
    if kind == "gx":
        if not isinstance(spec, dict) or len(spec) != 1:
            raise SuiteError(f"{where}: gx skal være {{forventning: {{argumenter}}}}")
        if not _known_gx_expectation(str(next(iter(spec)))):
            raise SuiteError(f"{where}: GX har ingen forventning ved navn {next(iter(spec))!r}")
    if kind == "sql":
        try:
            fields = {f for _, f, _, _ in string.Formatter().parse(str(spec)) if f is not None}
        except ValueError as exc:
            raise SuiteError(f"{where}: krøllede parenteser passer ikke sammen: {exc}") from exc
        if fields != {"batch"}:
            raise SuiteError(
                f"{where}: sql skal læse tabellen som {{batch}} og må ikke have andre felter i "
                f"krøllede parenteser (skriv andre parenteser dobbelt): {sorted(fields)}"
            )
    if kind == "freshness" and not {"source", "max_days"} <= set(spec):
        raise SuiteError(f"{where}: freshness skal have source og max_days")
    if kind == "volume" and "source" not in spec:
        raise SuiteError(f"{where}: volume skal have source")
    return Rule(rule_id, severity, " ".join(str(description).split()), kind, spec)


def load_suite(path: Path) -> Suite:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or not {"suite", "table", "asset", "rules"} <= set(raw):
        raise SuiteError(f"{path.name}: skal have suite, table, asset og rules")
    rules = tuple(_rule(path, r) for r in raw["rules"])
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise SuiteError(f"{path.name}: to regler har samme id")
    if raw["table"].count(".") != 1:
        raise SuiteError(f"{path.name}: table skal være skema.tabel")
    return Suite(
        name=raw["suite"],
        table=raw["table"],
        asset=tuple(raw["asset"].split("/")),
        description=" ".join(str(raw.get("description", "")).split()),
        dbt_model=raw.get("dbt_model"),
        rules=rules,
        path=path,
    )


def load_suites(folder: Path | None = None) -> list[Suite]:
    """Every suite in `folder` (default: the project's expectations/), sorted by file name."""
    folder = folder or EXPECTATIONS_DIR
    suites = [load_suite(p) for p in sorted(folder.glob("*.yml"))]
    names = [s.name for s in suites]
    if len(names) != len(set(names)):
        raise SuiteError(f"to suiter i {folder} har samme navn")
    return suites
