"""Ranking of the regions for one phase: by additional entries, realisation rate and entries per
1 000 job seekers, the plan's headline criterion first (`[ranking] headline` of the plan file:
every output ranks by it and shows the other criteria as secondary columns).

Built from the regional bilans (`compute_all_bilans`: one pass of grouped queries, read only).
Ties share the best rank (1, 2, 2, 4); a region without any entry in the phase or its reference
window has no rank and is shown as "sans données", never as zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from jalon.indicators.bilan import Bilan, Value, compute_all_bilans
from jalon.plan import Plan
from jalon.reference import regions

CRITERIA: tuple[str, ...] = (
    "entrees_supplementaires",
    "taux_realisation",
    "entrees_pour_1000_demandeurs",
)
# How a caption names each criterion (« Classement des régions par … »).
CRITERION_LABELS: dict[str, str] = {
    "entrees_supplementaires": "entrées supplémentaires",
    "taux_realisation": "taux de réalisation",
    "entrees_pour_1000_demandeurs": "entrées pour 1 000 demandeurs d'emploi",
}
# How a sentence names each criterion: « la 1re région de France en termes de … ».
CRITERION_WORDS: dict[str, str] = {
    "entrees_supplementaires": "demandeurs d'emploi supplémentaires formés",
    "taux_realisation": "réalisation de son objectif",
    "entrees_pour_1000_demandeurs": "entrées en formation pour 1 000 demandeurs d'emploi",
}
SHOWN: tuple[str, ...] = (
    "entrees",
    "entrees_reference",
    "entrees_supplementaires",
    "objectif_supplementaires",
    "taux_realisation",
    "entrees_pour_1000_demandeurs",
)


@dataclass(frozen=True)
class RegionRank:
    region: str
    label: str
    has_data: bool
    values: dict[str, Value]
    ranks: dict[str, int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Classement:
    plan: str
    phase: str
    rule: str
    regions: list[RegionRank]
    headline: str = CRITERIA[0]

    @property
    def secondary(self) -> tuple[str, ...]:
        """The criteria after the headline one, in their usual order."""
        return tuple(c for c in CRITERIA if c != self.headline)

    @property
    def headline_words(self) -> str:
        return CRITERION_WORDS[self.headline]

    def rank_of(self, region: str | None) -> int | None:
        """The region's rank on the headline criterion (None for the nation or no rank)."""
        found = next((r for r in self.regions if r.region == region), None)
        return None if found is None else found.ranks.get(self.headline)

    def ordered(self, criterion: str | None = None) -> list[RegionRank]:
        """Regions by rank on `criterion` (the headline one by default), then by name; regions
        without a rank last."""
        criterion = criterion or self.headline
        return sorted(
            self.regions,
            key=lambda r: (r.ranks[criterion] is None, r.ranks[criterion] or 0, r.label),
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "plan": self.plan,
            "phase": self.phase,
            "regle_realisation": self.rule,
            "critere_principal": self.headline,
            "criteres": [self.headline, *self.secondary],
            "regions": [
                {
                    "region": r.region,
                    "libelle": r.label,
                    "donnees": r.has_data,
                    **r.values,
                    "rangs": r.ranks,
                }
                for r in self.regions
            ],
        }


def competition_ranks(values: dict[str, Value]) -> dict[str, int | None]:
    """Rank by decreasing value; equal values share the best rank; `None` is not ranked."""
    ordered = sorted((v for v in values.values() if v is not None), reverse=True)
    first: dict[float | int, int] = {}
    for position, value in enumerate(ordered, start=1):
        first.setdefault(value, position)
    return {key: None if value is None else first[value] for key, value in values.items()}


def classement_of(bilans: dict[str | None, Bilan], plan: Plan, phase: str) -> Classement:
    rows = []
    for reg in regions():
        bilan = bilans.get(reg.code)
        has_data = bilan is not None and bool(
            bilan.value("entrees") or bilan.value("entrees_reference")
        )
        values: dict[str, Value] = {
            code: bilan.value(code) if bilan is not None and has_data else None for code in SHOWN
        }
        rows.append(RegionRank(reg.code, reg.nom, has_data, values))
    ranks = {c: competition_ranks({r.region: r.values[c] for r in rows}) for c in CRITERIA}
    ranked = [
        RegionRank(
            r.region, r.label, r.has_data, r.values, {c: ranks[c][r.region] for c in CRITERIA}
        )
        for r in rows
    ]
    rule = (
        "entrées / objectif total"
        if plan.rules.realisation == "entrees"
        else "entrées supplémentaires / objectif supplémentaire"
    )
    return Classement(plan.code, phase, rule, ranked, plan.ranking.headline)


def compute_classement(con: duckdb.DuckDBPyConnection, plan: Plan, phase: str) -> Classement:
    return classement_of(compute_all_bilans(con, plan, phase), plan, phase)
