"""Store and ingest commands: `jalon init`, `jalon import`, `jalon profils`."""

from __future__ import annotations

import json
from pathlib import Path
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
from jalon.ingest import import_file
from jalon.ingest.pseudonymise import key_from_env
from jalon.plan import load_plan
from jalon.report import text as render
from jalon.sources import builtin_profiles, load_profile
from jalon.store import default_db_path


@app.command("init")
def init(db: DbOption = None) -> None:
    """Crée la base (ou la met à jour) ; sans effet si elle est déjà à jour."""
    path = db or default_db_path()
    with user_errors(), store(path) as con:
        version = con.execute("SELECT max(version) FROM schema_version").fetchone()
    console.print(f"Base {path} prête (schéma n° {version[0] if version else 0}).")


@app.command("import")
def import_command(
    profil: Annotated[str, typer.Argument(help="Profil du fichier (voir « jalon profils »).")],
    fichier: Annotated[Path, typer.Argument(help="Fichier à importer.")],
    db: DbOption = None,
    plan: PlanOption = None,
    essai: Annotated[
        bool, typer.Option("--essai", help="Contrôler le fichier sans rien écrire.")
    ] = False,
    format: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.texte,
) -> None:
    """Importe un fichier de stagiaires : chaque ligne est acceptée, rejetée ou doublon."""
    with user_errors():
        the_plan = load_plan(plan)
        profiles = builtin_profiles()
        chosen = load_profile(Path(profil)) if profil.endswith(".toml") else profiles.get(profil)
        if chosen is None:
            fail(f"profil inconnu « {profil} » (profils : {', '.join(sorted(profiles))})")
        key = key_from_env()
        with store(db) as con, console.status("Import en cours…"):
            summary = import_file(
                con,
                fichier,
                chosen,
                the_plan,
                key,
                dry_run=essai,
                step=lambda msg: console.log(msg) if console.is_terminal else None,
            )
    if format is OutputFormat.json:
        console.print_json(json.dumps(summary.as_dict()))
    else:
        console.print(render.import_summary(summary))


@app.command("profils")
def profils() -> None:
    """Liste les profils de fichiers intégrés."""
    for profile in builtin_profiles().values():
        layouts = ", ".join(f"{lay.name} ({len(lay.columns)} colonnes)" for lay in profile.layouts)
        console.print(f"[bold]{profile.name}[/] : {profile.label} — dispositions {layouts}")
