"""Statistical secrecy: primary suppression under the threshold, secondary suppression so that no
hidden cell can be recomputed from the published cells and totals of its table."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from jalon.indicators import Bilan, Breakdown, Figure, Row, apply_secret, apply_secret_bilan

THRESHOLD = 11


def _table(code: str, columns: tuple[str, ...], values: list[list[int]]) -> Breakdown:
    rows = [
        Row(str(i), f"ligne {i}", dict(zip(columns, row, strict=True)))
        for i, row in enumerate(values)
    ]
    return Breakdown(code, code, "dimension", columns, rows)


def recomputable(column: list[int | None], total_published: bool) -> list[int]:
    """Hidden cells that the published cells and total determine: cell i is determined when the
    unit vector e_i lies in the row space of the constraints on the hidden cells."""
    hidden = [i for i, v in enumerate(column) if v is None]
    if not hidden or not total_published:
        return []
    constraints = np.ones((1, len(hidden)))  # Σ hidden = total − Σ published
    rank = np.linalg.matrix_rank(constraints)
    found = []
    for position, cell in enumerate(hidden):
        unit = np.zeros((1, len(hidden)))
        unit[0, position] = 1
        if np.linalg.matrix_rank(np.vstack([constraints, unit])) == rank:
            found.append(cell)
    return found


counts = st.integers(min_value=0, max_value=60)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(counts, counts, counts), min_size=1, max_size=12))
def test_no_hidden_cell_can_be_recomputed(values) -> None:
    columns = ("entrees", "entrees_reference", "stock")
    table = _table("departement", columns, [list(v) for v in values])
    protected = apply_secret(table, THRESHOLD)
    for index, column in enumerate(columns):
        original = [v[index] for v in values]
        shown = [r.values[column] for r in protected.rows]
        # primary: every count from 1 to 10 is hidden; nothing else changes value
        for before, after in zip(original, shown, strict=True):
            assert after is None or after == before
            if 0 < before < THRESHOLD:
                assert after is None
        if column == "stock":  # stocks of different months do not add up: primary only
            assert shown == [None if 0 < v < THRESHOLD else v for v in original]
            continue
        total_published = column not in protected.total_suppressed
        assert recomputable(shown, total_published) == []
        for row in protected.rows:
            assert (row.values[column] is None) == (column in row.suppressed)


def test_lone_small_cell_takes_the_smallest_other_cell_with_it() -> None:
    table = _table("departement", ("entrees",), [[120], [4], [35], [60]])
    shown = [r.values["entrees"] for r in apply_secret(table, THRESHOLD).rows]
    assert shown == [120, None, None, 60]


def test_a_single_small_row_hides_the_total() -> None:
    protected = apply_secret(_table("domaine", ("entrees",), [[7]]), THRESHOLD)
    assert protected.rows[0].values["entrees"] is None
    assert protected.total_suppressed == frozenset({"entrees"})
    assert protected.secret_threshold == THRESHOLD


def test_share_is_hidden_with_its_count_and_non_additive_tables_get_primary_only() -> None:
    table = _table("public", ("entrees", "part"), [[5, 0], [40, 0]])
    table.rows[0].values["part"] = 0.1
    protected = apply_secret(table, THRESHOLD)
    assert protected.rows[0].values == {"entrees": None, "part": None}
    assert protected.rows[1].values["entrees"] == 40  # a person may be in several publics


def test_public_bilan_hides_small_figures_and_keeps_targets() -> None:
    bilan = Bilan(
        "plan",
        "sha",
        "2016",
        "94",
        [Figure("entrees", 7), Figure("objectif_entrees", 5), Figure("personnes", 30)],
        [_table("domaine", ("entrees",), [[7]])],
    )
    public = apply_secret_bilan(bilan, THRESHOLD)
    assert public.value("entrees") is None
    assert public.value("objectif_entrees") == 5
    assert public.value("personnes") == 30
