"""The landing folder: which files there are, what they are called, and how each CSV is written.

Files are only ever read here, never changed, moved or deleted.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from boligmonitor.contracts import Source

NAME_PATTERN = re.compile(
    r"^(?P<source>[a-z_]+?)_(?P<date>[0-9]{8})(?:_(?P<seq>[0-9]+))?\.(?P<ext>csv|xlsx)$",
    re.IGNORECASE,
)
_CHUNK = 1 << 20


class FileProblem(Exception):
    """A file that cannot be read at all. The message (Danish) says why; it never holds a CPR."""


@dataclass(frozen=True)
class LandedFile:
    path: Path
    relpath: str  # relative to the landing folder, with forward slashes
    size: int
    mtime_ns: int

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class FileName:
    source: str
    extract_date: date
    seq: int
    fmt: str  # "csv" or "xlsx"


def list_files(landing: Path, source: str) -> list[LandedFile]:
    """Every delivered file in `landing/<source>/`, by name. Hidden files and Office lock files
    (`.x`, `~$x`) are not deliveries and are left out."""
    folder = landing / source
    if not folder.is_dir():
        return []
    found = []
    for p in sorted(folder.iterdir()):
        if not p.is_file() or p.name.startswith((".", "~$")):
            continue
        st = p.stat()
        rel = p.relative_to(landing).as_posix()
        found.append(LandedFile(path=p, relpath=rel, size=st.st_size, mtime_ns=st.st_mtime_ns))
    return found


def parse_name(name: str, source: str) -> FileName:
    m = NAME_PATTERN.match(name)
    expected = f"{source}_<ÅÅÅÅMMDD>[_<n>].csv eller .xlsx"
    if m is None or m["source"] != source:
        raise FileProblem(f"filnavnet følger ikke mønstret {expected}")
    raw = m["date"]
    try:
        extract = date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError as exc:
        raise FileProblem(f"udtræksdatoen {raw} i filnavnet er ikke en rigtig dato") from exc
    return FileName(source, extract, int(m["seq"] or 0), m["ext"].lower())


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True)
class Scan:
    encoding: str  # utf-8-sig (BOM), utf-8 or cp1252
    mixed_line_endings: bool  # both CRLF and bare LF (DuckDB's strict reader refuses that)
    lines: int  # physical lines; rows = lines - 1 unless a quoted field spans lines


def scan(path: Path) -> Scan:
    """One pass over the bytes: the encoding, the line endings and the number of lines.

    The encoding is one of the contract's three. A file is UTF-8 only if all of it decodes as
    UTF-8; Danish letters in Windows-1252 never do, so this never turns `ø` into `Ã¸`. A file
    that is neither is rejected.
    """
    utf8 = codecs.getincrementaldecoder("utf-8")()
    cp1252 = codecs.getincrementaldecoder("cp1252")()
    is_utf8 = is_cp1252 = True
    bad_byte = 0
    crlf = lf = 0
    last = b""
    bom = None
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            if bom is None:
                bom = chunk.startswith(codecs.BOM_UTF8)
            crlf += (last + chunk).count(b"\r\n")
            lf += chunk.count(b"\n")
            last = chunk[-1:]
            if is_utf8:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    is_utf8 = False
            if is_cp1252:
                try:
                    cp1252.decode(chunk)
                except UnicodeDecodeError as exc:
                    is_cp1252 = False
                    bad_byte = exc.object[exc.start]
    if is_utf8:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            is_utf8 = False
    lines = lf + (1 if last not in (b"", b"\n") else 0)
    if bom:
        encoding = "utf-8-sig"
    elif is_utf8:
        encoding = "utf-8"
    elif is_cp1252:
        encoding = "cp1252"
    else:
        raise FileProblem(
            f"tegnsættet er hverken UTF-8 eller Windows-1252 (byte 0x{bad_byte:02X}); "
            "filen kan ikke læses"
        )
    return Scan(encoding, 0 < crlf < lf, lines)


def read_header(path: Path, encoding: str) -> str:
    with path.open("r", encoding=encoding, newline="") as f:
        line = f.readline()
    line = line.rstrip("\r\n")
    if not line.strip():
        raise FileProblem("filen er tom eller mangler overskriftslinjen")
    return line


def detect_delimiter(header: str) -> str:
    """`;` (the norm) or `,`: whichever splits the header row. Column names hold neither."""
    if ";" in header:
        return ";"
    if "," in header:
        return ","
    raise FileProblem("overskriftslinjen er hverken adskilt med ; eller ,")


def normalise_header(names: list[str]) -> list[str]:
    return [n.strip().strip('"').strip().lower() for n in names]


def check_columns(found: list[str], source: Source) -> None:
    """The file's columns must be the contract's columns (any order, names case-insensitive)."""
    expected = list(source.column_names)
    missing = [c for c in expected if c not in found]
    unexpected = [c for c in found if c not in expected]
    duplicated = sorted({c for c in found if found.count(c) > 1})
    problems = []
    if missing:
        problems.append("mangler kolonnerne " + ", ".join(missing))
    if unexpected:
        problems.append("har uventede kolonner " + ", ".join(repr(c) for c in unexpected))
    if duplicated:
        problems.append("har kolonner flere gange: " + ", ".join(duplicated))
    if problems:
        raise FileProblem("filen " + " og ".join(problems) + f" (kontrakten for {source.name})")
