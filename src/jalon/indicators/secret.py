"""Statistical secrecy (secret statistique): the one rule every public output goes through.

Pure functions on `Bilan`, `Classement` and `Prevision` values (no I/O, safe anywhere). The
status of every published count comes from one pattern computed over all the tables published
together (`jalon.indicators.secret_pattern`: primary suppression under the plan's threshold, then
secondary suppression across the linked tables of the nation and every region); this module
applies it to a bilan and to the ranking, so a cell hidden in one output is hidden in all.

Figures follow `FIGURE_RULES`, declared as data: whether a figure is a count of people (its status
is the pattern's), which figures it is computed from (it is hidden with any of them, since with
the others published it would give them back), the table cell whose count it reveals (a share of
a public times the persons known is that public's count), and whether the counts it is computed
from (`Figure.counts`) are themselves subject to the threshold. A derived column (a share) is
hidden wherever its count is. A forecast is withheld when the entries it starts from are secret;
a region of the ranking whose entries are hidden shows no value and no rank.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from jalon.indicators.bilan import Bilan, Breakdown, Figure, Row
from jalon.indicators.classement import Classement, RegionRank
from jalon.indicators.prevision import Prevision
from jalon.indicators.secret_pattern import (
    COUNT_FIGURES,
    LINKED,
    SecretPattern,
    pattern_of,
    total_cell,
)
from jalon.plan import Plan

SECRET_NOTE = "secret statistique"
# Derived columns and the count they reveal.
DERIVED_COLUMNS = {"part": "entrees", "glissement_entrees": "entrees", "glissement_stock": "stock"}


@dataclass(frozen=True)
class FigureRule:
    """How secrecy treats one figure of the registry."""

    count: bool = False  # a count of people: its status is the pattern's
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
    **{code: FigureRule(count=True) for code in COUNT_FIGURES},
    "entrees_supplementaires": FigureRule(derived_from=("entrees", "entrees_reference")),
    "entrees_supplementaires_base_declaree": FigureRule(derived_from=("entrees",)),
    "entrees_projetees": FigureRule(derived_from=("entrees",)),
    "entrees_supplementaires_projetees": FigureRule(derived_from=("entrees",)),
    "objectif_supplementaires": FigureRule(),
    "objectif_entrees": FigureRule(),
    "taux_realisation": FigureRule(derived_from=("entrees", "entrees_reference")),
    "places_lancees": FigureRule(),
    "taux_acces": FigureRule(derived_from=("personnes",), counted=True),
    **{
        code: FigureRule(reveals=("public", key), counted=True)
        for code, key in _SHARE_OF_PUBLIC.items()
    },
    "duree_moyenne": FigureRule(),
    "part_certifiante": FigureRule(derived_from=("entrees",), counted=True),
    "acces_emploi": FigureRule(counted=True),
    "emploi_durable": FigureRule(counted=True),
    "total_actions_plan": FigureRule(derived_from=("entrees", "actions_agregees")),
    "entrees_pour_1000_demandeurs": FigureRule(derived_from=("entrees",)),
}


def plan_pattern(bilans: Mapping[str | None, Bilan], plan: Plan) -> SecretPattern:
    """The pattern of the tables published together in `bilans` under the plan's `[secret]`
    (memoised: once per data version)."""
    return pattern_of(
        bilans,
        plan.secret.threshold,
        secondary=plan.secret.secondary,
        included=plan.actions_agregees.included,
    )


def _small(value: float | int | None, threshold: int) -> bool:
    return value is not None and 0 < value < threshold


def _protect_table(table: Breakdown, bilan: Bilan, pattern: SecretPattern) -> Breakdown:
    """The table with the pattern's cells hidden (`None`, listed in `Row.suppressed`)."""
    t = bilan.region
    links = {link.column: link for link in LINKED if link.table == table.code}
    masked_rows = []
    for row in table.rows:
        masked = {c for c in links if pattern.hides(t, table.code, c, row.key)}
        masked |= {d for d, source in DERIVED_COLUMNS.items() if source in masked}
        masked &= set(row.values)
        shown = {c: (None if c in masked else v) for c, v in row.values.items()}
        masked_rows.append(Row(row.key, row.label, shown, frozenset(masked)))
    total_hidden = {
        column
        for column, link in links.items()
        if (cell := total_cell(bilan, link)) is not None and cell in pattern.hidden
    }
    return replace(
        table,
        rows=masked_rows,
        secret_threshold=pattern.threshold,
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


def hidden_figures(
    figures: list[Figure], tables: list[Breakdown], pattern: SecretPattern, territory: str | None
) -> set[str]:
    """Codes of the figures secrecy hides, given the tables once protected by the pattern."""
    values = {f.code: f.value for f in figures}
    hidden = {f.code for f in figures if pattern.hides_figure(territory, f.code)}
    cells = {(b.code, r.key) for b in tables for r in b.rows if "entrees" in r.suppressed}
    for figure in figures:
        rule = FIGURE_RULES[figure.code]
        if rule.counted and any(_small(c, pattern.threshold) for c in figure.counts):
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


def apply_secret_bilan(bilan: Bilan, threshold: int, pattern: SecretPattern | None = None) -> Bilan:
    """What public outputs publish of a bilan: the cells of `pattern` hidden, with every figure
    that is hidden, reveals a hidden cell or gives back a hidden figure (`None`, note "secret
    statistique"). `pattern` is the one of every table published with this bilan
    (`plan_pattern`); without it, the bilan's own tables are taken as published alone."""
    if pattern is None:
        pattern = pattern_of({bilan.region: bilan}, threshold)
    tables = [_protect_table(b, bilan, pattern) for b in bilan.breakdowns]
    hidden = hidden_figures(bilan.figures, tables, pattern, bilan.region)
    revealed = {FIGURE_RULES[c].reveals for c in hidden} - {None}
    tables = [_hide_shares(b, revealed) for b in tables]
    # A figure already absent stays "donnée non disponible": there is nothing to hide.
    figures = [
        replace(f, value=None, note=SECRET_NOTE, counts=())
        if f.code in hidden and f.value is not None
        else f
        for f in bilan.figures
    ]
    crossings = [_protect_table(b, bilan, pattern) for b in bilan.crossings]
    return replace(bilan, figures=figures, breakdowns=tables, crossings=crossings)


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


def apply_secret_classement(classement: Classement, pattern: SecretPattern) -> Classement:
    """The ranking as published: a region whose entries the pattern hides shows no value and no
    rank (its place between published values would bound them)."""
    hidden = {
        r.region
        for r in classement.regions
        if any(pattern.hides_figure(r.region, code) for code in ("entrees", "entrees_reference"))
    }
    shown = [
        RegionRank(r.region, r.label, r.has_data, dict.fromkeys(r.values), dict.fromkeys(r.ranks))
        if r.region in hidden
        else r
        for r in classement.regions
    ]
    return replace(classement, regions=shown)


def classement_hidden(classement: Classement) -> set[str]:
    """Regions of a published ranking whose values are hidden (they have data but none shown)."""
    return {
        r.region
        for r in classement.regions
        if r.has_data and all(v is None for v in r.values.values())
    }
