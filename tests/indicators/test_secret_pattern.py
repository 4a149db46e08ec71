"""One suppression pattern over every table published together: the nation's and the regions'
bilans, by month, département, financeur, domain and organisation, with their totals, and the
open data set's crossing of month and financeur principal (`Bilan.crossings`).

The property test generates small sets of entries (region, département, month, financeur,
domain, organisation), builds from them the bilans a store of those entries publishes, and checks
the union of the public tables against the entries themselves, not against the pattern's own
equations: each published figure is a sum of groups of identical entries (the unknowns), and a
hidden cell is safe when its sum is not in the row space of the published sums.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from jalon.indicators import Bilan, Breakdown, Classement, Figure, RegionRank, Row
from jalon.indicators.bilan import cross_key
from jalon.indicators.secret import (
    apply_secret_bilan,
    apply_secret_classement,
    classement_hidden,
)
from jalon.indicators.secret_pattern import pattern_of, secret_pattern

THRESHOLD = 11
REGIONS = {"76": ("09", "31", "32", "46"), "75": ("33", "64"), "11": ("75", "92"), "84": ("69",)}
MONTHS = ("2016-01", "2016-02", "2016-03")
TOP = 2  # organisations listed before « autres » (20 in Jalon's bilans)
FINANCEURS = ("2", "10", "17")
DOMAINES = ("13", "31", "42")
ORGANISMES = ("siret-a", "siret-b", "siret-c", "siret-d")


@dataclass(frozen=True)
class Entry:
    """A group of identical entries: one unknown of the attacker's system."""

    region: str
    departement: str
    mois: str
    financeur: str
    domaine: str
    organisme: str
    reference: bool  # an entry of the reference period (2015), counted by month only


Select = Callable[[Entry], bool]


def _rows(
    entries: Counter[Entry], key: Callable[[Entry], str], keys: list[str] | None
) -> list[Row]:
    totals: Counter[str] = Counter()
    for entry, n in entries.items():
        totals[key(entry)] += n
    order = keys if keys is not None else sorted(k for k in totals if totals[k])
    return [Row(k, k, {"entrees": totals[k]}) for k in order]


def _organisations(entries: Counter[Entry]) -> tuple[list[Row], set[str]]:
    totals: Counter[str] = Counter()
    for entry, n in entries.items():
        totals[entry.organisme] += n
    top = sorted(totals, key=lambda k: (-totals[k], k))[:TOP]
    rows = [Row(k, k, {"entrees": totals[k]}) for k in top]
    rest = sum(n for k, n in totals.items() if k not in top)
    if rest:
        rows.append(Row("autres", "autres", {"entrees": rest}))
    return rows, set(top)


def bilan_of(
    territory: str | None, entries: Counter[Entry]
) -> tuple[Bilan, dict[tuple[str, str, str], Select]]:
    """The bilan of `entries` (already restricted to the territory), and for each of its count
    cells (table, column, key) which entries it adds up."""
    current = Counter({e: n for e, n in entries.items() if not e.reference})
    reference = Counter({e: n for e, n in entries.items() if e.reference})
    total = sum(current.values())
    ref_total = sum(reference.values())
    by_month_ref = _rows(reference, lambda e: e.mois, list(MONTHS))
    months = [
        Row(m, m, {"entrees": row.values["entrees"], "entrees_reference": ref.values["entrees"]})
        for m, row, ref in zip(
            MONTHS, _rows(current, lambda e: e.mois, list(MONTHS)), by_month_ref, strict=True
        )
    ]
    organisations, top = _organisations(current)
    tables = [
        Breakdown("mois", "mois", "Mois", ("entrees", "entrees_reference"), months),
        Breakdown(
            "financeur_principal",
            "f",
            "Financeur",
            ("entrees",),
            _rows(current, lambda e: e.financeur, None),
        ),
        Breakdown(
            "departement",
            "d",
            "Département",
            ("entrees",),
            _rows(current, lambda e: e.departement, None),
        ),
        Breakdown(
            "domaine", "k", "Domaine", ("entrees",), _rows(current, lambda e: e.domaine, None)
        ),
        Breakdown("organisme", "o", "Organisme", ("entrees",), organisations),
    ]
    by_pair: Counter[str] = Counter()
    for entry, n in current.items():
        by_pair[cross_key(entry.mois, entry.financeur)] += n
    crossing = Breakdown(
        "mois_financeur",
        "m×f",
        "Mois et financeur",
        ("entrees",),
        [Row(k, k, {"entrees": by_pair[k]}) for k in sorted(by_pair) if by_pair[k]],
    )
    figures = [
        Figure("entrees", total),
        Figure("entrees_reference", ref_total),
        Figure("entrees_supplementaires", total - ref_total),
    ]
    sums: dict[tuple[str, str, str], Select] = {}
    for m in MONTHS:
        sums[("mois", "entrees", m)] = lambda e, m=m: not e.reference and e.mois == m
        sums[("mois", "entrees_reference", m)] = lambda e, m=m: e.reference and e.mois == m
    for table, field in (
        ("financeur_principal", "financeur"),
        ("departement", "departement"),
        ("domaine", "domaine"),
        ("organisme", "organisme"),
    ):
        for e in current:
            key = getattr(e, field)
            if table == "organisme" and key not in top:
                continue
            sums[(table, "entrees", key)] = lambda x, field=field, key=key: (
                not x.reference and getattr(x, field) == key
            )
    sums[("organisme", "entrees", "autres")] = lambda e: not e.reference and e.organisme not in top
    for row in crossing.rows:
        sums[("mois_financeur", "entrees", row.key)] = lambda e, k=row.key: (
            not e.reference and cross_key(e.mois, e.financeur) == k
        )
    sums[("indicateurs", "entrees", "")] = lambda e: not e.reference
    sums[("indicateurs", "entrees_reference", "")] = lambda e: e.reference
    bilan = Bilan("plan", "sha", "2016", territory, figures, tables, crossings=[crossing])
    return bilan, sums


