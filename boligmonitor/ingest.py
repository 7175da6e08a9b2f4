"""Ingest one source: every new file in the landing folder into raw.<source> or quarantine.

For each file: rows read = rows loaded + rows quarantined, or the whole file is rejected with a
reason. Files are registered in audit.files by content hash, so a file is loaded once, the same
content under another name is recognised as a duplicate, and a second run adds nothing. Files
are handled in batches; each batch (its rows, quarantine and registry entries) commits at once.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from boligmonitor import cpr
from boligmonitor.contracts import Source
from boligmonitor.landing import (
    FileName,
    FileProblem,
    LandedFile,
    list_files,
    parse_name,
    sha256_of,
)
from boligmonitor.parsing import output_name, parse_select_sql
from boligmonitor.readers import (
    CsvPlan,
    append_tables,
    create_incoming,
    csv_groups,
    csv_problem,
    load_csv,
    plan_csv,
    read_xlsx,
)
from boligmonitor.warehouse import FILES_COLUMNS

BATCH_BYTES = 256 << 20  # files per transaction: about this much input
BATCH_FILES = 2000
EXAMPLES = 3  # quarantine reasons shown per source in the summary

Log = Callable[[str], None]


@dataclass
class FileOutcome:
    path: str
    status: str  # loaded | rejected | duplicate
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    reason: str | None = None


@dataclass
class SourceResult:
    source: str
    files_seen: int = 0
    outcomes: list[FileOutcome] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)  # a few quarantine messages, CPR-free

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def rows_loaded(self) -> int:
        return sum(o.rows_loaded for o in self.outcomes)

    @property
    def rows_quarantined(self) -> int:
        return sum(o.rows_quarantined for o in self.outcomes)

    def describe(self) -> str:
        line = (
            f"{self.source}: {_n(self.count('loaded'))} nye filer indlæst "
            f"({_n(self.files_seen - len(self.outcomes))} kendte sprunget over), "
            f"{_n(self.rows_loaded)} rækker indlæst, {_n(self.rows_quarantined)} i karantæne, "
            f"{_n(self.count('rejected'))} filer afvist, {_n(self.count('duplicate'))} dubletter"
        )
        details = [
            f"    afvist: {o.path}: {o.reason}" for o in self.outcomes if o.status == "rejected"
        ]
        details += [f"    karantæne, fx {e}" for e in self.examples]
        return "\n".join([line, *details])


def _n(number: int) -> str:
    """A count as Danes write it: 12.345."""
    return f"{number:,}".replace(",", ".")


@dataclass(frozen=True)
class _Candidate:
    file: LandedFile
    sha256: str


def _registered(con: duckdb.DuckDBPyConnection, source: Source) -> tuple[dict, dict]:
    rows = con.execute(
        "SELECT path, sha256, size_bytes, mtime_ns FROM audit.files WHERE source = ?", [source.name]
    ).fetchall()
    by_path = {path: (sha, size, mtime) for path, sha, size, mtime in rows}
    loaded = con.execute(
        """SELECT sha256, min(path) FROM audit.files
           WHERE status = 'loaded' AND rows_read > 0 GROUP BY sha256"""
    ).fetchall()
    return by_path, dict(loaded)


def _new_files(
    con: duckdb.DuckDBPyConnection, source: Source, files: list[LandedFile]
) -> tuple[list[_Candidate], list[tuple[_Candidate, str, str]], dict[str, str]]:
    """Files not registered yet, and those settled without reading them: a name off the
    pattern (rejected), or data rows already loaded from the same content under another name
    (duplicate). A registered file whose size and modification time are unchanged is not hashed
    again. Also returns the loaded content hashes (hash -> path) for duplicates within a run."""
    by_path, loaded = _registered(con, source)
    new: list[_Candidate] = []
    settled: list[tuple[_Candidate, str, str]] = []
    for f in files:
        known = by_path.get(f.relpath)
        if known and known[1] == f.size and known[2] == f.mtime_ns:
            continue
        sha = sha256_of(f.path)
        if known and known[0] == sha:
            continue  # touched, not changed
        cand = _Candidate(f, sha)
        try:
            parse_name(f.name, source.name)
        except FileProblem as exc:
            settled.append((cand, "rejected", str(exc)))
            continue
        if sha in loaded:
            settled.append((cand, "duplicate", _duplicate_of(loaded[sha])))
        else:
            new.append(cand)
    return new, settled, loaded


def _duplicate_of(path: str) -> str:
    return f"samme indhold som {path}, som allerede er indlæst"


def _batches(cands: list[_Candidate]) -> list[list[_Candidate]]:
    batches: list[list[_Candidate]] = [[]]
    size = 0
    for c in cands:
        if batches[-1] and (size + c.file.size > BATCH_BYTES or len(batches[-1]) >= BATCH_FILES):
            batches.append([])
            size = 0
        batches[-1].append(c)
        size += c.file.size
    return [b for b in batches if b]


def _read_batch(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    batch: list[_Candidate],
    names: dict[str, FileName],
    problems: dict[str, str],
    scratch: Path,
) -> dict[str, dict]:
    """Fill `_incoming` with the batch's readable files; note each unreadable file's problem.
    Returns how each file was read (format, encoding, delimiter)."""
    create_incoming(con, source, "_incoming")
    plans: list[CsvPlan] = []
    sheets: list[pa.Table] = []
    how: dict[str, dict] = {}
    for c in batch:
        rel = c.file.relpath
        try:
            names[rel] = parse_name(c.file.name, source.name)
            if names[rel].fmt == "xlsx":
                sheets.append(read_xlsx(c.file, source))
                how[rel] = {"file_format": "xlsx", "encoding": None, "delimiter": None}
            else:
                plan = plan_csv(c.file, source, scratch)
                plans.append(plan)
                how[rel] = {
                    "file_format": "csv",
                    "encoding": plan.encoding,
                    "delimiter": plan.delimiter,
                }
        except FileProblem as exc:
            problems[rel] = str(exc)
    append_tables(con, sheets, "_incoming")
    for group in csv_groups(plans):
        alone = group
        if len(group) > 1:
            try:
                alone = load_csv(con, group, source, "_incoming")
                for plan in alone:  # counts disagree: read it again on its own (see load_csv)
                    con.execute("DELETE FROM _incoming WHERE _source_file = ?", [plan.file.relpath])
            except duckdb.Error:
                alone = group  # nothing was appended; find the file(s) that cannot be read
        for plan in alone:
            try:
                load_csv(con, [plan], source, "_incoming")
            except duckdb.Error as exc:
                problems[plan.file.relpath] = csv_problem(exc)
    return how


def ingest_source(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    landing: Path,
    key: bytes,
    loaded_at: datetime | None = None,
    log: Log | None = None,
) -> SourceResult:
    """Load every new file of `source` from `landing`. The schema must exist (ensure_schema)."""
    loaded_at = loaded_at or datetime.now().replace(microsecond=0)
    files = list_files(landing, source.name)
    result = SourceResult(source.name, files_seen=len(files))
    new, settled, loaded = _new_files(con, source, files)
    if settled:
        entries = [(c, status, reason, {}, (0, 0, 0)) for c, status, reason in settled]
        _register(con, source, entries, loaded_at, result, _names_of(c for c, _, _ in settled))
    batches = _batches(new)
    for number, batch in enumerate(batches, start=1):
        if log and len(batches) > 1:
            log(f"{source.name}: parti {number} af {len(batches)} ({len(batch)} filer)")
        _ingest_batch(con, source, batch, key, loaded_at, result, loaded)
    return result


def _ingest_batch(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    batch: list[_Candidate],
    key: bytes,
    loaded_at: datetime,
    result: SourceResult,
    loaded: dict[str, str],
) -> None:
    """Read and parse in temporary tables (a DuckDB error inside a transaction would end it),
    then write rows, quarantine and registry entries in one transaction. `loaded` maps content
    hashes already loaded to their path; files of this batch that load rows are added to it."""
    names: dict[str, FileName] = {}
    problems: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="boligmonitor-") as scratch:
        how = _read_batch(con, source, batch, names, problems, Path(scratch))
    readable = {rel: n for rel, n in names.items() if rel not in problems}
    counts = _parse(con, source, readable, key, result)
    entries = []
    for c in batch:
        rel = c.file.relpath
        if rel in problems:
            reason = cpr.mask_text(problems[rel])
            entries.append((c, "rejected", reason, how.get(rel, {}), (0, 0, 0)))
        elif c.sha256 in loaded and counts.get(rel, (0,))[0] > 0:
            con.execute("DELETE FROM _parsed WHERE _source_file = ?", [rel])
            entries.append((c, "duplicate", _duplicate_of(loaded[c.sha256]), {}, (0, 0, 0)))
        else:
            read, good, bad = counts.get(rel, (0, 0, 0))
            if read != good + bad:  # cannot happen; never let it pass silently
                raise AssertionError(f"{rel}: {read} read != {good} + {bad}")
            entries.append((c, "loaded", None, how[rel], (read, good, bad)))
            if read > 0:
                loaded[c.sha256] = rel
    con.execute("BEGIN TRANSACTION")
    try:
        _store(con, source, loaded_at)
        _register(con, source, entries, loaded_at, result, names)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.execute("DROP TABLE IF EXISTS _parsed")


def _parse(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    names: dict[str, FileName],
    key: bytes,
    result: SourceResult,
) -> dict[str, tuple[int, int, int]]:
    """Type and check every row of `_incoming` into `_parsed`; per file: read, good, bad."""
    dates = pa.table(
        {
            "_source_file": pa.array(list(names), pa.string()),
            "_extract_date": pa.array([n.extract_date for n in names.values()], pa.date32()),
        }
    )
    con.register("_file_dates", dates)
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _parsed AS SELECT p.*, d._extract_date FROM ("
            + parse_select_sql(source, "_incoming")
            + ") AS p JOIN _file_dates AS d USING (_source_file)",
            cpr.hmac_pads(key) if any(c.kind == "cpr" for c in source.columns) else {},
        )
    finally:
        con.unregister("_file_dates")
    counts = con.execute(
        """SELECT _source_file, count(*), count(*) FILTER (len(_errors) = 0),
                  count(*) FILTER (len(_errors) > 0)
           FROM _parsed GROUP BY _source_file"""
    ).fetchall()
    examples = con.execute(
        f"""SELECT _source_file, _source_row, array_to_string(_errors, '; ')
            FROM _parsed WHERE len(_errors) > 0 ORDER BY _source_file, _source_row
            LIMIT {EXAMPLES}"""
    ).fetchall()
    for path, row, reason in examples:
        if len(result.examples) < EXAMPLES:
            result.examples.append(cpr.mask_text(f"{path}, række {row}: {reason}"))
    con.execute("DROP TABLE _incoming")
    return {path: (read, good, bad) for path, read, good, bad in counts}


def _store(con: duckdb.DuckDBPyConnection, source: Source, loaded_at: datetime) -> None:
    lineage = "_source_file, _source_row, _extract_date, $loaded_at"
    typed = ", ".join(f'"{output_name(c)}"' for c in source.columns)
    texts = ", ".join(f'"_text_{output_name(c)}"' for c in source.columns)
    con.execute(
        f"INSERT INTO raw.{source.name} SELECT {typed}, {lineage} "
        "FROM _parsed WHERE len(_errors) = 0",
        {"loaded_at": loaded_at},
    )
    con.execute(
        f"""INSERT INTO quarantine.{source.name}
        SELECT array_to_string(_error_columns, ', '), array_to_string(_errors, '; '),
               {texts}, {lineage}
        FROM _parsed WHERE len(_errors) > 0""",
        {"loaded_at": loaded_at},
    )


def _names_of(cands: Iterable[_Candidate]) -> dict[str, FileName]:
    """File names that follow the pattern, parsed (for the registry's extract date)."""
    names = {}
    for c in cands:
        with contextlib.suppress(FileProblem):
            names[c.file.relpath] = parse_name(c.file.name, c.file.path.parent.name)
    return names


def _register(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    entries: list[tuple[_Candidate, str, str | None, dict, tuple[int, int, int]]],
    registered_at: datetime,
    result: SourceResult,
    names: dict[str, FileName] | None = None,
) -> None:
    rows = []
    for cand, status, reason, how, (read, loaded, quarantined) in entries:
        f = cand.file
        name = (names or {}).get(f.relpath)
        rows.append(
            {
                "source": source.name,
                "path": f.relpath,
                "sha256": cand.sha256,
                "size_bytes": f.size,
                "mtime_ns": f.mtime_ns,
                "extract_date": name.extract_date if name else None,
                "file_format": how.get("file_format"),
                "encoding": how.get("encoding"),
                "delimiter": how.get("delimiter"),
                "rows_read": read,
                "rows_loaded": loaded,
                "rows_quarantined": quarantined,
                "status": status,
                "reason": reason,
                "registered_at": registered_at,
            }
        )
        result.outcomes.append(FileOutcome(f.relpath, status, read, loaded, quarantined, reason))
    if not rows:
        return
    table = pa.Table.from_pylist(rows)
    con.register("_registry_rows", table)
    try:
        cols = ", ".join(f'"{c}"' for c in FILES_COLUMNS)
        con.execute(f"INSERT INTO audit.files ({cols}) SELECT {cols} FROM _registry_rows")
    finally:
        con.unregister("_registry_rows")
