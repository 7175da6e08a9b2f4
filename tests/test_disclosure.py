"""Disclosure control: small counts suppressed, and no suppressed cell recoverable from totals."""

from __future__ import annotations

import math
import random
import time
from itertools import product

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from boligmonitor.disclosure import (
    TOTAL,
    Derived,
    DisclosureError,
    Suppression,
    TableSpec,
    _Network,
    _partitions,
    check_k,
    suppress,
)

ONE_WAY = TableSpec("bydele", counts=("antal",), dimensions=("bydel",))
TWO_WAY = TableSpec("kryds", counts=("antal",), dimensions=("raekke", "kolonne"))


def one_way(values: list[int]) -> pa.Table:
    names = [f"Bydel {i:02d}" for i in range(len(values))]
    return pa.table({"bydel": [*names, TOTAL], "antal": [*values, sum(values)]})


def two_way(matrix: list[list[int]]) -> pa.Table:
    """Inner cells, row and column margins and the grand total, in long form."""
    rows = [f"R{i}" for i in range(len(matrix))]
    cols = [f"K{j}" for j in range(len(matrix[0]))]
    records = []
    for i, a in enumerate([*rows, TOTAL]):
        for j, b in enumerate([*cols, TOTAL]):
            ri = range(len(rows)) if a == TOTAL else [i]
            cj = range(len(cols)) if b == TOTAL else [j]
            records.append(
                {"raekke": a, "kolonne": b, "antal": sum(matrix[x][y] for x in ri for y in cj)}
            )
    return pa.Table.from_pylist(records)


def equations(table: pa.Table, spec: TableSpec) -> list[tuple[list[int], int]]:
    """The linear equations the table publishes: (row indices of the parts, row index of the sum).

    Worked out from the labels alone, independently of the module: a one-way table's total is
    the sum of its cells; in a two-way table every row's and every column's cells (including
    the margins' own row and column) sum to its margin."""
    rows = table.to_pylist()
    dims = spec.dimensions
    if len(dims) == 1:
        total = next(i for i, r in enumerate(rows) if r[dims[0]] == TOTAL)
        return [([i for i in range(len(rows)) if i != total], total)]
    found = []
    for axis, other in ((0, 1), (1, 0)):
        for value in {r[dims[axis]] for r in rows}:
            line = [i for i, r in enumerate(rows) if r[dims[axis]] == value]
            total = next(i for i in line if rows[i][dims[other]] == TOTAL)
            found.append(([i for i in line if i != total], total))
    return found


def intervals(table: pa.Table, result: Suppression, count: str) -> dict[int, tuple[float, float]]:
    """For every suppressed cell, the smallest and largest value it can take given everything a
    reader knows: the published cells, every total equation, and that a suppressed count is at
    least 1 (zeros are always published, so a hidden cell is never zero).

    Computed by linear programming (HiGHS). The equations of a table with margins form a network
    matrix, which is totally unimodular, so the end points are whole numbers: a width above zero
    means the cell can take at least two whole values."""
    published = result.table.column(count).to_pylist()
    hidden = [i for i, v in enumerate(published) if v is None]
    position = {row: n for n, row in enumerate(hidden)}
    a_eq, b_eq = [], []
    for parts, total in equations(table, result.spec):
        coefficients = [0.0] * len(hidden)
        rhs = 0.0
        for row, sign in [(p, 1.0) for p in parts] + [(total, -1.0)]:
            if row in position:
                coefficients[position[row]] += sign
            else:
                rhs -= sign * published[row]
        if any(coefficients):
            a_eq.append(coefficients)
            b_eq.append(rhs)
        else:
            assert rhs == 0, "the published cells contradict a published total"
    found = {}
    for row, n in position.items():
        ends = []
        for direction in (1.0, -1.0):
            c = [0.0] * len(hidden)
            c[n] = direction
            lp = linprog(c, A_eq=a_eq or None, b_eq=b_eq or None, bounds=(1, None), method="highs")
            if lp.status == 3:  # unbounded: only possible upwards
                ends.append(float("inf"))
                continue
            assert lp.status == 0, lp.message
            ends.append(direction * lp.fun)
        found[row] = (ends[0], ends[1])
    return found


