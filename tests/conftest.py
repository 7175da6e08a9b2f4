from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from boligmonitor import warehouse
from boligmonitor.contracts import SOURCES
from boligmonitor.ingest import ingest_source

TEST_KEY = b"test-key-0123456789abcdef"
# A CPR number anywhere: six digits forming a day and month, optional dash, four digits.
CPR_PATTERN = re.compile(
    r"(?<![0-9])(0[1-9]|[12][0-9]|3[01])(0[1-9]|1[0-2])[0-9]{2}-?[0-9]{4}(?![0-9])"
)


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing"
    folder.mkdir()
    return folder


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = warehouse.connect(tmp_path / "warehouse.duckdb")
    warehouse.ensure_schema(connection)
    yield connection
    connection.close()


def string_values(con: duckdb.DuckDBPyConnection) -> Iterator[tuple[str, str, str]]:
    """Every non-null text value in every table of the database: (table, column, value)."""
    columns = con.execute(
        """SELECT schema_name, table_name, column_name FROM duckdb_columns()
           WHERE data_type = 'VARCHAR' AND NOT internal AND database_name = current_database()"""
    ).fetchall()
    for schema, table, column in columns:
        rows = con.execute(
            f'SELECT DISTINCT "{column}" FROM "{schema}"."{table}" WHERE "{column}" IS NOT NULL'
        ).fetchall()
        for (value,) in rows:
            yield f"{schema}.{table}", column, value


def ingest_fixture(root: Path, write: Callable[[Path], None]) -> Path:
    """Write a hand-made fixture into root/landing with `write` and ingest it into
    root/work.duckdb. It must load clean, or the expected numbers built on it mean nothing."""
    landing = root / "landing"
    write(landing)
    db = root / "work.duckdb"
    con = warehouse.connect(db)
    try:
        warehouse.ensure_schema(con)
        for source in SOURCES.values():
            result = ingest_source(con, source, landing, TEST_KEY)
            assert result.rows_quarantined == 0, result.describe()
            assert result.count("rejected") == 0, result.describe()
    finally:
        con.close()
    return db
