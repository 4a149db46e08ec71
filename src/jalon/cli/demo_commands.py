"""`jalon demo`: the README's main command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jalon.cli.common import app, console, user_errors


@app.command("demo")
def demo(
    db: Annotated[
        Path | None,
        typer.Option("--db", help="Base à créer (défaut : un dossier temporaire)."),
    ] = None,
) -> None:
    """Simule des fichiers réalistes, les importe et affiche le bilan de l'Occitanie."""
    from jalon.demo import run_demo

    with user_errors():
        run_demo(console, db)
