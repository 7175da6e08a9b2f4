"""The demo data generator writes files that honour the source contract and tell the plan's story.

The files are read back with a small reader of our own (csv + openpyxl), not the ingestion
package, so these tests check the files against SOURCES.md / contracts.py directly.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import re
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from boligmonitor.contracts import SOURCES, Source
from boligmonitor.demo import DemoDataError, Summary, generate

CPR_RE = re.compile(r"^(\d{6})-?(\d{4})$")
CPR_LIKE = re.compile(r"\b(\d{6})-?(\d{4})\b")
NAME_RE = re.compile(r"^(?P<source>[a-z_]+)_(?P<date>\d{8})(?:_(?P<n>\d+))?\.(?P<ext>csv|xlsx)$")
WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)


# --------------------------------------------------------------------------- reading files


def sniff_encoding(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", data[3:].decode("utf-8")
    try:
        return "utf-8", data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252", data.decode("cp1252")


def read_csv_file(path: Path) -> tuple[dict[str, str], list[str], list[list[str]]]:
    """(variant facts, header, rows) of a CSV file; raises csv.Error if it cannot be read."""
    data = path.read_bytes()
    encoding, text = sniff_encoding(data)
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header, *rows = list(reader)
    facts = {
        "encoding": encoding,
        "delimiter": delimiter,
        "line_end": "\\r\\n" if "\r\n" in text else "\\n",
    }
    return facts, header, rows


def read_xlsx_file(path: Path) -> tuple[list[str], list[tuple[Any, ...]]]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    sheet = workbook.worksheets[0]
    header, *rows = list(sheet.iter_rows(values_only=True))
    workbook.close()
    return [str(h) for h in header], rows


def parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value)
    if re.fullmatch(r"\d{2}-\d{2}-\d{4}", text):
        return datetime.strptime(text, "%d-%m-%Y").date()
    return date.fromisoformat(text)


def parse_timestamp(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    text = str(value)
    if re.fullmatch(r"\d{2}-\d{2}-\d{4} \d{2}:\d{2}:\d{2}", text):
        return datetime.strptime(text, "%d-%m-%Y %H:%M:%S")
    return datetime.fromisoformat(text)


def parse_number(value: Any) -> float:
    if isinstance(value, int | float):
        return float(value)
    text = str(value)
    if not re.fullmatch(r"-?\d{1,3}(\.\d{3})*(,\d+)?|-?\d+(,\d+)?", text):
        raise ValueError(text)
    return float(text.replace(".", "").replace(",", "."))


def parse(column_kind: str, codes: tuple[str, ...], value: Any) -> Any:
    if value is None or value == "":
        return None
    if column_kind == "date":
        return parse_date(value)
    if column_kind == "timestamp":
        return parse_timestamp(value)
    if column_kind == "decimal":
        return parse_number(value)
    if column_kind in ("integer", "flag"):
        number = parse_number(value)
        if number != int(number) or (column_kind == "flag" and number not in (0, 1)):
            raise ValueError(value)
        return int(number)
    if column_kind == "code" and value not in codes:
        raise ValueError(value)
    if column_kind == "cpr":
        match = CPR_RE.match(str(value))
        if not match:
            raise ValueError(value)
        digits = match.group(1) + match.group(2)
        cpr_birth_date(digits)
        return digits
    return str(value)


def cpr_birth_date(digits: str) -> date:
    yy, seventh = int(digits[4:6]), int(digits[6])
    if seventh <= 3:
        century = 1900
    elif seventh in (4, 9):
        century = 2000 if yy <= 36 else 1900
    else:
        century = 2000 if yy <= 57 else 1800
    return date(century + yy, int(digits[2:4]), int(digits[0:2]))


def passes_mod11(digits: str) -> bool:
    return sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=True)) % 11 == 0


class Landing:
    """Every readable file of a generated landing folder, parsed against the contract."""

    def __init__(self, root: Path, summary: Summary) -> None:
        self.root = root
        self.summary = summary
        self.files: dict[str, list[Path]] = {s: sorted((root / s).iterdir()) for s in SOURCES}
        self.facts: list[dict[str, str]] = []
        self.headers: dict[Path, list[str]] = {}
        self.raw: dict[str, list[tuple[Path, dict[str, Any]]]] = {s: [] for s in SOURCES}
        self.xlsx_cells: Counter[str] = Counter()
        unreadable = root / (summary.unreadable_file or "-")
        for source, paths in self.files.items():
            for path in paths:
                if path == unreadable:
                    continue
                if path.suffix == ".csv":
                    facts, header, rows = read_csv_file(path)
                    self.facts.append({"source": source, **facts})
                    values: list[tuple[Any, ...]] = [tuple(r) for r in rows]
                else:
                    header, values = read_xlsx_file(path)
                    self._count_cells(SOURCES[source], values)
                self.headers[path] = header
                for row in values:
                    self.raw[source].append((path, dict(zip(header, row, strict=True))))

    def _count_cells(self, source: Source, rows: list[tuple[Any, ...]]) -> None:
        for row in rows:
            for column, value in zip(source.columns, row, strict=True):
                if column.kind == "date" and value is not None:
                    self.xlsx_cells[
                        "date_cell" if isinstance(value, datetime) else "date_text"
                    ] += 1
                if column.kind == "decimal" and value is not None:
                    kind = "number_cell" if isinstance(value, float | int) else "number_text"
                    self.xlsx_cells[kind] += 1

    def parsed(self, source_name: str) -> tuple[list[dict[str, Any]], int]:
        """(rows that honour the contract, number of rows that do not)."""
        source = SOURCES[source_name]
        good, bad = [], 0
        for _path, raw in self.raw[source_name]:
            try:
                row = {c.name: parse(c.kind, c.codes, raw[c.name]) for c in source.columns}
                if any(row[k] is None for k in source.key):
                    raise ValueError("key")
                for rule in source.order_rules:
                    a, b = row[rule.earlier], row[rule.later]
                    if a is not None and b is not None and (b < a or (rule.strict and b == a)):
                        raise ValueError("order")
            except ValueError:
                bad += 1
                continue
            good.append(row)
        return good, bad

    def final(self, source_name: str) -> dict[Any, dict[str, Any]]:
        """The current state per key: the row with the latest `opdateret`; deletions removed."""
        key = SOURCES[source_name].key[0]
        state: dict[Any, dict[str, Any]] = {}
        for row in self.parsed(source_name)[0]:
            old = state.get(row[key])
            if old is None or row["opdateret"] >= old["opdateret"]:
                state[row[key]] = row
        return {k: r for k, r in state.items() if not r.get("slettet")}


def sha256s(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# --------------------------------------------------------------------------- generations

SMALL = {"seed": 7, "scale": 0.05, "start": date(2021, 1, 1), "end": date(2021, 12, 31)}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Landing:
    root = tmp_path_factory.mktemp("small") / "landing"
    return Landing(root, generate(root, **SMALL))


# --------------------------------------------------------------------------- tests


def test_same_seed_gives_byte_identical_files(small: Landing, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(again, **SMALL)
    first, second = sha256s(small.root), sha256s(again)
    assert len(first) > 1000
    assert first == second


def test_different_seed_gives_different_files(small: Landing, tmp_path: Path) -> None:
    other = tmp_path / "other"
    generate(other, **{**SMALL, "seed": 8})
    first, second = sha256s(small.root), sha256s(other)
    differing = [name for name in first if first[name] != second.get(name)]
    assert len(differing) > len(first) / 2


def test_every_source_is_present_and_named_by_the_contract(small: Landing) -> None:
    days = (SMALL["end"] - SMALL["start"]).days + 1
    for source, paths in small.files.items():
        assert paths, source
        for path in paths:
            match = NAME_RE.match(path.name)
            assert match and match["source"] == source, path.name
            extract = datetime.strptime(match["date"], "%Y%m%d").date()
            assert SMALL["start"] <= extract <= SMALL["end"]
            if source == "afdelinger":
                assert extract.day == 1 and path.suffix == ".xlsx"
            if source == "ledige_boliger":
                assert match["n"] is not None
            if source == "huslejeklasser":
                assert path.suffix == ".csv"
    unreadable = small.summary.unreadable_file
    for source in ("anvisninger", "bostotte", "herbergsophold"):
        nights = {NAME_RE.match(p.name)["date"] for p in small.files[source]}  # type: ignore[index]
        assert len(nights) == days
        extra = [p for p in small.files[source] if NAME_RE.match(p.name)["n"]]  # type: ignore[index]
        assert [f"{source}/{p.name}" for p in extra] == (
            [unreadable] if unreadable and unreadable.startswith(source) else []
        )
    for source in ("returnerede_boliger",):
        dates = sorted(NAME_RE.match(p.name)["date"] for p in small.files[source])  # type: ignore[index]
        gaps = {
            (datetime.strptime(b, "%Y%m%d") - datetime.strptime(a, "%Y%m%d")).days
            for a, b in itertools.pairwise(dates)
        }
        assert gaps <= {7} | set(range(1, 7))
        assert len(dates) >= 52
    assert len(small.files["huslejeklasser"]) >= 2


def test_csv_and_xlsx_variants_all_occur(small: Landing) -> None:
    facts = small.facts
    assert {f["encoding"] for f in facts} == {"utf-8", "utf-8-sig", "cp1252"}
    assert {f["delimiter"] for f in facts} == {";", ","}
    assert {f["line_end"] for f in facts} == {"\\r\\n", "\\n"}
    xlsx = {s for s, paths in small.files.items() if any(p.suffix == ".xlsx" for p in paths)}
    assert {"afdelinger", "ledige_boliger", "returnerede_boliger"} <= xlsx
    assert set(small.xlsx_cells) == {"date_cell", "date_text", "number_cell", "number_text"}
    assert small.xlsx_cells["date_cell"] > small.xlsx_cells["date_text"]
    texts = [v for rows in small.raw.values() for _, r in rows for v in r.values()]
    strings = [v for v in texts if isinstance(v, str)]
    assert any(re.fullmatch(r"\d{2}-\d{2}-\d{4}", v) for v in strings)
    assert any(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in strings)
    assert any(re.fullmatch(r"\d{2}-\d{2}-\d{4} \d{2}:\d{2}:\d{2}", v) for v in strings)
    assert any(re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", v) for v in strings)
    assert any(re.fullmatch(r"\d{1,3}(\.\d{3})+,\d{2}", v) for v in strings)
    assert any(re.fullmatch(r"\d{4,},\d{1,2}", v) for v in strings)
    cprs = [r["cpr"] for rows in small.raw.values() for _, r in rows if r.get("cpr")]
    assert any("-" in c for c in cprs) and any(re.fullmatch(r"\d{10}", c) for c in cprs)


def test_headers_are_the_contract_columns_in_order(small: Landing) -> None:
    for path, header in small.headers.items():
        source = path.parent.name
        assert tuple(header) == SOURCES[source].column_names, path.name


def test_every_cpr_has_a_real_date_and_fails_modulus_11(small: Landing) -> None:
    invalid_dates = 0
    checked = 0
    for source in ("anvisninger", "bostotte", "herbergsophold"):
        for _, row in small.raw[source]:
            match = CPR_RE.match(row["cpr"])
            assert match, row["cpr"]
            digits = match.group(1) + match.group(2)
            try:
                born = cpr_birth_date(digits)
            except ValueError:
                invalid_dates += 1
                continue
            checked += 1
            assert not passes_mod11(digits)
            assert born < date(2007, 1, 1)
    broken_cpr = sum(small.summary.broken.get(s, {}).get("bad_cpr_date", 0) for s in SOURCES)
    assert checked > 500
    assert invalid_dates == broken_cpr


def test_one_cpr_per_citizen_across_sources(small: Landing) -> None:
    cases = small.final("anvisninger")
    housed = {r["cpr"] for r in cases.values()}
    support = {r["cpr"] for r in small.final("bostotte").values()}
    assert support and support <= housed | {r["cpr"] for r in small.parsed("anvisninger")[0]}
    stays = {r["cpr"] for r in small.final("herbergsophold").values()}
    from_shelter = {r["cpr"] for r in cases.values() if r["maalgruppe"] == "herberg"}
    assert len(from_shelter & stays) / len(from_shelter) > 0.95


def test_ids_do_not_look_like_cpr_numbers(small: Landing) -> None:
    id_columns = {
        "anvisninger": ("anvisning_id", "bolig_id"),
        "ledige_boliger": ("bolig_id", "afdeling_id"),
        "returnerede_boliger": ("bolig_id",),
        "bostotte": ("forloeb_id",),
        "herbergsophold": ("ophold_id",),
        "afdelinger": ("afdeling_id",),
    }
    for source, columns in id_columns.items():
        values = [r[c] for _, r in small.raw[source] for c in columns if r[c]]
        assert values
        assert not any(CPR_LIKE.search(str(v)) for v in values)


def test_remarks_are_danish_and_some_hold_a_cpr_number(small: Landing) -> None:
    remarks = [r["bemaerkning"] for _, r in small.raw["returnerede_boliger"] if r["bemaerkning"]]
    rows = small.raw["returnerede_boliger"]
    assert 0.1 < len(remarks) / len(rows) < 0.5
    assert any(ch in "".join(remarks) for ch in "æøå")
    with_cpr = [m for m in remarks if CPR_LIKE.search(m)]
    assert len(with_cpr) <= max(1, 0.02 * len(remarks))
    for remark in with_cpr:
        match = CPR_LIKE.search(remark)
        assert match and not passes_mod11(match.group(1) + match.group(2))


def test_delta_files_hold_changes_of_the_day_before(small: Landing) -> None:
    first = SMALL["start"]
    per_key: Counter[str] = Counter()
    header_only = 0
    for path in small.files["anvisninger"]:
        if path.suffix != ".csv":
            continue
        _, _, rows = read_csv_file(path)
        header_only += not rows
        extract = datetime.strptime(NAME_RE.match(path.name)["date"], "%Y%m%d").date()  # type: ignore[index]
        for row in rows:
            per_key[row[0]] += 1
            if extract != first:
                stamp = parse_timestamp(row[17])
                assert stamp.date() == extract - timedelta(days=1), path.name
    assert max(per_key.values()) >= 4  # a case moves through several states
    assert header_only > 0
    deleted = [
        r for s in ("anvisninger", "herbergsophold") for _, r in small.raw[s] if r["slettet"] == "1"
    ]
    assert deleted


def test_rent_classes_cover_every_rent_exactly_once(small: Landing) -> None:
    files = small.files["huslejeklasser"]
    _, _header, rows = read_csv_file(files[-1])
    source = SOURCES["huslejeklasser"]
    classes = [
        {c.name: parse(c.kind, c.codes, v) for c, v in zip(source.columns, row, strict=True)}
        for row in rows
    ]
    starts = {c["gyldig_fra"] for c in classes}
    assert len(starts) >= 2  # the bands changed during the period
    assert any(SMALL["start"] < s <= SMALL["end"] for s in starts)
    for day in (date(2019, 6, 1), SMALL["start"], SMALL["end"], max(starts)):
        valid = [
            c
            for c in classes
            if c["gyldig_fra"] <= day and (c["gyldig_til"] is None or day < c["gyldig_til"])
        ]
        assert sum(c["max_kr"] is None for c in valid) == 1
        for rent in range(0, 20001, 50):
            hits = [
                c
                for c in valid
                if c["min_kr"] <= rent and (c["max_kr"] is None or rent < c["max_kr"])
            ]
            assert len(hits) == 1, (day, rent)


def test_about_one_percent_broken_rows_and_one_unreadable_file(small: Landing) -> None:
    summary = small.summary
    bad = sum(small.parsed(s)[1] for s in SOURCES)
    total = sum(len(rows) for rows in small.raw.values())
    assert total == sum(summary.rows.values())
    assert bad == summary.broken_rows()
    assert 0.005 < bad / total < 0.02
    kinds = {k for per in summary.broken.values() for k in per}
    assert kinds == {
        "bad_cpr_date",
        "unknown_code",
        "bad_number",
        "missing_key",
        "end_before_start",
    }
    assert summary.unreadable_file and summary.unreadable_reason
    broken = small.root / summary.unreadable_file
    with pytest.raises(csv.Error):
        read_csv_file(broken)
    text = summary.describe()
    assert summary.unreadable_file in text and "fejlbehæftede" in text


def test_refuses_a_landing_folder_with_source_files(small: Landing) -> None:
    with pytest.raises(DemoDataError, match="indeholder allerede"):
        generate(small.root, **SMALL)


def test_pilot_is_exactly_fifty_whatever_the_scale(tmp_path: Path) -> None:
    root = tmp_path / "pilot"
    summary = generate(root, seed=3, scale=0.02, start=date(2022, 4, 1), end=date(2022, 6, 30))
    landing = Landing(root, summary)
    pilot = Counter(r["pilot_gruppe"] for r in landing.final("anvisninger").values())
    del pilot[None]
    assert pilot == {"sundholm": 20, "ung": 20, "uden_bostotte": 10}


def test_volume_grows_linearly_with_scale(small: Landing, tmp_path: Path) -> None:
    summary = generate(tmp_path / "double", **{**SMALL, "scale": 0.1})
    for source in ("anvisninger", "herbergsophold", "ledige_boliger"):
        ratio = summary.rows[source] / small.summary.rows[source]
        assert 1.5 < ratio < 2.6, source
    assert summary.files["anvisninger"] == small.summary.files["anvisninger"]


# --------------------------------------------------------------------------- calibration


@pytest.fixture(scope="module")
def copenhagen(tmp_path_factory: pytest.TempPathFactory) -> Landing:
    root = tmp_path_factory.mktemp("copenhagen") / "landing"
    return Landing(root, generate(root, seed=42, scale=1.0))


def test_calibration_copenhagen_2021_2025(copenhagen: Landing) -> None:
    land = copenhagen
    start = date(2021, 1, 1)
    # Returns: about 40 % of received dwellings, mostly because the rent is too high.
    received = {
        k: r for k, r in land.final("ledige_boliger").items() if r["modtaget_dato"] >= start
    }
    returned = land.final("returnerede_boliger")
    share = sum(k in returned for k in received) / len(received)
    assert 0.35 <= share <= 0.45, share
    reasons = Counter(returned[k]["aarsag"] for k in received if k in returned)
    assert reasons.most_common(1)[0][0] == "husleje_for_hoej"
    assert reasons["husleje_for_hoej"] / sum(reasons.values()) > 0.5
    # Ability to pay of recommended citizens.
    cases = [r for r in land.final("anvisninger").values() if r["indstillet_dato"] >= start]
    family = [r["betalingsevne_kr"] for r in cases if r["boligtype_behov"] == "familie"]
    youth = [r["betalingsevne_kr"] for r in cases if r["boligtype_behov"] == "ungdom"]
    others = [r["betalingsevne_kr"] for r in cases if r["maalgruppe"] != "flygtning"]
    assert abs(sum(v <= 5000 for v in family) / len(family) - 0.64) < 0.04
    assert abs(sum(v <= 3000 for v in youth) / len(youth) - 0.66) < 0.04
    assert abs(sum(v <= 3500 for v in others) / len(others) - 0.22) < 0.04
    # Shelters: about 650 at a time, about 250 of them in municipal shelters.
    stays = land.final("herbergsophold").values()
    for day in (date(2022, 6, 30), date(2024, 6, 30)):
        open_ = [
            s
            for s in stays
            if s["indskrevet_dato"] <= day
            and (s["udskrevet_dato"] is None or day < s["udskrevet_dato"])
        ]
        assert 450 <= len(open_) <= 850, (day, len(open_))
        municipal = sum(s["herberg_type"] == "kommunal" for s in open_)
        assert 170 <= municipal <= 330, (day, municipal)
    # The pilot: exactly 50, 20/20/10.
    pilot = Counter(
        r["pilot_gruppe"] for r in land.final("anvisninger").values() if r["pilot_gruppe"]
    )
    assert pilot == {"sundholm": 20, "ung": 20, "uden_bostotte": 10}
    # Keeping the home: most still housed 12 months after moving in.
    moved = [
        r
        for r in land.final("anvisninger").values()
        if r["indflytning_dato"] and date(2021, 1, 1) <= r["indflytning_dato"] < date(2024, 1, 1)
    ]
    kept = [
        r
        for r in moved
        if r["fraflytning_dato"] is None
        or r["fraflytning_dato"] >= r["indflytning_dato"] + timedelta(days=365)
    ]
    assert 0.88 <= len(kept) / len(moved) <= 0.96
    # Municipal rent subsidy: at most 5 years.
    for r in land.final("anvisninger").values():
        if r["huslejetilskud"] == "kommunal_udslusning" and r["tilskud_slut_dato"]:
            assert r["tilskud_slut_dato"] < r["indflytning_dato"] + timedelta(days=5 * 366)
    # Support in place within 30 days for most who need it.
    support = {}
    for ep in land.final("bostotte").values():
        support.setdefault(ep["cpr"], []).append(ep["start_dato"])
    needing = [r for r in moved if r["bostotte_behov"] == 1]
    in_time = [
        r
        for r in needing
        if any(0 <= (d - r["indflytning_dato"]).days <= 30 for d in support.get(r["cpr"], []))
    ]
    assert 0.7 <= len(in_time) / len(needing) <= 0.95
    # Broken rows: about 1 %.
    total = sum(land.summary.rows.values())
    assert 0.007 <= land.summary.broken_rows() / total <= 0.013
