"""core.suppression: no hidden count of a published table can be worked out from what is shown."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.suppression import recoverable, suppress

TOTAL = -1


def _lines(table):
    rows = [*range(len(table.row_keys)), TOTAL]
    cols = [*range(len(table.col_keys)), TOTAL]
    return [[(i, j) for j in cols] for i in rows] + [[(i, j) for i in rows] for j in cols]


def _equations(table):
    """Each line as [(entry, coefficient)]: its cells (+1) minus its total (-1, the last entry)."""
    return [[(entry, -1 if entry == line[-1] else 1) for entry in line] for line in _lines(table)]


def _determined(table) -> set:
    """Hidden entries fixed by the line equations (exact Gaussian elimination over the rationals).

    Each line says: its cells minus its total = 0 (the total is the last entry of the line).
    With the published entries moved to the right, an unknown is determined iff its unit vector
    lies in the row space of the unknowns' coefficient matrix.
    """
    unknowns = sorted(table.hidden)
    index = {entry: k for k, entry in enumerate(unknowns)}
    matrix = []
    for equation in _equations(table):
        row = [Fraction(0)] * len(unknowns)
        for entry, coefficient in equation:
            if entry in index:
                row[index[entry]] += coefficient
        matrix.append(row)
    # Reduced row echelon form.
    pivots = []
    r = 0
    for c in range(len(unknowns)):
        pivot = next((k for k in range(r, len(matrix)) if matrix[k][c] != 0), None)
        if pivot is None:
            continue
        matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
        lead = matrix[r][c]
        matrix[r] = [value / lead for value in matrix[r]]
        for k in range(len(matrix)):
            if k != r and matrix[k][c] != 0:
                factor = matrix[k][c]
                matrix[k] = [a - factor * b for a, b in zip(matrix[k], matrix[r], strict=True)]
        pivots.append(c)
        r += 1
    determined = set()
    for k, c in enumerate(pivots):
        if all(matrix[k][other] == 0 for other in range(len(unknowns)) if other != c):
            determined.add(unknowns[c])
    return determined


def _published(table):
    return {
        "cells": [[table.cell(r, c) for c in table.cols()] for r in table.rows()],
        "rows": [table.row_total(r) for r in table.rows()],
        "cols": [table.col_total(c) for c in table.cols()],
        "grand": table.grand_total,
    }


def test_small_cells_are_hidden_and_zeros_published():
    values = {("a", "x"): 3, ("a", "y"): 10, ("b", "x"): 12, ("b", "y"): 0, ("c", "x"): 20, ("c", "y"): 30}
    table = suppress(values)
    assert table.cell("a", "x") is None
    assert table.cell("b", "y") == 0 or table.is_hidden("b", "y")
    # Row a holds the 3 and its total 13 is published: a second cell of row a must be hidden
    # (a cell rather than the total), and so must a second cell of column x.
    assert table.cell("a", "y") is None and table.row_total("a") == 13
    assert sum(table.cell(row, "x") is None for row in table.rows()) >= 2
    assert recoverable(table) == set()
    assert _determined(table) == set()


def test_a_small_total_is_hidden_even_when_each_cell_is_zero_or_hidden():
    table = suppress({("a", "x"): 2, ("a", "y"): 0, ("b", "x"): 40, ("b", "y"): 50})
    assert table.row_total("a") is None
    assert table.cell("a", "x") is None


def test_nothing_to_hide_leaves_the_table_as_it_is():
    table = suppress({("a", "x"): 5, ("a", "y"): 0, ("b", "x"): 9, ("b", "y"): 7})
    assert table.hidden == frozenset()
    assert table.as_rows() == [("a", [5, 0], 5), ("b", [9, 7], 16)]
    assert table.col_totals() == [14, 7] and table.grand_total == 21


def test_two_protected_blocks_joined_by_one_cell_do_not_give_it_away():
    """Each line has two hidden entries, yet the joining entry is a difference of sums: the
    degree rule alone would publish it; the bridge rule does not."""
    values = {(r, c): 100 for r in range(4) for c in range(4)}
    for r, c in ((0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)):
        values[(r, c)] = 2
    table = suppress(values)
    assert recoverable(table) == set()
    assert _determined(table) == set()


def test_keys_given_in_order_and_absent_cells_are_zero():
    table = suppress({("b", "y"): 9}, rows=["a", "b"], cols=["x", "y"])
    assert table.rows() == ["a", "b"] and table.cols() == ["x", "y"]
    assert table.cell("a", "x") == 0 and table.row_total("b") == 9


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        suppress({("a", "x"): -1})
    with pytest.raises(ValueError):
        suppress({("a", "x"): 1}, rows=["b"], cols=["x"])
    with pytest.raises(ValueError):
        suppress({("a", "x"): 1}, threshold=0)


counts = st.one_of(st.integers(0, 6), st.integers(0, 60))
tables = st.integers(1, 6).flatmap(
    lambda n_rows: st.integers(1, 6).flatmap(
        lambda n_cols: st.lists(counts, min_size=n_rows * n_cols, max_size=n_rows * n_cols).map(
            lambda flat: {(r, c): flat[r * n_cols + c] for r in range(n_rows) for c in range(n_cols)}
        )
    )
)


@settings(max_examples=400, deadline=None)
@given(tables, st.integers(2, 10))
def test_no_hidden_entry_can_be_recovered_from_the_published_ones(values, threshold):
    table = suppress(values, threshold)
    # Every small entry, margins included, is hidden; nothing else is shown differently.
    for (r, c), value in values.items():
        shown = table.cell(r, c)
        assert shown in (None, value)
        if 0 < value < threshold:
            assert shown is None
    for r in table.rows():
        total = sum(value for (row, _c), value in values.items() if row == r)
        assert table.row_total(r) in (None, total)
        if 0 < total < threshold:
            assert table.row_total(r) is None
    # Exact linear check: a line with a hidden entry has at least two.
    for line in _lines(table):
        assert sum(entry in table.hidden for entry in line) != 1
    # Substitution across rows and columns until nothing changes recovers nothing…
    assert recoverable(table) == set()
    # …and no linear combination of the lines determines a hidden entry either.
    assert _determined(table) == set()
    # The published totals agree with the published cells where a line is fully shown.
    published = _published(table)
    for row, total in zip(published["cells"], published["rows"], strict=True):
        if total is not None and None not in row:
            assert sum(row) == total
