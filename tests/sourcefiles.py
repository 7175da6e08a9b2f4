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


def rent_class(klasse: str, min_kr: str, max_kr: str | None, **overrides: object) -> Row:
    row: Row = {
        "klasse": klasse,
        "navn": f"{min_kr} kr. og op" if max_kr is None else f"{min_kr}-{max_kr} kr.",
        "min_kr": min_kr,
        "max_kr": max_kr,
        "gyldig_fra": "01-01-2020",
        "gyldig_til": None,
    }
    row.update(overrides)
    return row


def department(afdeling_id: str = "FSB-0101", **overrides: object) -> Row:
    row: Row = {
        "afdeling_id": afdeling_id,
        "boligorganisation": "fsb",
        "afdeling_navn": "Ryparken",
        "bydel": "Østerbro",
        "antal_boliger": 412,
        "skaermet": 0,
        "maaned": "2023-12",
        "ledige_boliger": 6,
        "udlejet_venteliste": 3,
        "udlejet_fleksibel": 1,
        "anvist_kommune": 2,
    }
    row.update(overrides)
    return row


def support_episode(forloeb_id: str = "F-000001", **overrides: object) -> Row:
    row: Row = {
        "forloeb_id": forloeb_id,
        "cpr": "010190-1235",
        "indsats": "CTI",
        "leverandoer": "kommunal",
        "team": "CTI-team Nord",
        "bevilget_dato": "02-01-2024",
        "start_dato": "05-01-2024",
        "slut_dato": None,
        "slut_aarsag": None,
        "opdateret": "05-01-2024 09:00:00",
        "slettet": "0",
    }
    row.update(overrides)
    return row


def write_night(landing: Path, day: date) -> None:
    """One complete, valid delivery of every source as of `day`: the nightly extracts dated
    `day`, the weekly ones, last month's department table and the rent classes. Consistent with
    itself (the dwelling's department exists, the rent classes cover every rent from 0), so the
    quality gate passes on it; tests add their own twists on top."""
    stamp = f"{day:%Y%m%d}"
    month = date(day.year, day.month, 1)
    previous = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
    write_csv(landing, f"anvisninger_{stamp}.csv", [allocation("A2024-000001")])
    write_csv(landing, f"bostotte_{stamp}.csv", [support_episode()])
    write_csv(landing, f"herbergsophold_{stamp}.csv", [shelter_stay()])
    write_xlsx(landing, f"ledige_boliger_{stamp}_1.xlsx", [dwelling()])
    write_csv(landing, f"returnerede_boliger_{stamp}.csv", [returned()])
    write_xlsx(landing, f"afdelinger_{month:%Y%m%d}.xlsx", [department(maaned=f"{previous:%Y-%m}")])
    write_csv(
        landing,
        "huslejeklasser_20200101.csv",
        [
            rent_class("K1", "0", "3.000"),
            rent_class("K2", "3.000", "4.000"),
            rent_class("K3", "4.000", "5.000"),
            rent_class("K4", "5.000", None),
        ],
    )
