"""Small-cell suppression of published count tables, with the totals the public sees.

The rule (docs/decisions/0019-small-cell-suppression.md):

* **The table that is published** is the table *with its margins*: the cells, each row's total,
  each column's total and the grand total. Every one of them is an "entry" of the augmented
  ``(rows + 1) × (cols + 1)`` table whose last row holds the column totals and whose last column
  holds the row totals. Totals are always the sums of the *true* cells.
* **Primary suppression**: every entry, cell or total, with ``1 <= value < threshold`` is
  hidden. A total is a count of people like any cell: a row whose total is 3 tells that 3
  people are in that row however its cells are hidden.
* **Zeros are published** as 0. An empty cell describes nobody, so it discloses nothing about a
  person, and statistical offices publish zeros (hiding them would make every sparse table a
  wall of blanks). A zero is used as a complementary cell only when no non-zero entry can
  close the pattern (it is hidden then like any other complement).
* **Secondary suppression**: in the augmented table every line (row or column) satisfies one
  known linear equation (its cells sum to its total). Hidden entries are the unknowns; they
  form a bipartite graph (augmented rows and columns as nodes, hidden entries as edges). A
  hidden entry's value follows exactly from the published entries **if and only if its edge is
  a bridge of that graph** (it lies on no cycle): along a cycle one can add and subtract the
  same amount alternately without changing any line's sum, and across a bridge the cut gives
  its value. So "at least two hidden entries in each line that has one" (no line with a single
  unknown: plain subtraction) is necessary but not enough (two hidden 2×2 blocks joined by one
  hidden entry satisfy it, and the joining entry is the difference of two sums). We hide
  complements until **no hidden entry is a bridge**: for each bridge, the cheapest rectangle
  (4-cycle) through it, cheapest meaning the smallest sum of the values newly hidden, non-zero
  entries before zeros, cells before totals. Adding edges never turns a cycle edge into a
  bridge, so every round removes at least one bridge and the loop ends.

What it does not promise: bounds. Counts are non-negative, so a hidden entry lies in an interval
the public can compute (e.g. not above its row total); we guarantee that no hidden value is
*determined*, not that its interval is wide.

Pure Python, no Django: a table is a mapping ``(row_key, col_key) -> int``; keys absent from the
mapping are zeros of the rows and columns that do appear.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

DEFAULT_THRESHOLD = 5

# Index of the margin line in the augmented table (the totals row / the totals column).
_TOTAL = -1


@dataclass(frozen=True)
class SuppressedTable:
    """A count table with its margins, some entries hidden (``None``).

    ``rows()`` and ``cols()`` keep the order in which keys first appeared (or the order given
    to ``suppress``). ``primary`` holds the entries hidden because they are small,
    ``secondary`` the complements hidden to protect them; an entry is a pair of augmented
    indices where ``-1`` stands for a total (``(r, -1)`` is row r's total, ``(-1, -1)`` the
    grand total).
    """

    row_keys: tuple[Hashable, ...]
    col_keys: tuple[Hashable, ...]
    values: Mapping[tuple[int, int], int]
    primary: frozenset[tuple[int, int]]
    secondary: frozenset[tuple[int, int]]
    threshold: int

    @property
    def hidden(self) -> frozenset[tuple[int, int]]:
        return self.primary | self.secondary

    def rows(self) -> list[Hashable]:
        return list(self.row_keys)

    def cols(self) -> list[Hashable]:
        return list(self.col_keys)

    def _entry(self, i: int, j: int) -> int | None:
        if (i, j) in self.primary or (i, j) in self.secondary:
            return None
        return self.values.get((i, j), 0)

    def cell(self, row: Hashable, col: Hashable) -> int | None:
        return self._entry(self.row_keys.index(row), self.col_keys.index(col))

    def row_total(self, row: Hashable) -> int | None:
        return self._entry(self.row_keys.index(row), _TOTAL)

    def col_total(self, col: Hashable) -> int | None:
        return self._entry(_TOTAL, self.col_keys.index(col))

    @property
    def grand_total(self) -> int | None:
        return self._entry(_TOTAL, _TOTAL)

    def is_hidden(self, row: Hashable | None, col: Hashable | None) -> bool:
        """Whether an entry is hidden; ``None`` as a key stands for the total."""
        i = _TOTAL if row is None else self.row_keys.index(row)
        j = _TOTAL if col is None else self.col_keys.index(col)
        return (i, j) in self.hidden

    def as_rows(self) -> list[tuple[Hashable, list[int | None], int | None]]:
        """``[(row_key, [cells…], row_total), …]``: the body of the table as published."""
        return [
            (row, [self.cell(row, col) for col in self.col_keys], self.row_total(row))
            for row in self.row_keys
        ]

    def col_totals(self) -> list[int | None]:
        return [self.col_total(col) for col in self.col_keys]


def suppress(
    table: Mapping[tuple[Hashable, Hashable], int],
    threshold: int = DEFAULT_THRESHOLD,
    *,
    rows: Sequence[Hashable] | None = None,
    cols: Sequence[Hashable] | None = None,
) -> SuppressedTable:
    """Hide the small entries of ``table`` and its margins, then enough others that no hidden
    entry can be worked out from the published ones (the module docstring gives the rule).

    ``rows``/``cols`` fix the keys and their order (e.g. every city, even one with no ticket);
    by default they are the keys of ``table`` in order of appearance. Raises ``ValueError`` for
    a negative count, a threshold below 1, or a key of ``table`` missing from ``rows``/``cols``.
    """
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    row_keys = tuple(rows) if rows is not None else _ordered(key[0] for key in table)
    col_keys = tuple(cols) if cols is not None else _ordered(key[1] for key in table)
    row_index = {key: i for i, key in enumerate(row_keys)}
    col_index = {key: j for j, key in enumerate(col_keys)}
    values: dict[tuple[int, int], int] = {}
    for (row, col), value in table.items():
        if value < 0:
            raise ValueError(f"negative count at {(row, col)!r}")
        if row not in row_index or col not in col_index:
            raise ValueError(f"{(row, col)!r} is not in the given rows and columns")
        i, j = row_index[row], col_index[col]
        values[(i, j)] = values.get((i, j), 0) + int(value)
    for i in range(len(row_keys)):
        values[(i, _TOTAL)] = sum(values.get((i, j), 0) for j in range(len(col_keys)))
    for j in range(len(col_keys)):
        values[(_TOTAL, j)] = sum(values.get((i, j), 0) for i in range(len(row_keys)))
    values[(_TOTAL, _TOTAL)] = sum(values[(i, _TOTAL)] for i in range(len(row_keys)))

    line_rows = [*range(len(row_keys)), _TOTAL]
    line_cols = [*range(len(col_keys)), _TOTAL]
    primary = {(i, j) for i in line_rows for j in line_cols if 0 < values.get((i, j), 0) < threshold}
    hidden = set(primary)
    while bridges := _bridges(hidden):
        # One rectangle at a time: it may also put later bridges on a cycle.
        i, j = min(bridges, key=lambda entry: (values.get(entry, 0), entry))
        hidden |= _cheapest_rectangle(i, j, hidden, values, line_rows, line_cols)
    return SuppressedTable(
        row_keys=row_keys,
        col_keys=col_keys,
        values=values,
        primary=frozenset(primary),
        secondary=frozenset(hidden - primary),
        threshold=threshold,
    )


def _ordered(keys: Iterable[Hashable]) -> tuple[Hashable, ...]:
    return tuple(dict.fromkeys(keys))


def _cost(entry: tuple[int, int], hidden: set, values: Mapping[tuple[int, int], int]) -> tuple[int, int, int]:
    """What hiding ``entry`` costs: (zeros hidden, totals hidden, counts hidden), compared in
    that order; already hidden is free. Totals are the figures readers look for first, so a
    cell is hidden rather than a total where both would do."""
    if entry in hidden:
        return (0, 0, 0)
    value = values.get(entry, 0)
    if value == 0:
        return (1, 0, 0)
    return (0, int(_TOTAL in entry), value)


def _cheapest_rectangle(
    i: int,
    j: int,
    hidden: set,
    values: Mapping[tuple[int, int], int],
    line_rows: Sequence[int],
    line_cols: Sequence[int],
) -> set[tuple[int, int]]:
    """The entries of the cheapest rectangle (i, j) (i, j2) (i2, j2) (i2, j) not yet hidden."""
    best: tuple[tuple[int, ...], set[tuple[int, int]]] | None = None
    for i2 in line_rows:
        if i2 == i:
            continue
        for j2 in line_cols:
            if j2 == j:
                continue
            corners = ((i, j2), (i2, j2), (i2, j))
            costs = [_cost(corner, hidden, values) for corner in corners]
            cost = tuple(sum(parts) for parts in zip(*costs, strict=True))
            if best is None or cost < best[0]:
                best = (cost, {corner for corner in corners if corner not in hidden})
    if best is None:  # pragma: no cover - the augmented table has 2 lines each way at least
        raise ValueError("no rectangle through a hidden entry")
    return best[1]


def _bridges(hidden: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """The hidden entries that lie on no cycle of the row–column graph of hidden entries."""
    adjacency: dict[tuple[str, int], list[tuple[tuple[str, int], tuple[int, int]]]] = {}
    for entry in hidden:
        row, col = ("r", entry[0]), ("c", entry[1])
        adjacency.setdefault(row, []).append((col, entry))
        adjacency.setdefault(col, []).append((row, entry))
    order: dict[tuple[str, int], int] = {}
    low: dict[tuple[str, int], int] = {}
    found: list[tuple[int, int]] = []
    for root in sorted(adjacency):
        if root in order:
            continue
        # Iterative depth-first search (Tarjan's bridges), no recursion limit to meet.
        order[root] = low[root] = len(order)
        stack = [(root, None, iter(adjacency[root]))]
        while stack:
            node, via, edges = stack[-1]
            advanced = False
            for neighbour, entry in edges:
                if entry == via:
                    continue
                if neighbour in order:
                    low[node] = min(low[node], order[neighbour])
                else:
                    order[neighbour] = low[neighbour] = len(order)
                    stack.append((neighbour, entry, iter(adjacency[neighbour])))
                    advanced = True
                    break
            if not advanced:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        found.append(via)
    return found


def recoverable(table: SuppressedTable) -> set[tuple[int, int]]:
    """The hidden entries an outsider can work out from the published ones by substitution.

    Repeatedly takes a line (row or column of the augmented table) with exactly one unknown
    entry, solves it by subtraction and treats it as known, until nothing changes. The public
    check behind the tests; ``suppress`` guarantees it returns an empty set (it guarantees
    more: no linear combination of lines determines a hidden entry either).
    """
    unknown = set(table.hidden)
    solved: set[tuple[int, int]] = set()
    lines_rows = [*range(len(table.row_keys)), _TOTAL]
    lines_cols = [*range(len(table.col_keys)), _TOTAL]
    changed = True
    while changed:
        changed = False
        for line in [[(i, j) for j in lines_cols] for i in lines_rows] + [
            [(i, j) for i in lines_rows] for j in lines_cols
        ]:
            missing = [entry for entry in line if entry in unknown]
            if len(missing) == 1:
                unknown.discard(missing[0])
                solved.add(missing[0])
                changed = True
    return solved
