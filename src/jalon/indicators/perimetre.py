"""Each convention's counting scope: the realisation rate on it, its wording, and the checks of
a declaration against the measured entries.

A convention counts toward its target the entries of the financeurs it declares
(`counted_financeurs` in the plan file; the plan's set by default). `realisation` is the rate
rule of the plan applied to the entries of that scope (`definitions.scope_counts`), used by the
bilan; `scope_note` says which scope a figure is counted on; `declaration_checks` runs on the
DuckDB store (read only) and lists the conventions whose rate is above `RATE_CEILING` or whose
target is below the reference entries of its own scope: most likely a declaration error (a
target counted on one funder, compared with all of them), shown in the data-quality view.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import ibis

from jalon.formatting import nombre, pourcentage
from jalon.indicators import definitions as d
from jalon.indicators import marts
from jalon.plan import Plan
from jalon.reference import financeurs
from jalon.reference import region as region_of

RATE_CEILING = 1.2


def realisation(
    plan: Plan, entries: int, reference: int, target_add: int | None, target_total: int | None
) -> tuple[float | None, str]:
    """The realisation rate by the plan's rule, on entries of the convention's scope, and the
    rule in words."""
    if plan.rules.realisation == "entrees":
        rate = entries / target_total if target_total else None
        return rate, "entrées / objectif total"
    rate = (entries - reference) / target_add if target_add else None
    return rate, "entrées supplémentaires / objectif supplémentaire"


def _funders(codes: list[int]) -> str:
    labels = financeurs(court=True)
    names = [labels.get(code, str(code)) for code in codes]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]


def scope_note(plan: Plan, region: str | None) -> str | None:
    """« objectif compté sur les entrées financées par Pôle emploi » for a region whose
    convention restricts its scope; for the nation, which regions do; None otherwise."""
    restricted = plan.restricted_scopes()
    if region is not None:
        codes = restricted.get(region)
        return (
            None
            if codes is None
            else f"objectif compté sur les entrées financées par {_funders(codes)}"
        )
    if not restricted:
        return None
    parts = [
        f"{region_of(code).nom} : entrées financées par {_funders(codes)}"
        for code, codes in sorted(restricted.items())
    ]
    return "objectif compté sur le périmètre de chaque convention (" + " ; ".join(parts) + ")"


@dataclass(frozen=True)
class DeclarationCheck:
    """A convention whose declared target disagrees with the measured entries of its scope."""

    region: str
    label: str
    phase: str
    message: str


def declaration_checks(
    con: duckdb.DuckDBPyConnection, plan: Plan, phase_code: str
) -> list[DeclarationCheck]:
    """The conventions of the phase with a rate above `RATE_CEILING`, or a target of total
    entries below the reference entries of their scope (read only)."""
    phase = plan.phase(phase_code)
    name, temporary = marts.mart_table(con, plan)
    try:
        backend = ibis.duckdb.from_connection(con)
        rows = d.scope_counts(backend.table(name), phase, plan, None).to_pyarrow().to_pylist()
    finally:
        if temporary:
            con.execute(f'DROP TABLE IF EXISTS temp."{name}"')
    measured = {r["region"]: (int(r["entrees"] or 0), int(r["reference"] or 0)) for r in rows}
    checks = []
    for conv in plan.conventions:
        target = conv.target(phase.code)
        if target is None or conv.region not in measured:
            continue
        entries, reference = measured[conv.region]
        rate, _ = realisation(
            plan, entries, reference, target.additional_entries, target.total_entries
        )
        label = region_of(conv.region).nom
        scope = scope_note(plan, conv.region) or "objectif compté sur les financeurs du plan"
        estimated = " (objectif estimé)" if target.is_estimated(plan.rules.target_figure) else ""
        total_estimated = " (objectif estimé)" if target.is_estimated("total_entries") else ""
        if rate is not None and rate > RATE_CEILING:
            checks.append(
                DeclarationCheck(
                    conv.region,
                    label,
                    phase.code,
                    f"taux de réalisation de {pourcentage(rate, 1)}, au-delà de "
                    f"{pourcentage(RATE_CEILING)}{estimated} : objectif ou périmètre de la "
                    f"convention probablement mal déclaré ({scope})",
                )
            )
        if target.total_entries < reference:
            checks.append(
                DeclarationCheck(
                    conv.region,
                    label,
                    phase.code,
                    f"objectif de {nombre(target.total_entries)} entrées{total_estimated} "
                    f"inférieur aux {nombre(reference)} entrées de la période de référence : "
                    f"objectif ou périmètre de la convention probablement mal déclaré ({scope})",
                )
            )
    return checks
