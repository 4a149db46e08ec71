"""Store and ingest commands: `jalon init`, `import`, `profils`, `imports`, `rejets`,
`anomalies`.

Thin wrappers over `jalon.ingest`: they open the store, call one function and render its result
with Rich (a progress bar only on a terminal; a plain summary otherwise).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
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
    errors,
    fail,
    plan_for,
    store,
    user_errors,
)
from jalon.formatting import accord, effectif, nombre
from jalon.ingest import ImportSummary, import_file
from jalon.ingest import history as hist
from jalon.ingest.batch import BatchFile, import_batch
from jalon.ingest.detect import detect_profile
from jalon.ingest.inputs import prepared
from jalon.ingest.pseudonymise import key_from_env
from jalon.ingest.reasons import reason_label
from jalon.plan import Plan
from jalon.sources import (
    USER_PROFILES_ENV,
    Profile,
    all_profiles,
    builtin_profile_files,
    find_profile,
    match_header,
    normalise,
    user_profiles_folder,
)
from jalon.sources.header import requirement_label
from jalon.store import default_db_path, open_store
from jalon.web.admin_client import remote_import
from jalon.web.client import Server, server_for


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


def _lines_progress(shown: bool) -> Progress:
    """The bars of one file's import, phase by phase (drawn only when `shown`)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        _LinesColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not shown,
    )


def _split_arguments(
    arguments: list[str], profil: str | None, workdir: Path
) -> tuple[Profile, list[Path], bool]:
    """The profile and the files; the profile is recognised from the first file when the first
    argument names no profile (the third value says so)."""
    if profil is not None:
        if not arguments:
            fail("avec --profil, indiquez au moins un FICHIER.")
        return find_profile(profil), [Path(a) for a in arguments], False
    if not arguments:
        fail("indiquez FICHIER… ou PROFIL FICHIER… (« jalon profils » liste les profils).")
    profiles = all_profiles()
    if arguments[0] in profiles or arguments[0].endswith(".toml"):
        if len(arguments) < 2:
            fail(f"indiquez au moins un FICHIER après le profil {arguments[0]}.")
        return find_profile(arguments[0]), [Path(a) for a in arguments[1:]], False
    if not Path(arguments[0]).exists() and len(arguments) > 1:
        find_profile(arguments[0])  # a mistyped profile name: refused with the list
    files = [Path(a) for a in arguments]
    return detect_profile(files[0], profiles, workdir), files, True


def summary_table(summary: ImportSummary) -> Table:
    if summary.dry_run:
        title = f"Contrôle de {summary.file_name} (essai, rien n'a été écrit)"
    else:
        title = f"Import n° {summary.import_id} : {summary.file_name}"
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("Profil", summary.profile)
    table.add_row("Disposition", summary.layout)
    table.add_row("Fichier", summary.input_kind)
    table.add_row("Encodage", summary.encoding)
    if summary.replaces is not None:
        table.add_row("Remplace", f"l'import n° {summary.replaces}")
    table.add_row("Lignes lues", nombre(summary.lines_read))
    table.add_row("  acceptées", nombre(summary.accepted))
    if summary.with_anomalies:
        table.add_row("    dont avec anomalies", nombre(summary.with_anomalies))
        for reason, count in summary.anomalies_by_reason.items():
            table.add_row(f"      {reason_label(reason)}", nombre(count))
    table.add_row("  rejetées", nombre(summary.rejected))
    for reason, count in summary.rejects_by_reason.items():
        table.add_row(f"    dont {reason_label(reason)}", nombre(count))
    table.add_row("  doublons", nombre(summary.duplicates))
    if summary.durations:
        table.add_row("Durée", f"{nombre(sum(summary.durations.values()), 1)} s")
        for name, seconds in summary.durations.items():
            table.add_row(f"  {name[0].lower()}{name[1:]}", f"{nombre(seconds, 1)} s")
    return table


