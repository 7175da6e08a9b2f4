"""Dagster resources: thin wrappers that hand the plain modules what they need."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from boligmonitor import settings, warehouse


class Warehouse(dg.ConfigurableResource):
    """The working DuckDB file the pipeline writes to.

    By default `$BOLIGMONITOR_HOME/work/boligmonitor.duckdb` (or `BOLIGMONITOR_WORK_DB`), read
    when a connection is opened, never at import. Tests set `path` to a temporary file.
    """

    path: str | None = None

    def file(self) -> Path:
        return Path(self.path) if self.path else settings.paths().work_db

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Open the working file. While another process holds it (DuckDB: 'Could not set
        lock'), wait and retry with backoff for at most five minutes instead of failing."""
        con = warehouse.retry_on_lock(lambda: warehouse.connect(self.file()), what=str(self.file()))
        try:
            yield con
        finally:
            con.close()


class Landing(dg.ConfigurableResource):
    """The landing folder (`$BOLIGMONITOR_HOME/landing` unless `path` is set)."""

    path: str | None = None

    def folder(self) -> Path:
        return Path(self.path) if self.path else settings.paths().landing