def assert_safe(table: pa.Table, spec: TableSpec, k: int) -> Suppression:
    result = suppress(table, spec, k)
    original = table.column("antal").to_pylist()
    published = result.table.column("antal").to_pylist()
    for before, after in zip(original, published, strict=True):
        assert after is None or not 0 < after < k, f"published small count {after}"
        assert after is None or after == before, "a published count was changed"
    # Primary cells are exactly the counts from 1 to k-1; everything else suppressed is
    # complementary.
    reasons = result.markers().column("antal").to_pylist()
    for value, reason in zip(original, reasons, strict=True):
        assert (reason == "primary") == (0 < value < k)
        assert reason in (None, "primary", "complementary")
    for row, (low, high) in intervals(table, result, "antal").items():
        assert low <= original[row] <= high
        assert high - low >= 1 - 1e-7, (
            f"row {row} (value {original[row]}) can be worked out: [{low}, {high}]"
        )
    return result


counts = st.one_of(st.integers(0, 5), st.integers(0, 60))
thresholds = st.integers(3, 7)


@settings(max_examples=150, deadline=None)
@given(values=st.lists(counts, min_size=1, max_size=9), k=thresholds)
def test_one_way_tables_publish_no_small_count_and_no_recoverable_cell(values, k):
    assert_safe(one_way(values), ONE_WAY, k)


@settings(max_examples=150, deadline=None)
@given(
    shape=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    data=st.data(),
    k=thresholds,
)
def test_two_way_tables_publish_no_small_count_and_no_recoverable_cell(shape, data, k):
    """Beyond the LP check: a necessary condition that anyone can verify by eye holds too. If a
    row or a column (margins included) held exactly one suppressed cell, that cell would be its
    published total minus its published cells."""
    matrix = [[data.draw(counts) for _ in range(shape[1])] for _ in range(shape[0])]
    table = two_way(matrix)
    result = assert_safe(table, TWO_WAY, k)
    published = result.table.column("antal").to_pylist()
    for parts, total in equations(table, TWO_WAY):
        hidden = sum(published[i] is None for i in [*parts, total])
        assert hidden != 1


@settings(max_examples=60, deadline=None)
@given(
    shape=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    data=st.data(),
    seed=st.integers(0, 2**16),
)
def test_output_is_deterministic_and_independent_of_row_order(shape, data, seed):
    matrix = [[data.draw(counts) for _ in range(shape[1])] for _ in range(shape[0])]
    table = two_way(matrix)
    first, second = suppress(table, TWO_WAY), suppress(table, TWO_WAY)
    assert first.table.equals(second.table)
    assert first.log() == second.log()

    order = list(range(table.num_rows))
    random.Random(seed).shuffle(order)
    shuffled = suppress(table.take(order), TWO_WAY)
    by_key = {
        (c.key, c.column, c.reason) for c in first.cells
    }  # keys, not row numbers, survive a shuffle
    assert {(c.key, c.column, c.reason) for c in shuffled.cells} == by_key


def test_small_count_is_suppressed_with_the_smallest_other_nonzero_cell():
    result = suppress(one_way([3, 0, 12, 7, 40]), ONE_WAY)
    assert result.table.column("antal").to_pylist() == [None, 0, 12, None, 40, 62]
    assert [(c.row, c.reason) for c in result.cells] == [(0, "primary"), (3, "complementary")]
    assert result.summary() == {"primary": 1, "complementary": 1, "derived": 0}


def test_two_hidden_ones_are_not_left_summing_to_two():
    """Both 1s hidden and nothing else: a reader who knows hidden cells are at least 1 would
    read off 1 and 1 from the total. A third cell must be hidden too."""
    result = suppress(one_way([1, 1, 20, 30]), ONE_WAY)
    assert result.table.column("antal").to_pylist() == [None, None, None, 30, 52]
    assert [c.reason for c in result.cells] == ["primary", "primary", "complementary"]


def test_zero_is_published_and_large_counts_are_untouched():
    result = suppress(one_way([0, 5, 0, 17]), ONE_WAY)
    assert result.table.column("antal").to_pylist() == [0, 5, 0, 17, 22]
    assert result.cells == ()


def test_small_total_is_suppressed_and_protected():
    # Every cell but one is zero: the total equals the small cell, both hidden.
    result = suppress(one_way([0, 2, 0]), ONE_WAY)
    assert result.table.column("antal").to_pylist() == [0, None, 0, None]
    assert {c.reason for c in result.cells} == {"primary"}


