"""Simulation commands: `jalon simulation` (write a simulated data set) and `jalon demo`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from jalon.cli.common import app, console, fail, user_errors


@app.command("simulation")
def simulation(
    sortie: Annotated[Path, typer.Option("--sortie", help="Dossier où écrire les fichiers.")],
    echelle: Annotated[
        float,
        typer.Option(
            "--echelle", help="Taille relative au vrai plan 2016 (1 : ≈ 1 million d'entrées)."
        ),
    ] = 0.02,
    graine: Annotated[
        int, typer.Option("--graine", help="Graine : mêmes paramètres, mêmes fichiers.")
    ] = 2016,
) -> None:
    """Écrit, pour chaque région, les fichiers simulés que reçoit un déploiement réel."""
    from jalon.simulate import simulate

    if not 0 < echelle <= 1:
        fail("--echelle doit être comprise entre 0 (exclu) et 1.")
    with Progress(
        TextColumn("[bold]Simulation[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=None)

        def report(message: str, done: int, total: int) -> None:
            progress.update(task, description=message, completed=done, total=total)

        manifest = simulate(sortie, scale=echelle, seed=graine, progress=report)
    console.print(
        f"{len(manifest.files)} fichiers écrits dans {manifest.root} "
        f"(liste et ordre d'import : {manifest.root / 'manifest.json'})."
    )


@app.command("demo")
def demo(
    db: Annotated[
        Path | None,
        typer.Option("--db", help="Base à créer (défaut : un dossier temporaire)."),
    ] = None,
    serveur: Annotated[
        bool | None,
        typer.Option(
            "--serveur/--sans-serveur",
            help="Servir ensuite le tableau de bord (défaut : oui dans un terminal).",
        ),
    ] = None,
    port: Annotated[
        int, typer.Option("--port", help="Premier port essayé pour le tableau de bord.")
    ] = 8000,
) -> None:
    """Simule les 18 régions, les importe, écrit le bilan de l'Occitanie et sert le tableau de bord.

    Les fichiers simulés sont ceux que reçoit un déploiement réel ; le tableau de bord est servi
    sur la machine."""
    from jalon.demo import run_demo

    with user_errors():
        path = run_demo(console, db)
    if not (sys.stdin.isatty() if serveur is None else serveur):
        console.print(f"Tableau de bord : jalon serveur --db {path} --http-local")
        return
    from jalon.web.server import free_port, serve

    host = "127.0.0.1"
    with user_errors():
        serve(
            path,
            Path(f"{path}.plan.toml"),
            host,
            free_port(host, port),
            https_only=False,
            announce=lambda url: console.print(
                f"[bold]Tableau de bord : {url}[/] (sur cette machine ; Ctrl+C pour arrêter)."
            ),
        )