def published_world(
    entries: Counter[Entry],
) -> tuple[dict[str | None, Bilan], dict[tuple[str | None, str, str, str], Select]]:
    bilans: dict[str | None, Bilan] = {}
    sums: dict[tuple[str | None, str, str, str], Select] = {}
    for territory in (None, *REGIONS):
        inside = Counter(
            {e: n for e, n in entries.items() if territory is None or e.region == territory}
        )
        bilan, cells = bilan_of(territory, inside)
        bilans[territory] = bilan
        for cell, select in cells.items():
            sums[(territory, *cell)] = lambda e, s=select, t=territory: (
                (t is None or e.region == t) and s(e)
            )
    return bilans, sums


def _raw_cells(bilan: Bilan) -> dict[tuple[str, str, str], float]:
    cells = {("indicateurs", f.code, ""): f.value for f in bilan.figures if f.value is not None}
    for table in (*bilan.breakdowns, *bilan.crossings):
        for row in table.rows:
            for column, value in row.values.items():
                cells[(table.code, column, row.key)] = value
    return cells


def check_union(entries: Counter[Entry], bilans: dict[str | None, Bilan]) -> set[tuple]:
    """Apply the pattern to every bilan, check the union of the public tables against the entries,
    and return the hidden count cells. The unknowns are every combination a reader cannot rule
    out (the reader does not know which ones are empty): département × month × financeur ×
    domain × organisation for the phase's entries, region × month for the reference period."""
    atoms = [
        Entry(region, dep, month, financeur, domaine, organisme, False)
        for region, deps in REGIONS.items()
        for dep in deps
        for month in MONTHS
        for financeur in FINANCEURS
        for domaine in DOMAINES
        for organisme in ORGANISMES
    ]
    atoms += [
        Entry(region, deps[0], month, FINANCEURS[0], DOMAINES[0], ORGANISMES[0], True)
        for region, deps in REGIONS.items()
        for month in MONTHS
    ]
    _, sums = published_world(entries)
    pattern = secret_pattern(bilans, THRESHOLD)
    rows: list[np.ndarray] = []
    hidden: dict[tuple, np.ndarray] = {}

    def vector(select: Select) -> np.ndarray:
        return np.array([1.0 if select(a) else 0.0 for a in atoms])

    for territory, bilan in bilans.items():
        public = apply_secret_bilan(bilan, THRESHOLD, pattern)
        shown = _raw_cells(public)
        for cell, value in _raw_cells(bilan).items():
            full = (territory, *cell)
            if cell == ("indicateurs", "entrees_supplementaires", ""):
                if shown.get(cell) is not None:
                    rows.append(
                        vector(sums[(territory, "indicateurs", "entrees", "")])
                        - vector(sums[(territory, "indicateurs", "entrees_reference", "")])
                    )
                continue
            if shown.get(cell) is None:
                hidden[full] = vector(sums[full])
                continue
            assert shown[cell] == value, full  # nothing published is altered
            assert not 0 < value < THRESHOLD, full  # primary suppression
            rows.append(vector(sums[full]))
        for table in public.breakdowns:  # the total row of each additive table
            for column in table.columns:
                if column not in table.total_suppressed and len(table.rows) > 1:
                    code = "entrees" if column == "entrees" else "entrees_reference"
                    rows.append(vector(sums[(territory, "indicateurs", code, "")]))
    # An orthonormal basis of the row space of the published sums; a hidden cell is recomputable
    # when its own sum lies in that space (nothing is left of it once projected).
    published = np.array(rows) if rows else np.zeros((1, len(atoms)))
    _, singular, vt = np.linalg.svd(published, full_matrices=False)
    basis = vt[singular > 1e-9 * max(1.0, float(singular.max(initial=0.0)))]
    for cell, unit in hidden.items():
        left = unit - basis.T @ (basis @ unit)
        assert np.linalg.norm(left) > 1e-6, f"{cell} se recalcule"
    return set(hidden)


