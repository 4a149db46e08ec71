"""One suppression pattern over every table published together (secret statistique).

`secret_pattern` takes the bilans of one phase before secrecy (the nation's, key `None`, and
every region's, as `compute_all_bilans` returns them) and returns the status of every published
count: the cells it hides. Pure (no I/O). Every public output (PDF, web pages and their JSON/CSV
twins, press texts, the CLI's `--public`) reads cell status from it through
`jalon.indicators.secret`, so one cell has the same status everywhere. `pattern_of` memoises it by
the content of the published tables, a function of the data version, the plan and the phase.

Which tables are published and how they link is declared as data (`LINKED`, `COUNT_FIGURES`,
`REGIONAL_SUMS`, `SAME_CELLS`, `HIDDEN_TOGETHER`): the rows of an additive table add up to a
figure of the same territory; the nation's cell is the sum of the regions' (national ⊃ région ⊃
département: a département's row is in its region's table and in the nation's); a table whose
rows after the first ones are grouped (`autres`) links through the groups. Each relation is an
equation on the cells, with a hidden gap cell where the published figures do not add up exactly
(entries of no region…). A hidden cell is safe when the equations and the published cells leave
it undetermined: its unit vector is not in the row space of the published constraints, that
is, some vector of the null space of the equations restricted to the hidden cells is not zero on
it. Primary suppression hides every count from 1 to threshold − 1; secondary suppression then
hides, while a hidden cell is still determined, the smallest published count sharing an equation
with it (interior cells before totals), one partner per determined cell per round, on a null
space kept up to date one hidden cell at a time (`jalon.indicators.secret_nullspace`); then it
publishes again, largest first, every secondary cell whose hiding no longer protects anything.
The result is audited by `determined` (numpy SVD, one connected group of hidden cells at a time).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial

import numpy as np

from jalon.indicators.bilan import Bilan, Breakdown, split_key
from jalon.indicators.secret_nullspace import NullSpace

Cell = tuple[str | None, str, str, str]  # territory (None: the nation), table, column, row key
FIGURES = "indicateurs"  # the table of a bilan's figures (row key "")
TOTAL = "total"  # row key of a table's own total row
GROUPED = "autres"  # row key of the grouped rows of a truncated table
GAP = "écart"  # territory of the hidden cells that close an equation the figures do not
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class LinkedColumn:
    """A count column of a published table and how its cells link to the others."""

    table: str
    column: str
    # The figure its rows add up to in each territory; `TOTAL`: the table's own total row;
    # None: rows overlap (a cofinanced entry, a person in several publics) and add up to nothing.
    total: str | None
    truncated: bool = False  # the first rows differ by territory, the others are in `autres`


LINKED: tuple[LinkedColumn, ...] = (
    LinkedColumn("mois", "entrees", "entrees"),
    LinkedColumn("mois", "entrees_reference", "entrees_reference"),
    LinkedColumn("mois", "stock", None),
    LinkedColumn("financeur_principal", "entrees", "entrees"),
    LinkedColumn("financeur", "entrees", None),
    LinkedColumn("departement", "entrees", "entrees"),
    LinkedColumn("domaine", "entrees", "entrees"),
    LinkedColumn("organisme", "entrees", "entrees", truncated=True),
    LinkedColumn("public", "entrees", None),
    LinkedColumn("tranche_age", "entrees", "entrees"),
    LinkedColumn("niveau", "entrees", "entrees"),
    LinkedColumn("type_action", "actions", TOTAL),
    LinkedColumn("mois_financeur", "entrees", None),  # its margins: `CROSSED`
)
#: Crossings (`Bilan.crossings`): (table, column, the two tables keyed by each part of its row
#: keys). The rows sharing a first key add up to that row of the first table, and so on.
CROSSED: tuple[tuple[str, str, tuple[str, str]], ...] = (
    ("mois_financeur", "entrees", ("mois", "financeur_principal")),
)
_CROSSINGS = frozenset(table for table, _, _ in CROSSED)
#: Figures that count people, entries or actions: hidden from 1 to threshold − 1.
COUNT_FIGURES = (
    "entrees",
    "personnes",
    "entrees_reference",
    "stock_fin",
    "entrees_non_rapprochees",
    "actions_agregees",
)
#: Figures whose national value is the sum of the regions' (a person may train in two regions:
#: `personnes` is not one).
REGIONAL_SUMS = (
    "entrees",
    "entrees_reference",
    "stock_fin",
    "entrees_non_rapprochees",
    "actions_agregees",
)
#: Figures that are a cell of a table: (table, column, row index).
SAME_CELLS = {"stock_fin": ("mois", "stock", -1)}
#: Figures of a region hidden together: the ranking shows a region whole or not at all (its
#: place between published values would bound a hidden one).
HIDDEN_TOGETHER = (("entrees", "entrees_reference"),)


@dataclass(frozen=True)
class SecretPattern:
    """The published count cells that secrecy hides, for one set of tables published together."""

    threshold: int
    hidden: frozenset[Cell]
    primary: frozenset[Cell]

    def hides(self, territory: str | None, table: str, column: str, key: str = "") -> bool:
        return (territory, table, column, key) in self.hidden

    def hides_figure(self, territory: str | None, code: str) -> bool:
        return (territory, FIGURES, code, "") in self.hidden


@dataclass
class LinearSystem:
    """Published cells (their values), gap cells (never published) and the equations between them:
    each equation maps cells to coefficients whose weighted sum is zero."""

    values: dict[Cell, float]
    gaps: dict[Cell, float]
    equations: list[dict[Cell, float]]

    def close(self, equation: dict[Cell, float]) -> None:
        """Add the equation, with a gap cell when the published values do not satisfy it."""
        residual = sum(
            c * self.values.get(cell, self.gaps.get(cell, 0.0)) for cell, c in equation.items()
        )
        if abs(residual) > _TOLERANCE:
            gap: Cell = (GAP, str(len(self.gaps)), "", "")
            self.gaps[gap] = residual
            equation = {**equation, gap: -1.0}
        self.equations.append(equation)


def total_cell(bilan: Bilan, link: LinkedColumn) -> Cell | None:
    """The cell a linked column's rows add up to in `bilan` (a figure, else the table's total)."""
    if link.total is None:
        return None
    if link.total != TOTAL and any(
        f.code == link.total and f.value is not None for f in bilan.figures
    ):
        return (bilan.region, FIGURES, link.total, "")
    return (bilan.region, link.table, link.column, TOTAL)


def _territory_cells(system: LinearSystem, bilan: Bilan, included: Iterable[str]) -> None:
    t = bilan.region
    for f in bilan.figures:
        if f.code in COUNT_FIGURES and f.value is not None:
            system.values[(t, FIGURES, f.code, "")] = float(f.value)
    tables = {b.code: b for b in (*bilan.breakdowns, *bilan.crossings)}
    for link in LINKED:
        table = tables.get(link.table)
        if table is None:
            continue
        cells = {
            (t, link.table, link.column, row.key): float(value)
            for row in table.rows
            if (value := row.values.get(link.column)) is not None
        }
        system.values.update(cells)
        total = total_cell(bilan, link)
        if total is not None and cells:
            if total[1] != FIGURES:
                system.values[total] = sum(cells.values())
            system.close({**dict.fromkeys(cells, 1.0), total: -1.0})
    for code, (table_code, column, index) in SAME_CELLS.items():
        figure = (t, FIGURES, code, "")
        table = tables.get(table_code)
        if figure in system.values and table is not None and table.rows:
            system.close({figure: 1.0, (t, table_code, column, table.rows[index].key): -1.0})
    for table_code, column, margins in CROSSED:
        if (crossing := tables.get(table_code)) is not None:
            _crossing(system, t, crossing, column, margins)
    actions = (t, FIGURES, "actions_agregees", "")
    if actions in system.values:
        parts = {
            cell: 1.0
            for key in included
            if (cell := (t, "type_action", "actions", key)) in system.values
        }
        system.close({actions: 1.0, **{cell: -1.0 for cell in parts}})


def _crossing(
    system: LinearSystem,
    t: str | None,
    table: Breakdown,
    column: str,
    margins: tuple[str, str],
) -> None:
    """The equations of a crossing in territory `t`: its rows sharing one part of their key add
    up to the row of that key in the margin table (when the margin is published)."""
    groups: dict[Cell, dict[Cell, float]] = {}
    for row in table.rows:
        if row.values.get(column) is None:
            continue
        cell: Cell = (t, table.code, column, row.key)
        for margin_table, key in zip(margins, split_key(row.key), strict=True):
            groups.setdefault((t, margin_table, column, key), {})[cell] = 1.0
    for margin, parts in sorted(groups.items(), key=lambda item: _order(item[0])):
        if margin in system.values:
            system.close({**parts, margin: -1.0})


def _hierarchy(system: LinearSystem, bilans: Mapping[str | None, Bilan]) -> None:
    """The nation's cells as sums of the regions'."""
    regions = [t for t in bilans if t is not None]
    if None not in bilans or not regions:
        return
    values = system.values
    for code in REGIONAL_SUMS:
        national = (None, FIGURES, code, "")
        parts = [(r, FIGURES, code, "") for r in regions]
        if national in values and all(p in values for p in parts):
            system.close({national: 1.0, **{p: -1.0 for p in parts}})
    for link in LINKED:
        keys = {cell[3] for cell in values if cell[1:3] == (link.table, link.column)}
        if link.truncated:
            _truncated_hierarchy(system, link, regions)
            continue
        for key in sorted(keys):
            national = (None, link.table, link.column, key)
            parts = [(r, link.table, link.column, key) for r in regions]
            present = [p for p in parts if p in values]
            if national in values or present:
                system.close({national: 1.0, **{p: -1.0 for p in present}})


def _truncated_hierarchy(system: LinearSystem, link: LinkedColumn, regions: list[str]) -> None:
    """A table of the first rows then `autres`: the nation's row o is the regions' rows o plus
    a hidden share of their `autres`; the regions' `autres` and their rows absent from the
    nation's list add up to the nation's `autres` and those hidden shares."""
    values = system.values

    def keys(t: str | None) -> set[str]:
        return {c[3] for c in values if c[:3] == (t, link.table, link.column)} - {TOTAL, GROUPED}

    listed = keys(None)
    grouping = [r for r in regions if (r, link.table, link.column, GROUPED) in values]
    grouped_equation: dict[Cell, float] = {}
    for key in sorted(listed):
        national = (None, link.table, link.column, key)
        present = [p for r in regions if (p := (r, link.table, link.column, key)) in values]
        if all((r, link.table, link.column, key) in values for r in grouping):
            # No region holds this row in its `autres`: the regions' rows are all of it.
            system.close({national: 1.0, **{p: -1.0 for p in present}})
            continue
        share: Cell = (GAP, f"{link.table}:{key}", link.column, "")
        rest = values[national] - sum(values[p] for p in present)
        system.gaps[share] = rest
        system.equations.append({national: 1.0, **{p: -1.0 for p in present}, share: -1.0})
        grouped_equation[share] = -1.0
    for r in regions:
        for key in keys(r) - listed:
            grouped_equation[(r, link.table, link.column, key)] = 1.0
        if (grouped := (r, link.table, link.column, GROUPED)) in values:
            grouped_equation[grouped] = 1.0
    national_grouped: Cell = (None, link.table, link.column, GROUPED)
    if national_grouped in values:
        grouped_equation[national_grouped] = -1.0
    if grouped_equation:
        system.close(grouped_equation)


def linear_system(bilans: Mapping[str | None, Bilan], included: Iterable[str] = ()) -> LinearSystem:
    """Every published count of `bilans` and the equations that link them (`included`: the
    aggregated action types the plan adds to its total, `actions_agregees`)."""
    system = LinearSystem({}, {}, [])
    for bilan in bilans.values():
        _territory_cells(system, bilan, tuple(included))
    _hierarchy(system, bilans)
    return system


def _index(equations: list[dict[Cell, float]]) -> dict[Cell, list[int]]:
    """For each cell, the equations it appears in."""
    index: dict[Cell, list[int]] = {}
    for i, equation in enumerate(equations):
        for cell in equation:
            index.setdefault(cell, []).append(i)
    return index


def _groups(
    index: Mapping[Cell, list[int]], equations: list[dict[Cell, float]], hidden: set[Cell]
) -> list[list[Cell]]:
    """The hidden cells in groups linked by an equation (union-find over the equations that
    hold at least two of them)."""
    parent = {cell: cell for cell in hidden}

    def find(cell: Cell) -> Cell:
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    touched = {i for cell in hidden for i in index.get(cell, ())}
    for i in touched:
        inside = [cell for cell in equations[i] if cell in parent]
        for other in inside[1:]:
            parent[find(other)] = find(inside[0])
    groups: dict[Cell, list[Cell]] = {}
    for cell in sorted(hidden, key=_order):
        groups.setdefault(find(cell), []).append(cell)
    return list(groups.values())


def _order(cell: Cell) -> tuple[str, str, str, str]:
    return (cell[0] or "", cell[1], cell[2], cell[3])


def determined(
    equations: list[dict[Cell, float]],
    hidden: list[Cell],
    index: Mapping[Cell, list[int]] | None = None,
) -> list[Cell]:
    """The cells of `hidden` that the equations fix once every other cell is published: those
    whose unit vector lies in the row space of the equations restricted to `hidden` (its
    projection on an orthonormal basis of that space, a thin SVD, keeps all its length).
    `index`: the equations of each cell (`_index`), to read only those of `hidden`."""
    columns = {cell: i for i, cell in enumerate(hidden)}
    if index is None:
        rows = [eq for eq in equations if any(cell in columns for cell in eq)]
    else:
        rows = [equations[i] for i in sorted({i for c in hidden for i in index.get(c, ())})]
    if not rows:
        return []
    matrix = np.zeros((len(rows), len(hidden)))
    for i, equation in enumerate(rows):
        for cell, coefficient in equation.items():
            if (j := columns.get(cell)) is not None:
                matrix[i, j] = coefficient
    _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    rank = int((singular > 1e-8 * max(1.0, singular[0] if singular.size else 1.0)).sum())
    kept = 1.0 - np.square(vt[:rank]).sum(axis=0)  # squared length left outside the row space
    return [cell for cell, i in columns.items() if kept[i] < 1e-12]


def _candidate(
    system: LinearSystem,
    index: Mapping[Cell, list[int]],
    around: Iterable[Cell],
    hidden: set[Cell],
    frees: Callable[[Cell], bool] | None = None,
) -> Cell | None:
    """The published count to hide next: the smallest shown cell sharing an equation with one of
    `around`, interior cells before totals and figures; with `frees`, the cells it holds true of
    (they close a pattern) before the others."""
    best: tuple[tuple[bool, bool, bool, float, tuple[str, str, str, str]], Cell] | None = None
    for i in {i for cell in around for i in index.get(cell, ())}:
        for cell in system.equations[i]:
            value = system.values.get(cell)
            if cell in hidden or value is None or value <= 0:
                continue
            closes = frees is not None and frees(cell)
            total = cell[1] == FIGURES or cell[3] == TOTAL
            score = (not closes, total, cell[1] not in _CROSSINGS, value, _order(cell))
            if best is None or score < best[0]:
                best = (score, cell)
    return None if best is None else best[1]


def _together(hidden: set[Cell], values: Mapping[Cell, float]) -> set[Cell]:
    added: set[Cell] = set()
    for cell in hidden:
        if cell[0] is None or cell[1] != FIGURES:
            continue
        for group in HIDDEN_TOGETHER:
            if cell[2] in group:
                added |= {(cell[0], FIGURES, code, "") for code in group}
    return {c for c in added if c in values and values[c] > 0} - hidden


def _partners(
    system: LinearSystem,
    index: Mapping[Cell, list[int]],
    exposed: list[Cell],
    unknown: set[Cell],
    unprotectable: set[Cell],
    space: NullSpace[Cell] | None = None,
) -> set[Cell]:
    """The cells to hide for the `exposed` ones: one partner each (with the null space
    `space`, one that frees it first); for a group of hidden cells none of whose exposed cells
    has one, the smallest around the group; a group with none left is unprotectable (added to
    `unprotectable`)."""
    partners = {
        cell: _candidate(
            system,
            index,
            [cell],
            unknown,
            None if space is None else partial(space.frees, cell=cell),
        )
        for cell in exposed
    }
    chosen = {p for p in partners.values() if p is not None}
    alone = {cell for cell, p in partners.items() if p is None}
    if alone:
        for group in _groups(index, system.equations, unknown):
            if alone.isdisjoint(group) or any(partners.get(c) is not None for c in group):
                continue
            choice = _candidate(system, index, group, unknown)
            if choice is None:
                unprotectable |= set(group)
            else:
                chosen.add(choice)
    return chosen


def suppress(system: LinearSystem, threshold: int, secondary: bool = True) -> set[Cell]:
    """Primary then secondary suppression on `system`: the published cells to hide.

    Secondary suppression runs on the incremental null space (`NullSpace`): each round hides a
    partner for every exposed cell and adds only those columns. The result is then audited with
    `determined` once per group of hidden cells; a cell the audit finds exposed (a rounding the
    incremental test missed) sends the search on with the audit as its test."""
    values = system.values
    hidden = {cell for cell, value in values.items() if 0 < value < threshold}
    hidden |= _together(hidden, values)
    if not secondary:
        return hidden
    first = set(hidden)
    index = _index(system.equations)
    protect = {cell for cell, value in system.gaps.items() if 0 < abs(value) < threshold}
    unprotectable: set[Cell] = set()
    space = NullSpace(system.equations, len(values) + len(system.gaps))
    for cell in sorted(hidden | set(system.gaps), key=_order):
        space.add(cell)
    while True:
        unknown = hidden | set(system.gaps)
        exposed = space.fixed_among(
            sorted((c for c in hidden | protect if c not in unprotectable), key=_order)
        )
        if not exposed:
            break
        added = _partners(system, index, exposed, unknown, unprotectable, space)
        if not added:
            break
        for choice in sorted(added, key=_order):
            for cell in sorted({choice} | _together({choice}, values), key=_order):
                hidden.add(cell)
                space.add(cell)
    _prune(space, hidden, hidden - first, protect, values)
    return _audited(system, index, hidden, protect, unprotectable)


def _prune(
    space: NullSpace[Cell],
    hidden: set[Cell],
    secondary: set[Cell],
    protect: set[Cell],
    values: Mapping[Cell, float],
) -> None:
    """Publish again, largest first, each secondary cell whose hiding no longer protects
    anything: once it is known, every hidden cell that was free stays free (greedy search
    leaves many, each partner chosen before the later ones completed the pattern)."""
    candidates = sorted(hidden | protect, key=_order)
    fixed = set(space.fixed_among(candidates))
    free = [c for c in candidates if c not in fixed]
    together = {
        (c[0], FIGURES, code, "")
        for c in hidden
        if c[1] == FIGURES
        for g in HIDDEN_TOGETHER
        if c[2] in g
        for code in g
    }
    order = sorted(secondary - together, key=lambda c: (c[1] in _CROSSINGS, -values[c], _order(c)))
    for cell in order:
        if space.release(cell, free):
            hidden.discard(cell)
            if cell in free:
                free.remove(cell)


def _audited(
    system: LinearSystem,
    index: Mapping[Cell, list[int]],
    hidden: set[Cell],
    protect: set[Cell],
    unprotectable: set[Cell],
) -> set[Cell]:
    """`hidden` once no group of hidden cells has an exposed cell by `determined` (one SVD per
    group that changed), hiding partners as long as one has."""
    known: dict[frozenset[Cell], list[Cell]] = {}
    while True:
        unknown = hidden | set(system.gaps)
        exposed: list[Cell] = []
        for group in _groups(index, system.equations, unknown):
            key = frozenset(group)
            if key not in known:
                known[key] = determined(system.equations, group, index)
            exposed += [
                c for c in known[key] if (c in hidden or c in protect) and c not in unprotectable
            ]
        if not exposed:
            return hidden
        added = _partners(system, index, exposed, unknown, unprotectable)
        if not added:
            return hidden
        for choice in added:
            hidden |= {choice} | _together({choice}, system.values)


def secret_pattern(
    bilans: Mapping[str | None, Bilan],
    threshold: int,
    *,
    secondary: bool = True,
    included: Iterable[str] = (),
) -> SecretPattern:
    """The suppression pattern of every count published together in `bilans` (before secrecy)."""
    system = linear_system(bilans, included)
    primary = {cell for cell, value in system.values.items() if 0 < value < threshold}
    hidden = suppress(system, threshold, secondary)
    return SecretPattern(threshold, frozenset(hidden), frozenset(primary))


_MEMO: dict[str, SecretPattern] = {}
_MEMO_SIZE = 16


def _digest(bilans: Mapping[str | None, Bilan], threshold: int, secondary: bool) -> str:
    content = hashlib.sha256(f"{threshold}|{secondary}".encode())
    for territory in sorted(bilans, key=lambda t: t or ""):
        bilan = bilans[territory]
        content.update(repr((territory, bilan.plan_sha256, bilan.phase)).encode())
        content.update(repr([(f.code, f.value) for f in bilan.figures]).encode())
        for table in (*bilan.breakdowns, *bilan.crossings):
            content.update(repr((table.code, [(r.key, r.values) for r in table.rows])).encode())
    return content.hexdigest()


def pattern_of(
    bilans: Mapping[str | None, Bilan],
    threshold: int,
    *,
    secondary: bool = True,
    included: Iterable[str] = (),
) -> SecretPattern:
    """`secret_pattern`, memoised by the content of the tables (same data version, same plan,
    same phase: same key), so that a process computes it once per data version."""
    key = _digest(bilans, threshold, secondary) + repr(tuple(included))
    found = _MEMO.get(key)
    if found is None:
        found = secret_pattern(bilans, threshold, secondary=secondary, included=included)
        if len(_MEMO) >= _MEMO_SIZE:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[key] = found
    return found
