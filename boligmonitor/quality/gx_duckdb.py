"""Great Expectations 1.x on a DuckDB file: the one adaptation it needs, pinned to GX's version.

GX's SQL execution engine runs each metric query inside `with engine.connect()` and returns the
cursor result; the caller fetches the rows only after that block has closed the connection. Most
drivers have buffered the rows by then. DuckDB (through duckdb_engine) has not: the closed
connection returns no rows, and GX fails with `MetricResolutionError: list index out of range`
(GX issues #10738 and #11579). `DuckDBExecutionEngine` therefore reads every row while the
connection is still open and hands GX a buffered result with the same fetch methods.

`DuckDBDatasource` is GX's own SQL datasource with that engine. `open_datasource` yields one for a
DuckDB file, read-only, and disposes every SQLAlchemy engine GX made when it is done: an engine
left in memory keeps its pooled DuckDB connection, and with it a lock on the file.

A run validates 26 suites, one per check step, in one process. The GX context (ephemeral: in
memory, nothing written) and the datasource for the warehouse file are made once per process and
reused by every `open_datasource` block, instead of once per check: making them cost about 40 ms
a check (GX writes its whole configuration as YAML on each change, and tests the connection).
What must not outlive a block does not: every connection is closed and every engine disposed on
leaving (no lock is left, as before), the table assets the block added are removed, and the
execution engine is dropped: it keeps a cache of the metrics it computed, keyed by batch, and a
table validated again later has the same batch id, so no block may inherit it. After an error,
in the block or in its cleanup, the datasource is dropped too (a cleanup error never replaces
the block's own). Only the newest file's datasource is kept.

A second, smaller part answers GX's column reflection from DuckDB's catalog (`_CatalogInspector`):
the PostgreSQL reflection duckdb_engine inherits fails on DuckDB under SQLAlchemy 2.1, and GX's
fallback ignores the schema, so no column expectation could run on a table outside `main`.

The adaptation replaces `execute_query`, `execute_query_in_transaction` and `get_inspector` of
`SqlAlchemyExecutionEngine` as written in GX `PINNED_GX_VERSION`. When GX is upgraded, this module
refuses to run until the adaptation has been re-checked against the new code (read the two methods
and `get_connection` in great_expectations/execution_engine/sqlalchemy_execution_engine.py, run
tests/test_quality_gx_duckdb.py, then raise the pin).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Literal

import great_expectations as gx
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from great_expectations.datasource.fluent import SQLDatasource
from great_expectations.execution_engine import SqlAlchemyExecutionEngine
from sqlalchemy import text
from sqlalchemy.engine import Result
from sqlalchemy.types import NullType

PINNED_GX_VERSION = "1.24.1"

_log = logging.getLogger(__name__)


class GXVersionError(RuntimeError):
    """The installed Great Expectations is not the version the DuckDB adaptation was checked on."""


def check_gx_version(installed: str | None = None) -> None:
    """Raise GXVersionError unless GX is exactly the version the adaptation was written for."""
    version = installed if installed is not None else gx.__version__
    if version != PINNED_GX_VERSION:
        raise GXVersionError(
            f"Great Expectations {version} er installeret, men tilpasningen af GX til DuckDB "
            f"(boligmonitor/quality/gx_duckdb.py) er kun kontrolleret med {PINNED_GX_VERSION}. "
            "Læs SqlAlchemyExecutionEngine.execute_query i den nye version igennem, kør "
            "tests/test_quality_gx_duckdb.py, og ret derefter PINNED_GX_VERSION."
        )


def _buffered(result: Any) -> Result[Any]:
    """All rows of a cursor result, read now, as a result object with the same fetch methods
    (fetchall, fetchmany, fetchone, first, scalar, keys, mappings)."""
    return result.freeze()()


class _CatalogInspector:
    """What GX asks SQLAlchemy's inspector about a table, answered from DuckDB's own catalog.

    duckdb_engine's inspector is PostgreSQL's, and under SQLAlchemy 2.1 its column reflection
    queries `pg_catalog.pg_collation`, which DuckDB does not have. GX then falls back to
    `SELECT * FROM <table> LIMIT 1` without the schema and fails on every table outside `main`;
    every column expectation depends on that metric. Anything else is passed to the real one.
    """

    def __init__(self, engine: Any, inner: Any) -> None:
        self._engine = engine
        self._inner = inner
        self.dialect = engine.dialect

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def get_columns(self, table_name: str, schema: str | None = None, **_: Any) -> list[dict]:
        query = text(
            "SELECT column_name, data_type, is_nullable FROM duckdb_columns() "
            "WHERE database_name = current_database() AND table_name = :table "
            "AND schema_name = coalesce(:schema, current_schema()) ORDER BY column_index"
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query, {"table": str(table_name), "schema": schema}).all()
        names = self.dialect.ischema_names
        return [
            {
                "name": name,
                "type": names.get(data_type.split("(")[0].strip().lower(), NullType)(),
                "nullable": bool(nullable),
            }
            for name, data_type, nullable in rows
        ]

    def get_pk_constraint(self, table_name: str, schema: str | None = None, **_: Any) -> dict:
        return {"constrained_columns": [], "name": None}


class DuckDBExecutionEngine(SqlAlchemyExecutionEngine):
    """GX's SQLAlchemy execution engine, reading rows before it lets go of the connection."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        check_gx_version()
        super().__init__(*args, **kwargs)

    def get_inspector(self) -> Any:
        inner = super().get_inspector()
        return _CatalogInspector(self.engine, inner)

    def execute_query(self, query: Any) -> Any:
        with self.get_connection() as connection:
            return _buffered(self._execute_query_with_recovery(connection, query))

    def execute_query_in_transaction(self, query: Any) -> Any:
        with self.get_connection() as connection:
            result = _buffered(self._execute_query_with_recovery(connection, query))
            if connection.in_transaction():
                connection.commit()
            return result


