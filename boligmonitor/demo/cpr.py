"""Demo CPR numbers that can never be mistaken for a real adult's number.

Every number made here has a real birth date in its first six digits and a 7th digit that
agrees with the century rule, so ingestion sees well-formed CPR numbers. Every number also
deliberately FAILS the modulus-11 check. All CPR numbers issued before 2007 satisfy modulus 11,
and every demo citizen is an adult born before 2007, so no generated number can be the number
of a real person born before 2007 who got it at birth. (Since 2007 some numbers without
modulus 11 have been issued, to newborns and to people registered later in life; that is why
ingestion must not require modulus 11, and why the demo data is only ever pseudonymised with
the fixed, public demo key.)
"""

from __future__ import annotations

import random
from datetime import date, timedelta

_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)


def passes_mod11(digits: str) -> bool:
    """True if the ten CPR digits satisfy the old modulus-11 check."""
    return sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11 == 0


def century(yy: int, seventh: int) -> int:
    """The century a CPR number's birth year lies in, from YY and the 7th digit."""
    if seventh <= 3:
        return 1900
    if seventh in (4, 9):
        return 2000 if yy <= 36 else 1900
    return 2000 if yy <= 57 else 1800


def birth_date(digits: str) -> date:
    """The birth date the ten CPR digits encode; ValueError if it is not a real date."""
    dd, mm, yy, seventh = int(digits[0:2]), int(digits[2:4]), int(digits[4:6]), int(digits[6])
    return date(century(yy, seventh) + yy, mm, dd)


def _seventh_digits(year: int) -> tuple[int, ...]:
    yy = year % 100
    return tuple(s for s in range(10) if century(yy, s) + yy == year)


def make_cpr(rng: random.Random, born: date, used: set[str]) -> str:
    """Ten digits for a citizen born on `born`: century rule right, modulus 11 wrong, unused."""
    head = born.strftime("%d%m%y")
    sevenths = _seventh_digits(born.year)
    while True:
        tail = f"{rng.choice(sevenths)}{rng.randrange(1000):03d}"
        digits = head + tail
        if passes_mod11(digits):
            # Changing the last digit by 2 keeps the sex digit's parity and breaks modulus 11.
            digits = digits[:9] + str((int(digits[9]) + 2) % 10)
        if digits not in used and not passes_mod11(digits):
            used.add(digits)
            return digits


def random_birth(rng: random.Random, on: date, min_age: int, max_age: int) -> date:
    """A birth date that makes a person between min_age and max_age years old on `on`."""
    oldest = date(on.year - max_age - 1, on.month, 1) + timedelta(days=1)
    youngest = date(on.year - min_age, on.month, 1) - timedelta(days=1)
    span = (youngest - oldest).days
    born = oldest + timedelta(days=rng.randrange(max(span, 1)))
    return min(born, date(2006, 12, 31))


def format_cpr(digits: str, dash: bool) -> str:
    return f"{digits[:6]}-{digits[6:]}" if dash else digits
