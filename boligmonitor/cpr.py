"""Everything about CPR numbers: validity, masking in text, and the keyed pseudonym.

A raw CPR number never leaves the landing folder. At ingestion it is replaced by a keyed
pseudonym: HMAC-SHA256 of the normalised ten digits under a secret key, computed inside DuckDB
(vectorised) and mirrored here in Python for tests and tools. The pseudonym is written with the
letters a-p instead of hex digits, so it can never look like a CPR number to anyone scanning for
one. Free text is masked (`XXXXXX-XXXX`), and every message passes through `mask_text`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date

PSEUDONYM_LENGTH = 32  # characters a-p, i.e. the first 128 bits of the HMAC
MASK = "XXXXXX-XXXX"

# Anything shaped like a CPR number inside text: six digits, optional dash or space, four digits.
# Deliberately generous: masking a non-CPR number in a remark costs nothing.
_TEXT_PATTERN = re.compile(r"[0-9]{6}[- ]?[0-9]{4}")
# A value that is (or holds, bounded by non-digits) a CPR-shaped number.
BOUNDED_PATTERN_SQL = r"(^|[^0-9])[0-9]{6}-?[0-9]{4}([^0-9]|$)"
TEXT_PATTERN_SQL = r"[0-9]{6}[- ]?[0-9]{4}"
_HEX_TO_LETTERS = str.maketrans("0123456789", "ghijklmnop")


def mask_text(text: str) -> str:
    """Replace every CPR-shaped number in `text` by XXXXXX-XXXX."""
    return _TEXT_PATTERN.sub(MASK, text)


def normalise(value: str) -> str | None:
    """The ten digits of a well-formed CPR number (DDMMYY-SSSS or DDMMYYSSSS), else None."""
    v = value.strip()
    if re.fullmatch(r"[0-9]{6}-?[0-9]{4}", v) is None:
        return None
    return v.replace("-", "")


def birth_year(digits: str) -> int:
    """The full birth year from YY and the 7th digit (the CPR office's century rule)."""
    yy, d7 = int(digits[4:6]), int(digits[6])
    if d7 <= 3:
        return 1900 + yy
    if d7 in (4, 9):
        return 2000 + yy if yy <= 36 else 1900 + yy
    return 2000 + yy if yy <= 57 else 1800 + yy


def is_valid(value: str) -> bool:
    """Well-formed and the first six digits a real date. Modulus 11 is deliberately not required:
    numbers without it have been issued since 2007."""
    digits = normalise(value)
    if digits is None:
        return False
    try:
        date(birth_year(digits), int(digits[2:4]), int(digits[0:2]))
    except ValueError:
        return False
    return True


def pseudonymise(value: str, key: bytes) -> str:
    """The keyed pseudonym of a valid CPR number (Python mirror of `pseudonym_sql`)."""
    digits = normalise(value)
    if digits is None or not is_valid(digits):
        raise ValueError("ikke et gyldigt CPR-nummer")
    digest = hmac.new(key, digits.encode("ascii"), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_LENGTH].translate(_HEX_TO_LETTERS)


def hmac_pads(key: bytes) -> dict[str, bytes]:
    """The inner and outer HMAC key pads, as query parameters for `pseudonym_sql`."""
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    return {
        "hmac_ipad": bytes(b ^ 0x36 for b in key),
        "hmac_opad": bytes(b ^ 0x5C for b in key),
    }


def digits_sql(expr: str) -> str:
    """SQL: the ten digits of a well-formed CPR value, else NULL."""
    return (
        f"CASE WHEN regexp_full_match(trim({expr}), '[0-9]{{6}}-?[0-9]{{4}}') "
        f"THEN replace(trim({expr}), '-', '') END"
    )


def valid_sql(digits: str) -> str:
    """SQL: true when the ten digits in `digits` start with a real date (century rule applied)."""
    yy = f"CAST(substr({digits}, 5, 2) AS INTEGER)"
    d7 = f"CAST(substr({digits}, 7, 1) AS INTEGER)"
    year = (
        f"(CASE WHEN {d7} <= 3 THEN 1900 + {yy} "
        f"WHEN {d7} IN (4, 9) THEN CASE WHEN {yy} <= 36 THEN 2000 + {yy} ELSE 1900 + {yy} END "
        f"ELSE CASE WHEN {yy} <= 57 THEN 2000 + {yy} ELSE 1800 + {yy} END END)"
    )
    return (
        f"(try_strptime(substr({digits}, 1, 4) || lpad(CAST({year} AS VARCHAR), 4, '0'), "
        f"'%d%m%Y') IS NOT NULL)"
    )


def pseudonym_sql(digits: str) -> str:
    """SQL: HMAC-SHA256 of `digits` under the key given as $hmac_ipad/$hmac_opad parameters."""
    inner = f"unhex(sha256($hmac_ipad || encode({digits})))"
    return (
        f"translate(substr(sha256($hmac_opad || {inner}), 1, {PSEUDONYM_LENGTH}), "
        f"'0123456789', 'ghijklmnop')"
    )
