"""Store and ingest commands: `jalon init`, `import`, `profils`, `imports`, `rejets`.

Thin wrappers over `jalon.ingest`: they open the store, call one function and render its result
with Rich (a progress bar only on a terminal; a plain summary otherwise).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from jalon.cli.common import (
    DbOption,
    OutputFormat,
    PlanOption,
    app,
    console,
    fail,
    plan_for,
    store,
    user_errors,
)
from jalon.formatting import nombre
from jalon.ingest import ImportSummary, import_file
from jalon.ingest import history as hist
from jalon.ingest.batch import BatchFile, import_batch
from jalon.ingest.pseudonymise import key_from_env
from jalon.ingest.reasons import reason_label
from jalon.plan import Plan
from jalon.sources import (
    USER_PROFILES_ENV,
    Profile,
    all_profiles,
    find_profile,
    user_profiles_folder,
)
from jalon.store import default_db_path
from jalon.web.client import server_for


@app.command("init")
def init(db: DbOption = None) -> None:
    """Crée la base (ou la met à jour) ; sans effet si elle est déjà à jour."""
    path = db or default_db_path()
    with user_errors(), store(path) as con:
        version = con.execute("SELECT max(version) FROM schema_version").fetchone()
    console.print(f"Base {path} prête (schéma n° {version[0] if version else 0}).")


class _Bar:
    """A Rich progress bar per import phase: lines, lines per second, time left."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, phase: str, fraction: float, lines: int) -> None:
        total = max(lines, 1)
        if phase not in self.tasks:
            self.tasks[phase] = self.progress.add_task(phase, total=total)
        self.progress.update(self.tasks[phase], completed=round(fraction * total), total=total)


class _LinesColumn(ProgressColumn):
    """Lines done (DuckDB's progress × the estimated line count) and lines per second."""

    def render(self, task: Task) -> Text:
        rate = f"  {nombre(round(task.speed))} lignes/s" if task.speed else ""
        return Text(f"{nombre(int(task.completed))} lignes{rate}")


def _split_arguments(arguments: list[str], profil: str | None) -> tuple[Profile, list[Path]]:
    if profil is not None:
        if not arguments:
            fail("avec --profil, indiquez au moins un FICHIER.")
        return find_profile(profil), [Path(a) for a in arguments]
    if len(arguments) < 2:
        fail("indiquez PROFIL FICHIER… (ou --profil FICHIER.toml FICHIER…).")
    return find_profile(arguments[0]), [Path(a) for a in arguments[1:]]


def summary_table(summary: ImportSummary) -> Table:
    if summary.dry_run:
        title = f"Contrôle de {summary.file_name} (essai, rien n'a été écrit)"
    else:
        title = f"Import n° {summary.import_id} : {summary.file_name}"
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("Profil", f"{summary.profile} (disposition {summary.layout})")
    table.add_row("Fichier", summary.input_kind)
    table.add_row("Encodage", summary.encoding)
    if summary.replaces is not None:
        table.add_row("Remplace", f"l'import n° {summary.replaces}")
    table.add_row("Lignes lues", nombre(summary.lines_read))
    table.add_row("  acceptées", nombre(summary.accepted))
    table.add_row("  rejetées", nombre(summary.rejected))
    table.add_row("  doublons", nombre(summary.duplicates))
    for reason, count in summary.rejects_by_reason.items():
        table.add_row(f"    dont {reason_label(reason)}", nombre(count))
    if summary.durations:
        table.add_row("Durée", f"{nombre(sum(summary.durations.values()), 1)} s")
        for name, seconds in summary.durations.items():
            table.add_row(f"  {name[0].lower()}{name[1:]}", f"{nombre(seconds, 1)} s")
    return table


