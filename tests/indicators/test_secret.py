"""Statistical secrecy of one bilan published alone: primary suppression under the threshold,
secondary suppression so that no hidden cell can be recomputed from the published cells and totals
of its tables (the tables published together are in test_secret_pattern.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jalon.indicators import (
    REGISTRY,
    Bilan,
    Breakdown,
    Figure,
    Forecast,
    Prevision,
    Row,
    apply_secret_bilan,
)
from jalon.indicators.secret import FIGURE_RULES, apply_secret_prevision

THRESHOLD = 11


def _table(code: str, columns: tuple[str, ...], values: list[list[int]]) -> Breakdown:
    rows = [
        Row(str(i), f"ligne {i}", dict(zip(columns, row, strict=True)))
        for i, row in enumerate(values)
    ]
    return Breakdown(code, code, "dimension", columns, rows)


def apply_secret(table: Breakdown, threshold: int) -> Breakdown:
    """The table as published alone (in a bilan with no figure: its own total row is printed)."""
    bilan = Bilan("plan", "sha", "2016", "76", [], [table])
    return apply_secret_bilan(bilan, threshold).breakdowns[0]


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
    table = _table("mois", columns, [list(v) for v in values])
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


def determined(relations: list[dict[str, float]], known: dict[str, float]) -> set[str]:
    """Unknown quantities that linear `relations` (Σ coefficient × quantity = 0, the constant
    term under "1") fix once the `known` quantities are substituted: those whose unit vector lies
    in the row space of the relations restricted to the unknowns."""
    unknowns = sorted({q for r in relations for q in r if q != "1" and q not in known})
    if not unknowns:
        return set()
    matrix = np.array([[r.get(q, 0.0) for q in unknowns] for r in relations])
    rank = np.linalg.matrix_rank(matrix)
    found = set()
    for position, name in enumerate(unknowns):
        unit = np.zeros((1, len(unknowns)))
        unit[0, position] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.add(name)
    return found


def _sum_of(total: str, parts: list[str]) -> dict[str, float]:
    return {total: 1.0, **{p: -1.0 for p in parts}}


PUBLIC_KEYS = ("peu_qualifies", "jeunes", "seniors", "deld", "handicapes")


@st.composite
def bilans(draw: st.DrawFn) -> tuple[Bilan, dict[str, float], list[dict[str, float]]]:
    """A bilan whose figures and tables hold together, the public constants (targets, baseline,
    demandeurs, persons known, leavers) and every relation between its quantities."""
    months = draw(st.lists(st.tuples(counts, counts), min_size=1, max_size=6))
    departements = draw(st.lists(counts, min_size=1, max_size=4))
    entries = sum(e for e, _ in months)
    departements[-1] += max(0, entries - sum(departements[:-1])) - departements[-1]
    if sum(departements) != entries:
        departements = [entries]
    reference = sum(r for _, r in months)
    known = draw(st.integers(min_value=0, max_value=80))
    publics = [draw(st.integers(min_value=0, max_value=known)) for _ in PUBLIC_KEYS]
    leavers = draw(st.integers(min_value=1, max_value=80))
    employed = draw(st.integers(min_value=0, max_value=leavers))
    actions = draw(counts)
    constants = {"objectif": 50.0, "base": 20.0, "demandeurs": 1000.0, "1": 1.0}
    quantities: dict[str, float] = {
        "entrees": entries,
        "entrees_reference": reference,
        "entrees_supplementaires": entries - reference,
        "entrees_supplementaires_base_declaree": entries - 20,
        "taux_realisation": (entries - reference) / 50,
        "actions_agregees": actions,
        "objectif_supplementaires": 50,
        "total_actions_plan": entries + actions,
        "entrees_pour_1000_demandeurs": entries,
        "acces_emploi": employed / leavers,
        "emploi": employed,
    }
    figures = [
        Figure(code, quantities[code])
        for code in quantities
        if code not in ("acces_emploi", "emploi")
    ]
    figures.append(Figure("acces_emploi", employed / leavers, None, (employed, leavers)))
    relations = [
        {"entrees": 1, "entrees_reference": -1, "entrees_supplementaires": -1},
        {"entrees_supplementaires_base_declaree": 1, "entrees": -1, "1": 20},
        {"taux_realisation": 50, "entrees_supplementaires": -1},
        {"total_actions_plan": 1, "entrees": -1, "actions_agregees": -1},
        {"entrees_pour_1000_demandeurs": 1, "entrees": -1},
        {"acces_emploi": leavers, "emploi": -1},
        _sum_of("entrees", [f"mois.{i}.entrees" for i in range(len(months))]),
        _sum_of("entrees_reference", [f"mois.{i}.entrees_reference" for i in range(len(months))]),
        _sum_of("entrees", [f"departement.{i}.entrees" for i in range(len(departements))]),
    ]
    for i, (e, r) in enumerate(months):
        quantities |= {f"mois.{i}.entrees": e, f"mois.{i}.entrees_reference": r}
    for i, e in enumerate(departements):
        quantities[f"departement.{i}.entrees"] = e
    public_rows = []
    for key, count in zip(PUBLIC_KEYS, publics, strict=True):
        share = count / known if known else None
        code = f"part_{key}"
        figures.append(Figure(code, share, None, (count, known)))
        public_rows.append(Row(key, key, {"entrees": count, "part": share}))
        quantities |= {f"public.{key}.entrees": count, code: share or 0.0}
        quantities[f"public.{key}.part"] = share or 0.0
        relations.append({code: 1, f"public.{key}.part": -1})
        if known >= THRESHOLD:  # published in the shares' note only then
            relations.append({code: known, f"public.{key}.entrees": -1})
            relations.append({f"public.{key}.part": known, f"public.{key}.entrees": -1})
    tables = [
        _table("mois", ("entrees", "entrees_reference"), [list(m) for m in months]),
        _table("departement", ("entrees",), [[e] for e in departements]),
        Breakdown("public", "public", "public", ("entrees", "part"), public_rows),
    ]
    bilan = Bilan("plan", "sha", "2016", "76", figures, tables)
    return bilan, quantities | constants, relations


def _published(public: Bilan) -> dict[str, float]:
    shown: dict[str, float] = {f.code: f.value for f in public.figures if f.value is not None}
    for table in public.breakdowns:
        for row in table.rows:
            for column, value in row.values.items():
                if value is not None:
                    shown[f"{table.code}.{row.key}.{column}"] = value
    return shown


@settings(max_examples=200, deadline=None)
@given(bilans())
def test_no_hidden_figure_or_cell_can_be_recomputed_from_the_public_bilan(case) -> None:
    bilan, truth, relations = case
    public = apply_secret_bilan(bilan, THRESHOLD)
    known = _published(public) | {
        k: v for k, v in truth.items() if k in ("objectif", "base", "demandeurs", "1")
    }
    for name, value in known.items():
        assert value == pytest.approx(truth[name]), name  # nothing published is altered
    hidden = {q for q in truth if q not in known}
    if not 0 < truth["emploi"] < THRESHOLD:  # never published itself: secret only when small
        hidden.discard("emploi")
    for name, value in truth.items():
        small_count = name in ("entrees", "entrees_reference", "actions_agregees", "emploi") or (
            name.endswith(".entrees") or name.endswith(".entrees_reference")
        )
        if small_count and 0 < value < THRESHOLD:
            assert name in hidden, name
    assert determined(relations, known) & hidden == set()


def test_forecast_is_withheld_when_its_entries_are_secret() -> None:
    forecast = Forecast(3, 12, 8, 40.0, 30.0, 50.0, 100, 10.0, 3.0, 0.1, "calibre")
    prevision = Prevision("plan", "2016", "76", dt.date(2016, 3, 31), forecast)
    assert apply_secret_prevision(prevision, THRESHOLD) is None
    larger = replace(prevision, forecast=replace(forecast, observed=800))
    assert apply_secret_prevision(larger, THRESHOLD) is larger
    public = Bilan("plan", "sha", "2016", "76", [Figure("entrees", None, "secret statistique")])
    assert apply_secret_prevision(larger, THRESHOLD, public) is None


def test_every_registry_figure_has_a_secrecy_rule() -> None:
    assert set(FIGURE_RULES) == set(REGISTRY)
    for rule in FIGURE_RULES.values():
        assert set(rule.derived_from) <= set(REGISTRY)


def test_a_small_count_behind_a_rate_hides_it_and_absent_figures_stay_absent() -> None:
    bilan = Bilan(
        "plan",
        "sha",
        "2016",
        "76",
        [
            Figure("entrees", 400),
            Figure("acces_emploi", 0.5, "sur 8 personnes sorties", (4, 8)),
            Figure("emploi_durable", 0.2, "sur 400 personnes sorties", (80, 400)),
            Figure("actions_agregees", None),
            Figure("total_actions_plan", None),
        ],
    )
    public = apply_secret_bilan(bilan, THRESHOLD)
    hidden = next(f for f in public.figures if f.code == "acces_emploi")
    assert (hidden.value, hidden.note, hidden.counts) == (None, "secret statistique", ())
    assert public.value("emploi_durable") == 0.2
    assert [f.note for f in public.figures[-2:]] == [None, None]
