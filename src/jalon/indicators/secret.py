"""Statistical secrecy (secret statistique): the one rule every public output goes through.

Pure functions on `Bilan`, `Breakdown`, `Classement` and `Prevision` values (no I/O, safe
anywhere). Tables: primary suppression hides every count from 1 to `threshold - 1`; secondary
suppression then makes sure no hidden cell can be recomputed from its published total: in a
column whose rows add up to a published total, a lone hidden cell is joined by the smallest other
cell, and if no cell is left to hide, the total itself is marked as not publishable. A derived
column (a share) is hidden wherever its count is.

Figures follow `FIGURE_RULES`, declared as data: whether a figure is a count of people (hidden
under the threshold), which figures it is computed from (it is hidden with any of them, since
with the others published it would give them back), the table cell whose count it reveals (a
share of a public times the persons known is that public's count), and whether the counts it is
computed from (`Figure.counts`) are themselves subject to the threshold. A forecast is withheld
when the entries it starts from are secret; a region of the ranking with a hidden value shows
none, with secondary suppression across regions since the nation's totals are published.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from jalon.indicators.bilan import Bilan, Breakdown, Figure, Row
from jalon.indicators.classement import Classement, RegionRank
from jalon.indicators.prevision import Prevision
from jalon.indicators.registry import BREAKDOWN_SPECS

SECRET_NOTE = "secret statistique"
# Columns that count people (entries, trainees, actions); places and targets are not secret.
COUNT_COLUMNS = frozenset({"entrees", "entrees_reference", "stock", "actions"})
# Columns whose rows sum to a total published elsewhere (the bilan's figures), where the
# breakdown partitions the entries.
ADDITIVE_COLUMNS = frozenset({"entrees", "entrees_reference", "actions"})
# Derived columns and the count they reveal.
DERIVED_COLUMNS = {"part": "entrees", "glissement_entrees": "entrees", "glissement_stock": "stock"}
# The figure that publishes a breakdown column's total.
TOTAL_FIGURES = {"entrees": "entrees", "entrees_reference": "entrees_reference"}


@dataclass(frozen=True)
class FigureRule:
    """How secrecy treats one figure of the registry."""

    count: bool = False  # a count of people: hidden from 1 to threshold - 1
    derived_from: tuple[str, ...] = ()  # figures it is computed from: hidden with any of them
    reveals: tuple[str, str] | None = None  # (table, row) whose count it gives back
    counted: bool = False  # its `Figure.counts` (numerator, denominator) follow the threshold


_SHARE_OF_PUBLIC = {
    "part_peu_qualifies": "peu_qualifies",
    "part_jeunes": "jeunes",
    "part_seniors": "seniors",
    "part_deld": "deld",
    "part_handicapes": "handicapes",
}
FIGURE_RULES: dict[str, FigureRule] = {
    "entrees": FigureRule(count=True),
    "personnes": FigureRule(count=True),
    "entrees_reference": FigureRule(count=True),
    "entrees_supplementaires": FigureRule(derived_from=("entrees", "entrees_reference")),
    "entrees_supplementaires_base_declaree": FigureRule(derived_from=("entrees",)),
    "entrees_projetees": FigureRule(derived_from=("entrees",)),
    "entrees_supplementaires_projetees": FigureRule(derived_from=("entrees",)),
    "objectif_supplementaires": FigureRule(),
    "objectif_entrees": FigureRule(),
    "taux_realisation": FigureRule(derived_from=("entrees", "entrees_reference")),
    "places_lancees": FigureRule(),
    "stock_fin": FigureRule(count=True),
    "taux_acces": FigureRule(derived_from=("personnes",), counted=True),
    **{
        code: FigureRule(reveals=("public", key), counted=True)
        for code, key in _SHARE_OF_PUBLIC.items()
    },
    "duree_moyenne": FigureRule(),
    "part_certifiante": FigureRule(derived_from=("entrees",), counted=True),
    "acces_emploi": FigureRule(counted=True),
    "emploi_durable": FigureRule(counted=True),
    "entrees_non_rapprochees": FigureRule(count=True),
    "actions_agregees": FigureRule(count=True),
    "total_actions_plan": FigureRule(derived_from=("entrees", "actions_agregees")),
    "entrees_pour_1000_demandeurs": FigureRule(derived_from=("entrees",)),
}


def _small(value: float | int | None, threshold: int) -> bool:
    return value is not None and 0 < value < threshold


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
        hidden = {i for i, v in enumerate(values) if _small(v, threshold)}
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


def _hide_shares(table: Breakdown, cells: set[tuple[str, str] | None]) -> Breakdown:
    """The table with the shares of `cells` hidden: the figure giving the same share is."""
    rows = [
        replace(
            r,
            values={c: None if c in DERIVED_COLUMNS else v for c, v in r.values.items()},
            suppressed=r.suppressed | (DERIVED_COLUMNS.keys() & r.values.keys()),
        )
        if (table.code, r.key) in cells
        else r
        for r in table.rows
    ]
    return replace(table, rows=rows)


def hidden_figures(figures: list[Figure], tables: list[Breakdown], threshold: int) -> set[str]:
    """Codes of the figures secrecy hides, given the tables once protected by `apply_secret`."""
    values = {f.code: f.value for f in figures}
    hidden = {TOTAL_FIGURES[c] for b in tables for c in b.total_suppressed if c in TOTAL_FIGURES}
    cells = {(b.code, r.key) for b in tables for r in b.rows if "entrees" in r.suppressed}
    for figure in figures:
        rule = FIGURE_RULES[figure.code]
        if rule.count and _small(figure.value, threshold):
            hidden.add(figure.code)
        if rule.counted and any(_small(c, threshold) for c in figure.counts):
            hidden.add(figure.code)
        if rule.reveals is not None and rule.reveals in cells:
            hidden.add(figure.code)
    changed = True
    while changed:
        before = len(hidden)
        hidden |= {
            code
            for code in values
            if any(source in hidden for source in FIGURE_RULES[code].derived_from)
        }
        changed = len(hidden) != before
    return hidden & set(values)


def apply_secret_bilan(bilan: Bilan, threshold: int) -> Bilan:
    """What public outputs publish of a bilan: every table through `apply_secret`, and every
    figure that is small, that reveals a hidden cell or that gives back a hidden figure hidden
    (`None`, note "secret statistique")."""
    tables = [apply_secret(b, threshold) for b in bilan.breakdowns]
    hidden = hidden_figures(bilan.figures, tables, threshold)
    revealed = {FIGURE_RULES[c].reveals for c in hidden} - {None}
    tables = [_hide_shares(b, revealed) for b in tables]
    # A figure already absent stays "donnée non disponible": there is nothing to hide.
    figures = [
        replace(f, value=None, note=SECRET_NOTE, counts=())
        if f.code in hidden and f.value is not None
        else f
        for f in bilan.figures
    ]
    return replace(bilan, figures=figures, breakdowns=tables)


def apply_secret_prevision(
    prevision: Prevision, threshold: int, public_bilan: Bilan | None = None
) -> Prevision | None:
    """The forecast, or `None` when it would give back secret entries: its observed entries are
    small, or the territory's public bilan hides its entries."""
    if _small(prevision.forecast.observed, threshold):
        return None
    if public_bilan is not None and any(
        f.code == "entrees" and f.note == SECRET_NOTE and f.value is None
        for f in public_bilan.figures
    ):
        return None
    return prevision