@app.command("import")
def import_command(
    arguments: Annotated[
        list[str],
        typer.Argument(
            metavar="PROFIL FICHIER…",
            help="Profil (voir « jalon profils ») et un ou plusieurs fichiers ; plusieurs "
            "fichiers sont importés en une série : tous ou aucun.",
        ),
    ],
    profil: Annotated[
        str | None,
        typer.Option("--profil", help="Fichier de profil (TOML) à utiliser au lieu d'un nom."),
    ] = None,
    remplace: Annotated[
        int | None,
        typer.Option("--remplace", help="Numéro d'un import du même profil que celui-ci remplace."),
    ] = None,
    db: DbOption = None,
    plan: PlanOption = None,
    essai: Annotated[
        bool, typer.Option("--essai", help="Contrôler le fichier sans rien écrire.")
    ] = False,
    format: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.texte,
) -> None:
    """Importe un ou plusieurs fichiers : chaque ligne est acceptée, rejetée ou doublon."""
    with user_errors():
        chosen, fichiers = _split_arguments(arguments, profil)
        if len(fichiers) > 1 and (essai or remplace is not None):
            fail("--essai et --remplace s'appliquent à un seul fichier.")
        the_plan = plan_for(db, plan)
        key = key_from_env() if chosen.format != "lheo" else b""
        if (server := server_for(db or default_db_path())) is not None:
            fail(server.refusal(db or default_db_path()))
        with store(db) as con:
            if len(fichiers) > 1:
                summaries = _import_series(con, fichiers, chosen, the_plan, key)
            elif console.is_terminal and format is OutputFormat.texte:
                with Progress(
                    TextColumn("{task.description}"),
                    BarColumn(),
                    _LinesColumn(),
                    TimeRemainingColumn(),
                    console=console,
                    transient=True,
                ) as progress:
                    summaries = [
                        import_file(
                            con,
                            fichiers[0],
                            chosen,
                            the_plan,
                            key,
                            dry_run=essai,
                            replaces=remplace,
                            report=_Bar(progress),
                        )
                    ]
            else:
                summaries = [
                    import_file(
                        con, fichiers[0], chosen, the_plan, key, dry_run=essai, replaces=remplace
                    )
                ]
    if format is OutputFormat.json:
        found = [s.as_dict() for s in summaries]
        console.print_json(json.dumps(found[0] if len(found) == 1 else found))
        return
    for summary in summaries:
        console.print(summary_table(summary))
        if summary.rejected and summary.import_id is not None:
            console.print(
                f"Lignes rejetées : « jalon rejets {summary.import_id} » (ou --csv FICHIER "
                "pour les renvoyer au financeur)."
            )
    if len(summaries) > 1:
        console.print(
            f"{len(summaries)} fichiers importés en une série : "
            f"{nombre(sum(s.lines_read for s in summaries))} lignes lues = "
            f"{nombre(sum(s.accepted for s in summaries))} acceptées + "
            f"{nombre(sum(s.rejected for s in summaries))} rejetées + "
            f"{nombre(sum(s.duplicates for s in summaries))} doublons."
        )


