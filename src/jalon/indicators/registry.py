"""The indicator registry: every figure Jalon publishes, declared once with its definition.

Reports, the web app and the exports read labels, units and definitions from here; the code that
computes each figure is named by `compute` (a function of `jalon.indicators.definitions`).
`docs/indicateurs.md` is generated from this registry (`jalon indicateurs --markdown`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Unit = Literal["entrées", "personnes", "places", "taux", "heures", "objectif"]


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    definition: str
    unit: Unit
    plan_setting: str | None = None
    dimensions: tuple[str, ...] = ()


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        code="entrees",
        label="Entrées en formation",
        definition=(
            "Nombre d'entrées en formation dont la date d'entrée tombe dans la phase et qui ont au "
            "moins un financeur compté par le plan. Une entrée est une personne entrant dans une "
            "session : une même session déclarée par deux sources ne compte qu'une fois, ses "
            "financeurs étant fusionnés. On compte des formations, pas des personnes."
        ),
        unit="entrées",
        plan_setting="rules.counted_financeurs",
        dimensions=("mois", "financeur", "departement"),
    ),
    Indicator(
        code="entrees_reference",
        label="Entrées de la période de référence",
        definition=(
            "Entrées comptées selon les mêmes règles sur la période de référence de la phase "
            "(les mêmes mois de 2015 pour le plan 500 000)."
        ),
        unit="entrées",
        plan_setting="phases.reference_start, phases.reference_end",
    ),
    Indicator(
        code="entrees_supplementaires",
        label="Entrées supplémentaires (mesurées)",
        definition=(
            "Entrées de la phase moins entrées de la période de référence, toutes deux mesurées "
            "dans les fichiers importés."
        ),
        unit="entrées",
    ),
    Indicator(
        code="entrees_supplementaires_base_declaree",
        label="Entrées supplémentaires (sur la base déclarée)",
        definition=(
            "Entrées de la phase moins la base de référence déclarée dans la convention régionale "
            "(60 000 en 2015 pour l'Occitanie, par exemple)."
        ),
        unit="entrées",
        plan_setting="conventions.targets.declared_baseline",
    ),
    Indicator(
        code="objectif_supplementaires",
        label="Objectif d'entrées supplémentaires",
        definition="Objectif d'entrées supplémentaires fixé par la convention pour la phase.",
        unit="objectif",
        plan_setting="conventions.targets.additional_entries",
    ),
    Indicator(
        code="objectif_entrees",
        label="Objectif total d'entrées",
        definition=(
            "Objectif total d'entrées de la convention pour la phase : base déclarée plus "
            "entrées supplémentaires."
        ),
        unit="objectif",
        plan_setting="conventions.targets.total_entries",
    ),
    Indicator(
        code="taux_realisation",
        label="Taux de réalisation",
        definition=(
            "Selon la règle déclarée par le plan : entrées de la phase rapportées à l'objectif "
            "total d'entrées (règle « entrees »), ou entrées supplémentaires mesurées rapportées à "
            "l'objectif d'entrées supplémentaires (règle « supplementaires »). La règle appliquée "
            "est affichée avec le taux."
        ),
        unit="taux",
        plan_setting="rules.realisation",
    ),
)

REGISTRY: dict[str, Indicator] = {indicator.code: indicator for indicator in INDICATORS}


def markdown() -> str:
    """The registry as the Markdown page `docs/indicateurs.md`."""
    lines = [
        "# Indicateurs",
        "",
        "Page générée à partir du registre des indicateurs (`src/jalon/indicators/registry.py`) "
        "par `jalon indicateurs --markdown` ; ne pas la modifier à la main.",
        "",
    ]
    for ind in INDICATORS:
        lines += [f"## {ind.label} (`{ind.code}`)", "", ind.definition, ""]
        lines.append(f"- Unité : {ind.unit}")
        if ind.plan_setting:
            lines.append(f"- Réglage du plan : `{ind.plan_setting}`")
        if ind.dimensions:
            lines.append(f"- Ventilations : {', '.join(ind.dimensions)}")
        lines.append("")
    return "\n".join(lines)
