"""Writing rows as the source files really look: CSV in several dialects and encodings, and XLSX.

A row is a dict of Python values (str, int, float, date, datetime, None). `Raw` marks a value a
broken row carries verbatim. Each file gets one style, chosen from a random generator seeded for
that file alone, so the same seed always gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.writer.excel import ExcelWriter

from boligmonitor.contracts import Column
from boligmonitor.demo.cpr import format_cpr

# Fixed zip entry time for XLSX files (the earliest a zip file can hold).
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class Raw(str):
    """A value written exactly as given (a broken value), in CSV and XLSX alike."""


@dataclass(frozen=True)
class Style:
    """How one file writes its values."""

    date_format: str = "dmy"  # dmy: dd-mm-yyyy, iso: yyyy-mm-dd
    timestamp_format: str = "dmy"  # dmy: dd-mm-yyyy HH:MM:SS, iso: yyyy-mm-ddTHH:MM:SS
    numbers: str = "plain"  # thousands: 4.250,50; plain: 4250,5 / 4250; fixed: 4250,50
    cpr_dash: bool = True
    # CSV only
    encoding: str = "utf-8"  # utf-8, utf-8-sig (BOM), cp1252
    delimiter: str = ";"
    line_end: str = "\r\n"
    # XLSX only: share of date and number cells written as text
    text_dates: float = 0.0
    text_numbers: float = 0.0


def choose_csv_style(rng: random.Random, old_export: bool) -> Style:
    """A CSV style. `old_export`: the file comes from a system that still exports Windows-1252."""
    if old_export:
        encoding = "cp1252" if rng.random() < 0.85 else "utf-8"
    else:
        encoding = str(rng.choices(("utf-8", "utf-8-sig", "cp1252"), (0.84, 0.13, 0.03))[0])
    return Style(
        date_format="dmy" if rng.random() < 0.85 else "iso",
        timestamp_format="dmy" if rng.random() < 0.75 else "iso",
        numbers=str(rng.choices(("thousands", "plain", "fixed"), (0.4, 0.4, 0.2))[0]),
        cpr_dash=rng.random() < 0.85,
        encoding=encoding,
        delimiter=";" if rng.random() < 0.9 else ",",
        line_end="\r\n" if rng.random() < 0.6 else "\n",
    )


def choose_xlsx_style(rng: random.Random) -> Style:
    r = rng.random()
    return Style(
        date_format="dmy" if rng.random() < 0.8 else "iso",
        timestamp_format="dmy" if rng.random() < 0.7 else "iso",
        numbers="thousands" if rng.random() < 0.6 else "plain",
        text_dates=0.0 if r < 0.7 else (1.0 if r < 0.8 else 0.15),
        text_numbers=0.0 if rng.random() < 0.75 else 0.2,
    )


def danish_number(value: float, style: str) -> str:
    if style == "thousands":
        text = f"{value:,.2f}"
    elif style == "fixed":
        text = f"{value:.2f}"
    else:
        text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def render(value: Any, column: Column, style: Style) -> str:
    """The text form of one value under a file's style ('' for null)."""
    if value is None:
        return ""
    if isinstance(value, Raw):
        return str(value)
    kind = column.kind
    if kind == "date":
        return value.strftime("%d-%m-%Y" if style.date_format == "dmy" else "%Y-%m-%d")
    if kind == "timestamp":
        fmt = "%d-%m-%Y %H:%M:%S" if style.timestamp_format == "dmy" else "%Y-%m-%dT%H:%M:%S"
        return value.strftime(fmt)
    if kind == "decimal":
        return danish_number(float(value), style.numbers)
    if kind == "cpr":
        return format_cpr(value, style.cpr_dash)
    return str(value)


def csv_bytes(columns: Sequence[Column], rows: Sequence[dict[str, Any]], style: Style) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(
        buffer,
        delimiter=style.delimiter,
        quotechar='"',
        lineterminator=style.line_end,
        quoting=csv.QUOTE_MINIMAL,
    )
    writer.writerow([c.name for c in columns])
    for row in rows:
        writer.writerow([render(row.get(c.name), c, style) for c in columns])
    return buffer.getvalue().encode(style.encoding)


def write_csv(path: Path, columns: Sequence[Column], rows: Sequence[dict], style: Style) -> None:
    _write_new(path, csv_bytes(columns, rows, style))


def _cell(ws: Any, value: Any, column: Column, style: Style, rng: random.Random) -> Any:
    if value is None or isinstance(value, Raw):
        return None if value is None else str(value)
    kind = column.kind
    if kind in ("date", "timestamp"):
        if rng.random() < style.text_dates:
            return render(value, column, style)
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "dd-mm-yyyy" if kind == "date" else "dd-mm-yyyy hh:mm:ss"
        return cell
    if kind == "decimal":
        if rng.random() < style.text_numbers:
            return render(value, column, style)
        cell = WriteOnlyCell(ws, value=float(value))
        cell.number_format = "#,##0.00"
        return cell
    if kind in ("integer", "flag"):
        if kind == "integer" and rng.random() < style.text_numbers:
            return str(value)
        return int(value)
    return str(value)


def xlsx_bytes(
    columns: Sequence[Column],
    rows: Sequence[dict[str, Any]],
    style: Style,
    rng: random.Random,
    stamp: datetime,
) -> bytes:
    """An XLSX file whose bytes depend only on the arguments (fixed properties and zip times)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Ark1")
    sheet.append([c.name for c in columns])
    for row in rows:
        sheet.append([_cell(sheet, row.get(c.name), c, style, rng) for c in columns])
    workbook.properties.creator = "boligmonitor demo"
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    fixed = io.BytesIO()
    with (
        zipfile.ZipFile(raw) as source,
        zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info.filename))
    return fixed.getvalue()


def write_xlsx(
    path: Path,
    columns: Sequence[Column],
    rows: Sequence[dict],
    style: Style,
    rng: random.Random,
    stamp: datetime,
) -> None:
    _write_new(path, xlsx_bytes(columns, rows, style, rng, stamp))


def _write_new(path: Path, data: bytes) -> None:
    with path.open("xb") as handle:  # never overwrite a landed file
        handle.write(data)


def file_date_stamp(day: date) -> datetime:
    """The time an export made on `day` says it was made."""
    return datetime(day.year, day.month, day.day, 2, 15, 0)