def _import_series(
    con: duckdb.DuckDBPyConnection, files: list[Path], profile: Profile, plan: Plan, key: bytes
) -> list[ImportSummary]:
    """Several files of one profile, imported as one series (all or nothing)."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("Import", total=len(files))
        return import_batch(
            con,
            [BatchFile(path, profile) for path in files],
            plan,
            key,
            on_file=lambda item, _s: progress.update(task, advance=1, description=item.path.name),
            step=lambda message: progress.update(task, description=message),
        )


@app.command("profils")
def profils() -> None:
    """Liste les profils de fichiers : intégrés, puis ceux du dossier $JALON_PROFILS."""
    with user_errors():
        profiles = all_profiles()
    table = Table(title="Profils de fichiers", title_justify="left")
    table.add_column("Profil", style="bold")
    table.add_column("Description")
    table.add_column("Dispositions")
    table.add_column("Table")
    table.add_column("Origine")
    for profile in profiles.values():
        layouts = ", ".join(f"{lay.name} ({len(lay.columns)} col.)" for lay in profile.layouts)
        table.add_row(
            profile.name,
            profile.label,
            layouts or "XML",
            profile.target or "offre LHEO",
            Path(profile.source).name if profile.source != "intégré" else profile.source,
        )
    console.print(table)
    folder = user_profiles_folder()
    if folder is not None:
        console.print(f"Profils personnels lus dans {folder}", soft_wrap=True)
    else:
        console.print(
            f"Profils personnels : définissez {USER_PROFILES_ENV}=DOSSIER (fichiers *.toml), "
            "ou utilisez « jalon import --profil FICHIER.toml FICHIER »."
        )


IMPORTS_SHOWN = 20


@app.command("imports")
def imports_command(
    derniers: Annotated[
        int | None,
        typer.Option(
            "--derniers",
            min=0,
            help=f"Nombre d'imports montrés, les plus récents (défaut : {IMPORTS_SHOWN} en "
            "texte, tous en JSON ; 0 : tous).",
        ),
    ] = None,
    db: DbOption = None,
    format: Annotated[OutputFormat, typer.Option("--format", help="texte ou json.")] = (
        OutputFormat.texte
    ),
) -> None:
    """Historique des imports de la base, remplacés compris, les plus récents en dernier."""
    with user_errors(), store(db, read_only=True) as con:
        records = hist.imports(con)
    if derniers is None:
        derniers = 0 if format is OutputFormat.json else IMPORTS_SHOWN
    older = max(0, len(records) - derniers) if derniers else 0
    records = records[older:]
    if format is OutputFormat.json:
        console.print_json(json.dumps([r.__dict__ for r in records], default=str))
        return
    table = Table(title="Imports", title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("N°", justify="right", no_wrap=True)
    # The file name is what users look for: folded onto several lines, never cut.
    table.add_column("Fichier (profil)", overflow="fold", min_width=12)
    table.add_column("Date", justify="right", min_width=8)
    for name in ("Lues", "Acceptées", "Rejetées", "Doublons"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("État", min_width=8)
    for r in records:
        state = "actif"
        if r.status == "remplace":
            state = f"remplacé par n° {r.replaced_by}" if r.replaced_by else "remplacé"
        elif r.replaces is not None:
            state = f"actif (remplace n° {r.replaces})"
        table.add_row(
            str(r.import_id),
            Text.assemble(r.file_name, "\n", (f"({r.profile})", "dim")),
            f"{r.finished_at:%d/%m/%y %H:%M}",
            nombre(r.lines_read),
            nombre(r.accepted),
            nombre(r.rejected),
            nombre(r.duplicates),
            state,
        )
    console.print(table)
    if older:
        plural = "s" if older > 1 else ""
        console.print(
            f"… {nombre(older)} import{plural} plus ancien{plural} : --derniers 0 pour tout voir.",
            highlight=False,
        )


@app.command("rejets")
def rejets_command(
    import_id: Annotated[int, typer.Argument(metavar="IMPORT", help="Numéro de l'import.")],
    csv: Annotated[
        Path | None,
        typer.Option("--csv", help="Exporter toutes les lignes rejetées dans ce fichier CSV."),
    ] = None,
    limite: Annotated[int, typer.Option("--limite", help="Lignes affichées au plus.")] = 50,
    db: DbOption = None,
) -> None:
    """Montre les lignes rejetées d'un import (ligne, colonne, motif, valeur)."""
    with user_errors(), store(db, read_only=True) as con:
        record = hist.get_import(con, import_id)
        if csv is not None:
            written = hist.write_rejections_csv(con, import_id, csv)
            console.print(f"{nombre(written)} rejets de l'import n° {import_id} écrits dans {csv}.")
            return
        total = hist.count_rejections(con, import_id)
        rows = hist.rejections(con, import_id, limit=limite)
    table = Table(
        title=f"Rejets de l'import n° {import_id} ({record.file_name}) : {nombre(total)}",
        title_justify="left",
    )
    table.add_column("Ligne", justify="right")
    table.add_column("Colonne")
    table.add_column("Motif")
    table.add_column("Valeur")
    for r in rows:
        table.add_row(nombre(r.line), r.column or "—", r.message, r.value or "")
    console.print(table)
    if total > len(rows):
        console.print(
            f"{nombre(total - len(rows))} autres : --limite N pour en voir plus, "
            "--csv FICHIER pour tout exporter."
        )