def test_small_margin_of_a_two_way_table_is_suppressed_and_protected():
    table = two_way([[1, 2, 0], [10, 20, 30], [8, 9, 12]])
    result = assert_safe(table, TWO_WAY, 5)
    rows = result.table.to_pylist()
    margin = next(r for r in rows if r["raekke"] == "R0" and r["kolonne"] == TOTAL)
    assert margin["antal"] is None


@pytest.mark.parametrize("k", [3, 4, 10])
def test_threshold_is_configurable(k):
    result = suppress(one_way([2, 3, 9, 50]), ONE_WAY, k)
    assert {c.row for c in result.cells if c.reason == "primary"} == {
        i for i, v in enumerate([2, 3, 9, 50]) if 0 < v < k
    }


@pytest.mark.parametrize("k", [2, 1, 0, -5])
def test_threshold_below_three_is_refused_in_danish(k):
    with pytest.raises(DisclosureError, match="må aldrig være under 3"):
        suppress(one_way([2, 9]), ONE_WAY, k)
    with pytest.raises(DisclosureError, match="må aldrig være under 3"):
        check_k(k)


def test_rates_and_averages_on_a_suppressed_count_are_suppressed():
    table = pa.table(
        {
            "bydel": ["Østerbro", "Brønshøj-Husum", "Valby", TOTAL],
            "modtaget": [20, 30, 25, 75],
            "returneret": [2, 12, 10, 24],
            "andel_returneret": [0.1, 0.4, 0.4, 0.32],
            "gns_husleje": [5100.5, 6200.0, 5800.0, 5750.0],
        }
    )
    spec = TableSpec(
        "returer",
        counts=("modtaget", "returneret"),
        dimensions=("bydel",),
        derived=(
            Derived("andel_returneret", ("modtaget", "returneret")),
            Derived("gns_husleje", ("modtaget",)),
        ),
    )
    result = suppress(table, spec)
    out = result.table.to_pylist()
    assert out[0]["returneret"] is None and out[0]["andel_returneret"] is None
    assert out[0]["gns_husleje"] == 5100.5  # built on 'modtaget' only, which is published
    assert out[2]["returneret"] is None and out[2]["andel_returneret"] is None  # complementary
    assert out[1]["andel_returneret"] == 0.4
    markers = result.markers().to_pylist()
    assert markers[0]["andel_returneret"] == "derived"
    assert markers[2]["returneret"] == "complementary"


def test_groups_are_protected_independently():
    table = pa.table(
        {
            "maaned": ["2025-01"] * 3 + ["2025-02"] * 3,
            "bydel": ["Østerbro", "Valby", TOTAL] * 2,
            "antal": [3, 10, 13, 6, 10, 16],
        }
    )
    spec = TableSpec("trend", counts=("antal",), dimensions=("bydel",), groups=("maaned",))
    result = suppress(table, spec)
    assert result.table.column("antal").to_pylist() == [None, None, 13, 6, 10, 16]
    assert result.cells[0].key == (("maaned", "2025-01"), ("bydel", "Østerbro"))


def test_tables_without_totals_get_primary_suppression_only():
    table = pa.table({"bydel": ["Østerbro", "Valby"], "antal": [3, 10]})
    spec = TableSpec("uden", counts=("antal",), dimensions=("bydel",), totals=False)
    assert suppress(table, spec).table.column("antal").to_pylist() == [None, 10]


def test_the_pilot_total_is_allowed_and_suppressed_when_small():
    spec = TableSpec("pilot", counts=("borgere",), pilot=True)
    assert suppress(pa.table({"borgere": [50]}), spec).table.column("borgere").to_pylist() == [50]
    small = suppress(pa.table({"borgere": [4]}), spec)
    assert small.table.column("borgere").to_pylist() == [None]


def test_the_pilot_is_never_broken_down():
    table = pa.table({"gruppe": ["Sundholm", "Unge", "Uden støtte"], "borgere": [20, 20, 10]})
    spec = TableSpec("pilot", counts=("borgere",), dimensions=("gruppe",), pilot=True, totals=False)
    with pytest.raises(DisclosureError, match="piloten må aldrig brydes ned"):
        suppress(table, spec)
    two_rows = TableSpec("pilot", counts=("borgere",), pilot=True)
    with pytest.raises(DisclosureError, match="piloten må aldrig brydes ned"):
        suppress(pa.table({"borgere": [30, 20]}), two_rows)


