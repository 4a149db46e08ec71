"""`jalon opendata`: the open data set of a phase (`jalon.export.opendata`) written to a folder.

Reads the store (read only), builds the public tables through the same secrecy as the public
bilan, and writes each as CSV and Parquet with its `datapackage.json`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jalon.cli.bilan_commands import AuOption, au_date
from jalon.cli.common import (
    DbOption,
    PhaseOption,
    PlanOption,
    app,
    console,
    fail,
    plan_for,
    plan_phase,
    store,
    user_errors,
)

PACKAGE = "datapackage.json"


def write_package(files: dict[str, bytes], sortie: Path) -> None:
    """Write the files into `sortie`: a new or empty folder, or an earlier open data set."""
    if sortie.exists() and not sortie.is_dir():
        fail(f"{sortie} existe et n'est pas un dossier.")
    if sortie.is_dir() and any(sortie.iterdir()) and not (sortie / PACKAGE).is_file():
        fail(
            f"le dossier {sortie} n'est pas vide et ne contient pas de jeu de données ouvertes "
            f"({PACKAGE}) : indiquez un dossier absent, vide ou un jeu précédent à remplacer."
        )
    try:
        sortie.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            (sortie / name).write_bytes(content)
    except OSError as exc:
        fail(f"impossible d'écrire dans {sortie} : {exc.strerror}.")


@app.command("opendata")
def opendata(
    phase: PhaseOption,
    sortie: Annotated[
        Path,
        typer.Option("--sortie", help="Dossier du jeu de données (absent, vide ou jeu précédent)."),
    ],
    db: DbOption = None,
    plan: PlanOption = None,
    au: AuOption = None,
) -> None:
    """Écrit le jeu de données ouvertes d'une phase : agrégats publics (secret statistique) en
    CSV et Parquet, décrits par un datapackage.json (Frictionless), sous Licence Ouverte 2.0."""
    from jalon.export.opendata import Release, national_cutoff, open_tables, package_files
    from jalon.indicators import compute_all_bilans
    from jalon.report.version import data_version

    day = au_date(au)
    with user_errors():
        the_plan = plan_for(db, plan)
        code = plan_phase(the_plan, phase)
        with store(db, read_only=True) as con:
            every = compute_all_bilans(con, the_plan, code, day)
            version = data_version(con, the_plan)
    last = version.as_of if version.imports else None
    files = package_files(
        open_tables(every, the_plan, code),
        Release(the_plan, code, version.code, last, national_cutoff(every)),
    )
    write_package(files, sortie)
    tables = sum(name.endswith(".csv") for name in files)
    console.print(
        f"Jeu de données ouvertes écrit : {sortie} ({tables} tables en CSV et Parquet, "
        f"{PACKAGE}, version des données {version.code}).",
        highlight=False,
    )