def ignored_warning(summary: ImportSummary) -> str | None:
    """The warning naming the columns nobody declared, dropped unread."""
    names = summary.ignored_columns
    if not names:
        return None
    count = len(names)
    plural = "s" if count > 1 else ""
    listed = ", ".join(names)
    return (
        f"Attention : {count} colonne{plural} non reconnue{plural}, ignorée{plural} (jamais "
        f"lue{plural}) : {listed}. Si l'une d'elles sert au comptage, déclarez-la dans un profil "
        "(docs/formats.md)."
    )


@app.command("import")
def import_command(
    arguments: Annotated[
        list[str],
        typer.Argument(
            metavar="[PROFIL] FICHIER…",
            help="Un ou plusieurs fichiers, précédés ou non de leur profil (voir « jalon "
            "profils ») : sans profil, il est reconnu d'après le fichier. Plusieurs fichiers "
            "sont importés en une série : tous ou aucun.",
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
        base = db or default_db_path()
        chosen, fichiers, detected = _split_arguments(arguments, profil, Path(f"{base}.tmp"))
        if detected and format is OutputFormat.texte:
            console.print(
                f"Profil reconnu d'après {fichiers[0].name} : {chosen.name} ({chosen.label})."
            )
        if len(fichiers) > 1 and (essai or remplace is not None):
            fail("--essai et --remplace s'appliquent à un seul fichier.")
        the_plan = plan_for(db, plan)
        if (server := server_for(base)) is not None:
            summaries = _import_through_server(server, base, chosen, fichiers, remplace, essai)
        else:
            key = key_from_env() if chosen.format != "lheo" else b""
            with store(db) as con:
                if len(fichiers) > 1:
                    summaries = _import_series(con, fichiers, chosen, the_plan, key)
                else:
                    # No bar, no progress polling either, when nobody watches a terminal.
                    shown = console.is_terminal and format is OutputFormat.texte
                    with _lines_progress(shown) as progress:
                        summaries = [
                            import_file(
                                con,
                                fichiers[0],
                                chosen,
                                the_plan,
                                key,
                                dry_run=essai,
                                replaces=remplace,
                                report=_Bar(progress) if shown else None,
                            )
                        ]
    if format is OutputFormat.json:
        found = [s.as_dict() for s in summaries]
        console.print_json(json.dumps(found[0] if len(found) == 1 else found))
        return
    for summary in summaries:
        console.print(summary_table(summary))
        warning = ignored_warning(summary)
        if warning:
            console.print(warning, style="yellow")
        if summary.with_anomalies and summary.import_id is not None:
            console.print(
                f"Anomalies (lignes gardées, valeur écartée) : « jalon anomalies "
                f"{summary.import_id} » (ou --csv FICHIER pour les renvoyer au financeur)."
            )
        if summary.rejected and summary.import_id is not None:
            console.print(
                f"Lignes rejetées : « jalon rejets {summary.import_id} » (ou --csv FICHIER "
                "pour les renvoyer au financeur)."
            )
    if len(summaries) > 1:
        console.print(
            f"{len(summaries)} fichiers importés en une série : "
            f"{effectif(sum(s.lines_read for s in summaries), 'ligne lue', 'lignes lues')} = "
            f"{effectif(sum(s.accepted for s in summaries), 'acceptée')} + "
            f"{effectif(sum(s.rejected for s in summaries), 'rejetée')} + "
            f"{effectif(sum(s.duplicates for s in summaries), 'doublon')}."
        )


def _import_through_server(
    server: Server,
    base: Path,
    chosen: Profile,
    fichiers: list[Path],
    remplace: int | None,
    essai: bool,
) -> list[ImportSummary]:
    """Have the server that holds the base import the files, in its own transaction."""
    payload = {
        "fichiers": [str(path.resolve()) for path in fichiers],
        "profil": chosen.source if chosen.source.endswith(".toml") else chosen.name,
        "remplace": remplace,
        "essai": essai,
        "auteur": os.environ.get("USER"),
    }
    errors.print(
        f"La base est tenue par le serveur Jalon ({server.url}) : l'import lui est confié."
    )
    with _lines_progress(console.is_terminal) as progress:
        found = remote_import(server, base, payload, _Bar(progress))
    return [ImportSummary(**summary) for summary in found]


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
def profils(
    verifier: Annotated[
        tuple[str, Path] | None,
        typer.Option(
            "--verifier",
            metavar="PROFIL FICHIER",
            help="Confronter un profil (nom ou fichier .toml) à un fichier : quelle colonne "
            "donne quel champ, ce qui manque, ce qui serait ignoré, et le résultat d'un essai "
            "d'import. Rien n'est écrit.",
        ),
    ] = None,
    copier: Annotated[
        str | None,
        typer.Option(
            "--copier",
            metavar="NOM",
            help="Copier le fichier d'un profil intégré (point de départ d'un profil à soi).",
        ),
    ] = None,
    sortie: Annotated[
        Path | None, typer.Option("--sortie", help="Fichier écrit par --copier (NOM.toml).")
    ] = None,
) -> None:
    """Liste les profils de fichiers : intégrés, puis ceux du dossier $JALON_PROFILS."""
    with user_errors():
        if verifier is not None:
            _check_profile(find_profile(verifier[0]), Path(verifier[1]))
            return
        if copier is not None:
            _copy_profile(copier, sortie or Path(f"{copier}.toml"))
            return
        profiles = all_profiles()
    table = Table(title="Profils de fichiers", title_justify="left")
    table.add_column("Profil", style="bold")
    table.add_column("Description")
    table.add_column("Champs lus")
    table.add_column("Table")
    table.add_column("Origine")
    for profile in profiles.values():
        fields = f"{len(profile.fields)} champs" if profile.fields else "XML"
        table.add_row(
            profile.name,
            profile.label,
            fields,
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
            "ou utilisez « jalon import --profil FICHIER.toml FICHIER ». Pour en écrire un : "
            "« jalon profils --copier pe-stagiaires », puis --verifier (docs/formats.md)."
        )


def _copy_profile(name: str, target: Path) -> None:
    files = builtin_profile_files()
    if name not in files:
        fail(f"profil intégré inconnu « {name} » (profils : {', '.join(sorted(files))}).")
    if target.exists():
        fail(f"{target} existe déjà : choisissez un autre nom avec --sortie.")
    target.write_text(files[name].read_text(encoding="utf-8"), encoding="utf-8")
    console.print(
        f"Profil {name} copié dans {target}. Changez-y « name », puis décrivez vos colonnes ; "
        f"vérifiez-le avec « jalon profils --verifier {target} FICHIER »."
    )


def _check_profile(profile: Profile, path: Path) -> None:
    """What `profile` reads from `path`, and a dry run on a scratch store (nothing kept)."""
    if profile.format != "delimited":
        fail(f"--verifier s'applique aux profils délimités ; {profile.name} est un profil XML.")
    if not path.is_file():
        fail(f"{path} : fichier introuvable.")
    workdir = Path(tempfile.mkdtemp(prefix="jalon-verif-"))
    try:
        with prepared(path, profile, workdir) as source:
            match = match_header(profile, source.text.header)
        table = Table(
            title=f"Profil {profile.name} sur {path.name} ({match.layout})", title_justify="left"
        )
        table.add_column("Champ")
        table.add_column("Colonne du fichier")
        table.add_column("Si la valeur est inutilisable")
        for field, spec in profile.fields.items():
            position = match.positions.get(field)
            column = match.header[position] if position is not None else None
            if field == "hash_personne" and column is None and match.local_id is not None:
                column = f"{match.header[match.local_id]} (identifiant local à cette source)"
            shown = column or ("absente : fichier refusé" if spec.required else "absente")
            effect = "ligne rejetée" if spec.severity == "reject" else "anomalie, ligne gardée"
            table.add_row(f"{spec.label}{' *' if spec.required else ''}", shown, effect)
        console.print(table)
        console.print("* champ obligatoire : sans lui, le comptage est impossible.")
        personal = [h for h in match.header if normalise(h) in _personal_keys(profile)]
        if personal:
            console.print(f"Données personnelles jamais lues : {', '.join(personal)}.")
        if match.ignored:
            console.print(
                f"Colonnes non reconnues, qui seraient ignorées : {', '.join(match.ignored)}."
            )
        if not match.usable:
            missing = ", ".join(requirement_label(profile, m) for m in match.missing)
            fail(f"{path.name} serait refusé : il manque {missing}.")
        con = open_store(Path(":memory:"))
        try:
            summary = import_file(
                con, path, profile, plan_for(None, None), secrets.token_bytes(32), dry_run=True
            )
        finally:
            con.close()
        console.print(summary_table(summary))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _personal_keys(profile: Profile) -> set[str]:
    return {normalise(c) for c in profile.personal_columns}


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
        console.print(
            f"… {effectif(older, 'import plus ancien', 'imports plus anciens')} : "
            "--derniers 0 pour tout voir.",
            highlight=False,
        )


ImportArgument = Annotated[int, typer.Argument(metavar="IMPORT", help="Numéro de l'import.")]


def _show_faults(
    import_id: int, csv: Path | None, limite: int, db: Path | None, table: str
) -> None:
    """`jalon rejets` and `jalon anomalies`: the same listing of one of the two fault tables."""
    with user_errors(), store(db, read_only=True) as con:
        record = hist.get_import(con, import_id)
        if csv is not None:
            written = hist.write_rejections_csv(con, import_id, csv, table=table)
            what = accord(written, "rejet" if table == "rejets" else "anomalie")
            done = accord(written, "écrit" if table == "rejets" else "écrite")
            console.print(f"{nombre(written)} {what} de l'import n° {import_id} {done} dans {csv}.")
            return
        total = hist.count_rejections(con, import_id, table=table)
        rows = hist.rejections(con, import_id, limit=limite, table=table)
    title = "Rejets" if table == "rejets" else "Anomalies (lignes gardées, valeur écartée)"
    table_out = Table(
        title=f"{title} de l'import n° {import_id} ({record.file_name}) : {nombre(total)}",
        title_justify="left",
    )
    table_out.add_column("Ligne", justify="right")
    table_out.add_column("Colonne")
    table_out.add_column("Motif")
    table_out.add_column("Valeur")
    for r in rows:
        table_out.add_row(nombre(r.line), r.column or "—", r.message, r.value or "")
    console.print(table_out)
    if total > len(rows):
        console.print(
            f"{effectif(total - len(rows), 'autre')} : --limite N pour en voir plus, "
            "--csv FICHIER pour tout exporter."
        )


CsvOption = Annotated[
    Path | None,
    typer.Option("--csv", help="Tout exporter dans ce fichier CSV (pour le financeur)."),
]
LimitOption = Annotated[int, typer.Option("--limite", help="Lignes affichées au plus.")]


@app.command("rejets")
def rejets_command(
    import_id: ImportArgument, csv: CsvOption = None, limite: LimitOption = 50, db: DbOption = None
) -> None:
    """Montre les lignes rejetées d'un import (ligne, colonne, motif, valeur)."""
    _show_faults(import_id, csv, limite, db, "rejets")


@app.command("anomalies")
def anomalies_command(
    import_id: ImportArgument, csv: CsvOption = None, limite: LimitOption = 50, db: DbOption = None
) -> None:
    """Montre les anomalies d'un import : valeurs écartées de lignes gardées et comptées."""
    _show_faults(import_id, csv, limite, db, "anomalies")
