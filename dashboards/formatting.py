"""Danish formatting: numbers `1.234`, shares `12,5 %`, dates `dd.mm.åååå`, in Python and in Vega.

The same conventions on both sides: Python formats the text of the pages (the data period, the
time of the run), and the d3 locales below make Vega format axes and tooltips the same way. The
CSV files beside the pages are written like the export package's CSV files, for Danish Excel.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa

from boligmonitor.export import MARKER, cell_text
from boligmonitor.export.model import MONTHS_DA

MONTHS = MONTHS_DA
SHORT_MONTHS = tuple(m[:3] + "." if len(m) > 4 else m for m in MONTHS)
DAYS = ("søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag")

# d3-format and d3-time-format locales (vega-embed's `formatLocale` and `timeFormatLocale`).
D3_FORMAT_LOCALE: dict[str, object] = {
    "decimal": ",",
    "thousands": ".",
    "grouping": [3],
    "currency": ["", " kr."],
    "percent": "\u00a0%",  # 12,5 % with a non-breaking space, as Danish style has it
}
D3_TIME_FORMAT_LOCALE: dict[str, object] = {
    "dateTime": "%A den %d. %B %Y %X",
    "date": "%d.%m.%Y",
    "time": "%H:%M:%S",
    "periods": ["", ""],
    "days": list(DAYS),
    "shortDays": ["søn", "man", "tir", "ons", "tor", "fre", "lør"],
    "months": list(MONTHS),
    "shortMonths": list(SHORT_MONTHS),
}

# Okabe & Ito's palette: distinguishable with every common form of colour blindness.
COLOURS = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
REFERENCE_COLOUR = "#000000"  # rules and targets: black, dashed
MUTED = "#999999"

# Vega formats (d3), rendered with the Danish locale above.
INTEGER = ",d"  # 1.234
KRONER = ",.0f"  # 12.345
PERCENT = ".1%"  # 12,5 %
PERCENT_AXIS = ".0%"
DATE = "%d.%m.%Y"
MONTH = "%B %Y"
MONTH_AXIS = "%b %Y"


def number_da(value: float | int | Decimal | None, decimals: int = 0) -> str:
    """`1.234` or `1.234,5`; an empty string for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{float(value):,.{decimals}f}" if decimals else f"{round(float(value)):,d}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def percent_da(share: float | None, decimals: int = 1) -> str:
    """A share 0-1 as `12,5 %` (non-breaking space before the sign)."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return ""
    return number_da(share * 100, decimals) + "\u00a0%"


def date_da(day: date | datetime | None) -> str:
    """`31.12.2025`."""
    return "" if day is None else day.strftime("%d.%m.%Y")


def datetime_da(moment: datetime) -> str:
    """`31.12.2025 kl. 02:13`."""
    return moment.strftime("%d.%m.%Y kl. %H:%M")


def month_da(day: date) -> str:
    """`december 2025`."""
    return f"{MONTHS[day.month - 1]} {day.year}"


def json_value(value: object) -> object:
    """A cell as Vega reads it: dates as ISO text, decimals as floats, NaN as null."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def records(table: pa.Table) -> list[dict[str, object]]:
    """The rows of a table as JSON-ready dicts (what is inlined into a chart)."""
    return [{k: json_value(v) for k, v in row.items()} for row in table.to_pylist()]


def csv_bytes(
    table: pa.Table,
    labels: Sequence[str],
    *,
    suppressed: frozenset[tuple[int, str]] = frozenset(),
    decimals: int = 4,
) -> bytes:
    """A table as CSV for Danish Excel, written like the export package's CSV files: UTF-8 with
    BOM, `;`, CRLF, decimal comma, dates dd-mm-åååå, suppressed cells as `..`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(labels)
    for i, row in enumerate(table.to_pylist()):
        writer.writerow(
            cell_text(value, decimals, (i, name) in suppressed) for name, value in row.items()
        )
    return buffer.getvalue().encode("utf-8-sig")


__all__ = [
    "COLOURS",
    "D3_FORMAT_LOCALE",
    "D3_TIME_FORMAT_LOCALE",
    "MARKER",
    "csv_bytes",
    "date_da",
    "datetime_da",
    "month_da",
    "number_da",
    "percent_da",
    "records",
]
