"""Web commands: `jalon serveur` and `jalon utilisateurs ajouter|lister|supprimer`."""

from __future__ import annotations

import os
import sys
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.table import Table

from jalon.cli.common import (
    DbOption,
    PlanOption,
    app,
    console,
    fail,
    region_code,
    store,
    store_plan_path,
    user_errors,
)
from jalon.reference import region as region_of
from jalon.store import default_db_path

utilisateurs = typer.Typer(help="Gère les comptes de l'application web.", no_args_is_help=True)
app.add_typer(utilisateurs, name="utilisateurs")


def _store_plan(db: Path) -> Path | None:
    beside = store_plan_path(db)
    return beside if beside.is_file() else None


@app.command("serveur")
def serveur(
    hote: Annotated[str, typer.Option("--hote", help="Adresse d'écoute.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port d'écoute.")] = 8000,
    db: DbOption = None,
    plan: PlanOption = None,
    http: Annotated[
        bool,
        typer.Option(
            "--http-local",
            help="Cookies de session sans l'attribut Secure (essais en HTTP sur la machine).",
        ),
    ] = False,
) -> None:
    """Lance l'application web ; le serveur tient la base tant qu'il tourne."""
    from jalon.web.server import serve

    path = db or default_db_path()
    with user_errors():
        serve(
            path,
            plan if plan is not None else _store_plan(path),
            hote,
            port,
            https_only=not http,
            announce=lambda url: console.print(
                f"Jalon sert la base {path} sur {url} (Ctrl+C pour arrêter)."
            ),
            warn=lambda message: console.print(f"[bold yellow]{message}[/]"),
        )


@utilisateurs.command("ajouter")
def ajouter(
    identifiant: Annotated[str, typer.Argument(help="Identifiant du compte.")],
    role: Annotated[str, typer.Option("--role", help="national ou regional.")],
    region: Annotated[
        str | None,
        typer.Option(
            "--region",
            help="Région du compte régional : code INSEE ou nom (76, occitanie…).",
            callback=region_code,
        ),
    ] = None,
    mot_de_passe: Annotated[
        str | None,
        typer.Option(
            "--mot-de-passe-env",
            help="Nom d'une variable d'environnement qui contient le mot de passe "
            "(sinon il est demandé).",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Crée un compte (mot de passe haché par argon2, jamais enregistré en clair)."""
    from jalon.web.accounts import AccountError, add_user

    password = os.environ.get(mot_de_passe, "") if mot_de_passe else None
    if mot_de_passe and not password:
        fail(f"la variable d'environnement {mot_de_passe} est vide ou absente.")
    if password is None:
        password = _ask_password()
    with user_errors(), _accounts_store(db) as con:
        try:
            user = add_user(con, identifiant, password, role, region)
        except AccountError as exc:
            fail(str(exc))
    console.print(f"Compte {user.label} créé.")


def _ask_password() -> str:
    """The password typed twice, without echo; Typer's own prompt would ask for confirmation in
    English."""
    first = _read_secret("Mot de passe : ")
    if not first:
        fail("le mot de passe est vide.")
    if _read_secret("Confirmez le mot de passe : ") != first:
        fail("les deux mots de passe saisis diffèrent ; relancez la commande.")
    return first


def _read_secret(prompt: str) -> str:
    """A line typed without echo on a terminal; from a pipe, the next line as is (`getpass` would
    warn in English that it cannot hide it)."""
    if sys.stdin.isatty():
        return console.input(prompt, password=True)
    return sys.stdin.readline().rstrip("\r\n")


@utilisateurs.command("lister")
def lister(db: DbOption = None) -> None:
    """Liste les comptes."""
    from jalon.web.accounts import list_users

    with user_errors(), _accounts_store(db) as con:
        users = list_users(con)
    if not users:
        console.print("Aucun compte.")
        return
    table = Table("Identifiant", "Rôle", "Région", "Créé le", box=None)
    for user in users:
        table.add_row(
            user.identifiant,
            "régional" if user.role == "regional" else user.role,
            f"{user.region} {region_of(user.region).nom}" if user.region else "toutes",
            f"{user.cree_le:%d/%m/%Y}" if user.cree_le else "–",
        )
    console.print(table)


@utilisateurs.command("supprimer")
def supprimer(
    identifiant: Annotated[str, typer.Argument(help="Identifiant du compte.")], db: DbOption = None
) -> None:
    """Supprime un compte ; ses sessions ouvertes cessent aussitôt."""
    from jalon.web.accounts import AccountError, delete_user

    with user_errors(), _accounts_store(db) as con:
        try:
            delete_user(con, identifiant)
        except AccountError as exc:
            fail(str(exc))
    console.print(f"Compte {identifiant} supprimé.")


def _accounts_store(db: Path | None) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
    from jalon.web.client import server_for

    path = db or default_db_path()
    if (running := server_for(path)) is not None:
        fail(
            f"la base {path} est tenue par le serveur Jalon ({running.url}) : arrêtez-le pour "
            "gérer les comptes."
        )
    return store(path)
