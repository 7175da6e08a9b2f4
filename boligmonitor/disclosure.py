"""Disclosure control for everything that leaves the municipality: small counts are suppressed.

A table is a pyarrow Table in long form, described by a `TableSpec`:

- `groups`: columns that split the table into independent sub-tables with no totals across
  them (e.g. the month of a trend); may be empty.
- `dimensions`: 0, 1 or 2 columns that span the cells of each sub-table. With `totals=True`
  the table also holds the margins, marked by the label `I alt` in a dimension column: a
  one-way table has one total row; a two-way table has a row margin for every row category, a
  column margin for every column category and the grand total (`I alt` × `I alt`).
- `labels`: descriptive columns that follow from the key (e.g. a department's name).
- `counts`: whole, non-negative counts of people or dwellings. Each count column is protected on
  its own: the table must not publish a sum that links two count columns (put such categories in
  a dimension instead).
- `derived`: rates and averages, each declaring the count columns it is built on.

The rules (DESIGN.md, "No personal data leaves"):

1. **Primary suppression.** Every count from 1 to k-1 is suppressed (k = 5 unless configured;
   k below 3 is refused). Margins are counts too. **Zero is not suppressed**: a true zero says
   that nobody is in the cell, which discloses nothing about any person, and hiding zeros would
   only cost the partners information.
2. **Complementary suppression.** A suppressed cell must not be recoverable from the published
   cells and the row, column and grand totals of the same table. The totals are linear equations
   over the cells. What a reader also knows is that counts are whole and non-negative and, since
   zeros are always shown, that every suppressed cell is at least 1 (so two hidden cells that
   must sum to 2 would both be known to be 1). A suppressed cell is protected when its value
   can still change: when it lies on a cycle of suppressed cells along which values can be moved
   while every published number stays the same and no hidden cell drops below 1 (rows and
   columns are the nodes of a graph, cells its edges). For every primary cell that is not yet
   protected, smallest first, the cheapest such cycle is added: smallest sum of values first,
   then fewest cells; zeros are never used. Ties are broken by the sorted order of the
   categories, so the same input gives the same output, whatever the row order. Everything added
   lies on the cycle, so every suppressed cell (primary or complementary) can take more than one
   value; this is verified before the result is returned, for all cells at once and by another
   method than the search (strongly connected components and bridges, `_Network.movable_cells`).
   Because the equations form a network matrix (totally unimodular), the feasible interval of
   every suppressed cell has whole end points, so "more than one value" means at least two whole
   numbers.
3. **Derived values.** A rate or average in a row is suppressed when any count it is built on is
   suppressed in that row.
4. **The pilot is never broken down.** A table marked `pilot` may hold only the pilot's total:
   one row, no dimensions, no groups, no labels.
5. **Free text is never exported.** A column marked as free text, or named like one (e.g.
   `bemaerkning`), is refused.

What is not covered: linked tables (the same total published in two tables with different
breakdowns) are protected table by table only; a table's count columns are assumed independent.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import pyarrow as pa

from boligmonitor.contracts import SOURCES

DEFAULT_K = 5
MIN_K = 3
TOTAL = "I alt"
LOWEST_HIDDEN = 1  # zeros are always shown, so every suppressed cell is known to be at least 1

Reason = Literal["primary", "complementary", "derived"]
REASONS: tuple[Reason, ...] = ("primary", "complementary", "derived")

# Free-text columns of the sources, plus the usual names of free text.
FREE_TEXT_NAMES: frozenset[str] = frozenset(
    {c.name for s in SOURCES.values() for c in s.columns if c.free_text}
    | {"bemaerkning", "bemærkning", "kommentar", "fritekst", "notat", "remark", "comment", "note"}
)


class DisclosureError(ValueError):
    """A table cannot be published as it is; the message (Danish) says which and why."""


@dataclass(frozen=True)
class Derived:
    """A rate or average column and the count columns it is built on."""

    column: str
    based_on: tuple[str, ...]


@dataclass(frozen=True)
class TableSpec:
    name: str
    counts: tuple[str, ...]
    dimensions: tuple[str, ...] = ()
    derived: tuple[Derived, ...] = ()
    groups: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    free_text: tuple[str, ...] = ()
    totals: bool = True
    pilot: bool = False

    @property
    def key(self) -> tuple[str, ...]:
        return self.groups + self.dimensions


@dataclass(frozen=True)
class SuppressedCell:
    table: str
    row: int  # 0-based row index in the table
    column: str
    reason: Reason
    key: tuple[tuple[str, str], ...]  # (column, value as text) of the row's groups and dimensions

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "row": self.row,
            "column": self.column,
            "reason": self.reason,
            "key": dict(self.key),
        }


@dataclass(frozen=True)
class Suppression:
    """The result: the table with suppressed cells as null, and which cells and why."""

    spec: TableSpec
    k: int
    table: pa.Table
    cells: tuple[SuppressedCell, ...]  # ordered by row, then column order in the table

    @property
    def name(self) -> str:
        return self.spec.name

    def is_suppressed(self, row: int, column: str) -> bool:
        return (row, column) in self.suppressed

    @cached_property
    def suppressed(self) -> frozenset[tuple[int, str]]:
        """The suppressed cells as (row index, column name)."""
        return frozenset((c.row, c.column) for c in self.cells)

    def markers(self) -> pa.Table:
        """Same rows as `table`: the key columns, and for every count and derived column the
        reason its cell was suppressed ('primary', 'complementary', 'derived') or null."""
        reasons = {(c.row, c.column): c.reason for c in self.cells}
        data: dict[str, pa.Array] = {name: self.table.column(name) for name in self.spec.key}
        measured = list(self.spec.counts) + [d.column for d in self.spec.derived]
        for name in measured:
            values = [reasons.get((i, name)) for i in range(self.table.num_rows)]
            data[name] = pa.array(values, type=pa.string())
        return pa.table(data)

    def log(self) -> list[dict[str, Any]]:
        """Every suppressed cell, for the audit log: table, row, column, reason, key."""
        return [c.as_dict() for c in self.cells]

    def summary(self) -> dict[str, int]:
        """Suppressed cells by reason (internal: the manifest gives only totals per table)."""
        counts = dict.fromkeys(REASONS, 0)
        for c in self.cells:
            counts[c.reason] += 1
        return counts


def check_k(k: int) -> int:
    """The threshold: counts from 1 to k-1 are suppressed. Refused below MIN_K."""
    if isinstance(k, bool) or not isinstance(k, int):
        raise DisclosureError(f"Grænsen for små tal skal være et helt tal, ikke {k!r}.")
    if k < MIN_K:
        raise DisclosureError(
            f"Grænsen for små tal er sat til {k}, men må aldrig være under {MIN_K}: "
            f"tal fra 1 til {MIN_K - 1} ville så kunne udpege enkeltpersoner. "
            f"Standard er {DEFAULT_K} (tal fra 1 til {DEFAULT_K - 1} undertrykkes)."
        )
    return k


def suppress(table: pa.Table, spec: TableSpec, k: int = DEFAULT_K) -> Suppression:
    """Apply primary, complementary and derived suppression to `table` as described by `spec`."""
    check_k(k)
    _check_columns(table, spec)
    rows = table.to_pylist()
    _check_values(rows, spec)

    marks: dict[tuple[int, str], Reason] = {}
    for part in _partitions(rows, spec):
        for count in spec.counts:
            where = f"Tabellen '{spec.name}'{part.label}, kolonne '{count}'"
            for row_index, reason in _protect(part, count, rows, k, where).items():
                marks[(row_index, count)] = reason
    for row_index in range(len(rows)):
        for d in spec.derived:
            if any((row_index, base) in marks for base in d.based_on):
                marks[(row_index, d.column)] = "derived"

    columns: dict[str, pa.Array] = {}
    for name in table.column_names:
        if name in spec.counts or name in {d.column for d in spec.derived}:
            values = [None if (i, name) in marks else r[name] for i, r in enumerate(rows)]
            columns[name] = pa.array(values, type=table.schema.field(name).type)
        else:
            columns[name] = table.column(name)
    out = pa.table(columns, schema=table.schema)

    order = {name: i for i, name in enumerate(table.column_names)}
    cells = tuple(
        SuppressedCell(
            table=spec.name,
            row=i,
            column=name,
            reason=reason,
            key=tuple((c, _text(rows[i][c])) for c in spec.key),
        )
        for (i, name), reason in sorted(marks.items(), key=lambda m: (m[0][0], order[m[0][1]]))
    )
    return Suppression(spec=spec, k=k, table=out, cells=cells)


def _text(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


# ---- validation -------------------------------------------------------------------------


def _check_columns(table: pa.Table, spec: TableSpec) -> None:
    name = spec.name
    free = [c for c in table.column_names if c in spec.free_text or c.lower() in FREE_TEXT_NAMES]
    if free:
        raise DisclosureError(
            f"Tabellen '{name}' har fritekstkolonnen {', '.join(repr(c) for c in free)}. "
            "Fritekst kan indeholde personoplysninger og eksporteres aldrig; fjern kolonnen."
        )
    if spec.pilot and (spec.dimensions or spec.groups or spec.labels or table.num_rows > 1):
        raise DisclosureError(
            f"Tabellen '{name}' er markeret som pilotprojektet, og piloten må aldrig brydes ned: "
            "tabellen må kun indeholde pilotens samlede tal (én række uden opdeling), men har "
            f"{table.num_rows} rækker og opdelingen "
            f"{list(spec.groups + spec.dimensions + spec.labels)}."
        )
    if len(spec.dimensions) > 2:
        raise DisclosureError(
            f"Tabellen '{name}' har {len(spec.dimensions)} dimensioner; højst 2 understøttes "
            "(brug grupper til opdelinger uden totaler på tværs)."
        )
    if not spec.counts:
        raise DisclosureError(f"Tabellen '{name}' har ingen tællinger at beskytte.")
    derived_cols = tuple(d.column for d in spec.derived)
    declared = spec.groups + spec.dimensions + spec.labels + spec.counts + derived_cols
    duplicated = sorted({c for c in declared if declared.count(c) > 1})
    if duplicated:
        raise DisclosureError(f"Tabellen '{name}': kolonnerne {duplicated} er angivet to gange.")
    missing = [c for c in declared if c not in table.column_names]
    if missing:
        raise DisclosureError(f"Tabellen '{name}' mangler kolonnerne {missing}.")
    unknown = [c for c in table.column_names if c not in declared]
    if unknown:
        raise DisclosureError(
            f"Tabellen '{name}' har kolonner uden angivet rolle: {unknown}. Hver kolonne skal "
            "være gruppe, dimension, etiket, tælling eller afledt (rate/gennemsnit)."
        )
    for d in spec.derived:
        bad = [b for b in d.based_on if b not in spec.counts]
        if not d.based_on or bad:
            raise DisclosureError(
                f"Tabellen '{name}': den afledte kolonne '{d.column}' skal bygge på tællinger i "
                f"samme tabel; {bad or 'ingen'} er ikke tællinger i tabellen."
            )
    for c in spec.counts:
        if not pa.types.is_integer(table.schema.field(c).type):
            raise DisclosureError(
                f"Tabellen '{name}': tællingen '{c}' skal være heltal, ikke "
                f"{table.schema.field(c).type}."
            )
    if spec.totals:
        for c in spec.dimensions:
            if not pa.types.is_string(table.schema.field(c).type) and not pa.types.is_large_string(
                table.schema.field(c).type
            ):
                raise DisclosureError(
                    f"Tabellen '{name}': dimensionen '{c}' skal være tekst, så totalen kan "
                    f"hedde '{TOTAL}'."
                )


def _check_values(rows: list[dict[str, Any]], spec: TableSpec) -> None:
    seen: set[tuple[Any, ...]] = set()
    for i, row in enumerate(rows):
        where = f"Tabellen '{spec.name}', række {i + 1}"
        for c in spec.key:
            if row[c] is None:
                raise DisclosureError(
                    f"{where}: dimensionen '{c}' er tom. Giv kategorien et navn, fx 'Ukendt'."
                )
            if not spec.totals and row[c] == TOTAL:
                raise DisclosureError(
                    f"{where}: '{c}' er '{TOTAL}', men tabellen er angivet uden totaler."
                )
        for c in spec.groups:
            if row[c] == TOTAL:
                raise DisclosureError(
                    f"{where}: gruppen '{c}' er '{TOTAL}'; totaler på tværs af grupper er en "
                    "dimension, ikke en gruppe."
                )
        for c in spec.counts:
            if row[c] is None or row[c] < 0:
                raise DisclosureError(
                    f"{where}: tællingen '{c}' skal være et helt tal på mindst 0, men er "
                    f"{'tom' if row[c] is None else row[c]}."
                )
        key = tuple(row[c] for c in spec.key)
        if key in seen:
            raise DisclosureError(
                f"{where}: nøglen {dict(zip(spec.key, key, strict=True))} findes to gange."
            )
        seen.add(key)


# ---- the cells of a sub-table as a graph ---------------------------------------------------


@dataclass
class _Part:
    """One sub-table (one value of the groups): cells keyed by their categories."""

    label: str
    rows: dict[tuple[Any, ...], int]  # dimension values -> row index in the table
    structure: list[tuple[int, int, int, int]] = field(default_factory=list)  # (u, v, sign, row)


def _partitions(rows: list[dict[str, Any]], spec: TableSpec) -> Iterable[_Part]:
    parts: dict[tuple[Any, ...], dict[tuple[Any, ...], int]] = {}
    for i, row in enumerate(rows):
        group = tuple(row[c] for c in spec.groups)
        parts.setdefault(group, {})[tuple(row[c] for c in spec.dimensions)] = i
    for group in sorted(parts, key=lambda g: tuple(_text(v) for v in g)):
        label = ", ".join(f"{c}={_text(v)}" for c, v in zip(spec.groups, group, strict=True))
        part = _Part(label=f" ({label})" if label else "", rows=parts[group])
        if spec.totals and spec.dimensions:
            part.structure = _structure(part, spec)
        yield part


def _categories(keys: Iterable[Any]) -> list[Any]:
    return [*sorted({k for k in keys if k != TOTAL}), TOTAL]


def _structure(part: _Part, spec: TableSpec) -> list[tuple[int, int, int, int]]:
    """The cells as edges (u, v, sign, row index) of a graph whose nodes are the equations.

    Two-way: node r is row category r (the total row last), node R + c is column category c;
    every cell lies in its row's and its column's equation. One-way: all cells are edges between
    the single equation's node 0 and a dummy node 1. `sign` is +1 for inner cells and the grand
    total, -1 for margins: with that sign every equation reads "signed cells sum to zero".
    """
    where = f"Tabellen '{spec.name}'{part.label}"
    if len(spec.dimensions) == 1:
        cats = _categories(k[0] for k in part.rows)
        if (TOTAL,) not in part.rows:
            raise DisclosureError(f"{where} mangler totalrækken '{TOTAL}'.")
        return [(0, 1, -1 if c == TOTAL else 1, part.rows[(c,)]) for c in cats]
    row_cats = _categories(k[0] for k in part.rows)
    col_cats = _categories(k[1] for k in part.rows)
    edges = []
    for r, a in enumerate(row_cats):
        for c, b in enumerate(col_cats):
            if (a, b) not in part.rows:
                raise DisclosureError(
                    f"{where} er ikke fuldstændig: kombinationen {spec.dimensions[0]}='{a}', "
                    f"{spec.dimensions[1]}='{b}' mangler (også nuller og totaler skal med)."
                )
            sign = 1 if (a == TOTAL) == (b == TOTAL) else -1
            edges.append((r, len(row_cats) + c, sign, part.rows[(a, b)]))
    if len(edges) != len(part.rows):
        raise DisclosureError(f"{where} har rækker uden for krydstabellen.")
    return edges


def _check_sums(edges: list[tuple[int, int, int, int]], values: list[int], where: str) -> None:
    balance: dict[int, int] = {}
    for (u, v, sign, _), z in zip(edges, values, strict=True):
        balance[u] = balance.get(u, 0) + sign * z
        balance[v] = balance.get(v, 0) + sign * z
    if any(balance.values()):
        raise DisclosureError(f"{where}: totalerne stemmer ikke med summen af cellerne.")


def _arcs(edge: tuple[int, int, int, int], z: int) -> list[tuple[int, int]]:
    """The directions (u→v, v→u) in which a suppressed cell's value can move.

    Moving along u→v changes the cell by +sign, along v→u by -sign. Upwards is always possible.
    Downwards only while the cell stays at least 1: zeros are always published, so a reader
    knows that every suppressed cell is at least 1, and the protection must hold with that
    knowledge. A zero is never suppressed, so it has no directions at all."""
    if z == 0:
        return []
    u, v, sign, _ = edge
    arcs = []
    if sign == 1 or z > LOWEST_HIDDEN:
        arcs.append((u, v))
    if sign == -1 or z > LOWEST_HIDDEN:
        arcs.append((v, u))
    return arcs


_Arc = tuple[int, int]


class _Network:
    """The directions in which the cells of one count column in one sub-table can move, with
    the cells that join the same two nodes merged.

    The search for the cheapest cycle (`path`) only needs to know, for every ordered pair of
    nodes (a, b): whether a suppressed cell other than the one being protected can move a→b
    (which costs nothing), and else the published cell that is cheapest to add for a→b (smallest
    value, then first in the table's sorted order). Both are kept per pair and updated as cells
    are suppressed, so a search costs time in the number of pairs, not of cells: all the cells
    of a one-way table join the same two nodes, so a table of thousands of departments is 2
    pairs. The cheapest path is the same as a search over the cells one by one would find: from
    a node, such a search keeps, for each neighbour, the first of the cheapest cells leading
    there, and a suppressed cell (free) before any published one; that is the cell kept.

    Whether the suppressed cells can move is decided for all of them at once (`movable_cells`),
    in time linear in the table, instead of a search per cell."""

    def __init__(self, edges: list[tuple[int, int, int, int]], values: list[int]) -> None:
        self.ends = [(u, v) for u, v, *_ in edges]
        self.arcs = [_arcs(edge, z) for edge, z in zip(edges, values, strict=True)]
        self.suppressed: set[int] = set()
        # A search keeps (sum of values, cells) as one number, and a heap entry (cost, node)
        # as one number too: same order, much less work than tuples.
        self._cells = len(edges) + 1  # more than the cells of any path
        self._nodes = 1 + max((max(ends) for ends in self.ends), default=0)
        # Per pair of nodes (numbered): the suppressed cells that can move along it, and the
        # published ones as a heap of (value, cell) with the cheapest one's cost and cell.
        pairs: dict[_Arc, int] = {}
        self._out: dict[int, list[tuple[int, int]]] = {}  # node -> (next node, pair)
        self._pairs_of: list[list[int]] = []  # cell -> the pairs it can move along
        self._heaps: list[list[tuple[int, int]]] = []
        for e, arcs in enumerate(self.arcs):
            mine = []
            for arc in arcs:
                if arc not in pairs:
                    pairs[arc] = len(pairs)
                    self._heaps.append([])
                    self._out.setdefault(arc[0], []).append((arc[1], pairs[arc]))
                self._heaps[pairs[arc]].append((values[e], e))
                mine.append(pairs[arc])
            self._pairs_of.append(mine)
        self._free = [0] * len(pairs)
        self._price: list[int | None] = [None] * len(pairs)
        self._cheapest: list[int] = [-1] * len(pairs)
        for pair, heap in enumerate(self._heaps):
            heapq.heapify(heap)
            self._reprice(pair)

    def _reprice(self, pair: int) -> None:
        heap = self._heaps[pair]
        while heap and heap[0][1] in self.suppressed:
            heapq.heappop(heap)
        if heap:
            self._price[pair] = heap[0][0] * self._cells + 1
            self._cheapest[pair] = heap[0][1]
        else:
            self._price[pair] = None

    def hide(self, e: int) -> None:
        """Suppress cell e: it can now move for free."""
        if e not in self.suppressed:
            self.suppressed.add(e)
            for pair in self._pairs_of[e]:
                self._free[pair] += 1
                if self._cheapest[pair] == e:
                    self._reprice(pair)

    def path(self, start: int, target: int, skip: int) -> tuple[tuple[int, int], list[int]] | None:
        """Cheapest path start→target along movable cells other than the suppressed cell `skip`
        (Dijkstra). Suppressed cells are free; adding a published cell costs (its value, 1
        cell), so the smallest cells are chosen first and then the fewest; ties go to the node
        first in sorted order. Returns ((sum of values, cells), the published cells to add) or
        None; the cost is (0, 0) when `skip` can already move."""
        if skip not in self.suppressed:
            raise DisclosureError("Intern fejl: kun en undertrykt celle kan beskyttes.")
        excluded = self._pairs_of[skip]
        nodes, cells = self._nodes, self._cells
        out, free, price, cheapest = self._out, self._free, self._price, self._cheapest
        best: dict[int, int] = {start: 0}
        came: dict[int, tuple[int, int]] = {}  # node -> (previous node, cell added or -1)
        heap = [start]  # cost * nodes + node
        done: set[int] = set()
        while heap:
            cost, node = divmod(heapq.heappop(heap), nodes)
            if node in done:
                continue
            done.add(node)
            if node == target:
                added = []
                while node != start:
                    node, e = came[node]
                    if e >= 0:
                        added.append(e)
                return divmod(cost, cells), sorted(added)
            for nxt, pair in out.get(node, ()):
                if nxt in done:
                    continue
                if free[pair] > (pair in excluded):
                    new, e = cost, -1
                elif (step := price[pair]) is None:
                    continue
                else:
                    new, e = cost + step, cheapest[pair]
                if new < best.get(nxt, new + 1):
                    best[nxt] = new
                    came[nxt] = (node, e)
                    heapq.heappush(heap, new * nodes + nxt)
        return None

    def movable_cells(self) -> set[int]:
        """The suppressed cells that can change while every published number stays and no cell
        turns negative, i.e. that lie on a cycle of suppressed cells each able to move in the
        cycle's direction; for all of them at once, in linear time.

        The suppressed cells' directions form a directed graph D. A cell that can move one way
        only, a→b, is movable exactly when b reaches a, i.e. when a and b lie in the same
        strongly connected component of D (a path from b to a never uses a→b). A cell that can
        move both ways always has its two ends in one component K; it is movable exactly when
        it is not a bridge of K's cells taken as undirected edges. (If it is not a bridge but
        neither end reached the other without it, K would split into the nodes reached from a
        and those reached from b, with no cell between the two parts: then it is a bridge.)"""
        out: dict[int, list[int]] = {}
        for e in self.suppressed:
            for a, b in self.arcs[e]:
                out.setdefault(a, []).append(b)
        component = _strong_components(out)
        inside = [
            e for e in self.suppressed if component[self.ends[e][0]] == component[self.ends[e][1]]
        ]
        bridges = _bridges([(e, *self.ends[e]) for e in inside])
        return {e for e in inside if len(self.arcs[e]) == 1 or e not in bridges}


def _strong_components(out: dict[int, list[int]]) -> dict[int, int]:
    """The strongly connected component of every node of a directed graph (Tarjan, without
    recursion): node -> the component's root node."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    component: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    for root in out:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, 0)]
        while work:
            node, i = work[-1]
            following = out.get(node, ())
            if i < len(following):
                work[-1] = (node, i + 1)
                nxt = following[i]
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component[member] = node  # named by its root
                    if member == node:
                        break
    return component


