"""Turning record versions into the files the sources deliver, night by night.

The simulation sends every changed record here (`put`); at each extract date the buffered
records of a source become one file holding the current state of every record that changed
since the previous extract. The first extract of each source is the initial load: it holds
everything that changed before the period began. Full sources (rent classes, departments) are
written whole when they change or each month.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from boligmonitor.contracts import SOURCES, Source
from boligmonitor.demo.corruption import Corruptor, truncated_file
from boligmonitor.demo.formats import (
    Style,
    choose_csv_style,
    choose_xlsx_style,
    file_date_stamp,
    write_csv,
    write_xlsx,
)
from boligmonitor.demo.housing import Organisation, band_change_date, rent_classes
from boligmonitor.demo.summary import Summary

NIGHTLY = ("anvisninger", "bostotte", "herbergsophold")
WEEKLY = ("returnerede_boliger",)
PER_ORGANISATION = "ledige_boliger"
BROKEN_FILE_SOURCE = "herbergsophold"
# The shelter system exported Windows-1252 for the first part of the period.
OLD_EXPORT_SHARE = 0.3


class Extractor:
    """Buffers record versions and writes delta and full files into the landing folder."""

    def __init__(
        self,
        landing: Path,
        seed: int,
        start: date,
        end: date,
        organisations: list[Organisation],
        summary: Summary,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.landing = landing
        self.seed = seed
        self.start = start
        self.end = end
        self.organisations = organisations
        self.summary = summary
        self.progress = progress
        self.buffers: dict[str, dict[str, dict[str, Any]]] = {s: {} for s in (*NIGHTLY, *WEEKLY)}
        self.org_buffers: dict[int, dict[str, dict[str, Any]]] = {
            o.number: {} for o in organisations
        }
        self.corruptor = Corruptor(random.Random(f"{seed}:corruption"))
        rng = random.Random(f"{seed}:broken-file")
        self.broken_night = start + timedelta(days=rng.randrange(1, max(2, (end - start).days)))
        self._last_rows: list[dict[str, Any]] = []
        self._last_style: Style | None = None
        self._last_date = start
        self.old_export_until = start + (end - start) * OLD_EXPORT_SHARE
        self.band_change = band_change_date(start, end)

    # ------------------------------------------------------------- the sink

    def put(self, source: str, key: str, row: dict[str, Any], group: int = 0) -> None:
        if source == PER_ORGANISATION:
            self.org_buffers[group][key] = row
        else:
            self.buffers[source][key] = row

    def put_full(self, source: str, file_date: date, rows: list[dict[str, Any]]) -> None:
        if self.start <= file_date <= self.end:
            self.summary.add_broken(source, self.corruptor.apply(SOURCES[source], rows))
            self._write(SOURCES[source], file_date, rows, xlsx=True)

    # ------------------------------------------------------------- schedule

    def end_of_day(self, day: date) -> None:
        """After the simulation has finished `day`: write the extracts dated the next day."""
        extract = day + timedelta(days=1)
        if extract < self.start or extract > self.end:
            return
        if extract == self.start:
            change = self.band_change if self.band_change <= self.start else None
            self._write(SOURCES["huslejeklasser"], extract, rent_classes(change))
        elif extract == self.band_change:
            self._write(SOURCES["huslejeklasser"], extract, rent_classes(self.band_change))
        for source in NIGHTLY:
            self._flush(source, extract, self.buffers[source])
        if extract == self.start or extract.weekday() == 0:
            for source in WEEKLY:
                rng = self._file_rng(source, extract)
                self._flush(source, extract, self.buffers[source], xlsx=rng.random() < 0.25)
            for org in self.organisations:
                xlsx = org.sends_xlsx_from is not None and org.sends_xlsx_from <= extract
                self._flush(
                    PER_ORGANISATION, extract, self.org_buffers[org.number], org.number, xlsx
                )
        if self.progress and ((extract.month, extract.day) == (12, 31) or extract == self.end):
            files = f"{sum(self.summary.files.values()):,}".replace(",", ".")
            self.progress(f"Demodata: {extract.year} skrevet ({files} filer indtil nu)")

    def finish(self) -> None:
        """Make sure the one unreadable file exists, even in a very short or quiet period."""
        if self.summary.unreadable_file is None:
            self._write_broken(self._last_date, self._last_rows, self._last_style)

    # -------------------------------------------------------------- writing

    def _file_rng(self, source: str, day: date, number: int = 0) -> random.Random:
        return random.Random(f"{self.seed}:{source}:{day.isoformat()}:{number}")

    def _flush(
        self,
        source_name: str,
        extract: date,
        buffer: dict[str, dict[str, Any]],
        number: int = 0,
        xlsx: bool = False,
    ) -> None:
        rows = sorted(buffer.values(), key=lambda r: (r["opdateret"], _key(r, source_name)))
        buffer.clear()
        source = SOURCES[source_name]
        originals = [dict(r) for r in rows[:5]] if source_name == BROKEN_FILE_SOURCE else []
        self.summary.add_broken(source_name, self.corruptor.apply(source, rows))
        style = self._write(source, extract, rows, number, xlsx)
        if source_name == BROKEN_FILE_SOURCE and self.summary.unreadable_file is None:
            if len(originals) >= 3:
                self._last_rows, self._last_style, self._last_date = originals, style, extract
            if extract >= self.broken_night and len(originals) >= 3:
                self._write_broken(extract, originals, style)

    def _write(
        self,
        source: Source,
        extract: date,
        rows: list[dict[str, Any]],
        number: int = 0,
        xlsx: bool = False,
    ) -> Style:
        rng = self._file_rng(source.name, extract, number)
        folder = self.landing / source.name
        stem = f"{source.name}_{extract:%Y%m%d}" + (f"_{number}" if number else "")
        if xlsx:
            style = choose_xlsx_style(rng)
            stamp = file_date_stamp(extract)
            write_xlsx(folder / f"{stem}.xlsx", source.columns, rows, style, rng, stamp)
        else:
            old = source.name == BROKEN_FILE_SOURCE and extract < self.old_export_until
            style = choose_csv_style(rng, old_export=old)
            write_csv(folder / f"{stem}.csv", source.columns, rows, style)
        self.summary.add_file(source.name, len(rows))
        return style

    def _write_broken(self, extract: date, rows: list[dict[str, Any]], style: Style | None) -> None:
        source = SOURCES[BROKEN_FILE_SOURCE]
        if style is None:
            style = choose_csv_style(self._file_rng(source.name, extract, 2), old_export=False)
        if not rows:
            rows = [_placeholder_stay(extract)]
        name = f"{source.name}_{extract:%Y%m%d}_2.csv"
        broken = truncated_file(source, rows, style, name)
        with (self.landing / source.name / name).open("xb") as handle:
            handle.write(broken.data)
        self.summary.unreadable_file = f"{source.name}/{name}"
        self.summary.unreadable_reason = broken.reason_da


def _key(row: dict[str, Any], source: str) -> str:
    value = row.get(SOURCES[source].key[0])
    return value or ""


def _placeholder_stay(extract: date) -> dict[str, Any]:
    day = extract - timedelta(days=1)
    return {
        "ophold_id": "H-0000000",
        "cpr": "0101800000",
        "herberg": "Sundholm",
        "herberg_type": "kommunal",
        "indskrevet_dato": day,
        "opdateret": datetime(day.year, day.month, day.day, 12, 0, 0),
        "slettet": 0,
    }
