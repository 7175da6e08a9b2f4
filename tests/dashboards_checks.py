"""What the dashboard tests read back from built pages and export packages."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

SPEC = re.compile(r'<script type="application/json" id="spec-[^"]*">(.*?)</script>', re.S)
DANISH_NUMBER = re.compile(r"-?[0-9]+(,[0-9]+)?")
DATE_OR_TIME = re.compile(
    r"\b[0-9]{2}\.[0-9]{2}\.[0-9]{4}\b|\b[0-9]{2}:[0-9]{2}\b|\b[0-9]{4}-[0-9]{2}\b"
)
# Rule constants the partner pages may name in words: "Tal fra 1 til 4", "30 dage", "90 dage",
# "6, 12 og 24 måneder", "hver tredje (1/3)", "BL 1. kreds", "3B" (an organisation's name),
# "§ 85" and "§ 99" (sections of the Service Act), Housing First Europe's "94 %".
RULE_NUMBERS = {"1", "3", "4", "6", "12", "24", "30", "85", "90", "94", "99"}


def specs(page: Path) -> list[dict[str, Any]]:
    text = page.read_text(encoding="utf-8")
    return [json.loads(s.replace("<\\/", "</")) for s in SPEC.findall(text)]


def data_values(spec: Any) -> Iterator[dict[str, Any]]:
    """Every inlined data row of a Vega-Lite spec (layers included)."""
    if isinstance(spec, dict):
        data = spec.get("data")
        if isinstance(data, dict) and isinstance(data.get("values"), list):
            yield from data["values"]
        for key, value in spec.items():
            if key != "data":
                yield from data_values(value)
    elif isinstance(spec, list):
        for item in spec:
            yield from data_values(item)


def strings(spec: Any, inside: bool = False) -> Iterator[str]:
    """Every text a reader sees in a spec: titles, subtitles and text marks (not the data,
    field names, colours or expressions)."""
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key != "data":
                yield from strings(value, inside or key in {"title", "subtitle", "text"})
    elif isinstance(spec, list):
        for item in spec:
            yield from strings(item, inside)
    elif isinstance(spec, str) and inside:
        yield spec


def number(value: object) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return Decimal(repr(value)).normalize()
    if isinstance(value, str) and DANISH_NUMBER.fullmatch(value):
        try:
            return Decimal(value.replace(",", ".")).normalize()
        except InvalidOperation:
            return None
    return None


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name} har ikke BOM"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    return rows[0], rows[1:]


def package_numbers(folder: Path) -> set[Decimal]:
    """Every number in the data CSV files of an export package."""
    found: set[Decimal] = set()
    for path in folder.glob("*.csv"):
        if path.name == "dataordbog.csv":
            continue
        for row in read_csv(path)[1]:
            found |= {n for n in map(number, row) if n is not None}
    return found


def digits_outside_dates(text: str) -> set[str]:
    return set(re.findall(r"[0-9]+", DATE_OR_TIME.sub(" ", text)))
