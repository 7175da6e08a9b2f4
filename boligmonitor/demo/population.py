"""The demo world's citizens and their histories, simulated day by day.

Homeless citizens arrive, stay in shelters, are recommended for housing (anvisninger), wait in
a pool, get offered the dwellings the housing organisations place at the municipality's
disposal, accept or decline, move in, get support (bostotte), and some move out and come back.
A dwelling nobody on the waiting list can pay for is handed back (returnerede_boliger): the
return share emerges from rent against the waiting citizens' ability to pay.

Every change to a record is sent to a `Sink` as the record's whole current state, stamped with
`opdateret`. The simulation keeps only what is still in play (open cases, open stays, people
still homeless or housed with something scheduled), so memory grows with the scale, not with
the length of the period.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from boligmonitor.demo import catalog, cpr
from boligmonitor.demo.housing import Department, new_dwelling, poisson, weighted

# Calibration at scale 1 (Copenhagen): about 1,400 homeless and 650 in shelters at a time.
HOMELESS_AT_SCALE_1 = 1400
NEW_HOMELESS_PER_DAY = 4.7
PILOT_DATE = date(2022, 5, 1)
# The plan's extra effort from 2024: more citizens recommended and more move-on subsidies.
EXTRA_EFFORT_FROM = date(2024, 1, 1)
PILOT_GROUPS = (("sundholm", 20), ("ung", 20), ("uden_bostotte", 10))
_BUCKET = 250  # kr.: width of the ability-to-pay buckets of the waiting pool
_BUCKETS = 60

# Ability to pay (kr./month) as piecewise-linear distribution functions: (kr., cumulative share).
_ABILITY: dict[str, tuple[tuple[float, float], ...]] = {
    "familie": (
        (3000, 0.0),
        (3500, 0.06),
        (4000, 0.2),
        (4500, 0.38),
        (5000, 0.615),
        (5500, 0.75),
        (6000, 0.85),
        (7000, 0.95),
        (8500, 1.0),
    ),
    "flygtning": ((2800, 0.0), (3500, 0.3), (4500, 0.75), (5000, 0.9), (6500, 1.0)),
    "ungdom": (
        (2000, 0.0),
        (2500, 0.22),
        (3000, 0.66),
        (3500, 0.83),
        (4000, 0.96),
        (4800, 1.0),
    ),
    "aeldre": ((3000, 0.0), (3500, 0.1), (4500, 0.45), (5500, 0.8), (7000, 1.0)),
    "skaev": ((2800, 0.0), (3500, 0.12), (4000, 0.5), (5000, 0.9), (6000, 1.0)),
}
_SUPPORT_DAYS: dict[str, tuple[int, int]] = {
    "CTI": (240, 300),
    "ICM": (300, 730),
    "ACT": (500, 1100),
    "SEL85": (180, 900),
    "SEL99": (150, 700),
    "boligraadgiver": (60, 180),
    "ngo": (120, 365),
}


class Sink(Protocol):
    def put(self, source: str, key: str, row: dict[str, Any], group: int = 0) -> None: ...

    def put_full(self, source: str, file_date: date, rows: list[dict[str, Any]]) -> None: ...


def _from_cdf(rng: random.Random, knots: tuple[tuple[float, float], ...]) -> float:
    u = rng.random()
    for (x0, p0), (x1, p1) in itertools.pairwise(knots):
        if u <= p1:
            return x0 + (x1 - x0) * ((u - p0) / (p1 - p0) if p1 > p0 else 0.0)
    return knots[-1][0]


@dataclass(eq=False)
class Citizen:
    cid: int
    cpr: str
    born: date
    shelter_user: bool
    group: str  # the situation that made the citizen homeless: a maalgruppe code
    spell: int = 0
    state: str = "new"  # homeless, housed, moved_out, gone
    stay: dict | None = None
    case: Case | None = None
    episodes: list[dict] = field(default_factory=list)
    pilot: str | None = None


@dataclass(eq=False)
class Case:
    row: dict
    citizen: Citizen
    seq: int
    effective: float  # ability to pay plus any subsidy the case worker can add
    priority: int = 1
    dwelling: Dwelling | None = None


@dataclass(eq=False)
class Dwelling:
    row: dict
    dept: Department
    done: bool = False


class Pool:
    """Recommended citizens waiting for a dwelling, by dwelling type and ability to pay."""

    def __init__(self) -> None:
        self.buckets: dict[str, list[deque[Case]]] = {}
        self.waiting: dict[str, int] = {}

    def add(self, case: Case) -> None:
        kind = case.row["boligtype_behov"]
        buckets = self.buckets.setdefault(kind, [deque() for _ in range(_BUCKETS)])
        buckets[min(int(case.effective // _BUCKET), _BUCKETS - 1)].append(case)
        self.waiting[kind] = self.waiting.get(kind, 0) + 1

    def leave(self, case: Case) -> None:
        kind = case.row["boligtype_behov"]
        self.waiting[kind] -= 1

    def find(self, kind: str, rent: float) -> Case | None:
        """The longest-waiting (priority first) case of this type that can pay `rent`."""
        best: Case | None = None
        buckets = self.buckets.get(kind)
        if not buckets:
            return None
        first = min(int(rent // _BUCKET), _BUCKETS - 1)
        for i in range(first, _BUCKETS):
            bucket = buckets[i]
            while bucket and bucket[0].row["status"] != "indstillet":
                bucket.popleft()
            if i == first:
                candidates = (c for c in bucket if c.row["status"] == "indstillet")
                found = next((c for c in candidates if c.effective >= rent), None)
            else:
                found = bucket[0] if bucket else None
            if found and (best is None or (found.priority, found.seq) < (best.priority, best.seq)):
                best = found
        return best


class Simulation:
    """Runs the demo world one day at a time; every change goes to the sink."""

    def __init__(
        self,
        rng: random.Random,
        scale: float,
        sim_start: date,
        start: date,
        end: date,
        departments: list[Department],
        sink: Sink,
    ) -> None:
        self.rng = rng
        self.scale = scale
        self.sim_start = sim_start
        self.start = start
        self.end = end
        self.departments = departments
        self.sink = sink
        self.today = sim_start
        self._events: list[tuple[int, int, Callable[..., None], tuple]] = []
        self._seq = 0
        self._ids: dict[str, int] = {}
        self._cprs: set[str] = set()
        self._next_cid = 0
        self.pool = Pool()
        self.homeless: dict[int, Citizen] = {}
        self._remarks = 0
        self._cpr_remark_offset = rng.randrange(5, 40)
        self._recent_cpr = ""
        self.pilot_due = start <= PILOT_DATE <= end
        self.stats: dict[str, float] = {}
        self._arrival_debt = 0.0

    # ----------------------------------------------------------------- engine

    def at(self, day: date, action: Callable[..., None], *args: Any) -> None:
        self._seq += 1
        heapq.heappush(self._events, (max(day, self.today).toordinal(), self._seq, action, args))

    def step(self, day: date) -> None:
        """Everything that happens on `day`."""
        self.today = day
        if day == self.sim_start:
            self._seed_population(day)
        if day.day == 1:
            self._open_month(day)
        if self.pilot_due and day == PILOT_DATE:
            self._start_pilot(day)
        self._arrivals(day)
        ordinal = day.toordinal()
        while self._events and self._events[0][0] <= ordinal:
            _, _, action, args = heapq.heappop(self._events)
            action(*args)
        if (day + timedelta(days=1)).day == 1:
            self._close_month(day)

    def _new_id(self, prefix: str) -> int:
        self._ids[prefix] = self._ids.get(prefix, 0) + 1
        return self._ids[prefix]

    def _emit(self, source: str, key: str, row: dict, office: bool = True, group: int = 0) -> None:
        day = self.today
        if office:
            seconds = self.rng.randrange(7 * 3600 + 30 * 60, 16 * 3600 + 30 * 60)
        else:
            seconds = self.rng.randrange(24 * 3600)
        stamp = datetime(day.year, day.month, day.day) + timedelta(seconds=seconds)
        previous = row.get("opdateret")
        if previous is not None and stamp <= previous:
            last = datetime(day.year, day.month, day.day, 23, 59, 59)
            stamp = min(previous + timedelta(seconds=self.rng.randrange(60, 900)), last)
        row["opdateret"] = stamp
        self.sink.put(source, key, dict(row), group)

    def _workday(self, day: date) -> date:
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day

    def _after(self, days: float) -> date:
        return self.today + timedelta(days=max(0, int(days)))

    # ------------------------------------------------------------- citizens

    def _new_citizen(self, day: date, young: bool | None = None) -> Citizen:
        rng = self.rng
        if young is None:
            young = rng.random() < 0.23
        born = cpr.random_birth(rng, day, 18, 29) if young else cpr.random_birth(rng, day, 30, 78)
        r = rng.random()
        if young:
            group = "ung"
        elif r < 0.06:
            group = "krisecenter"
        elif r < 0.13:
            group = "flygtning"
        elif r < 0.19:
            group = "botilbud"
        elif r < 0.55:
            group = "gade"
        elif r < 0.82:
            group = "sofasover"
        else:
            group = "oevrig"
        shelter_p = {"krisecenter": 0.0, "flygtning": 0.05, "ung": 0.42, "botilbud": 0.3}
        shelter = rng.random() < shelter_p.get(group, 0.8)
        self._next_cid += 1
        return Citizen(self._next_cid, cpr.make_cpr(rng, born, self._cprs), born, shelter, group)

    def _seed_population(self, day: date) -> None:
        """The homeless population on the first simulated day, with stays already under way."""
        for _ in range(round(HOMELESS_AT_SCALE_1 * self.scale)):
            citizen = self._new_citizen(day)
            self._arrive(citizen, backdate=True)

    def _arrivals(self, day: date) -> None:
        self._arrival_debt += NEW_HOMELESS_PER_DAY * self.scale
        n = poisson(self.rng, self._arrival_debt)
        self._arrival_debt -= n
        for _ in range(n):
            self._arrive(self._new_citizen(day))

    def _arrive(self, citizen: Citizen, backdate: bool = False) -> None:
        rng = self.rng
        citizen.spell += 1
        citizen.state = "homeless"
        self.homeless[citizen.cid] = citizen
        self.at(self._after(rng.expovariate(1 / 480)), self._other_exit, citizen, citizen.spell)
        if citizen.shelter_user:
            self._start_stay(citizen, backdate=backdate)
        share = 0.76 if citizen.shelter_user else 0.62
        if self.today >= EXTRA_EFFORT_FROM:
            share = min(0.95, share * 1.2)
        if rng.random() < share:
            delay = rng.uniform(0, 150) if backdate else 5 + rng.expovariate(1 / 60)
            self.at(self._workday(self._after(delay)), self._recommend, citizen, citizen.spell)

    def _other_exit(self, citizen: Citizen, spell: int) -> None:
        if citizen.spell != spell or citizen.state != "homeless" or citizen.pilot:
            return
        case = citizen.case
        if case is not None:
            if case.row["status"] != "indstillet":
                return  # an offer is under way: let it run its course
            self._close_case(case, "annulleret")
        if citizen.stay is not None:
            dest = weighted(
                self.rng,
                (
                    ("botilbud", 0.35),
                    ("skaev_bolig", 0.1),
                    ("ukendt", 0.37),
                    ("faengsel", 0.1),
                    ("hospital", 0.08),
                ),
            )
            self._end_stay(citizen, str(dest))
        citizen.state = "gone"
        self.homeless.pop(citizen.cid, None)

    # ---------------------------------------------------------------- stays

    def _start_stay(
        self, citizen: Citizen, backdate: bool = False, shelter: str | None = None
    ) -> None:
        rng = self.rng
        if shelter is None:
            kind = str(
                weighted(rng, (("kommunal", 0.4), ("driftsoverenskomst", 0.45), ("ekstern", 0.15)))
            )
            shelter = str(weighted(rng, catalog.SHELTERS[kind]))
        else:
            kind = "kommunal"
        length = rng.lognormvariate(math.log(165), 0.85)
        entered = self.today
        if backdate:
            elapsed = rng.uniform(0, length)
            entered = self.today - timedelta(days=int(elapsed))
            length -= elapsed
        sid = self._new_id("H")
        row = {
            "ophold_id": f"H-{sid:07d}",
            "cpr": citizen.cpr,
            "herberg": shelter,
            "herberg_type": kind,
            "indskrevet_dato": entered,
            "udskrevet_dato": None,
            "udskrevet_til": None,
            "handleplan_dato": None,
            "opdateret": None,
            "slettet": 0,
        }
        citizen.stay = row
        self._emit("herbergsophold", row["ophold_id"], row, office=False)
        self.at(self._after(length), self._stay_timeout, citizen, row)
        if rng.random() < 0.78:
            plan = entered + timedelta(days=int(rng.uniform(3, 25) + rng.expovariate(1 / 20)))
            self.at(plan, self._action_plan, citizen, row)
        if rng.random() < 0.005:
            self._duplicate("herbergsophold", "ophold_id", "H", row)

    def _action_plan(self, citizen: Citizen, row: dict) -> None:
        if citizen.stay is row:
            row["handleplan_dato"] = self.today
            self._emit("herbergsophold", row["ophold_id"], row)

    def _end_stay(self, citizen: Citizen, dest: str) -> None:
        row = citizen.stay
        assert row is not None
        row["udskrevet_dato"] = self.today
        row["udskrevet_til"] = dest
        self._emit("herbergsophold", row["ophold_id"], row, office=False)
        citizen.stay = None

    def _stay_timeout(self, citizen: Citizen, row: dict) -> None:
        if citizen.stay is not row:
            return
        rng = self.rng
        dest = str(
            weighted(
                rng,
                (
                    ("andet_herberg", 0.22),
                    ("gaden", 0.28),
                    ("hospital", 0.08),
                    ("faengsel", 0.05),
                    ("ukendt", 0.37),
                ),
            )
        )
        self._end_stay(citizen, dest)
        gap = {
            "andet_herberg": 0.0,
            "gaden": rng.expovariate(1 / 45),
            "hospital": rng.uniform(3, 20),
            "faengsel": rng.uniform(30, 180),
            "ukendt": rng.expovariate(1 / 90) if rng.random() < 0.55 else None,
        }[dest]
        if gap is not None:
            self.at(self._after(gap), self._next_stay, citizen, citizen.spell)

    def _next_stay(self, citizen: Citizen, spell: int) -> None:
        if citizen.spell == spell and citizen.state == "homeless" and citizen.stay is None:
            self._start_stay(citizen)

    # ---------------------------------------------------------------- cases

    def _recommend(self, citizen: Citizen, spell: int, pilot: str | None = None) -> None:
        if citizen.spell != spell or citizen.state != "homeless" or citizen.case is not None:
            return
        rng = self.rng
        group = citizen.group
        if citizen.stay is not None and group not in ("ung", "krisecenter", "flygtning"):
            group = "herberg"
        age = (self.today - citizen.born).days / 365.25
        if group == "ung":
            kind = "ungdom" if rng.random() < 0.78 else "familie"
        elif group in ("flygtning", "krisecenter"):
            kind = "familie"
        elif age >= 60 and rng.random() < 0.45:
            kind = "aeldre"
        else:
            kind = str(weighted(rng, (("familie", 0.75), ("aeldre", 0.07), ("skaev", 0.18))))
        if pilot == "ung":
            group, kind = "ung", "ungdom"
        ability = _from_cdf(rng, _ABILITY["flygtning" if group == "flygtning" else kind])
        ability = math.ceil(ability) if rng.random() < 0.75 else math.ceil(ability * 4) / 4
        support_need = 0 if pilot == "uden_bostotte" else int(rng.random() < 0.7)
        if pilot == "sundholm":
            support_need = 1
        cap = 0.0
        if pilot:
            cap = 1500.0
        elif group not in ("ung", "flygtning") and rng.random() < self._subsidy_share():
            cap = 1000.0
        number = self._new_id("A")
        row = {
            "anvisning_id": f"A{self.today.year}-{number:06d}",
            "cpr": citizen.cpr,
            "indstillet_dato": self.today,
            "maalgruppe": group,
            "betalingsevne_kr": float(ability),
            "boligtype_behov": kind,
            "bostotte_behov": support_need,
            "bolig_id": None,
            "tilbudt_dato": None,
            "status": "indstillet",
            "indflytning_dato": None,
            "fraflytning_dato": None,
            "fraflytning_aarsag": None,
            "huslejetilskud": "ingen",
            "tilskud_kr_md": None,
            "tilskud_slut_dato": None,
            "pilot_gruppe": pilot,
            "opdateret": None,
            "slettet": 0,
        }
        priority = 0 if pilot or group == "krisecenter" else 1
        case = Case(row, citizen, self._seq, ability + cap, priority)
        citizen.case = case
        self._recent_cpr = citizen.cpr
        self._emit("anvisninger", row["anvisning_id"], row)
        self.pool.add(case)
        if not pilot:
            self.at(self._after(540), self._review, case)
            if rng.random() < 0.006:
                self._duplicate("anvisninger", "anvisning_id", "A", row)

    def _subsidy_share(self) -> float:
        """Share of cases where a municipal rent subsidy may bridge the gap (more from 2024)."""
        return 0.1 if self.today < EXTRA_EFFORT_FROM else 0.35

    def _review(self, case: Case) -> None:
        if case.row["status"] == "indstillet":
            self._close_case(case, "annulleret")

    def _close_case(self, case: Case, status: str) -> None:
        if case.row["status"] == "indstillet":
            self.pool.leave(case)
        case.row["status"] = status
        self._emit("anvisninger", case.row["anvisning_id"], case.row)
        case.citizen.case = None

    def _duplicate(self, source: str, key: str, prefix: str, row: dict) -> None:
        """A record registered twice by mistake: sent once, then sent again as deleted."""
        copy = dict(row)
        number = self._new_id(prefix)
        if prefix == "A":
            copy[key] = f"A{self.today.year}-{number:06d}"
        else:
            copy[key] = f"{prefix}-{number:07d}"
        self._emit(source, copy[key], copy)
        self.at(self._after(self.rng.uniform(1, 12)), self._delete, source, key, copy)

    def _delete(self, source: str, key: str, row: dict) -> None:
        row["slettet"] = 1
        self._emit(source, row[key], row)

    # ------------------------------------------------------------ dwellings

    def _open_month(self, day: date) -> None:
        rng = self.rng
        nxt = (day + timedelta(days=32)).replace(day=1)
        days = [day + timedelta(days=i) for i in range((nxt - day).days)]
        workdays = [d for d in days if d.weekday() < 5]
        for dept in self.departments:
            dept.allocated = 0
            dept.vacancies = poisson(rng, dept.dwellings * dept.vacancy_rate / 12)
            if dept.shielded(day):
                received = int(rng.random() < 0.2 and dept.vacancies > 0)
            else:
                received = sum(rng.random() < 1 / 3 for _ in range(dept.vacancies))
            for _ in range(received):
                self.at(rng.choice(workdays), self._receive, dept)

    def _close_month(self, day: date) -> None:
        rng = self.rng
        month = day.strftime("%Y-%m")
        rows = []
        for dept in self.departments:
            vacant = max(dept.vacancies, dept.allocated)
            rest = vacant - dept.allocated
            flexible = sum(rng.random() < 0.2 for _ in range(rest))
            rows.append(
                {
                    "afdeling_id": dept.afdeling_id,
                    "boligorganisation": dept.org.name,
                    "afdeling_navn": dept.name,
                    "bydel": dept.district,
                    "antal_boliger": dept.dwellings,
                    "skaermet": int(dept.shielded(day)),
                    "maaned": month,
                    "ledige_boliger": vacant,
                    "udlejet_venteliste": rest - flexible,
                    "udlejet_fleksibel": flexible,
                    "anvist_kommune": dept.allocated,
                }
            )
        self.sink.put_full("afdelinger", day + timedelta(days=1), rows)

    def _receive(self, dept: Department) -> None:
        rng = self.rng
        row = new_dwelling(rng, dept, self.today)
        row["opdateret"] = None
        dwelling = Dwelling(row, dept)
        self._emit("ledige_boliger", row["bolig_id"], row, group=dept.org.number)
        if rng.random() < 0.06:
            self.at(self._workday(self._after(rng.uniform(1, 6))), self._correct_dwelling, dwelling)
        if dept.shielded(self.today) and rng.random() < 0.8:
            self.at(self._after(rng.uniform(1, 5)), self._return, dwelling, "afdeling_skaermet")
        elif rng.random() < 0.11:
            reason = str(
                weighted(
                    rng,
                    (
                        ("stoerrelse", 0.35),
                        ("beliggenhed", 0.3),
                        ("boligens_stand", 0.2),
                        ("andet", 0.15),
                    ),
                )
            )
            self.at(self._workday(self._after(rng.uniform(3, 12))), self._return, dwelling, reason)
        else:
            self.at(self._workday(self._after(rng.uniform(1, 4))), self._match, dwelling)

    def _correct_dwelling(self, dwelling: Dwelling) -> None:
        row = dwelling.row
        if self.rng.random() < 0.5:
            row["svarfrist_dato"] = row["svarfrist_dato"] + timedelta(days=7)
        else:
            row["aconto_kr"] = float(round(row["aconto_kr"] * 1.05))
        self._emit("ledige_boliger", row["bolig_id"], row, group=dwelling.dept.org.number)

    def _match(self, dwelling: Dwelling) -> None:
        if dwelling.done:
            return
        row = dwelling.row
        kind, rent = row["boligtype"], row["husleje_kr"]
        case = self.pool.find(kind, rent)
        if case is None:
            if self.pool.waiting.get(kind, 0) > 0:
                self.at(
                    self._workday(self._after(self.rng.uniform(0, 4))),
                    self._return,
                    dwelling,
                    "husleje_for_hoej",
                )
            else:
                self.at(row["svarfrist_dato"], self._return, dwelling, "ingen_match_inden_frist")
            return
        self.pool.leave(case)
        case.dwelling = dwelling
        case.row["status"] = "tilbudt"
        case.row["bolig_id"] = row["bolig_id"]
        case.row["tilbudt_dato"] = self.today
        self._emit("anvisninger", case.row["anvisning_id"], case.row)
        self.at(self._after(self.rng.uniform(2, 8)), self._respond, case)

    def _respond(self, case: Case) -> None:
        rng = self.rng
        dwelling = case.dwelling
        assert dwelling is not None
        citizen = case.citizen
        if case.row["pilot_gruppe"] or rng.random() < 0.86:
            case.row["status"] = "accepteret"
            self._emit("anvisninger", case.row["anvisning_id"], case.row)
            dwelling.done = True
            dwelling.dept.allocated += 1
            self.at(self._after(rng.uniform(5, 30)), self._move_in, case)
            return
        self._close_case(case, "afslaaet")
        if rng.random() < 0.6:
            self.at(
                self._workday(self._after(rng.uniform(14, 60))),
                self._recommend,
                citizen,
                citizen.spell,
            )
        if self.today + timedelta(days=2) <= dwelling.row["svarfrist_dato"]:
            self.at(self._workday(self._after(1)), self._match, dwelling)
        else:
            self.at(self._after(1), self._return, dwelling, "ingen_match_inden_frist")

    def _return(self, dwelling: Dwelling, reason: str) -> None:
        if dwelling.done:
            return
        dwelling.done = True
        rng = self.rng
        remark = None
        if rng.random() < 0.3:
            self._remarks += 1
            if self._remarks % 200 == self._cpr_remark_offset and self._recent_cpr:
                text = rng.choice(catalog.CPR_REMARKS)
                remark = text.format(cpr=cpr.format_cpr(self._recent_cpr, rng.random() < 0.7))
            else:
                remark = rng.choice(catalog.REMARKS[reason])
        row = {
            "bolig_id": dwelling.row["bolig_id"],
            "returneret_dato": self.today,
            "aarsag": reason,
            "bemaerkning": remark,
            "opdateret": None,
        }
        self._emit("returnerede_boliger", row["bolig_id"], row)
        if rng.random() < 0.04:
            self.at(self._workday(self._after(rng.uniform(1, 10))), self._amend_return, row)

    def _amend_return(self, row: dict) -> None:
        row["bemaerkning"] = "Rettet: " + self.rng.choice(catalog.REMARKS[row["aarsag"]])
        self._emit("returnerede_boliger", row["bolig_id"], row)

    # -------------------------------------------------------- life at home

    def _move_in(self, case: Case) -> None:
        rng = self.rng
        citizen, dwelling, row = case.citizen, case.dwelling, case.row
        assert dwelling is not None
        rent = dwelling.row["husleje_kr"]
        row["status"] = "indflyttet"
        row["indflytning_dato"] = self.today
        if rent > row["betalingsevne_kr"]:
            row["huslejetilskud"] = "kommunal_udslusning"
            row["tilskud_kr_md"] = float(math.ceil((rent - row["betalingsevne_kr"]) / 100) * 100)
            years = rng.choice((2, 3, 4, 5))
            until = (
                self.today.replace(year=self.today.year + years)
                if (self.today.month, self.today.day) != (2, 29)
                else self.today + timedelta(days=365 * years)
            )
            row["tilskud_slut_dato"] = until - timedelta(days=1) if years == 5 else until
        elif dwelling.dept.new_building and rng.random() < 0.7:
            row["huslejetilskud"] = "statslig_permanent"
            row["tilskud_kr_md"] = float(rng.randrange(30, 121) * 10)
        elif rng.random() < 0.06:
            row["huslejetilskud"] = "statslig_midlertidig"
            row["tilskud_kr_md"] = float(rng.randrange(30, 101) * 10)
            row["tilskud_slut_dato"] = self.today + timedelta(days=rng.randrange(365, 1096))
        self._emit("anvisninger", row["anvisning_id"], row)
        if citizen.stay is not None:
            self._end_stay(citizen, "egen_bolig")
        citizen.state = "housed"
        self.homeless.pop(citizen.cid, None)
        self.stats["moved_in"] = self.stats.get("moved_in", 0) + 1
        # Support in the home.
        supported = False
        if row["bostotte_behov"]:
            r = rng.random()
            if r < 0.82:
                self.at(self._after(rng.uniform(0, 30)), self._start_support, citizen, None)
                supported = True
            elif r < 0.92:
                self.at(self._after(rng.uniform(31, 150)), self._start_support, citizen, None)
        elif rng.random() < 0.15:
            self.at(self._after(rng.uniform(0, 60)), self._start_support, citizen, "boligraadgiver")
        # Keeping the home: a monthly hazard of moving out, lower with support in place.
        factor = 0.85 if supported else (1.7 if row["bostotte_behov"] else 1.0)
        months = rng.expovariate(0.0072 * factor)
        if months > 12:
            months = 12 + rng.expovariate(0.0045 * factor)
        self.at(self._after(months * 30.44), self._move_out, case)

    def _start_support(self, citizen: Citizen, method: str | None) -> None:
        if citizen.state != "housed":
            return
        rng = self.rng
        if method is None:
            method = str(
                weighted(
                    rng,
                    (
                        ("CTI", 0.25),
                        ("ICM", 0.2),
                        ("ACT", 0.08),
                        ("SEL85", 0.3),
                        ("SEL99", 0.07),
                        ("ngo", 0.05),
                        ("boligraadgiver", 0.05),
                    ),
                )
            )
        team, provider = rng.choice(catalog.TEAMS[method])
        number = self._new_id("F")
        row = {
            "forloeb_id": f"F-{number:07d}",
            "cpr": citizen.cpr,
            "indsats": method,
            "leverandoer": provider,
            "team": team,
            "bevilget_dato": self.today - timedelta(days=rng.randrange(0, 22)),
            "start_dato": self.today,
            "slut_dato": None,
            "slut_aarsag": None,
            "opdateret": None,
            "slettet": 0,
        }
        citizen.episodes.append(row)
        self._emit("bostotte", row["forloeb_id"], row)
        low, high = _SUPPORT_DAYS[method]
        self.at(self._after(rng.uniform(low, high)), self._end_support, citizen, row, None)
        if rng.random() < 0.008:
            self._duplicate("bostotte", "forloeb_id", "F", row)

    def _end_support(self, citizen: Citizen, row: dict, reason: str | None) -> None:
        if row["slut_dato"] is not None:
            return
        rng = self.rng
        if reason is None:
            reason = str(
                weighted(
                    rng,
                    (
                        ("maal_naaet", 0.58),
                        ("afbrudt", 0.2),
                        ("anden_indsats", 0.15),
                        ("ukendt", 0.07),
                    ),
                )
            )
        row["slut_dato"] = self.today
        row["slut_aarsag"] = reason
        self._emit("bostotte", row["forloeb_id"], row)
        citizen.episodes.remove(row)
        if reason == "anden_indsats" and citizen.state == "housed":
            self.at(self._after(1), self._start_support, citizen, "SEL85")

    def _move_out(self, case: Case) -> None:
        rng = self.rng
        citizen, row = case.citizen, case.row
        reason = str(
            weighted(
                rng,
                (
                    ("udsat", 0.35),
                    ("frivillig", 0.35),
                    ("doed", 0.08),
                    ("institution", 0.1),
                    ("ukendt", 0.12),
                ),
            )
        )
        row["status"] = "fraflyttet"
        row["fraflytning_dato"] = self.today
        row["fraflytning_aarsag"] = reason
        self._emit("anvisninger", row["anvisning_id"], row)
        citizen.case = None
        citizen.state = "moved_out"
        for episode in list(citizen.episodes):
            self._end_support(citizen, episode, "doed" if reason == "doed" else "flyttet")
        if reason in ("udsat", "frivillig", "ukendt") and rng.random() < 0.45:
            citizen.shelter_user = rng.random() < 0.75
            self.at(self._after(14 + rng.expovariate(1 / 200)), self._arrive, citizen)

    # ---------------------------------------------------------------- pilot

    def _start_pilot(self, day: date) -> None:
        """The 2022 pilot: exactly 50 citizens recommended on 1 May 2022, whatever the scale."""
        chosen: set[int] = set()
        for group, count in PILOT_GROUPS:
            picked = []
            for citizen in self.homeless.values():
                if len(picked) == count:
                    break
                if citizen.case is not None or citizen.cid in chosen:
                    continue
                if group == "sundholm" and not (
                    citizen.stay and citizen.stay["herberg"] == "Sundholm"
                ):
                    continue
                if group == "ung" and citizen.group != "ung":
                    continue
                picked.append(citizen)
            while len(picked) < count:
                citizen = self._new_citizen(day, young=group == "ung")
                citizen.shelter_user = group == "sundholm"
                citizen.spell += 1
                citizen.state = "homeless"
                self.homeless[citizen.cid] = citizen
                if group == "sundholm":
                    self._start_stay(citizen, shelter="Sundholm")
                picked.append(citizen)
            for citizen in picked:
                chosen.add(citizen.cid)
                citizen.pilot = group
                self._recommend(citizen, citizen.spell, pilot=group)
