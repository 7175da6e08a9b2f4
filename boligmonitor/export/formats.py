"""The file formats: CSV for Danish Excel, Parquet, and XLSX that is byte-identical run to run."""

from __future__ import annotations

import csv
import io
import json
import math
import zipfile
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from boligmonitor.export.model import (
    DEFAULT_DECIMALS,
    DICTIONARY_SHEET,
    MARKER,
    README_SHEET,
    SUPPRESSED_METADATA_KEY,
    ZIP_TIMESTAMP,
    Prepared,
)


def rounded(value: float | Decimal, decimals: int) -> Decimal:
    exact = Decimal(repr(value)) if isinstance(value, float) else value
    result = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return result + 0  # turns -0 into 0


def is_number(value: object) -> bool:
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
    if is_number(value):
        text = format(rounded(value, decimals), "f")  # type: ignore[arg-type]
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text.replace(".", ",")
    if isinstance(value, datetime):
        return value.strftime("%d-%m-%Y %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    return str(value)


def type_name(arrow_type: pa.DataType) -> str:
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


def csv_bytes(header: list[str], rows: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def parquet_bytes(p: Prepared) -> bytes:
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


def xlsx_bytes(
    readme: list[list[str]],
    tables: list[Prepared],
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
