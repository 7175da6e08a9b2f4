"""Read landed CSV and XLSX files into one DuckDB table of text values, with file and row.

CSV goes through DuckDB's own reader (many files per call; Windows-1252 transcoded to UTF-8 in
Python first, since DuckDB cannot load the encodings extension here). XLSX goes through openpyxl,
each cell rendered as the text a CSV would have held, so that all values are then parsed by the
same SQL (`parsing`). Row numbers are those a spreadsheet shows: the header is row 1.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import duckdb
import pyarrow as pa
from python_calamine import CalamineWorkbook

from boligmonitor import cpr
from boligmonitor.contracts import Source
from boligmonitor.landing import (
    FileProblem,
    LandedFile,
    check_columns,
    detect_delimiter,
    normalise_header,
    read_header,
    scan,
)


def create_incoming(con: duckdb.DuckDBPyConnection, source: Source, table: str) -> None:
    cols = ", ".join(f'"{c}" VARCHAR' for c in source.column_names)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} (_source_file VARCHAR, _source_row INTEGER, {cols})"
    )


@dataclass(frozen=True)
class CsvPlan:
    file: LandedFile
    encoding: str
    delimiter: str
    header: tuple[str, ...]
    read_path: Path  # the file itself, or its UTF-8 copy when it was Windows-1252
    lines: int  # physical lines, header included


def plan_csv(file: LandedFile, source: Source, scratch: Path) -> CsvPlan:
    """Sniff encoding, delimiter and columns; raises FileProblem when the file cannot be read."""
    if file.size == 0:
        raise FileProblem("filen er tom")
    scanned = scan(file.path)
    encoding = scanned.encoding
    header_line = read_header(file.path, encoding)
    delimiter = detect_delimiter(header_line)
    header = normalise_header(header_line.split(delimiter))
    check_columns(header, source)
    read_path = file.path
    if encoding == "cp1252" or scanned.mixed_line_endings:
        # a UTF-8 copy with one kind of line ending, for DuckDB; the landed file stays as it is
        read_path = scratch / f"{len(list(scratch.iterdir()))}.csv"
        with (
            file.path.open("r", encoding=encoding, newline=None) as src,
            read_path.open("w", encoding="utf-8", newline="\n") as dst,
        ):
            shutil.copyfileobj(src, dst, 1 << 20)
    return CsvPlan(file, encoding, delimiter, tuple(header), read_path, scanned.lines)


def csv_problem(exc: duckdb.Error) -> str:
    """DuckDB's CSV error in Danish, without the offending line (it may hold a CPR number)."""
    text = str(exc)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    where = f"linje {line.group(1)}: " if line else ""
    columns = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if "unterminated quote" in text:
        what = "et felt i anførselstegn slutter aldrig (filen er afkortet eller forkert citeret)"
    elif columns:
        what = f"rækken har {columns.group(2)} felter, men overskriften har {columns.group(1)}"
    else:
        first = text.splitlines()[0] if text else type(exc).__name__
        what = cpr.mask_text(first)[:200]
    return f"filen kan ikke læses som CSV: {where}{what}"


def load_csv(
    con: duckdb.DuckDBPyConnection, plans: list[CsvPlan], source: Source, table: str
) -> list[CsvPlan]:
    """Append the rows of CSV files that share delimiter and header, in one read.

    Raises duckdb.Error if any of them cannot be parsed; the caller then reads them one by one.
    Returns the files whose row count differs from their line count: a multi-file read can
    silently drop a final line cut off inside quotes (seen with DuckDB 1.5.6), so the caller
    reads those alone, where DuckDB does raise. A quoted line break also makes them differ.
    """
    first = plans[0]
    columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in first.header) + "}"
    paths = [str(p.read_path) for p in plans]
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _csv_batch AS
        SELECT * FROM read_csv($paths, header = true, auto_detect = false,
            delim = $delim, quote = '"', escape = '"', columns = {columns},
            filename = true, strict_mode = true, null_padding = false)
        """,
        {"paths": paths, "delim": first.delimiter},
    )
    names = pa.table(
        {"filename": [str(p.read_path) for p in plans], "relpath": [p.file.relpath for p in plans]}
    )
    select = ", ".join(f'b."{c}"' for c in source.column_names)
    con.register("_csv_names", names)
    try:
        con.execute(
            f"""
            INSERT INTO {table}
            SELECT n.relpath,
                   CAST(row_number() OVER (PARTITION BY b.filename ORDER BY b.rowid) + 1
                        AS INTEGER),
                   {select}
            FROM _csv_batch AS b JOIN _csv_names AS n USING (filename)
            """
        )
        counts = dict(
            con.execute("SELECT filename, count(*) FROM _csv_batch GROUP BY filename").fetchall()
        )
    finally:
        con.unregister("_csv_names")
        con.execute("DROP TABLE IF EXISTS _csv_batch")
    return [p for p in plans if counts.get(str(p.read_path), 0) != p.lines - 1]


def csv_groups(plans: Iterable[CsvPlan]) -> list[list[CsvPlan]]:
    groups: dict[tuple[str, tuple[str, ...]], list[CsvPlan]] = {}
    for p in plans:
        groups.setdefault((p.delimiter, p.header), []).append(p)
    return list(groups.values())


def cell_text(value: object) -> str | None:
    """An XLSX cell as the text a CSV export would hold: Excel dates as ISO dates (the contract
    allows yyyy-mm-dd), numbers with a decimal comma, booleans as 0/1, text as it is, and an
    empty or blank cell as None."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value).replace(".", ",")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    return str(value)


def read_xlsx(file: LandedFile, source: Source) -> pa.Table:
    """The rows of the first sheet as text, shaped like the incoming table; row 1 is the header.
    Fully empty rows are not rows."""
    try:
        sheet = CalamineWorkbook.from_path(str(file.path)).get_sheet_by_index(0)
        rows = iter(sheet.iter_rows())
        header_cells = next(rows, None)
    except Exception as exc:
        raise FileProblem(f"filen kan ikke åbnes som XLSX ({type(exc).__name__})") from exc
    if header_cells is None:
        raise FileProblem("det første ark er tomt")
    header = normalise_header([cell_text(v) or "" for v in header_cells])
    while header and header[-1] == "":
        header.pop()
    check_columns(header, source)
    index = {name: i for i, name in enumerate(header)}
    values: dict[str, list[str | None]] = {c: [] for c in source.column_names}
    row_numbers: list[int] = []
    try:
        for number, row in enumerate(rows, start=2):
            texts = [cell_text(v) for v in row[: len(header)]]
            if all(t is None for t in texts):
                continue
            texts += [None] * (len(header) - len(texts))
            row_numbers.append(number)
            for name in source.column_names:
                values[name].append(texts[index[name]])
    except Exception as exc:
        raise FileProblem(f"arket kan ikke læses ({type(exc).__name__})") from exc
    return pa.table(
        {
            "_source_file": pa.array([file.relpath] * len(row_numbers), pa.string()),
            "_source_row": pa.array(row_numbers, pa.int32()),
            **{c: pa.array(values[c], pa.string()) for c in source.column_names},
        }
    )


def append_tables(con: duckdb.DuckDBPyConnection, tables: list[pa.Table], table: str) -> None:
    """Append Arrow tables shaped like the incoming table, in one insert."""
    if tables:
        rows = pa.concat_tables(tables)  # noqa: F841 - read by DuckDB below, by name
        con.execute(f"INSERT INTO {table} SELECT * FROM rows")
