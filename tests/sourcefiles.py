"""Write small source files for tests, in every variant the contract allows.

Hand-made rows, not the demo generator: tests of ingestion must not depend on its quirks.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from boligmonitor.contracts import SOURCES

Row = dict[str, object]


def _source_of(name: str) -> str:
    return re.match(r"(.+?)_[0-9]{8}", name).group(1)


def write_csv(
    landing: Path,
    name: str,
    rows: Sequence[Row],
    *,
    encoding: str = "utf-8",
    delimiter: str = ";",
    columns: Sequence[str] | None = None,
    newline: str = "\r\n",
) -> Path:
    """Write `rows` (values as the source would print them) to landing/<source>/<name>."""
    source = _source_of(name)
    cols = list(columns or SOURCES[source].column_names)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, quotechar='"', lineterminator=newline)
    writer.writerow(cols)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else str(row.get(c)) for c in cols])
    path = landing / source / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(landing: Path, name: str, rows: Sequence[Row]) -> Path:
    """Write `rows` to an XLSX file; date/datetime values become real Excel dates, numbers stay
    numbers, strings stay text (so '4.250,50' is a number stored as text)."""
    from openpyxl import Workbook

    source = _source_of(name)
    cols = list(SOURCES[source].column_names)
    wb = Workbook()
    ws = wb.active
    ws.append(cols)
    for row in rows:
        ws.append([row.get(c) for c in cols])
    for r in ws.iter_rows(min_row=2):
        for cell in r:
            if isinstance(cell.value, datetime):
                cell.number_format = "dd-mm-yyyy hh:mm:ss"
            elif isinstance(cell.value, date):
                cell.number_format = "dd-mm-yyyy"
    path = landing / source / name
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def allocation(anvisning_id: str = "A2024-000001", **overrides: object) -> Row:
    row: Row = {
        "anvisning_id": anvisning_id,
        "cpr": "010190-1235",
        "indstillet_dato": "01-12-2023",
        "maalgruppe": "herberg",
        "betalingsevne_kr": "4.250,50",
        "boligtype_behov": "familie",
        "bostotte_behov": "1",
        "bolig_id": None,
        "tilbudt_dato": None,
        "status": "indstillet",
        "indflytning_dato": None,
        "fraflytning_dato": None,
        "fraflytning_aarsag": None,
        "huslejetilskud": "ingen",
        "tilskud_kr_md": None,
        "tilskud_slut_dato": None,
        "pilot_gruppe": None,
        "opdateret": "02-12-2023 10:15:00",
        "slettet": "0",
    }
    row.update(overrides)
    return row


def dwelling(bolig_id: str = "FSB-0101-001", **overrides: object) -> Row:
    row: Row = {
        "bolig_id": bolig_id,
        "boligorganisation": "fsb",
        "afdeling_id": "FSB-0101",
        "bydel": "Østerbro",
        "adresse": "Ærøgade 3, 2. th.",
        "boligtype": "familie",
        "vaerelser": "3",
        "areal_m2": "72,5",
        "husleje_kr": "5.125,00",
        "aconto_kr": "650",
        "modtaget_dato": "03-01-2024",
        "svarfrist_dato": "17-01-2024",
        "opdateret": "03-01-2024 08:00:00",
    }
    row.update(overrides)
    return row


def shelter_stay(ophold_id: str = "H-000001", **overrides: object) -> Row:
    row: Row = {
        "ophold_id": ophold_id,
        "cpr": "0101901235",
        "herberg": "Herberget på Sundholm",
        "herberg_type": "kommunal",
        "indskrevet_dato": "01-10-2023",
        "udskrevet_dato": None,
        "udskrevet_til": None,
        "handleplan_dato": None,
        "opdateret": "2023-10-01T12:00:00",
        "slettet": "0",
    }
    row.update(overrides)
    return row


def returned(bolig_id: str = "FSB-0101-001", **overrides: object) -> Row:
    row: Row = {
        "bolig_id": bolig_id,
        "returneret_dato": "20-01-2024",
        "aarsag": "husleje_for_hoej",
        "bemaerkning": "Huslejen er for høj til målgruppen",
        "opdateret": "20-01-2024 09:00:00",
    }
    row.update(overrides)
    return row
