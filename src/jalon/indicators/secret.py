"""Statistical secrecy (secret statistique) for the tables of a bilan, before publication.

Pure functions on `Breakdown` values (no I/O, safe anywhere). Primary suppression hides every
count from 1 to `threshold - 1`; secondary suppression then makes sure no hidden cell can be
recomputed from its published total: in a column whose rows add up to a published total, a lone
hidden cell is joined by the smallest other cell, and if no cell is left to hide, the total itself
is marked as not publishable. A derived column (a share) is hidden wherever its count is.
"""

from __future__ import annotations

from dataclasses import replace

from jalon.indicators.bilan import Bilan, Breakdown, Row
from jalon.indicators.registry import BREAKDOWN_SPECS

# Columns that count people (entries, trainees, actions); places and targets are not secret.
COUNT_COLUMNS = frozenset({"entrees", "entrees_reference", "stock", "actions"})
# Columns whose rows sum to a total published elsewhere (the bilan's figures), where the
# breakdown partitions the entries.
ADDITIVE_COLUMNS = frozenset({"entrees", "entrees_reference", "actions"})
# Derived columns and the count they reveal.
DERIVED_COLUMNS = {"part": "entrees"}


def _is_additive(breakdown: Breakdown, column: str) -> bool:
    spec = BREAKDOWN_SPECS.get(breakdown.code)
    return column in ADDITIVE_COLUMNS and (spec is None or spec.additive)


def _secondary(values: list[int | float | None], hidden: set[int]) -> tuple[set[int], bool]:
    """Add cells to `hidden` until no hidden cell equals the total minus published cells.

    Returns the hidden row indexes and whether the column total must be hidden too.
    """
    if len(hidden) != 1:
        return hidden, False
    candidates = sorted(
        (i for i, v in enumerate(values) if i not in hidden and v is not None),
        key=lambda i: (values[i] == 0, values[i], i),
    )
    if not candidates:
        return hidden, True
    return hidden | {candidates[0]}, False


def apply_secret(breakdown: Breakdown, threshold: int) -> Breakdown:
    """The breakdown with small counts hidden (`None`, listed in `Row.suppressed`)."""
    hidden_by_column: dict[str, set[int]] = {}
    total_hidden: set[str] = set()
    for column in breakdown.columns:
        if column not in COUNT_COLUMNS:
            continue
        values = [row.values.get(column) for row in breakdown.rows]
        hidden = {i for i, v in enumerate(values) if v is not None and 0 < v < threshold}
        if _is_additive(breakdown, column):
            hidden, hide_total = _secondary(values, hidden)
            if hide_total:
                total_hidden.add(column)
        hidden_by_column[column] = hidden
    for derived, source in DERIVED_COLUMNS.items():
        if derived in breakdown.columns and source in hidden_by_column:
            hidden_by_column[derived] = hidden_by_column[source]
    rows = []
    for i, row in enumerate(breakdown.rows):
        masked = frozenset(c for c, hidden in hidden_by_column.items() if i in hidden)
        shown = {c: (None if c in masked else v) for c, v in row.values.items()}
        rows.append(Row(row.key, row.label, shown, masked))
    return replace(
        breakdown,
        rows=rows,
        secret_threshold=threshold,
        total_suppressed=frozenset(total_hidden),
    )


# The figure that publishes a breakdown column's total.
TOTAL_FIGURES = {"entrees": "entrees", "entrees_reference": "entrees_reference"}
# Figures that count people (targets and places do not).
COUNT_FIGURES = frozenset(
    {"entrees", "personnes", "entrees_reference", "stock_fin", "actions_agregees"}
)


def apply_secret_bilan(bilan: Bilan, threshold: int) -> Bilan:
    """Every table of a bilan through `apply_secret`, and the totals they protect hidden:
    what public outputs publish."""
    tables = [apply_secret(b, threshold) for b in bilan.breakdowns]
    hidden = {TOTAL_FIGURES[c] for b in tables for c in b.total_suppressed if c in TOTAL_FIGURES}
    hidden |= {
        f.code
        for f in bilan.figures
        if f.code in COUNT_FIGURES and f.value is not None and 0 < f.value < threshold
    }
    figures = [
        replace(f, value=None, note="secret statistique") if f.code in hidden else f
        for f in bilan.figures
    ]
    return replace(bilan, figures=figures, breakdowns=tables)
