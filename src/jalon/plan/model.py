"""Typed model of a plan declaration (DESIGN §2–§3), validated by Pydantic.

Pure data: nothing here reads files or the store. `jalon.plan.loader` builds a `Plan` from TOML.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from jalon.plan.scales import Scale


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Phase(_Strict):
    """A counting window and the reference window it is compared with."""

    code: str = Field(min_length=1)
    label: str
    start: dt.date
    end: dt.date
    reference_start: dt.date
    reference_end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Phase:
        if self.end < self.start:
            raise ValueError(f"la phase {self.code} finit ({self.end}) avant de commencer")
        if self.reference_end < self.reference_start:
            raise ValueError(f"la période de référence de la phase {self.code} est inversée")
        return self


class PublicsRules(_Strict):
    young_max_age: int = Field(ge=16, le=30)
    senior_min_age: int = Field(ge=40, le=60)
    long_term_months: int = Field(ge=1)
    low_qualified_levels: list[int]


class EmploiRules(_Strict):
    window_months: int = Field(ge=1)
    min_days: int = Field(ge=1)
    durable_months: int = Field(ge=1)


class Rules(_Strict):
    counted_financeurs: list[int] = Field(min_length=1)
    realisation: Literal["entrees", "supplementaires"]
    session_key_fallback: list[Literal["siret", "formacode", "date_entree"]]
    publics: PublicsRules
    emploi: EmploiRules

    @property
    def target_figure(self) -> Literal["total_entries", "additional_entries"]:
        """The target figure the realisation rate reads."""
        return "total_entries" if self.realisation == "entrees" else "additional_entries"


class Secret(_Strict):
    threshold: int = Field(ge=1)
    secondary: bool = True


class ActionsAgregees(_Strict):
    included: list[str] = []


class Communication(_Strict):
    """Text rules of the press kit and of the bilan's sentences (`jalon.report.redaction`)."""

    rang_cite_jusqu_a: int = Field(default=0, ge=0)


class Target(_Strict):
    """A convention's targets for one phase."""

    phase: str
    additional_entries: int = Field(ge=0)
    total_entries: int = Field(ge=0)
    declared_baseline: int = Field(ge=0)
    places: int | None = Field(default=None, ge=0)
    budget_eur: int | None = Field(default=None, ge=0)
    estimated: bool = False
    # With `estimated`, the one figure a public source gives (the others are estimated from it).
    published: Literal["additional_entries", "total_entries"] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Target:
        if self.total_entries != self.declared_baseline + self.additional_entries:
            raise ValueError(
                f"phase {self.phase} : total_entries ({self.total_entries}) doit valoir "
                f"declared_baseline + additional_entries "
                f"({self.declared_baseline + self.additional_entries})"
            )
        if self.published is not None and not self.estimated:
            raise ValueError(
                f"phase {self.phase} : published ne se déclare qu'avec estimated = true "
                "(un seul chiffre de l'objectif est publié)"
            )
        return self

    def is_estimated(self, figure: str) -> bool:
        """Whether `figure` (additional_entries, total_entries or declared_baseline) is an
        estimate rather than a published value."""
        return self.estimated and self.published != figure


class Convention(_Strict):
    """A regional agreement (or its amendments) declining the plan in one region."""

    region: str = Field(pattern=r"^\d{2}$")
    name: str
    kind: Literal["quadripartite", "pole-emploi", "avenant", "pacte"]
    signed_on: dt.date | None = None
    signatories: list[str] = []
    source: str | None = None
    # Financeurs whose entries count toward this convention's targets; None: the plan's set.
    counted_financeurs: list[int] | None = Field(default=None, min_length=1)
    targets: list[Target]

    def target(self, phase: str) -> Target | None:
        return next((t for t in self.targets if t.phase == phase), None)


class Ranking(_Strict):
    """The criterion every output ranks the regions by first (the others are secondary)."""

    headline: Literal["entrees_supplementaires", "taux_realisation", "entrees_pour_1000_demandeurs"]


class Plan(_Strict):
    """A declared programme: the root of a plan file."""

    code: str
    name: str
    description: str
    launched_on: dt.date
    phases: list[Phase] = Field(min_length=1)
    rules: Rules
    secret: Secret
    actions_agregees: ActionsAgregees = ActionsAgregees()
    communication: Communication = Communication()
    conventions: list[Convention]
    ranking: Ranking
    scales: dict[str, Scale] = {}
    scale: float = Field(default=1.0, gt=0, le=1)
    sha256: str = ""

    @model_validator(mode="after")
    def _references(self) -> Plan:
        phase_codes = [p.code for p in self.phases]
        if len(set(phase_codes)) != len(phase_codes):
            raise ValueError("deux phases portent le même code")
        if "taux_realisation" not in self.scales:
            raise ValueError(
                "scales.taux_realisation manquant : l'échelle de couleurs du taux de réalisation "
                "(bornes des classes et légende) doit être déclarée"
            )
        regions = [c.region for c in self.conventions]
        if len(set(regions)) != len(regions):
            raise ValueError("deux conventions portent sur la même région")
        for conv in self.conventions:
            for target in conv.targets:
                if target.phase not in phase_codes:
                    raise ValueError(
                        f"convention {conv.region} : phase inconnue « {target.phase} » "
                        f"(phases déclarées : {', '.join(phase_codes)})"
                    )
            outside = sorted(
                set(conv.counted_financeurs or ()) - set(self.rules.counted_financeurs)
            )
            if outside:
                raise ValueError(
                    f"convention {conv.region} : financeurs {', '.join(map(str, outside))} hors "
                    "des financeurs comptés par le plan (rules.counted_financeurs)"
                )
        return self

    def phase(self, code: str) -> Phase:
        for phase in self.phases:
            if phase.code == code:
                return phase
        known = ", ".join(p.code for p in self.phases)
        raise KeyError(f"phase inconnue « {code} » (phases du plan : {known})")

    def convention(self, region: str) -> Convention | None:
        return next((c for c in self.conventions if c.region == region), None)

    def restricted_scopes(self) -> dict[str, list[int]]:
        """The regions whose convention counts fewer financeurs than the plan, and those."""
        return {
            c.region: c.counted_financeurs
            for c in self.conventions
            if c.counted_financeurs is not None
            and set(c.counted_financeurs) != set(self.rules.counted_financeurs)
        }

    def scaled_targets(self) -> Plan:
        """The plan with every target multiplied by `scale` (rounded), for a simulated store whose
        files are `scale` times the real size: rates and ranks then read as at full size."""
        if self.scale == 1:
            return self

        def shrink(target: Target) -> Target:
            baseline = round(target.declared_baseline * self.scale)
            additional = round(target.additional_entries * self.scale)
            return target.model_copy(
                update={
                    "declared_baseline": baseline,
                    "additional_entries": additional,
                    "total_entries": baseline + additional,
                    "places": None if target.places is None else round(target.places * self.scale),
                    "budget_eur": None
                    if target.budget_eur is None
                    else round(target.budget_eur * self.scale),
                }
            )

        conventions = [
            c.model_copy(update={"targets": [shrink(t) for t in c.targets]})
            for c in self.conventions
        ]
        return self.model_copy(update={"conventions": conventions})
