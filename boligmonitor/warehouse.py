"""The DuckDB warehouse file: connecting, and the tables ingestion writes (raw, quarantine, audit).

The tables are derived from the source contracts. Descriptions are stored as DuckDB comments,
so an analyst reads them in any SQL client (`SELECT * FROM duckdb_columns()`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb

from boligmonitor import settings
from boligmonitor.contracts import SOURCES, Source
from boligmonitor.parsing import SQL_TYPES, output_name

LINEAGE_COLUMNS = {
    "_source_file": (
        "VARCHAR",
        "Kildefil, relativt til landingsmappen / source file, relative to the landing folder",
    ),
    "_source_row": (
        "INTEGER",
        "Rækkenummer i kildefilen; overskriften er række 1, som i Excel / row number in the file, "
        "header = row 1",
    ),
    "_extract_date": ("DATE", "Udtræksdato fra filnavnet / extract date from the file name"),
    "_loaded_at": ("TIMESTAMP", "Tidspunkt for indlæsning / load time"),
}

FILES_COLUMNS = {
    "source": ("VARCHAR", "Kilde (mappe i landingsmappen) / source"),
    "path": ("VARCHAR", "Filens sti relativt til landingsmappen / path relative to landing"),
    "sha256": ("VARCHAR", "SHA-256 af filens indhold / content hash"),
    "size_bytes": ("BIGINT", "Filens størrelse i byte / size"),
    "mtime_ns": ("BIGINT", "Filens ændringstid (ns) ved registrering / modification time"),
    "extract_date": ("DATE", "Udtræksdato fra filnavnet / extract date from the name"),
    "file_format": ("VARCHAR", "csv eller xlsx"),
    "encoding": ("VARCHAR", "Tegnsæt: utf-8, utf-8-sig (med BOM) eller cp1252 (Windows-1252)"),
    "delimiter": ("VARCHAR", "Feltadskiller i CSV: ; eller ,"),
    "rows_read": ("INTEGER", "Datarækker læst / data rows read"),
    "rows_loaded": ("INTEGER", "Rækker indlæst i raw / rows loaded into raw"),
    "rows_quarantined": ("INTEGER", "Rækker i karantæne / rows quarantined"),
    "status": (
        "VARCHAR",
        "loaded (indlæst), rejected (afvist hel fil) eller duplicate (samme indhold som en "
        "allerede indlæst fil)",
    ),
    "reason": ("VARCHAR", "Årsag ved afvisning eller dublet / reason when rejected or duplicate"),
    "registered_at": ("TIMESTAMP", "Tidspunkt for registrering / time registered"),
}


LOCK_WAIT_SECONDS = 300.0  # how long to wait for another process to let go of the working file
_LOCK_MARKERS = ("Could not set lock", "Conflicting lock")
T = TypeVar("T")
Log = Callable[[str], None]


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse file with the run's memory limit
    (settings.duckdb_memory_limit; set after connecting, so connections opened elsewhere in
    the process without it still share the database)."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    con.execute("SET memory_limit = ?", [settings.duckdb_memory_limit()])
    return con


def _comment(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def create_documented_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: dict[str, tuple[str, str]],
    doc: str | None = None,
) -> None:
    """Create `schema.table` (and its schema) if missing, with `columns` as name -> (type,
    description); the descriptions, and `doc` for the table, become DuckDB comments."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {table.split('.')[0]}")
    ddl = ", ".join(f'"{name}" {sql_type}' for name, (sql_type, _) in columns.items())
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({ddl})")
    if doc is not None:
        con.execute(f"COMMENT ON TABLE {table} IS {_comment(doc)}")
    for name, (_, text) in columns.items():
        con.execute(f'COMMENT ON COLUMN {table}."{name}" IS {_comment(text)}')


def raw_columns(source: Source) -> dict[str, tuple[str, str]]:
    cols = {
        output_name(c): (
            SQL_TYPES[c.kind],
            "Keyed pseudonym (HMAC-SHA256) af CPR-nummeret / keyed pseudonym of the CPR number"
            if c.kind == "cpr"
            else f"{c.name} som leveret, typet efter kontrakten ({c.kind})",
        )
        for c in source.columns
    }
    return {**cols, **LINEAGE_COLUMNS}


def quarantine_columns(source: Source) -> dict[str, tuple[str, str]]:
    cols = {
        "error_columns": ("VARCHAR", "Kolonner med fejl / columns in error"),
        "reason": ("VARCHAR", "Hvad der er galt, på dansk / what is wrong"),
    }
    for c in source.columns:
        doc = (
            "Pseudonym, hvis CPR-nummeret var gyldigt; ellers tomt (et ugyldigt CPR-nummer gemmes "
            "aldrig)"
            if c.kind == "cpr"
            else f"{c.name} som tekst, som leveret (CPR-lignende tal maskeret)"
        )
        cols[output_name(c)] = ("VARCHAR", doc)
    return {**cols, **LINEAGE_COLUMNS}


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the schemas and tables ingestion writes to, if they are not there yet."""
    for source in SOURCES.values():
        create_documented_table(
            con,
            f"raw.{source.name}",
            raw_columns(source),
            f"{source.title_da}: alle indlæste rækker fra alle filer ({source.mode}-udtræk), "
            "med kildefil og række. Staging-modellerne afgør den gældende tilstand.",
        )
        create_documented_table(
            con,
            f"quarantine.{source.name}",
            quarantine_columns(source),
            f"{source.title_da}: rækker der bryder kontrakten, med fil, række, kolonne og "
            "årsag. Rettes i kildesystemet og leveres igen.",
        )
    create_documented_table(
        con,
        "audit.files",
        FILES_COLUMNS,
        "Filregister: hver leveret fil med hash, rækker læst, indlæst og i karantæne, og "
        "status. For hver indlæst fil gælder rows_read = rows_loaded + rows_quarantined.",
    )


def is_lock_error(exc: BaseException) -> bool:
    """True for DuckDB's 'Could not set lock on file …': another process has the file open."""
    return isinstance(exc, duckdb.IOException) and any(m in str(exc) for m in _LOCK_MARKERS)


def retry_on_lock(
    action: Callable[[], T],
    wait_seconds: float = LOCK_WAIT_SECONDS,
    log: Log | None = None,
    what: str = "databasefilen",
) -> T:
    """Run `action`; while it fails because another process holds the DuckDB file, wait and try
    again (0.5 s, doubling up to 30 s) for at most `wait_seconds`, then let the error through.
    Any other error is raised at once."""
    deadline = time.monotonic() + wait_seconds
    delay = 0.5
    while True:
        try:
            return action()
        except duckdb.IOException as exc:
            if not is_lock_error(exc) or time.monotonic() + delay > deadline:
                raise
            if log is not None:
                log(f"{what} er låst af en anden proces; prøver igen om {delay:.1f} s.")
            time.sleep(delay)
            delay = min(delay * 2, 30.0)
