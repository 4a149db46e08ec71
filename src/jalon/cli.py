"""The `jalon` command line: thin Typer commands over the packages (French commands and messages).

Each command opens the store, calls one package function and renders its result; errors that a
user can fix (bad file, missing key, locked base) are printed in French without a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import duckdb
import typer
from rich.console import Console

from jalon.indicators import compute_bilan, registry
from jalon.ingest import IngestError, SecretError, import_file
from jalon.ingest.pseudonymise import key_from_env
from jalon.plan import PlanError, load_plan
from jalon.report import text as render
from jalon.sources import ProfileError, builtin_profiles, load_profile
from jalon.store import StoreError, default_db_path, open_store

app = typer.Typer(
    help="Jalon : pilotage et bilan d'un plan de formation des demandeurs d'emploi.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
console = Console()
errors = Console(stderr=True)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Fichier de la base DuckDB (défaut : $JALON_DB ou ./jalon.duckdb)."),
]
PlanOption = Annotated[
    Path | None, typer.Option("--plan", help="Fichier de déclaration du plan (TOML).")
]


class OutputFormat(StrEnum):
    texte = "texte"
    json = "json"


def fail(message: str) -> NoReturn:
    errors.print(f"[bold red]Erreur :[/] {message}", highlight=False)
    raise typer.Exit(code=2)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a user can act on into a French message and exit code 2."""
    try:
        yield
    except (IngestError, SecretError, StoreError, PlanError, ProfileError, KeyError) as exc:
        fail(str(exc.args[0]) if isinstance(exc, KeyError) else str(exc))


@contextmanager
def store(db: Path | None, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    con = open_store(db or default_db_path(), read_only=read_only)
    try:
        yield con
    finally:
        con.close()


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


@app.command("profils")
def profils() -> None:
    """Liste les profils de fichiers intégrés."""
    for profile in builtin_profiles().values():
        layouts = ", ".join(f"{lay.name} ({len(lay.columns)} colonnes)" for lay in profile.layouts)
        console.print(f"[bold]{profile.name}[/] : {profile.label} — dispositions {layouts}")


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