@pytest.mark.parametrize("column", ["bemaerkning", "Kommentar"])
def test_free_text_columns_are_refused(column):
    table = pa.table({"bydel": ["Valby", TOTAL], "antal": [10, 10], column: ["x", None]})
    spec = TableSpec("t", counts=("antal",), dimensions=("bydel",), labels=(column,))
    with pytest.raises(DisclosureError, match=r"Fritekst .* eksporteres aldrig"):
        suppress(table, spec)


def test_a_column_marked_free_text_is_refused():
    table = pa.table({"bydel": ["Valby", TOTAL], "antal": [10, 10], "aarsag": ["x", "y"]})
    spec = TableSpec(
        "t", counts=("antal",), dimensions=("bydel",), labels=("aarsag",), free_text=("aarsag",)
    )
    with pytest.raises(DisclosureError, match="fritekstkolonnen 'aarsag'"):
        suppress(table, spec)


@pytest.mark.parametrize(
    ("table", "spec", "message"),
    [
        (
            pa.table({"bydel": ["Valby", TOTAL], "antal": [10, 10], "ekstra": [1, 2]}),
            ONE_WAY,
            "uden angivet rolle",
        ),
        (pa.table({"bydel": ["Valby", TOTAL], "antal": [10, 11]}), ONE_WAY, "stemmer ikke"),
        (pa.table({"bydel": ["Valby", "Valby"], "antal": [10, 11]}), ONE_WAY, "to gange"),
        (pa.table({"bydel": ["Valby", "Vanløse"], "antal": [10, 11]}), ONE_WAY, "totalrækken"),
        (pa.table({"bydel": ["Valby", TOTAL], "antal": [-1, -1]}), ONE_WAY, "mindst 0"),
        (pa.table({"bydel": ["Valby", TOTAL], "antal": [1.5, 1.5]}), ONE_WAY, "heltal"),
        (pa.table({"bydel": [None, TOTAL], "antal": [1, 1]}), ONE_WAY, "Ukendt"),
        (
            pa.Table.from_pylist(
                [r for r in two_way([[5, 6], [7, 8]]).to_pylist() if r["antal"] != 6]
            ),
            TWO_WAY,
            "ikke fuldstændig",
        ),
    ],
)
def test_malformed_tables_are_refused_with_a_danish_message(table, spec, message):
    with pytest.raises(DisclosureError, match=message):
        suppress(table, spec)


def test_log_names_cells_and_reasons_but_no_values():
    result = suppress(one_way([3, 12, 7]), ONE_WAY)
    assert result.log() == [
        {
            "table": "bydele",
            "row": 0,
            "column": "antal",
            "reason": "primary",
            "key": {"bydel": "Bydel 00"},
        },
        {
            "table": "bydele",
            "row": 2,
            "column": "antal",
            "reason": "complementary",
            "key": {"bydel": "Bydel 02"},
        },
    ]


def test_every_cell_of_a_larger_table_is_checked_exhaustively():
    """A fixed 6 × 6 table with many small cells: every pattern the property tests draw, at once."""
    rng = random.Random(7)
    matrix = [[rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 40]) for _ in range(6)] for _ in range(6)]
    result = assert_safe(two_way(matrix), TWO_WAY, 5)
    assert any(c.reason == "complementary" for c in result.cells)
    assert sum(1 for _ in product(range(7), range(7))) == result.table.num_rows


@settings(max_examples=40, deadline=None)
@given(values=st.lists(counts, min_size=10, max_size=60), k=thresholds)
def test_one_way_tables_with_many_cells_publish_no_recoverable_cell(values, k):
    """Many cells between the same two equations (like the departments of the city): the
    search keeps them merged per pair of equations, which must find the same protection. The
    ranges worked out by hand for the large test below agree with the linear programme."""
    table = one_way(values)
    result = assert_safe(table, ONE_WAY, k)
    published = result.table.column("antal").to_pylist()
    by_lp = intervals(table, result, "antal")
    assert one_way_ranges(published) == [by_lp[row] for row in sorted(by_lp)]


