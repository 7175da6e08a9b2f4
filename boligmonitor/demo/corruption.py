"""Broken rows and the one unreadable file: the mistakes real extracts contain.

About 1 % of rows are broken in place, in the file where they are written: a CPR number with an
impossible date, a code with a typo, a number nobody can parse, an empty key, or an end date
before the start date. Pilot rows and deletions are never broken, so the pilot stays exactly 50
and every deletion arrives. The unreadable file is an extra delivery of one night that stops in
the middle of a row inside a quoted field; a reader must reject it whole.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from boligmonitor.contracts import Source
from boligmonitor.demo.formats import Raw, Style, csv_bytes, danish_number

BROKEN_ROW_SHARE = 0.01

KINDS_DA: dict[str, str] = {
    "bad_cpr_date": "CPR-nummer med umulig dato",
    "unknown_code": "ukendt kode (stavefejl)",
    "bad_number": "tal der ikke kan læses",
    "missing_key": "manglende nøgle",
    "end_before_start": "slutdato før startdato",
}


def _kinds(source: Source) -> list[str]:
    kinds = []
    if any(c.kind == "cpr" for c in source.columns):
        kinds.append("bad_cpr_date")
    if any(c.kind == "code" for c in source.columns):
        kinds.append("unknown_code")
    if any(c.kind in ("decimal", "integer") for c in source.columns):
        kinds.append("bad_number")
    kinds.append("missing_key")
    if source.order_rules:
        kinds.append("end_before_start")
    return kinds


class Corruptor:
    """Decides, from its own seeded generator, which rows to break and how."""

    def __init__(self, rng: random.Random, share: float = BROKEN_ROW_SHARE) -> None:
        self.rng = rng
        self.share = share
        self._turns: dict[str, int] = {}

    def apply(self, source: Source, rows: list[dict[str, Any]]) -> list[str]:
        """Break some rows in place; return the kind of every row broken."""
        done = []
        kinds = _kinds(source)
        for row in rows:
            if row.get("pilot_gruppe") or row.get("slettet") == 1:
                continue
            if self.rng.random() >= self.share:
                continue
            # Take the kinds in turn, so every kind occurs even in a small generation.
            turn = self._turns.get(source.name, 0)
            for i in range(len(kinds)):
                kind = kinds[(turn + i) % len(kinds)]
                if self._break(source, row, kind):
                    done.append(kind)
                    self._turns[source.name] = turn + i + 1
                    break
        return done

    def _break(self, source: Source, row: dict[str, Any], kind: str) -> bool:
        rng = self.rng
        if kind == "bad_cpr_date":
            digits = row["cpr"]
            if rng.random() < 0.5:
                digits = rng.choice(("32", "00", "35")) + digits[2:]
            else:
                digits = digits[:2] + rng.choice(("13", "00", "14")) + digits[4:]
            row["cpr"] = Raw(f"{digits[:6]}-{digits[6:]}" if rng.random() < 0.85 else digits)
            return True
        if kind == "unknown_code":
            columns = [c for c in source.columns if c.kind == "code" and row.get(c.name)]
            if not columns:
                return False
            column = rng.choice(columns)
            row[column.name] = Raw(_typo(rng, row[column.name], column.codes))
            return True
        if kind == "bad_number":
            columns = [
                c for c in source.columns if c.kind in ("decimal", "integer") and row.get(c.name)
            ]
            if not columns:
                return False
            column = rng.choice(columns)
            value = row[column.name]
            if column.kind == "integer":
                text = rng.choice((f"ca. {value}", f"{value} stk.", f"{value}".replace("1", "l")))
                if text == str(value):
                    text = f"ca. {value}"
            else:
                digits = danish_number(float(value), "thousands")
                options = (
                    digits.replace("0", "O", 1) if "0" in digits else digits + "O",
                    f"ca. {round(float(value))}",
                    f"{danish_number(float(value), 'plain')} kr.",
                )
                text = rng.choice(options)
            row[column.name] = Raw(text)
            return True
        if kind == "missing_key":
            row[source.key[0]] = None
            return True
        if kind == "end_before_start":
            rules = [r for r in source.order_rules if row.get(r.earlier) and row.get(r.later)]
            if not rules:
                rules = [r for r in source.order_rules if row.get(r.earlier)]
            if not rules:
                return False
            rule = rng.choice(rules)
            row[rule.later] = row[rule.earlier] - timedelta(days=rng.randint(1, 40))
            return True
        return False


def _typo(rng: random.Random, value: str, codes: tuple[str, ...]) -> str:
    for _ in range(10):
        if len(value) < 3:
            break
        i = rng.randrange(1, len(value) - 1)
        candidate = value[:i] + value[i + 1] + value[i] + value[i + 2 :]
        if candidate not in codes and candidate != value:
            return candidate
    return value + value[-1]


@dataclass(frozen=True)
class BrokenFile:
    name: str
    reason_da: str
    data: bytes


def truncated_file(
    source: Source, rows: list[dict[str, Any]], style: Style, name: str
) -> BrokenFile:
    """A re-sent copy of some of a night's rows, cut off inside a quoted field of the last row.

    The rows are copies of rows in the night's proper file, so rejecting the file loses nothing.
    """
    data = csv_bytes(source.columns, rows, style)
    text = data.decode(style.encoding)
    lines = text.split(style.line_end)
    last = lines[-2] if len(lines) >= 2 and lines[-1] == "" else lines[-1]
    # Cut the last row inside a quoted text field: the closing quote and the rest never came.
    fields = last.split(style.delimiter)
    text_at = 2 if len(fields) > 3 else len(fields) - 1
    value = fields[text_at].strip('"')
    cut = [*fields[:text_at], '"' + value[: max(1, len(value) // 2)]]
    body = style.line_end.join([*lines[:-2], style.delimiter.join(cut)])
    reason = (
        "filen slutter midt i en række inde i et felt i anførselstegn "
        "(afbrudt overførsel); hele filen skal afvises"
    )
    return BrokenFile(name, reason, body.encode(style.encoding))
