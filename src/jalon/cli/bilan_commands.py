"""Indicator commands: `jalon bilan`, `jalon indicateurs`."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from jalon.cli.common import (
    DbOption,
    OutputFormat,
    PlanOption,
    app,
    console,
    fail,
    store,
    user_errors,
)
from jalon.indicators import compute_bilan, registry
from jalon.plan import load_plan
from jalon.report import text as render


@app.command("bilan")
def bilan(
    phase: Annotated[str, typer.Option("--phase", help="Phase du plan, ex. 2016 ou 2017S1.")],
    region: Annotated[
        str | None, typer.Option("--region", help="Code INSEE de la région, ex. 76.")
    ] = None,
    national: Annotated[bool, typer.Option("--national", help="Bilan national.")] = False,
    db: DbOption = None,
    plan: PlanOption = None,
    format: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.texte,
) -> None:
    """Affiche le bilan d'une phase pour une région ou pour la France entière."""
    if (region is None) == (not national):
        fail("indiquez soit --region CODE, soit --national.")
    with user_errors():
        the_plan = load_plan(plan)
        with store(db, read_only=True) as con:
            result = compute_bilan(con, the_plan, phase, None if national else region)
    if format is OutputFormat.json:
        console.print_json(json.dumps(result.as_dict()))
    else:
        console.print(render.bilan_table(result, the_plan))


@app.command("indicateurs")
def indicateurs(
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Écrire la page docs/indicateurs.md.")
    ] = False,
) -> None:
    """Liste les indicateurs et leur définition (registre)."""
    if markdown:
        typer.echo(registry.markdown())
        return
    for ind in registry.INDICATORS:
        console.print(f"[bold]{ind.code}[/] — {ind.label}\n  {ind.definition}\n")
