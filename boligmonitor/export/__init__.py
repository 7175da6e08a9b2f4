"""The monthly export package for BL 1. kreds: CSV, XLSX and Parquet, a data dictionary, a manifest.

`write_package` takes tables that have already been through disclosure control and writes
`<exports>/<YYYY-MM>/`:

- `<table>.csv` per table, for Danish Excel: UTF-8 with BOM, `;` between fields, CRLF, decimal
  comma, no thousands separator, dates `dd-mm-åååå`, `ja`/`nej`;
- `<table>.parquet` per table, with the same (Danish) column labels and the same rounding;
- `boligmonitor_<YYYY-MM>.xlsx`: a first sheet "Læs mig", a sheet per table, and "Dataordbog";
- `dataordbog.csv`: every table and column, its meaning, unit and type;
- `manifest.json`: every file with rows, bytes and sha256; the tables; the source extracts used;
  the checks that passed; how many cells were suppressed; the software version; the as-of date.

Suppressed cells are shown as `..` in CSV and XLSX (Statistics Denmark's sign for a figure that
is withheld). Not `<5`: a complementary cell may hold any number, and `<5` would also tell a
reader which hidden cells are the small ones. In Parquet they are null, and the file's metadata
(`boligmonitor.undertrykt`) lists them. An empty field is a value that cannot be computed (a
share of nothing), never a suppressed one. The manifest gives suppressed cells per table, not
per cell and reason: the reason would tell which hidden cells are the small ones. The full log,
with reasons, goes to `audit.exports` in the warehouse only.

Nothing in the data files depends on the clock: the same inputs give byte-identical files (XLSX
with fixed document properties and zip timestamps). The time of the run is written only by
`log_export`. The package is written into a temporary folder next to the target and swapped in
only when complete (an atomic exchange of the two folders where Linux supports it); any failure
before that leaves the previous package for the month as it was.

Nothing shaped like a CPR number is written: every cell is checked with `cpr.mask_text`, and
the writer refuses the whole package with a Danish message naming the table, row and column.
"""

from __future__ import annotations

import csv
import ctypes
import errno
import hashlib
import io
import json
import math
import os
import re
import secrets
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from boligmonitor import cpr
from boligmonitor.disclosure import DEFAULT_K, FREE_TEXT_NAMES, Suppression, check_k

MARKER = ".."
README_SHEET = "Læs mig"
DICTIONARY_SHEET = "Dataordbog"
DICTIONARY_FILE = "dataordbog.csv"
MANIFEST_FILE = "manifest.json"
DEFAULT_DECIMALS = 4
DEFAULT_CONTACT = "Socialforvaltningen, Københavns Kommune"
SUPPRESSED_METADATA_KEY = b"boligmonitor.undertrykt"
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a zip file can hold
MONTHS_DA = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportError(ValueError):
    """The package cannot be written; the message (Danish) says which table, row and column."""


@dataclass(frozen=True)
class Column:
    """One column as published: the table's column `name`, its Danish label, meaning and unit."""

    name: str
    label: str
    description: str
    unit: str = ""  # e.g. "antal", "andel (0-1)", "kr. pr. måned", "dage"; empty for categories
    decimals: int = DEFAULT_DECIMALS  # decimal numbers are rounded to this many places


@dataclass(frozen=True)
class ExportTable:
    name: str  # file name stem: lower-case a-z, digits and _
    title: str  # Danish; the sheet name (at most 31 characters)
    description: str  # Danish; for the data dictionary and "Læs mig"
    columns: tuple[Column, ...]
    data: pa.Table
    suppressed: frozenset[tuple[int, str]] = frozenset()  # (row index, column name)
    counts: tuple[str, ...] = ()  # count columns: checked again against the threshold
    k: int = DEFAULT_K
    log: tuple[dict[str, Any], ...] = ()  # disclosure log, for the audit table

    @classmethod
    def from_suppression(
        cls,
        result: Suppression,
        *,
        title: str,
        description: str,
        columns: Sequence[Column],
        name: str | None = None,
    ) -> ExportTable:
        """The export table of a disclosure result: its data, suppressed cells and log."""
        return cls(
            name=name or result.name,
            title=title,
            description=description,
            columns=tuple(columns),
            data=result.table,
            suppressed=result.suppressed,
            counts=result.spec.counts,
            k=result.k,
            log=tuple(result.log()),
        )


