"""Terminal rendering (Rich) of a bilan, in French: pure, no I/O."""

from __future__ import annotations

from rich.table import Table

from jalon.formatting import ecart, valeur
from jalon.indicators import REGISTRY, Bilan
from jalon.plan import Plan
from jalon.reference import region as region_of


def _territory(bilan: Bilan) -> str:
    return "France entière" if bilan.region is None else region_of(bilan.region).nom


def bilan_table(bilan: Bilan, plan: Plan) -> Table:
    phase = plan.phase(bilan.phase)
    table = Table(
        title=f"{plan.name} — {_territory(bilan)} — {phase.label}",
        title_justify="left",
    )
    table.add_column("Indicateur")
    table.add_column("Valeur", justify="right")
    table.add_column("Précision", style="dim")
    for figure in bilan.figures:
        if figure.code.startswith("entrees_supplementaires"):
            shown = ecart(None if figure.value is None else int(figure.value))
        else:
            shown = valeur(figure.value, REGISTRY[figure.code].unit)
        table.add_row(figure.label, shown, figure.note or "")
    return table
