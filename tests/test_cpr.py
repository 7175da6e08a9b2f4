import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boligmonitor import cpr
from tests.conftest import CPR_PATTERN

KEY = b"a-secret-key-for-tests"


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("010190-1235", True),
        ("0101901235", True),
        (" 010190-1235 ", True),
        ("320190-1235", False),  # day 32
        ("011390-1235", False),  # month 13
        ("290200-4235", True),  # 7th digit 4, YY 00 -> 2000, a leap year
        ("290200-1235", False),  # 7th digit 1 -> 1900, not a leap year
        ("290258-5235", False),  # 7th digit 5, YY 58 -> 1858, not a leap year
        ("290256-5235", True),  # 7th digit 5, YY 56 -> 2056 is a leap year
        ("01019-01235", False),
        ("010190_1235", False),
        ("01019012351", False),
        ("", False),
    ],
)
def test_validity_follows_the_date_and_century_rule(value: str, valid: bool) -> None:
    assert cpr.is_valid(value) is valid


def test_modulus_11_is_not_required() -> None:
    # 010190-1235 fails modulus 11 (weights 4,3,2,7,6,5,4,3,2,1 give a sum not divisible by 11)
    digits = [int(d) for d in "0101901235"]
    assert sum(w * d for w, d in zip((4, 3, 2, 7, 6, 5, 4, 3, 2, 1), digits, strict=True)) % 11
    assert cpr.is_valid("010190-1235")


def test_pseudonym_is_keyed_stable_and_format_independent() -> None:
    a = cpr.pseudonymise("010190-1235", KEY)
    assert a == cpr.pseudonymise("0101901235", KEY)
    assert a != cpr.pseudonymise("010190-1235", b"another-key-for-tests")
    assert a != cpr.pseudonymise("010190-1236", KEY)
    assert len(a) == cpr.PSEUDONYM_LENGTH
    assert set(a) <= set("abcdefghijklmnop")


@settings(deadline=None, max_examples=50)
@given(
    day=st.integers(1, 28),
    month=st.integers(1, 12),
    yy=st.integers(0, 99),
    serial=st.integers(0, 9999),
    dash=st.booleans(),
)
def test_sql_pseudonym_equals_python(
    day: int, month: int, yy: int, serial: int, dash: bool
) -> None:
    value = f"{day:02d}{month:02d}{yy:02d}{'-' if dash else ''}{serial:04d}"
    con = duckdb.connect()
    digits = cpr.digits_sql("$v")
    row = con.execute(
        f"SELECT {cpr.valid_sql(digits)}, {cpr.pseudonym_sql(digits)}",
        {"v": value, **cpr.hmac_pads(KEY)},
    ).fetchone()
    assert row == (True, cpr.pseudonymise(value, KEY))


@settings(deadline=None, max_examples=50)
@given(st.dates(), st.integers(0, 9999))
def test_sql_validity_equals_python(day, serial) -> None:
    con = duckdb.connect()
    for value in (f"{day:%d%m%y}{serial:04d}", f"{day.day + 3:02d}{day:%m%y}-{serial:04d}"):
        digits = cpr.digits_sql("$v")
        (valid,) = con.execute(f"SELECT {cpr.valid_sql(digits)}", {"v": value}).fetchone()
        assert bool(valid) is cpr.is_valid(value)


def test_mask_text_hides_every_cpr_shape() -> None:
    text = "Borger 010190-1235 og 0101901235 samt 010190 1235; tlf. 33 66 33 66"
    masked = cpr.mask_text(text)
    assert CPR_PATTERN.search(masked) is None
    assert masked.count(cpr.MASK) == 3
    assert "tlf. 33 66 33 66" in masked
