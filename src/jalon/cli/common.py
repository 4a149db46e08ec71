"""What every `jalon` command shares: the Typer app, consoles, common options, error handling.

Commands live in one module per stage (`ingest_commands`, `bilan_commands`, …) and register
themselves on `app`; `jalon.cli` imports them all.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import duckdb
import typer
from rich.console import Console

from jalon.ingest import IngestError, SecretError
from jalon.plan import Plan, PlanError, load_plan
from jalon.reference import regions
from jalon.sources import ProfileError
from jalon.store import StoreError, default_db_path, open_store
from jalon.store.database import StoreLocked

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
    Path | None,
    typer.Option(
        "--plan",
        help="Fichier de déclaration du plan (TOML ; défaut : BASE.plan.toml s'il existe à côté "
        "de la base, sinon le plan livré par défaut avec Jalon).",
    ),
]

#: Customary abbreviations that are not names of the region.
REGION_ABBREVIATIONS = {"paca": "93", "idf": "11", "aura": "84", "bfc": "27", "cvl": "24"}


def _folded(text: str) -> str:
    """Case, accents, hyphens and apostrophes aside: « Île-de-France » → « ile de france »."""
    bare = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", " ", bare.casefold()).split()
    if words and words[0] in ("la", "le", "les"):
        words = words[1:]
    return " ".join(words)


def region_code(text: str | None) -> str | None:
    """The INSEE code of the region given by its code (`76`), its name in any case and with or
    without accents (« occitanie », « ile de france »), its 2016 provisional name or a customary
    abbreviation (« PACA »); a French error listing every region otherwise."""
    if text is None:
        return None
    key = _folded(text)
    for r in regions():
        if key in (r.code, r.code.lstrip("0"), _folded(r.nom), _folded(r.nom_2016 or r.nom)):
            return r.code
    if key in REGION_ABBREVIATIONS:
        return REGION_ABBREVIATIONS[key]
    listed = ", ".join(f"{r.code}\u00a0{r.nom}" for r in regions())
    raise typer.BadParameter(f"région inconnue « {text} ». Donnez son code ou son nom : {listed}.")


RegionOption = Annotated[
    str | None,
    typer.Option(
        "--region",
        help="Région : code INSEE (76) ou nom (Occitanie, « ile de france », PACA…).",
        callback=region_code,
    ),
]
RequiredRegionOption = Annotated[
    str,
    typer.Option(
        "--region", help="Région : code INSEE (76) ou nom (Occitanie…).", callback=region_code
    ),
]
PhaseOption = Annotated[
    str, typer.Option("--phase", help="Phase du plan, ex. 2016 ou 2017S1 (casse indifférente).")
]


def plan_phase(plan: Plan, text: str) -> str:
    """The code of the plan's phase `text` names, case aside (`2017s1` → `2017S1`)."""
    for phase in plan.phases:
        if phase.code.casefold() == text.strip().casefold():
            return phase.code
    listed = ", ".join(f"{p.code} ({p.label})" for p in plan.phases)
    fail(f"phase inconnue « {text} » ; phases du plan : {listed}.")


USER_ERRORS: tuple[type[Exception], ...] = (
    IngestError,
    SecretError,
    StoreError,
    PlanError,
    ProfileError,
    KeyError,
)


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
    except USER_ERRORS as exc:
        fail(str(exc.args[0]) if isinstance(exc, KeyError) else str(exc))


def store_plan_path(db: Path | None) -> Path:
    """Where a store keeps its own plan, if it has one (the demo's plan scaled to its data)."""
    return Path(f"{db or default_db_path()}.plan.toml")


def plan_for(db: Path | None, plan: Path | None) -> Plan:
    """The plan given with --plan, else the store's own plan beside it, else the default plan."""
    if plan is not None:
        return load_plan(plan)
    beside = store_plan_path(db)
    return load_plan(beside if beside.is_file() else None)


def _open_for_reading(path: Path) -> duckdb.DuckDBPyConnection:
    """The base read-only; while a server holds it (DuckDB lets one process write, or several
    read, never both), the server's snapshot of its last committed state instead."""
    from jalon.web.admin_client import snapshot
    from jalon.web.client import server_for

    if (server := server_for(path)) is not None:
        return open_store(snapshot(server, path), read_only=True)
    try:
        return open_store(path, read_only=True)
    except StoreLocked:
        # A server may have started between the check and the opening: ask it.
        if (server := server_for(path)) is None:
            raise
        return open_store(snapshot(server, path), read_only=True)


@contextmanager
def store(db: Path | None, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    path = db or default_db_path()
    con = _open_for_reading(path) if read_only else open_store(path)
    try:
        yield con
    finally:
        con.close()
