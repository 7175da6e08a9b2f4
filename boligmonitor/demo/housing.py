"""Housing organisations, their departments, the dwellings they place at the municipality's
disposal, and the rent classes: the supply side of the demo world.

Departments are fixed for the whole run. Each month every department gets a number of vacancies,
and about every third vacancy is received by the municipality (a `ledige_boliger` row).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from boligmonitor.contracts import DISTRICTS, DWELLING_TYPES
from boligmonitor.demo import catalog

DEPARTMENTS_AT_SCALE_1 = 350
ORGANISATIONS_AT_SCALE_1 = 8

# Main dwelling type of a department: (weight, median dwellings, yearly vacancy rate).
_DEPARTMENT_KINDS: dict[str, tuple[float, int, float]] = {
    "familie": (0.74, 150, 0.052),
    "ungdom": (0.11, 110, 0.16),
    "aeldre": (0.10, 60, 0.09),
    "skaev": (0.05, 9, 0.10),
}
_ROOMS: dict[str, tuple[tuple[int, float], ...]] = {
    "familie": ((1, 0.08), (2, 0.45), (3, 0.33), (4, 0.14)),
    "ungdom": ((1, 0.8), (2, 0.2)),
    "aeldre": ((1, 0.3), (2, 0.55), (3, 0.15)),
    "skaev": ((1, 1.0),),
}
_AREA_PER_ROOM: dict[str, tuple[float, float]] = {
    "familie": (19.0, 27.0),
    "ungdom": (24.0, 14.0),
    "aeldre": (24.0, 25.0),
    "skaev": (26.0, 0.0),
}
# Rent per m² per year (kr.) at the start of 2021, before the department's own level.
_RENT_PER_M2: dict[str, float] = {
    "familie": 815.0,
    "ungdom": 960.0,
    "aeldre": 1000.0,
    "skaev": 1250.0,
}
RENT_GROWTH_PER_YEAR = 0.01


@dataclass
class Organisation:
    number: int  # 1-based; the `_<n>` suffix of its ledige_boliger files
    code: str
    name: str
    sends_xlsx_from: date | None  # None: always CSV


@dataclass
class Department:
    afdeling_id: str
    org: Organisation
    name: str
    district: str
    street: str
    kind: str
    dwellings: int
    vacancy_rate: float
    rent_level: float
    new_building: bool
    shielded_years: frozenset[int]
    used_units: set[int] = field(default_factory=set)
    # Counters of the current month.
    vacancies: int = 0
    allocated: int = 0

    def shielded(self, day: date) -> bool:
        return day.year in self.shielded_years


def weighted(rng: random.Random, pairs: tuple[tuple[object, float], ...] | list) -> object:
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for value, w in pairs:
        x -= w
        if x < 0:
            return value
    return pairs[-1][0]


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def make_organisations(
    rng: random.Random, scale: float, start: date, end: date
) -> list[Organisation]:
    n = max(1, round(ORGANISATIONS_AT_SCALE_1 * scale))
    midpoint = start + (end - start) / 2
    orgs: list[Organisation] = []
    for i in range(n):
        if i < len(catalog.ORGANISATIONS):
            code, name = catalog.ORGANISATIONS[i]
        else:
            word = catalog.EXTRA_ORGANISATION_WORDS[i % len(catalog.EXTRA_ORGANISATION_WORDS)]
            code, name = f"BF{i + 1:02d}", f"Boligforeningen {word} {i + 1}"
        if n == 1 or i == 1:
            xlsx_from: date | None = midpoint  # switched export system halfway
        elif i % 8 in (2, 6) or rng.random() < 0.1:
            xlsx_from = date.min
        else:
            xlsx_from = None
        orgs.append(Organisation(i + 1, code, name, xlsx_from))
    return orgs


def make_departments(
    rng: random.Random, scale: float, orgs: list[Organisation], start: date, end: date
) -> list[Department]:
    n = max(1, round(DEPARTMENTS_AT_SCALE_1 * scale))
    districts = tuple((d, catalog.DISTRICT_WEIGHTS[d]) for d in DISTRICTS)
    kinds = tuple((k, v[0]) for k, v in _DEPARTMENT_KINDS.items())
    n_shielded = max(1, round(0.03 * n))
    years = list(range(start.year - 4, end.year + 1))
    departments = []
    for i in range(n):
        org = orgs[i % len(orgs)]
        district = weighted(rng, districts)
        kind = weighted(rng, kinds) if i > 0 else "familie"
        _, median, rate = _DEPARTMENT_KINDS[kind]
        size = max(6, round(median * math.exp(rng.gauss(0, 0.6))))
        if kind == "skaev":
            size = min(size, 16)
        prefix = rng.choice(catalog.DEPARTMENT_PREFIXES)
        suffix = rng.choice(catalog.DEPARTMENT_SUFFIXES)
        if kind == "ungdom":
            suffix = "kollegiet"
        name = "Skæve huse " + prefix.rstrip("e") + "vej" if kind == "skaev" else prefix + suffix
        shielded: frozenset[int] = frozenset()
        if kind == "familie" and (i < n_shielded):
            shielded = frozenset(y for y in years if rng.random() < 0.55) or frozenset({end.year})
        departments.append(
            Department(
                afdeling_id=f"{org.code}-{i + 1:04d}",
                org=org,
                name=name,
                district=district,
                street=rng.choice(catalog.STREETS[district]),
                kind=kind,
                dwellings=size,
                vacancy_rate=rate * math.exp(rng.gauss(0, 0.25)),
                rent_level=math.exp(rng.gauss(0, 0.13)),
                new_building=rng.random() < 0.06,
                shielded_years=shielded,
            )
        )
    return departments


def dwelling_type(rng: random.Random, dept: Department) -> str:
    if dept.kind == "skaev" or rng.random() < 0.9:
        return dept.kind
    return rng.choice([t for t in DWELLING_TYPES if t not in (dept.kind, "skaev")])


def new_dwelling(rng: random.Random, dept: Department, day: date) -> dict:
    """A `ledige_boliger` row for a vacancy in `dept` received on `day` (opdateret set later)."""
    kind = dwelling_type(rng, dept)
    rooms = int(weighted(rng, _ROOMS[kind]))  # type: ignore[call-overload]
    per_room, base = _AREA_PER_ROOM[kind]
    area = round(max(18.0, base + per_room * rooms + rng.gauss(0, 6)), 1)
    years = (day - date(2021, 1, 1)).days / 365.25
    rate = _RENT_PER_M2[kind] * dept.rent_level * (1.0 + RENT_GROWTH_PER_YEAR) ** years
    if dept.new_building:
        rate *= 1.2
    rent = area * rate / 12.0
    rent = round(rent) if rng.random() < 0.7 else round(rent, 2)
    aconto = round(150 + area * rng.uniform(9, 16))
    unit = _free_unit(rng, dept)
    house = 1 + (unit * 7) % 97
    floor = ("st.", "1.", "2.", "3.", "4.")[unit % 5]
    side = ("tv.", "th.", "mf.")[unit % 3]
    return {
        "bolig_id": f"{dept.afdeling_id}-{unit:03d}",
        "boligorganisation": dept.org.name,
        "afdeling_id": dept.afdeling_id,
        "bydel": dept.district,
        "adresse": f"{dept.street} {house}, {floor} {side}, København",
        "boligtype": kind,
        "vaerelser": rooms,
        "areal_m2": area,
        "husleje_kr": float(rent),
        "aconto_kr": float(aconto),
        "modtaget_dato": day,
        "svarfrist_dato": day + timedelta(days=14),
    }


def _free_unit(rng: random.Random, dept: Department) -> int:
    if len(dept.used_units) >= dept.dwellings:
        # Every unit has been received once already: number further ones above the others.
        unit = dept.dwellings + len(dept.used_units) + 1
        dept.used_units.add(unit)
        return unit
    while True:
        unit = rng.randint(1, dept.dwellings)
        if unit not in dept.used_units:
            dept.used_units.add(unit)
            return unit


# Rent classes: the bands in use from the start, and the bands that replace them.
_OLD_BANDS = (0, 3000, 3500, 4000, 4500, 5000, 6000, 7000)
_NEW_BANDS = (0, 3500, 4000, 4500, 5000, 5500, 6000, 7000, 8000)
OLD_BANDS_FROM = date(2015, 1, 1)


def band_change_date(start: date, end: date) -> date:
    """1 January 2024 if the period covers it, else a first of a month inside the period."""
    preferred = date(2024, 1, 1)
    if start < preferred <= end:
        return preferred
    middle = start + (end - start) / 2
    first = date(middle.year, middle.month, 1)
    if first <= start:
        first = (first + timedelta(days=32)).replace(day=1)
    return first


def _kr(v: int) -> str:
    return f"{v:,}".replace(",", ".")


def _bands(bounds: tuple[int, ...], prefix: str, valid_from: date, valid_to: date | None) -> list:
    rows = []
    for i, low in enumerate(bounds):
        high = bounds[i + 1] if i + 1 < len(bounds) else None
        if low == 0:
            name = f"under {_kr(high)} kr."  # type: ignore[arg-type]
        elif high is None:
            name = f"{_kr(low)} kr. og derover"
        else:
            name = f"{_kr(low)}-{_kr(high - 1)} kr."
        rows.append(
            {
                "klasse": f"{prefix}{i + 1:02d}",
                "navn": name,
                "min_kr": float(low),
                "max_kr": None if high is None else float(high),
                "gyldig_fra": valid_from,
                "gyldig_til": valid_to,
            }
        )
    return rows


def rent_classes(change: date | None) -> list[dict]:
    """The whole rent-class table; with `change`, the old bands close and the new ones start."""
    if change is None:
        return _bands(_OLD_BANDS, "K", OLD_BANDS_FROM, None)
    return _bands(_OLD_BANDS, "K", OLD_BANDS_FROM, change) + _bands(_NEW_BANDS, "H", change, None)