groups = st.lists(
    st.tuples(
        st.sampled_from(sorted(REGIONS)),
        st.integers(0, 3),
        st.sampled_from(MONTHS),
        st.sampled_from(FINANCEURS),
        st.sampled_from(DOMAINES),
        st.sampled_from(ORGANISMES),
        st.booleans(),
        st.integers(1, 40),
    ),
    min_size=1,
    max_size=14,
)


def _entries(drawn: list[tuple]) -> Counter[Entry]:
    entries: Counter[Entry] = Counter()
    for region, dep, month, financeur, domaine, organisme, reference, n in drawn:
        deps = REGIONS[region]
        if reference:  # the reference period is published by month only
            dep, financeur, domaine, organisme = 0, FINANCEURS[0], DOMAINES[0], ORGANISMES[0]
        where = deps[dep % len(deps)]
        entries[Entry(region, where, month, financeur, domaine, organisme, reference)] += n
    return entries


@settings(max_examples=60, deadline=None)
@given(groups)
def test_no_hidden_cell_of_any_public_table_can_be_recomputed_from_all_of_them(drawn) -> None:
    entries = _entries(drawn)
    bilans, _ = published_world(entries)
    check_union(entries, bilans)


def test_the_cell_of_the_issue_keeps_one_status_in_the_regional_and_national_bilans() -> None:
    """Occitanie's public bilan hid Gers and Lot while the nation's printed Lot: Gers came back
    as the region's total less its other départements and Lot."""
    counts = {("76", "31"): 1000, ("76", "32"): 3, ("76", "46"): 27, ("76", "09"): 40}
    counts |= {("75", "33"): 900, ("75", "64"): 15, ("11", "75"): 2000, ("84", "69"): 1500}
    entries = Counter(
        {Entry(r, d, "2016-01", "2", "13", "siret-a", False): n for (r, d), n in counts.items()}
    )
    bilans, _ = published_world(entries)
    hidden = check_union(entries, bilans)
    cells = {(t, key) for t, table, _, key in hidden if table == "departement"}
    assert {("76", "32"), (None, "32")} <= cells
    for territory, key in cells:  # a département's cell: one status in both bilans
        other = None if territory is not None else next(r for r, d in REGIONS.items() if key in d)
        assert (other, key) in cells


def test_the_ranking_hides_the_regions_the_pattern_hides_whole() -> None:
    counts = {"76": 5, "75": 40, "11": 900, "84": 300}
    entries = Counter(
        {
            Entry(r, REGIONS[r][0], "2016-01", "2", "13", "siret-a", ref): n if not ref else 500
            for r, n in counts.items()
            for ref in (False, True)
        }
    )
    bilans, _ = published_world(entries)
    pattern = secret_pattern(bilans, THRESHOLD)
    ranking = Classement(
        "plan",
        "2016",
        "règle",
        [
            RegionRank(
                r, r, True, {"entrees": n, "entrees_reference": 500}, {"entrees_supplementaires": 1}
            )
            for r, n in counts.items()
        ],
    )
    public = apply_secret_classement(ranking, pattern)
    assert "76" in classement_hidden(public)
    assert classement_hidden(public) == {r for r in counts if pattern.hides_figure(r, "entrees")}
    assert len(classement_hidden(public)) >= 2  # the nation's total is published
    for r in classement_hidden(public):  # the region's reference is hidden in its bilan too
        assert pattern.hides_figure(r, "entrees_reference")
    check_union(entries, bilans)


def test_entries_of_no_region_are_a_cell_the_pattern_protects() -> None:
    entries = Counter(
        {Entry(r, REGIONS[r][0], "2016-01", "2", "13", "siret-a", False): 300 for r in REGIONS}
    )
    bilans, _ = published_world(entries)
    national = bilans[None]
    bilans[None] = Bilan(  # four entries whose place is unknown count in the nation's bilan only
        "plan",
        "sha",
        "2016",
        None,
        [Figure("entrees", 1204), Figure("entrees_reference", 0)],
        [b for b in national.breakdowns if b.code == "departement"],
    )
    bilans[None].breakdowns[0].rows.append(Row("inconnu", "Non renseigné", {"entrees": 4}))
    pattern = secret_pattern(bilans, THRESHOLD)
    assert pattern.hides(None, "departement", "entrees", "inconnu")
    assert len(pattern.hidden - pattern.primary) >= 1


def test_the_pattern_is_computed_once_per_content() -> None:
    entries = Counter({Entry("76", "31", "2016-01", "2", "13", "siret-a", False): 7})
    first, _ = published_world(entries)
    again, _ = published_world(entries)
    assert pattern_of(first, THRESHOLD) is pattern_of(again, THRESHOLD)
    other, _ = published_world(entries + entries)
    assert pattern_of(other, THRESHOLD) is not pattern_of(first, THRESHOLD)
