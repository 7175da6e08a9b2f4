from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from boligmonitor import warehouse

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