@dataclass(frozen=True)
class SourceExtract:
    """A landed source file the package's numbers are built from (see audit.files)."""

    source: str
    path: str
    sha256: str
    rows: int
    extract_date: date | None = None


@dataclass(frozen=True)
class PassedCheck:
    """A quality check that passed in the run that built the package."""

    name: str
    target: str
    severity: str = "error"


@dataclass(frozen=True)
class FileEntry:
    name: str
    rows: int
    bytes: int
    sha256: str


@dataclass(frozen=True)
class ExportPackage:
    """What was written, for the audit log."""

    month: str
    path: Path
    files: tuple[FileEntry, ...]  # every file but the manifest
    rows: int  # data rows over all tables
    suppressed_cells: int
    suppression_log: tuple[dict[str, Any], ...]
    checks: tuple[PassedCheck, ...]
    version: str
    as_of: date
    manifest_sha256: str = ""
    tables: tuple[str, ...] = field(default_factory=tuple)


# ---- cells ------------------------------------------------------------------------------


def _rounded(value: float | Decimal, decimals: int) -> Decimal:
    exact = Decimal(repr(value)) if isinstance(value, float) else value
    result = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return result + 0  # turns -0 into 0


def _is_number(value: object) -> bool:
    return isinstance(value, (float, Decimal)) and not isinstance(value, bool)


