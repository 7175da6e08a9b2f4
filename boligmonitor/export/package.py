"""Checking the tables and writing the package: files, data dictionary, Læs mig, manifest."""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa

from boligmonitor import cpr
from boligmonitor.disclosure import FREE_TEXT_NAMES, check_k
from boligmonitor.export.folders import fsync_dir, recover, replace_folder, write_file
from boligmonitor.export.formats import (
    cell_text,
    csv_bytes,
    is_number,
    parquet_bytes,
    rounded,
    type_name,
    xlsx_bytes,
)
from boligmonitor.export.model import (
    DEFAULT_CONTACT,
    DICTIONARY_FILE,
    DICTIONARY_SHEET,
    FORMULA_START,
    MANIFEST_FILE,
    MARKER,
    MONTH_PATTERN,
    MONTHS_DA,
    NAME_PATTERN,
    README_SHEET,
    SHEET_FORBIDDEN,
    SUPPRESSED_METADATA_KEY,
    ExportError,
    ExportPackage,
    ExportTable,
    FileEntry,
    PassedCheck,
    Prepared,
    SourceExtract,
)


def _prepare(t: ExportTable) -> Prepared:
    where = f"Tabellen '{t.name}'"
    if not NAME_PATTERN.fullmatch(t.name):
        raise ExportError(f"{where}: navnet må kun have små bogstaver a-z, tal og _.")
    if len(t.title) > 31 or not t.title or SHEET_FORBIDDEN.search(t.title):
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
            if isinstance(value, float) and math.isnan(value):
                value = None
            if isinstance(value, float) and math.isinf(value):
                raise ExportError(f"{place}: værdien er uendelig (en division med 0?).")
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
            if isinstance(value, str) and value.startswith(FORMULA_START):
                raise ExportError(
                    f"{place}: tekst må ikke begynde med = + - @, så regneark ikke læser den "
                    "som en formel."
                )
            if column.name in t.counts and isinstance(value, int) and 0 < value < t.k:
                raise ExportError(
                    f"{place}: tallet er mellem 1 og {t.k - 1} og er ikke undertrykt. "
                    "Tabellen skal gennem diskretioneringen før eksport."
                )
            if is_number(value):
                value = rounded(value, column.decimals)
                value = value if pa.types.is_decimal(dtype) else float(value)
            row.append(value)
            row_hidden.append(is_hidden)
            row_texts.append(text)
        rows.append(row)
        hidden.append(row_hidden)
        texts.append(row_texts)
    return Prepared(t, labels, rows, hidden, texts, types)


def _month_da(month: str) -> str:
    year, number = month.split("-")
    return f"{MONTHS_DA[int(number) - 1]} {year}"


def _readme(
    month: str,
    as_of: date,
    k: int,
    tables: list[Prepared],
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


def _dictionary(tables: list[Prepared]) -> tuple[list[str], list[list[str]]]:
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
                    type_name(dtype),
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
    if not MONTH_PATTERN.fullmatch(month):
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
    recover(target)
    for stale in exports_dir.glob(f".{month}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix=f".{month}.tmp-", dir=exports_dir))
    try:
        os.chmod(work, 0o755)
        files: dict[str, FileEntry] = {}

        def put(name: str, data: bytes, rows: int) -> None:
            write_file(work, name, data)
            files[name] = FileEntry(name, rows, len(data), hashlib.sha256(data).hexdigest())

        prepared = []
        for t in tables:
            p = _prepare(t)
            put(f"{t.name}.csv", csv_bytes(p.labels, p.texts), len(p.rows))
            put(f"{t.name}.parquet", parquet_bytes(p), len(p.rows))
            prepared.append(p)
        dictionary = _dictionary(prepared)
        put(DICTIONARY_FILE, csv_bytes(*dictionary), len(dictionary[1]))
        xlsx_name = f"boligmonitor_{month}.xlsx"
        readme = _readme(month, as_of, k, prepared, version, contact, xlsx_name)
        total_rows = sum(len(p.rows) for p in prepared)
        put(xlsx_name, xlsx_bytes(readme, prepared, dictionary, month, as_of), total_rows)

        log = tuple(entry for t in tables for entry in t.log)
        suppressed = sum(len(t.suppressed) for t in tables)
        manifest = _manifest(
            month, as_of, version, prepared, files, sources, checks, k, suppressed, xlsx_name
        )
        manifest_bytes = (
            json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        ).encode("utf-8")
        write_file(work, MANIFEST_FILE, manifest_bytes)
        fsync_dir(work)
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
    prepared: list[Prepared],
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
