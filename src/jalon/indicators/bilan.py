"""The bilan of one phase for one region or the nation: the figures, built once per view.

`compute_bilan` runs the registry's definitions on the store and returns plain data (`Bilan`),
which the CLI, reports, web pages and exports render as text, HTML, JSON, CSV or PDF.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import ibis

from jalon.indicators.definitions import count_entries
from jalon.indicators.registry import REGISTRY
from jalon.plan import Plan


@dataclass(frozen=True)
class Figure:
    code: str
    value: float | int | None
    note: str | None = None

    @property
    def label(self) -> str:
        return REGISTRY[self.code].label


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    values: dict[str, float | int | None]


@dataclass(frozen=True)
class Breakdown:
    """A table of a bilan: one row per value of `dimension`, one column per measure code."""

    code: str
    label: str
    dimension: str
    columns: tuple[str, ...]
    rows: list[Row]

    def as_dict(self) -> dict[str, object]:
        return {
            "libelle": self.label,
            "dimension": self.dimension,
            "colonnes": list(self.columns),
            "lignes": [{"cle": r.key, "libelle": r.label, **r.values} for r in self.rows],
        }


@dataclass(frozen=True)
class Bilan:
    plan: str
    plan_sha256: str
    phase: str
    region: str | None
    figures: list[Figure] = field(default_factory=list)
    breakdowns: list[Breakdown] = field(default_factory=list)

    def value(self, code: str) -> float | int | None:
        return next(f.value for f in self.figures if f.code == code)

    def as_dict(self) -> dict[str, object]:
        return {
            "plan": self.plan,
            "plan_sha256": self.plan_sha256,
            "phase": self.phase,
            "region": self.region,
            "indicateurs": {
                f.code: {"libelle": f.label, "valeur": f.value, "note": f.note}
                for f in self.figures
            },
            "ventilations": {b.code: b.as_dict() for b in self.breakdowns},
        }


def _targets(
    plan: Plan, phase: str, region: str | None
) -> tuple[int | None, int | None, int | None, bool]:
    conventions = (
        plan.conventions if region is None else [c for c in plan.conventions if c.region == region]
    )
    targets = [t for c in conventions if (t := c.target(phase))]
    if not targets:
        return None, None, None, False
    return (
        sum(t.additional_entries for t in targets),
        sum(t.total_entries for t in targets),
        sum(t.declared_baseline for t in targets),
        any(t.estimated for t in targets),
    )


def compute_bilan(
    con: duckdb.DuckDBPyConnection, plan: Plan, phase_code: str, region: str | None
) -> Bilan:
    phase = plan.phase(phase_code)
    backend = ibis.duckdb.from_connection(con)
    entrees = backend.table("entrees")
    entries = int(backend.execute(count_entries(entrees, plan, region, phase.start, phase.end)))
    reference = int(
        backend.execute(
            count_entries(entrees, plan, region, phase.reference_start, phase.reference_end)
        )
    )
    additional = entries - reference
    target_add, target_total, baseline, estimated = _targets(plan, phase_code, region)
    estimated_note = "objectif estimé (valeur publique inconnue)" if estimated else None
    if plan.rules.realisation == "entrees":
        rate = entries / target_total if target_total else None
        rule = "entrées / objectif total"
    else:
        rate = additional / target_add if target_add else None
        rule = "entrées supplémentaires / objectif supplémentaire"
    figures = [
        Figure("entrees", entries),
        Figure("entrees_reference", reference),
        Figure("entrees_supplementaires", additional),
        Figure(
            "entrees_supplementaires_base_declaree",
            entries - baseline if baseline is not None else None,
            estimated_note,
        ),
        Figure("objectif_supplementaires", target_add, estimated_note),
        Figure("objectif_entrees", target_total, estimated_note),
        Figure("taux_realisation", rate, f"règle : {rule}"),
    ]
    return Bilan(plan.code, plan.sha256, phase_code, region, figures)
