"""The analyst snapshot: a consistent copy of the working file, published atomically.

DuckDB allows one writer per file, and while a process writes no other process may open the
file, not even read-only. Analysts therefore never open the working file. After a successful run
the pipeline copies the working file into a new file next to the published one, checks that the
copy opens, and swaps it in with `os.replace`. A reader who has the old file open keeps reading
the old state (on Linux the old file lives on until it is closed); the next connection sees the
new one. If the process dies half-way, only a hidden temporary file is left behind, and the next
publish removes it: the published file is never half-written.

How the copy is made: the working file is opened as a writer (which also keeps every other
process out of it until the copy is done), `CHECKPOINT` writes everything still in the write-ahead
log into the file, and the file's bytes are copied as they are by `cp` in a child process, then
fsynced. A child, because DuckDB's lock is a POSIX record lock, which belongs to the process and
is released when the process closes any handle of the file: copying in this process would drop
the lock (with every other connection to the file in it) when the copy closed its handle. With
the writer's lock held and nothing left in the log, the file on
disk is exactly the committed state, so the copy is consistent: the same tables, views, comments
and rows (checked on the scale-10 and scale-50 warehouses: every relation's row count and a hash
of its rows equal). It replaced `COPY FROM DATABASE` into a new file, which rewrote and
recompressed every table: 2-4 s at scale 10 and 8-12 s at scale 50, against 0.1 s and 0.6 s for
copying the bytes. The copy keeps the working file's free blocks, so it is somewhat larger
(scale 10: 112 MB against 86 MB); what the free blocks held was in the working file, which never
holds a raw CPR number. Rows deleted from the working file may therefore stay readable in the raw
bytes of the snapshot until DuckDB reuses their blocks: data that must be erased is erased by
rebuilding the working file from the landing folder (as for a new key, docs/runbook.md), not by a
DELETE.

Nothing here imports Dagster; the CLI and the Dagster asset both call `publish` and `query`.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

# is_lock_error is part of this module's interface too (the tests ask it about a real lock)
from boligmonitor import warehouse
from boligmonitor.warehouse import LOCK_WAIT_SECONDS, is_lock_error, retry_on_lock  # noqa: F401

Log = Callable[[str], None]

TEMP_SUFFIX = ".tmp"


class SnapshotError(RuntimeError):
    """Publishing or querying the snapshot failed; the message (Danish) says why."""


class NoSnapshotError(SnapshotError):
    """No snapshot has been published yet."""


@dataclass(frozen=True)
class Published:
    path: Path
    size_bytes: int
    tables: int
    views: int
    seconds: float

    def describe(self) -> str:
        return (
            f"Øjebliksbilledet til analytikere er offentliggjort: {self.path} "
            f"({self.tables} tabeller, {self.views} views, {self.size_bytes / 1e6:.1f} MB, "
            f"{self.seconds:.1f} s)."
        )


def _temp_files(target: Path) -> list[Path]:
    """Temporary files (and their WAL) left by publishes whose process is gone."""
    stale = []
    for path in sorted(target.parent.glob(f".{target.name}.*")):
        pid = path.name[len(target.name) + 2 :].split(".")[0]
        if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
            continue  # another process is publishing right now
        stale.append(path)
    return stale


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(
    work_db: Path,
    snapshot_db: Path,
    log: Log | None = None,
    lock_wait_seconds: float = LOCK_WAIT_SECONDS,
) -> Published:
    """Copy `work_db` into a new file next to `snapshot_db` and swap it in atomically.

    Both files are named `boligmonitor.duckdb` (settings.paths): dbt's views name their tables
    with the catalog, i.e. the file's stem, so they resolve when analysts open the copy.
    """
    started = time.monotonic()
    if not work_db.is_file():
        raise SnapshotError(
            f"Arbejdsdatabasen {work_db} findes ikke, så der er intet at offentliggøre."
        )
    if work_db.resolve() == snapshot_db.resolve():
        raise SnapshotError("Arbejdsdatabasen og øjebliksbilledet må ikke være samme fil.")
    snapshot_db.parent.mkdir(parents=True, exist_ok=True)
    for stale in _temp_files(snapshot_db):  # left by a publish that was killed half-way
        stale.unlink(missing_ok=True)
    temp = snapshot_db.with_name(f".{snapshot_db.name}.{os.getpid()}{TEMP_SUFFIX}")
    try:
        con = retry_on_lock(
            lambda: warehouse.connect(work_db),
            wait_seconds=lock_wait_seconds,
            log=log,
            what=f"Arbejdsdatabasen {work_db}",
        )
        try:
            con.execute("CHECKPOINT")
            if Path(f"{work_db}.wal").exists():
                raise SnapshotError(
                    f"Arbejdsdatabasen {work_db} har stadig en WAL-fil efter CHECKPOINT; "
                    "den kopieres ikke."
                )
            # in a child process, so this one keeps the writer's lock (module docstring)
            subprocess.run(["cp", "--", str(work_db), str(temp)], check=True, capture_output=True)
        finally:
            con.close()
        tables, views = _verify(temp)
        _fsync(temp)
        os.replace(temp, snapshot_db)
        _fsync(snapshot_db.parent)
    except BaseException:
        temp.unlink(missing_ok=True)
        Path(f"{temp}.wal").unlink(missing_ok=True)
        raise
    return Published(
        path=snapshot_db,
        size_bytes=snapshot_db.stat().st_size,
        tables=tables,
        views=views,
        seconds=time.monotonic() - started,
    )


def _verify(path: Path) -> tuple[int, int]:
    """Open the new file read-only as an analyst would; count its tables and views."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        (tables,) = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()"
        ).fetchone()
        (views,) = con.execute(
            "SELECT count(*) FROM duckdb_views() "
            "WHERE database_name = current_database() AND NOT internal"
        ).fetchone()
    finally:
        con.close()
    if Path(f"{path}.wal").exists():
        raise SnapshotError(f"Kopien {path} har stadig en WAL-fil; den offentliggøres ikke.")
    return int(tables), int(views)


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]