@settings(max_examples=150, deadline=None)
@given(
    shape=st.tuples(st.integers(0, 5), st.integers(1, 5)),
    data=st.data(),
)
def test_which_hidden_cells_can_move_is_decided_as_the_linear_programme_says(shape, data):
    """`_Network.movable_cells` (components and bridges, all cells at once) decides what the
    suppression relies on: which hidden cells can still take two values. Checked against the
    linear programme on any pattern of hidden cells, most of them unsafe (0 rows: one-way)."""
    matrix = [[data.draw(counts) for _ in range(shape[1])] for _ in range(max(shape[0], 1))]
    table, spec = (one_way(matrix[0]), ONE_WAY) if shape[0] == 0 else (two_way(matrix), TWO_WAY)
    rows = table.to_pylist()
    part = next(_partitions(rows, spec))
    values = [rows[row]["antal"] for *_, row in part.structure]
    network = _Network(part.structure, values)
    hidden = data.draw(st.sets(st.sampled_from(range(len(values)))))
    for e in hidden:
        if values[e] > 0:  # zeros are never hidden
            network.hide(e)
    by_row = {part.structure[e][3]: e for e in network.suppressed}
    view = table.set_column(
        table.column_names.index("antal"),
        "antal",
        pa.array([None if i in by_row else r["antal"] for i, r in enumerate(rows)], pa.int64()),
    )
    result = Suppression(spec=spec, k=5, table=view, cells=())
    expected = {
        by_row[row]
        for row, (low, high) in intervals(table, result, "antal").items()
        if high - low >= 1 - 1e-7
    }
    assert network.movable_cells() == expected


def test_ties_between_equally_small_cells_go_to_the_first_category():
    result = suppress(one_way([3, 9, 7, 7, 40]), ONE_WAY)
    assert [(c.row, c.reason) for c in result.cells] == [(0, "primary"), (2, "complementary")]
    # The same cells, whatever the row order.
    shuffled = suppress(one_way([3, 9, 7, 7, 40]).take([4, 3, 2, 1, 0, 5]), ONE_WAY)
    assert {c.key for c in shuffled.cells} == {c.key for c in result.cells}


def one_way_ranges(published: list[int | None]) -> list[tuple[int, float]]:
    """The smallest and largest value of every suppressed cell of a one-way table (the total
    last), worked out by hand from what is published: with the total published, the hidden
    cells share what the published cells leave of it, each at least 1; with the total hidden
    too, nothing bounds them from above, unless no other cell is hidden."""
    *cells, total = published
    shown = sum(v for v in cells if v is not None)
    hidden = sum(v is None for v in cells)
    if total is None:
        return (
            [(shown, shown)]
            if not hidden
            else [(1, math.inf)] * hidden + [(shown + hidden, math.inf)]
        )
    rest = total - shown
    return [(1, rest - (hidden - 1)) if hidden > 1 else (rest, rest)] * hidden


def test_a_city_of_departments_is_protected_quickly():
    """About as many departments as scale 50 of the demo data, most with small counts: every
    hidden cell can take at least two values, checked by hand (`one_way_ranges`), and the work
    grows with the table, not with its square (cell by cell, this took minutes)."""
    rng = random.Random(50)
    groups = []
    for _ in range(3):
        values = [rng.choice([0, 0, 1, 2, 3, 4, 4, 5, 8, 20]) for _cell in range(6000)]
        values.append(sum(values))
        groups.append(values)
    table = pa.table(
        {
            "maaned": [f"2025-{m + 1:02d}" for m, g in enumerate(groups) for _ in g],
            "afdeling": [
                TOTAL if i == len(g) - 1 else f"A{i:05d}" for g in groups for i in range(len(g))
            ],
            "antal": [v for g in groups for v in g],
        }
    )
    spec = TableSpec("afdelinger", counts=("antal",), dimensions=("afdeling",), groups=("maaned",))
    started = time.process_time()
    result = suppress(table, spec)
    seconds = time.process_time() - started
    published = result.table.column("antal").to_pylist()
    at = 0
    for values in groups:
        shown = published[at : at + len(values)]
        at += len(values)
        assert all(v is None or not 0 < v < 5 for v in shown)
        assert all(v is None or v == o for v, o in zip(shown, values, strict=True))
        assert sum(v is None for v in shown) > 1000
        for low, high in one_way_ranges(shown):
            assert high - low >= 1
    assert seconds < 20, f"{seconds:.1f} s CPU for {table.num_rows} rows"