def apply_secret_classement(classement: Classement, threshold: int) -> Classement:
    """The ranking as published: a region with a hidden value shows no value and no rank (its
    place between published values would bound it), with secondary suppression of the additive
    counts across regions, whose national totals are published."""
    regions = classement.regions
    hidden: set[int] = set()
    for i, r in enumerate(regions):
        figures = [Figure(code, value) for code, value in r.values.items() if code in FIGURE_RULES]
        if hidden_figures(figures, [], threshold):
            hidden.add(i)
    for column in TOTAL_FIGURES:
        values = [None if i in hidden else r.values.get(column) for i, r in enumerate(regions)]
        lone = {i for i, r in enumerate(regions) if i in hidden and r.values.get(column)}
        hidden |= _secondary(values, lone)[0] if len(lone) == 1 else set()
    shown = [
        RegionRank(r.region, r.label, r.has_data, dict.fromkeys(r.values), dict.fromkeys(r.ranks))
        if i in hidden
        else r
        for i, r in enumerate(regions)
    ]
    return replace(classement, regions=shown)


def classement_hidden(classement: Classement) -> set[str]:
    """Regions of a published ranking whose values are hidden (they have data but none shown)."""
    return {
        r.region
        for r in classement.regions
        if r.has_data and all(v is None for v in r.values.values())
    }