def open_read_only(snapshot_db: Path) -> duckdb.DuckDBPyConnection:
    if not snapshot_db.is_file():
        raise NoSnapshotError(
            f"Der er endnu ikke offentliggjort et øjebliksbillede af lageret ({snapshot_db}). "
            "Det skrives efter den første vellykkede kørsel: kør `boligmonitor run` (eller "
            "`make demo`), og prøv igen."
        )
    return duckdb.connect(str(snapshot_db), read_only=True)


def query(snapshot_db: Path, sql: str) -> QueryResult:
    """Run one query on the published snapshot, read-only."""
    con = open_read_only(snapshot_db)
    try:
        cursor = con.execute(sql)
        if cursor.description is None:
            return QueryResult([], [])
        columns = [d[0] for d in cursor.description]
        return QueryResult(columns, cursor.fetchall())
    except duckdb.Error as exc:
        message = str(exc)
        if "read-only" in message or "read only" in message:
            raise SnapshotError(
                "Øjebliksbilledet kan kun læses (SELECT); ændringer hører hjemme i pipelinen."
            ) from exc
        raise SnapshotError(f"Forespørgslen fejlede: {message}") from exc
    finally:
        con.close()


def _cell(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def format_table(result: QueryResult, max_width: int = 60) -> str:
    """A plain text table: header, rule, rows (numbers right-aligned), and the row count."""
    if not result.columns:
        return "(ingen rækker)"
    cells = [[_cell(v) for v in row] for row in result.rows]
    cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in row] for row in cells]
    numeric = [
        all(isinstance(row[i], int | float) or row[i] is None for row in result.rows)
        and any(row[i] is not None for row in result.rows)
        for i in range(len(result.columns))
    ]
    widths = [
        max([len(name), *(len(row[i]) for row in cells)]) for i, name in enumerate(result.columns)
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if numeric[i] else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ]
        return " | ".join(parts).rstrip()

    out = [line(result.columns), "-+-".join("-" * w for w in widths)]
    out += [line(row) for row in cells]
    n = len(result.rows)
    out.append(f"({n} {'række' if n == 1 else 'rækker'})")
    return "\n".join(out)
