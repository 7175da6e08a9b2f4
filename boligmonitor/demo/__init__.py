"""Realistic demo source files for the landing folder (SOURCES.md), from a seeded simulation.

`generate()` simulates Copenhagen's homeless citizens, the dwellings the housing organisations
place at the municipality's disposal and the allocations between them, and writes the files
every source delivers: nightly and weekly delta extracts, monthly department tables and the rent
classes, in the CSV and XLSX variants the contract allows, with about 1 % broken rows and one
unreadable file. The same seed and arguments always give byte-identical files.

Modules: `cpr` (demo CPR numbers), `catalog` (names), `housing` (organisations, departments,
dwellings, rent classes), `population` (the day-by-day simulation), `extracts` (versions to
files), `formats` (CSV/XLSX writing), `corruption` (broken rows and file), `summary`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from boligmonitor.contracts import SOURCES
from boligmonitor.demo.extracts import Extractor
from boligmonitor.demo.housing import make_departments, make_organisations
from boligmonitor.demo.population import Simulation
from boligmonitor.demo.summary import Summary

__all__ = ["BURN_IN_DAYS", "DemoDataError", "Summary", "generate"]

# The simulation starts this long before the period, so the first extracts find a world in
# motion; what happened in this year is part of each source's initial load.
BURN_IN_DAYS = 365


class DemoDataError(ValueError):
    """The demo data cannot be written as asked; the message says why, in Danish."""


def generate(
    landing: Path,
    *,
    seed: int = 42,
    scale: float = 1.0,
    start: date = date(2021, 1, 1),
    end: date = date(2025, 12, 31),
    progress: Callable[[str], None] | None = None,
) -> Summary:
    """Write demo source files for the period start..end into `landing`; return what was written.

    `scale` 1 is Copenhagen (about 1,400 homeless citizens, 350 departments, 8 housing
    organisations); everything but the number of files grows linearly with it.
    """
    landing = Path(landing)
    if scale <= 0:
        raise DemoDataError(f"Skalaen skal være større end 0 (fik {scale}).")
    if end < start:
        raise DemoDataError(f"Slutdatoen {end} ligger før startdatoen {start}.")
    _check_landing(landing)
    for name in SOURCES:
        (landing / name).mkdir(parents=True, exist_ok=True)

    setup = random.Random(f"{seed}:setup")
    organisations = make_organisations(setup, scale, start, end)
    departments = make_departments(setup, scale, organisations, start, end)
    summary = Summary()
    extractor = Extractor(landing, seed, start, end, organisations, summary, progress)
    sim_start = start - timedelta(days=BURN_IN_DAYS)
    simulation = Simulation(
        random.Random(f"{seed}:population"), scale, sim_start, start, end, departments, extractor
    )
    if progress:
        progress(
            f"Demodata: simulerer {start:%d-%m-%Y} til {end:%d-%m-%Y} i skala {scale:g} "
            f"(startværdi {seed}), med et indkøringsår før perioden"
        )
    day = sim_start
    while day < end:
        simulation.step(day)
        extractor.end_of_day(day)
        day += timedelta(days=1)
    extractor.finish()
    return summary


def _check_landing(landing: Path) -> None:
    """Refuse to write into a landing folder that already holds files of these sources."""
    if landing.exists() and not landing.is_dir():
        raise DemoDataError(f"Landingsmappen {landing} findes, men er ikke en mappe.")
    found = [
        path
        for name in SOURCES
        if (landing / name).is_dir()
        for path in sorted((landing / name).iterdir())
        if path.is_file()
    ]
    if found:
        raise DemoDataError(
            f"Landingsmappen {landing} indeholder allerede {len(found)} kildefil(er), fx "
            f"{found[0].relative_to(landing)}. Demodata skrives kun i en tom landingsmappe, "
            "så ingen leverede filer bliver overskrevet eller blandet med nye. Vælg en anden "
            "mappe, eller flyt de gamle filer væk først."
        )