def cell_text(value: object, decimals: int = DEFAULT_DECIMALS, suppressed: bool = False) -> str:
    """A value as it is written in the CSV files (Danish Excel)."""
    if suppressed:
        return MARKER
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, int):
        return str(value)
    if _is_number(value):
        text = format(_rounded(value, decimals), "f")  # type: ignore[arg-type]
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text.replace(".", ",")
    if isinstance(value, datetime):
        return value.strftime("%d-%m-%Y %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    return str(value)


def _type_name(arrow_type: pa.DataType) -> str:
    if pa.types.is_boolean(arrow_type):
        return "ja/nej"
    if pa.types.is_integer(arrow_type):
        return "heltal"
    if pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return "decimaltal"
    if pa.types.is_timestamp(arrow_type):
        return "tidspunkt (dd-mm-åååå tt:mm:ss)"
    if pa.types.is_date(arrow_type):
        return "dato (dd-mm-åååå)"
    return "tekst"


@dataclass
class _Prepared:
    """A table checked and rounded, ready to be written in every format."""

    table: ExportTable
    labels: list[str]
    rows: list[list[Any]]  # values in column order, numbers rounded, suppressed cells None
    hidden: list[list[bool]]
    texts: list[list[str]]  # as in the CSV
    types: list[pa.DataType]


def _prepare(t: ExportTable) -> _Prepared:
    where = f"Tabellen '{t.name}'"
    if not _NAME.fullmatch(t.name):
        raise ExportError(f"{where}: navnet må kun have små bogstaver a-z, tal og _.")
    if len(t.title) > 31 or not t.title or _SHEET_FORBIDDEN.search(t.title):
        raise ExportError(
            f"{where}: titlen '{t.title}' kan ikke bruges som arknavn i Excel "
            "(højst 31 tegn, ikke [ ] : * ? / \\)."
        )
    names = [c.name for c in t.columns]
    labels = [c.label for c in t.columns]
    if sorted(names) != sorted(t.data.column_names) or len(set(names)) != len(names):
        raise ExportError(
            f"{where}: kolonnebeskrivelserne {names} passer ikke til tabellens kolonner "
            f"{t.data.column_names}; hver kolonne skal beskrives én gang."
        )
    if len(set(labels)) != len(labels):
        raise ExportError(f"{where}: to kolonner har samme overskrift.")
    free = [n for n in names if n.lower() in FREE_TEXT_NAMES]
    if free:
        raise ExportError(f"{where}: fritekst ({free}) eksporteres aldrig.")
    check_k(t.k)
    for text in (t.title, t.description, *labels, *(c.description for c in t.columns)):
        if cpr.mask_text(text) != text:
            raise ExportError(f"{where}: en titel eller beskrivelse ligner et CPR-nummer.")

    types = [t.data.schema.field(n).type for n in names]
    data = t.data.select(names).to_pylist()
    rows, hidden, texts = [], [], []
    for i, record in enumerate(data):
        row, row_hidden, row_texts = [], [], []
        for column, dtype in zip(t.columns, types, strict=True):
            value = record[column.name]
            is_hidden = (i, column.name) in t.suppressed
            place = f"{where}, datarække {i + 1}, kolonne '{column.label}'"
            if is_hidden and value is not None:
                raise ExportError(f"{place}: cellen er markeret som undertrykt men har en værdi.")
            text = cell_text(value, column.decimals, is_hidden)
            if cpr.mask_text(text) != text:
                raise ExportError(
                    f"{place}: værdien ligner et CPR-nummer og må ikke forlade kommunen. "
                    "Pakken er ikke skrevet; den forrige pakke for måneden er uændret."
                )
            if value == MARKER:
                raise ExportError(f"{place}: '{MARKER}' er forbeholdt skjulte tal.")
            if isinstance(value, str) and value.startswith(_FORMULA_START):
                raise ExportError(
                    f"{place}: tekst må ikke begynde med = + - @, så regneark ikke læser den "
                    "som en formel."
                )
            if column.name in t.counts and isinstance(value, int) and 0 < value < t.k:
                raise ExportError(
                    f"{place}: tallet er mellem 1 og {t.k - 1} og er ikke undertrykt. "
                    "Tabellen skal gennem diskretioneringen før eksport."
                )
            if _is_number(value):
                value = _rounded(value, column.decimals)
                value = value if pa.types.is_decimal(dtype) else float(value)
            if isinstance(value, float) and math.isnan(value):
                value = None
            row.append(value)
            row_hidden.append(is_hidden)
            row_texts.append(text)
        rows.append(row)
        hidden.append(row_hidden)
        texts.append(row_texts)
    return _Prepared(t, labels, rows, hidden, texts, types)


# ---- file formats -----------------------------------------------------------------------


def _csv_bytes(header: list[str], rows: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _parquet_bytes(p: _Prepared) -> bytes:
    fields = [
        pa.field(
            label,
            dtype,
            metadata={"beskrivelse": c.description, "enhed": c.unit},
        )
        for label, dtype, c in zip(p.labels, p.types, p.table.columns, strict=True)
    ]
    hidden = [[i, p.labels[j]] for i, row in enumerate(p.hidden) for j, h in enumerate(row) if h]
    schema = pa.schema(
        fields,
        metadata={
            b"boligmonitor.tabel": p.table.title.encode(),
            b"boligmonitor.beskrivelse": p.table.description.encode(),
            SUPPRESSED_METADATA_KEY: json.dumps(hidden, ensure_ascii=False).encode(),
        },
    )
    columns = [pa.array([row[j] for row in p.rows], type=dtype) for j, dtype in enumerate(p.types)]
    table = pa.Table.from_arrays(columns, schema=schema)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="snappy")
    return sink.getvalue()


def _number_format(dtype: pa.DataType, decimals: int) -> str | None:
    if pa.types.is_integer(dtype):
        return "#,##0"
    if pa.types.is_floating(dtype) or pa.types.is_decimal(dtype):
        return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    if pa.types.is_timestamp(dtype):
        return "dd-mm-yyyy hh:mm:ss"
    if pa.types.is_date(dtype):
        return "dd-mm-yyyy"
    return None


def _fill_sheet(
    ws: Any,
    header: list[str],
    rows: list[list[Any]],
    formats: list[Any],
    hidden: list[list[bool]] | None = None,
) -> None:
    bold = Font(bold=True)
    right = Alignment(horizontal="right")
    for j, label in enumerate(header, start=1):
        cell = ws.cell(row=1, column=j, value=label)
        cell.font = bold
    for i, row in enumerate(rows, start=2):
        for j, (value, fmt) in enumerate(zip(row, formats, strict=True), start=1):
            cell_hidden = hidden is not None and hidden[i - 2][j - 1]
            if value is None and not cell_hidden:
                continue
            cell = ws.cell(row=i, column=j)
            if cell_hidden:
                cell.value = MARKER
                cell.data_type = "s"
                cell.alignment = right
                continue
            if isinstance(value, Decimal):
                value = float(value)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula
            elif fmt:
                cell.number_format = fmt
    for j, label in enumerate(header, start=1):
        longest = max([len(label)] + [len(str(r[j - 1])) for r in rows])
        ws.column_dimensions[get_column_letter(j)].width = min(max(longest + 2, 8), 60)
    ws.freeze_panes = "A2"


def _normalised_zip(data: bytes) -> bytes:
    """The same zip with fixed timestamps and attributes: byte-identical for identical content."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIMESTAMP)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            fixed.create_system = 0
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def _month_da(month: str) -> str:
    year, number = month.split("-")
    return f"{MONTHS_DA[int(number) - 1]} {year}"


def _readme(
    month: str,
    as_of: date,
    k: int,
    tables: list[_Prepared],
    version: str,
    contact: str,
    xlsx_name: str,
) -> list[list[str]]:
    listing = [
        [p.table.title, f"{p.table.description} Filer: {p.table.name}.csv, {p.table.name}.parquet."]
        for p in tables
    ]
    return [
        ["Boligmonitor", "Månedlig eksport til BL 1. kreds fra Københavns Kommune"],
        [
            "Hvad er det",
            "Samlede tal (aggregater) fra kommunens monitorering af hjemløseplanen (Housing First):"
            " boliger modtaget til boligsocial anvisning, anvist, afvist og returneret, "
            "huslejeklasser, bydele og afdelinger, støtte, ophold på herberg og fastholdelse. "
            "Der er ingen oplysninger om enkeltpersoner.",
        ],
        ["Periode", f"{_month_da(month)} ({month})"],
        ["Opgjort pr.", as_of.strftime("%d-%m-%Y")],
        [
            "Sådan er der talt",
            "Hver tabel tæller boliger eller borgere som beskrevet i dataordbogen (arket "
            f"'{DICTIONARY_SHEET}' og filen {DICTIONARY_FILE}), ud fra kildeudtrækkene nævnt i "
            f"{MANIFEST_FILE}. Rækken 'I alt' er summen af de andre rækker. Andele er tal "
            "mellem 0 og 1; beløb er kroner pr. måned, hvor intet andet står.",
        ],
        [
            "Diskretionering",
            f"Tal fra 1 til {k - 1} vises ikke, så ingen enkeltperson kan genkendes. De er "
            f"erstattet af '{MARKER}'. For at de ikke kan regnes ud fra totalerne, er nogle "
            f"andre tal i samme række eller kolonne også erstattet af '{MARKER}'; en '{MARKER}' "
            "kan derfor dække over ethvert tal fra 1 og op. 0 vises altid: et nul siger intet "
            "om nogen person. Andele og gennemsnit, der bygger på et skjult tal, er også skjult. "
            "Pilotprojektet vises kun samlet. Fritekst eksporteres aldrig. Et tomt felt betyder, "
            "at tallet ikke kan beregnes (fx en andel af 0).",
        ],
        [
            "Filer",
            "CSV-filerne er til dansk Excel: UTF-8, semikolon som skilletegn, decimalkomma og "
            f"datoer som dd-mm-åååå. {xlsx_name} har et ark pr. tabel. Parquet-filerne har de "
            f"samme tal; her er skjulte tal tomme (null), og filens metadata "
            f"'{SUPPRESSED_METADATA_KEY.decode()}' siger hvilke. {MANIFEST_FILE} har en "
            "kontrolsum (sha256) og antal rækker for hver fil.",
        ],
        ["Kontakt", contact],
        ["Version", f"boligmonitor {version}"],
        [],
        ["Tabeller", ""],
        *listing,
    ]


def _xlsx_bytes(
    readme: list[list[str]],
    tables: list[_Prepared],
    dictionary: tuple[list[str], list[list[str]]],
    month: str,
    as_of: date,
) -> bytes:
    wb = Workbook()
    fixed = datetime.combine(as_of, time())
    wb.properties.creator = "boligmonitor"
    wb.properties.title = f"Boligmonitor {month}"
    wb.properties.language = "da-DK"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    ws = wb.active
    ws.title = README_SHEET
    for i, line in enumerate(readme, start=1):
        for j, text in enumerate(line, start=1):
            cell = ws.cell(row=i, column=j, value=text)
            cell.data_type = "s"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if j == 1:
                cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 110
    for p in tables:
        sheet = wb.create_sheet(p.table.title)
        formats = [
            _number_format(dtype, c.decimals)
            for dtype, c in zip(p.types, p.table.columns, strict=True)
        ]
        _fill_sheet(sheet, p.labels, p.rows, formats, p.hidden)
    header, entries = dictionary
    _fill_sheet(wb.create_sheet(DICTIONARY_SHEET), header, entries, [None] * len(header))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()  # save_workbook would stamp the time
    return _normalised_zip(buffer.getvalue())


def _dictionary(tables: list[_Prepared]) -> tuple[list[str], list[list[str]]]:
    header = ["Tabel", "Fil", "Kolonne", "Betydning", "Enhed", "Datatype", "Om tabellen"]
    entries = []
    for p in tables:
        for label, c, dtype in zip(p.labels, p.table.columns, p.types, strict=True):
            entries.append(
                [
                    p.table.title,
                    f"{p.table.name}.csv",
                    label,
                    c.description,
                    c.unit,
                    _type_name(dtype),
                    p.table.description,
                ]
            )
    entries.append(
        [
            "(alle)",
            "",
            MARKER,
            "Skjult tal (diskretioneret): enten et tal fra 1 til grænsen minus 1, eller et tal "
            "der er skjult, så et lille tal ikke kan regnes ud fra totalerne. Se 'Læs mig'.",
            "",
            "",
            "",
        ]
    )
    return header, entries


# ---- writing ----------------------------------------------------------------------------


def _write(folder: Path, name: str, data: bytes) -> None:
    with open(folder / name, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step (Linux renameat2 RENAME_EXCHANGE). False when the
    system or file system does not offer it."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a))


def _recover(target: Path) -> None:
    """Put back a previous package left aside by an interrupted two-step replace."""
    if target.exists():
        return
    aside = sorted(target.parent.glob(f".{target.name}.old-*"), key=lambda p: p.stat().st_mtime)
    if aside:
        os.rename(aside[-1], target)


def replace_folder(new: Path, target: Path, *, atomic_exchange: bool = True) -> None:
    """Move the complete folder `new` to `target`, replacing a previous `target` only now.

    Where the system can, the two folders are exchanged atomically and the old one deleted
    afterwards. Otherwise the old folder is first renamed aside (and put back if the second
    rename fails; `write_package` also puts it back after a crash between the two renames)."""
    if not target.exists():
        os.replace(new, target)
    elif atomic_exchange and _exchange(new, target):
        shutil.rmtree(new)
    else:
        aside = target.parent / f".{target.name}.old-{secrets.token_hex(4)}"
        os.rename(target, aside)
        try:
            os.rename(new, target)
        except OSError:
            os.rename(aside, target)
            raise
        shutil.rmtree(aside)
    _fsync_dir(target.parent)


def write_package(
    exports_dir: Path,
    month: str,
    tables: Sequence[ExportTable],
    *,
    sources: Sequence[SourceExtract],
    checks: Sequence[PassedCheck],
    version: str,
    as_of: date,
    contact: str = DEFAULT_CONTACT,
) -> ExportPackage:
    """Write the package for `month` (YYYY-MM) to `exports_dir/<month>/`, atomically."""
    if not _MONTH.fullmatch(month):
        raise ExportError(f"Måneden '{month}' er ikke på formen åååå-mm.")
    if not tables:
        raise ExportError(f"Pakken for {month} har ingen tabeller.")
    names = [t.name for t in tables]
    titles = [t.title for t in tables]
    if len(set(names)) != len(names) or len(set(titles)) != len(titles):
        raise ExportError(f"Pakken for {month}: to tabeller har samme navn eller titel.")
    if {README_SHEET, DICTIONARY_SHEET} & set(titles):
        raise ExportError(f"Titlerne '{README_SHEET}' og '{DICTIONARY_SHEET}' er reserverede.")
    k = max(t.k for t in tables)

    exports_dir.mkdir(parents=True, exist_ok=True)
    target = exports_dir / month
    _recover(target)
    for stale in exports_dir.glob(f".{month}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix=f".{month}.tmp-", dir=exports_dir))
    try:
        os.chmod(work, 0o755)
        files: dict[str, FileEntry] = {}

        def put(name: str, data: bytes, rows: int) -> None:
            _write(work, name, data)
            files[name] = FileEntry(name, rows, len(data), hashlib.sha256(data).hexdigest())

        prepared = []
        for t in tables:
            p = _prepare(t)
            put(f"{t.name}.csv", _csv_bytes(p.labels, p.texts), len(p.rows))
            put(f"{t.name}.parquet", _parquet_bytes(p), len(p.rows))
            prepared.append(p)
        dictionary = _dictionary(prepared)
        put(DICTIONARY_FILE, _csv_bytes(*dictionary), len(dictionary[1]))
        xlsx_name = f"boligmonitor_{month}.xlsx"
        readme = _readme(month, as_of, k, prepared, version, contact, xlsx_name)
        total_rows = sum(len(p.rows) for p in prepared)
        put(xlsx_name, _xlsx_bytes(readme, prepared, dictionary, month, as_of), total_rows)

        log = tuple(entry for t in tables for entry in t.log)
        suppressed = sum(len(t.suppressed) for t in tables)
        manifest = _manifest(
            month, as_of, version, prepared, files, sources, checks, k, suppressed, xlsx_name
        )
        manifest_bytes = (
            json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        ).encode("utf-8")
        _write(work, MANIFEST_FILE, manifest_bytes)
        _fsync_dir(work)
        replace_folder(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return ExportPackage(
        month=month,
        path=target,
        files=tuple(files[n] for n in sorted(files)),
        rows=total_rows,
        suppressed_cells=suppressed,
        suppression_log=log,
        checks=tuple(checks),
        version=version,
        as_of=as_of,
        manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest(),
        tables=tuple(names),
    )


def _manifest(
    month: str,
    as_of: date,
    version: str,
    prepared: list[_Prepared],
    files: dict[str, FileEntry],
    sources: Sequence[SourceExtract],
    checks: Sequence[PassedCheck],
    k: int,
    suppressed: int,
    xlsx_name: str,
) -> dict[str, Any]:
    file_list = []
    for name in sorted(files):
        f = files[name]
        entry: dict[str, Any] = {"fil": f.name, "raekker": f.rows, "bytes": f.bytes}
        entry["sha256"] = f.sha256
        if name == xlsx_name:
            entry["ark"] = {p.table.title: len(p.rows) for p in prepared}
        file_list.append(entry)
    return {
        "pakke": "Boligmonitor: månedlig eksport til BL 1. kreds",
        "maaned": month,
        "opgjort_pr": as_of.isoformat(),
        "softwareversion": version,
        "filer": file_list,
        "tabeller": [
            {
                "navn": p.table.name,
                "titel": p.table.title,
                "raekker": len(p.rows),
                "kolonner": p.labels,
                "undertrykte_celler": len(p.table.suppressed),
            }
            for p in prepared
        ],
        "kilder": [
            {
                "kilde": s.source,
                "fil": s.path,
                "sha256": s.sha256,
                "raekker": s.rows,
                "udtraeksdato": s.extract_date.isoformat() if s.extract_date else None,
            }
            for s in sorted(sources, key=lambda s: (s.source, s.path))
        ],
        "kontroller": [
            {"navn": c.name, "maal": c.target, "alvor": c.severity}
            for c in sorted(checks, key=lambda c: (c.target, c.name))
        ],
        "diskretionering": {
            "graense": k,
            "markering": MARKER,
            "regel": (
                f"Tal fra 1 til {k - 1} er skjult, og så mange andre tal, at de ikke kan regnes "
                "ud fra totalerne. Nul vises. Andele og gennemsnit på skjulte tal er skjult."
            ),
            "undertrykte_celler_i_alt": suppressed,
        },
    }


# ---- audit ------------------------------------------------------------------------------

AUDIT_COLUMNS = {
    "month": ("VARCHAR", "Måneden pakken gælder (åååå-mm) / the month exported"),
    "path": ("VARCHAR", "Pakkens mappe / the package folder"),
    "files": ("JSON", "Filerne med rækker, bytes og sha256 / files with rows, bytes, sha256"),
    "file_count": ("INTEGER", "Antal filer ud over manifest.json / number of files"),
    "rows": ("BIGINT", "Datarækker i alle tabeller / data rows over all tables"),
    "suppressed_cells": ("INTEGER", "Undertrykte celler i alt / suppressed cells"),
    "suppression": (
        "JSON",
        "Hver undertrykt celle med tabel, række, kolonne og årsag (primary, complementary, "
        "derived); kun internt / every suppressed cell and why; internal only",
    ),
    "checks": ("JSON", "Kontroller der bestod / checks that passed"),
    "software_version": ("VARCHAR", "boligmonitors version / software version"),
    "as_of": ("DATE", "Opgjort pr. / the as-of date"),
    "manifest_sha256": ("VARCHAR", "SHA-256 af manifest.json"),
    "created_at": ("TIMESTAMP", "Tidspunkt for eksporten / time of the export run"),
}


def ensure_audit_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create audit.exports if it is missing."""
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    ddl = ", ".join(f'"{n}" {t}' for n, (t, _) in AUDIT_COLUMNS.items())
    con.execute(f"CREATE TABLE IF NOT EXISTS audit.exports ({ddl})")
    con.execute(
        "COMMENT ON TABLE audit.exports IS 'Eksportlog: hver skrevet pakke til BL 1. kreds, "
        "med filer, rækker, undertrykte celler og kontroller / every export package written'"
    )
    for name, (_, doc) in AUDIT_COLUMNS.items():
        quoted = "'" + doc.replace("'", "''") + "'"
        con.execute(f'COMMENT ON COLUMN audit.exports."{name}" IS {quoted}')


def log_export(
    con: duckdb.DuckDBPyConnection, package: ExportPackage, created_at: datetime | None = None
) -> None:
    """Record a written package in audit.exports, with the time of the run."""
    ensure_audit_table(con)
    con.execute(
        "INSERT INTO audit.exports VALUES (?, ?, ?::JSON, ?, ?, ?, ?::JSON, ?::JSON, ?, ?, ?, ?)",
        [
            package.month,
            str(package.path),
            json.dumps([f.__dict__ for f in package.files], ensure_ascii=False),
            len(package.files),
            package.rows,
            package.suppressed_cells,
            json.dumps(list(package.suppression_log), ensure_ascii=False),
            json.dumps([c.__dict__ for c in package.checks], ensure_ascii=False),
            package.version,
            package.as_of,
            package.manifest_sha256,
            created_at or datetime.now().replace(microsecond=0),
        ],
    )