def _bridges(links: list[tuple[int, int, int]]) -> set[int]:
    """The bridges of an undirected multigraph given as (edge id, u, v): the edges whose removal
    disconnects their ends (Tarjan, without recursion; a parallel edge is never a bridge)."""
    adjacent: dict[int, list[tuple[int, int]]] = {}
    for e, u, v in links:
        adjacent.setdefault(u, []).append((v, e))
        adjacent.setdefault(v, []).append((u, e))
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    bridges: set[int] = set()
    for root in adjacent:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        work = [(root, -1, 0)]  # node, the edge it was reached by, next neighbour
        while work:
            node, via, i = work[-1]
            if i < len(adjacent[node]):
                work[-1] = (node, via, i + 1)
                nxt, e = adjacent[node][i]
                if e == via:
                    continue
                if nxt in index:
                    low[node] = min(low[node], index[nxt])
                else:
                    index[nxt] = low[nxt] = len(index)
                    work.append((nxt, e, 0))
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > index[parent]:
                    bridges.add(via)
    return bridges


def _protect(
    part: _Part, count: str, rows: list[dict[str, Any]], k: int, where: str
) -> dict[int, Reason]:
    """Suppressed cells of one count column in one sub-table: row index -> reason."""
    if not part.structure:
        return {i: "primary" for i in part.rows.values() if 0 < rows[i][count] < k}
    edges = part.structure
    values = [rows[row][count] for *_, row in edges]
    _check_sums(edges, values, where)
    primary = sorted((e for e, z in enumerate(values) if 0 < z < k), key=lambda e: (values[e], e))
    network = _Network(edges, values)
    for e in primary:
        network.hide(e)
    # A cell that can move stays movable when more cells are suppressed: the cells movable now
    # need no search. For the others the search finds a free cycle (cost 0) if one has appeared
    # since, and else the cheapest cycle to add.
    movable = network.movable_cells()
    for e in primary:
        if e in movable:
            continue
        options = [found for a, b in network.arcs[e] if (found := network.path(b, a, e))]
        if not options:  # cannot happen with a total present; guard against silent disclosure
            raise DisclosureError(f"{where}: en lille celle kan ikke beskyttes.")
        for added in min(options)[1]:
            network.hide(added)
    movable = network.movable_cells()
    if any(e not in movable for e in network.suppressed):
        raise DisclosureError(f"{where}: intern fejl, en undertrykt celle kan udledes.")
    first = set(primary)
    return {
        edges[e][3]: ("primary" if e in first else "complementary")
        for e in sorted(network.suppressed)
    }