class DuckDBDatasource(SQLDatasource):
    """GX's SQL datasource over duckdb_engine, with the adapted execution engine."""

    type: Literal["boligmonitor_duckdb"] = "boligmonitor_duckdb"  # type: ignore[assignment]

    @property
    def execution_engine_type(self) -> type[SqlAlchemyExecutionEngine]:
        return DuckDBExecutionEngine


def _quiet_config() -> DataContextConfig:
    """In memory only, no usage statistics sent anywhere, no progress bars in the run log."""
    return DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )


def connection_string(path: Path) -> str:
    return f"duckdb:///{path.resolve()}"


def dispose(datasource: SQLDatasource) -> None:
    """Close every connection GX's engines for this datasource hold, so the file is free, and drop
    the execution engine with its cache of metrics (the next use makes a new one)."""
    engine = datasource.execution_engine
    if engine is not None:
        with suppress(Exception):
            engine.close()
        datasource._execution_engine = None
    cached = getattr(datasource, "_engine", None)
    if cached is not None:
        cached.dispose()


_lock = threading.RLock()
_context: Any = None
_datasource: tuple[tuple[str, bool], DuckDBDatasource] | None = None


def _shared_datasource(path: Path, read_only: bool) -> DuckDBDatasource:
    """The process's datasource for this file (made on first use); one for another file, or the
    other mode, replaces it."""
    global _context, _datasource
    key = (connection_string(path), read_only)
    if _datasource is not None and _datasource[0] == key:
        return _datasource[1]
    if _context is None:
        _context = gx.get_context(mode="ephemeral", project_config=_quiet_config())
    if _datasource is not None:
        with suppress(Exception):
            _context.data_sources.delete(_datasource[1].name)
        _datasource = None
    datasource = _context.data_sources.add_boligmonitor_duckdb(
        name=f"boligmonitor_{uuid.uuid4().hex[:8]}",
        connection_string=key[0],
        kwargs={"connect_args": {"read_only": read_only}},
        create_temp_table=False,
    )
    _datasource = (key, datasource)
    return datasource


@contextmanager
def open_datasource(path: Path, *, read_only: bool = True) -> Iterator[DuckDBDatasource]:
    """A GX datasource over the DuckDB file at `path`, in an ephemeral GX context (no files
    written, no usage statistics), shared by the blocks of this process one at a time. On
    leaving, also after an error, every engine is disposed and the table assets added in the
    block are removed."""
    check_gx_version()
    if not path.exists():
        raise FileNotFoundError(f"Databasefilen findes ikke: {path}")
    with _lock:
        datasource = _shared_datasource(path, read_only)
        before = {asset.name for asset in datasource.assets}
        in_flight: BaseException | None = None
        try:
            yield datasource
        except BaseException as error:
            in_flight = error
            raise
        finally:
            _close_block(datasource, before, in_flight)


def _close_block(
    datasource: DuckDBDatasource, before: set[str], error: BaseException | None
) -> None:
    """Remove the table assets the block added and dispose the engines, each step tried even if
    the other fails. After an error in the block, or in either step, the datasource is dropped:
    the next block starts afresh instead of reusing a half-cleaned one.

    A cleanup error never replaces the block's own error: it is logged and attached to that error
    as a note. Without an error in the block, the first cleanup error is raised."""
    problems: list[Exception] = []
    try:
        try:
            for name in [a.name for a in datasource.assets if a.name not in before]:
                datasource.delete_asset(name)
        except Exception as problem:
            problems.append(problem)
        try:
            dispose(datasource)
        except Exception as problem:
            problems.append(problem)
    finally:
        if error is not None or problems:
            _forget(datasource)
    if not problems:
        return
    if error is None:
        for later in problems[1:]:
            _log.warning("Endnu en fejl under oprydning efter GX-validering", exc_info=later)
        raise problems[0]
    for problem in problems:
        _log.warning("Fejl under oprydning efter fejlet GX-validering", exc_info=problem)
        error.add_note(f"Oprydningen bagefter fejlede også: {problem!r}")


def _forget(datasource: DuckDBDatasource) -> None:
    global _datasource
    if _datasource is not None and _datasource[1] is datasource:
        _datasource = None
        with suppress(Exception):
            _context.data_sources.delete(datasource.name)
