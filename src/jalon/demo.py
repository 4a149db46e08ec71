"""`jalon demo`: simulate every region's files, import them through the real ingest, compute the
bilans, write the Occitanie bilan as PDF, and end with the press invitation's claims next to the
figures Jalon computed (the CLI then serves the dashboard on the result, `jalon.web.server`).

Writes a fresh database (a temporary one, or `--db PATH`, which must be absent or a previous demo
database), a demo-only pseudonymisation key beside it (`PATH.cle`, mode 600) and the store's own
plan (`PATH.plan.toml`: the default plan with `scale` set to the simulation's, so targets are
compared with data of the same size; every command reading this store picks it up), and a
national web account `demo` whose random password is printed. Simulated data only: no real
person is involved.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import time
from pathlib import Path

import duckdb
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from jalon.formatting import effectif, nombre
from jalon.indicators import compute_bilan
from jalon.ingest import ImportSummary
from jalon.ingest.batch import BatchFile, import_batch
from jalon.ingest.pseudonymise import ENV_VAR, generate_key
from jalon.plan import Plan, write_scaled_plan
from jalon.report.text import bilan_table
from jalon.simulate import Manifest, simulate
from jalon.sources import builtin_profiles
from jalon.store import StoreError, open_store
from jalon.web.accounts import add_user

DEMO_SCALE = 0.02
DEMO_SEED = 2016
DEMO_ACCOUNT = "demo"
REGION = "76"
PHASE = "2016"


def _fresh_database(path: Path) -> None:
    if not path.exists():
        return
    con = open_store(path)
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'demo'").fetchone()
    finally:
        con.close()
    if row is None:
        raise StoreError(
            f"{path} existe et n'est pas une base de démonstration : choisissez un autre --db."
        )
    path.unlink()
    Path(f"{path}.wal").unlink(missing_ok=True)


def _demo_key(path: Path, console: Console) -> bytes:
    key = generate_key()
    key_file = Path(f"{path}.cle")
    key_file.write_text(key + "\n", encoding="utf-8")
    key_file.chmod(0o600)
    os.environ[ENV_VAR] = key
    console.print(
        f"Clé de pseudonymisation de démonstration : {key_file} "
        f"(pour importer d'autres fichiers : export {ENV_VAR}=$(cat {key_file}))."
    )
    return key.encode("utf-8")


def _import_all(
    console: Console, con: duckdb.DuckDBPyConnection, manifest: Manifest, plan: Plan, key: bytes
) -> list[ImportSummary]:
    """Import every file in manifest order, as one series (a correction replaces the import of
    the file it corrects); `entrees` and the marts are built once, after the last file."""
    profiles = builtin_profiles()
    files = [BatchFile(f.path, profiles[f.profile], f.replaces) for f in manifest.files]
    with Progress(
        TextColumn("[bold]Import[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=len(files))

        def advance(item: BatchFile, _summary: ImportSummary) -> None:
            progress.update(task, description=item.path.name, advance=1)

        def step(message: str) -> None:
            progress.update(task, description=message)

        return import_batch(con, files, plan, key, on_file=advance, step=step)


def _accounting(summaries: list[ImportSummary]) -> str:
    read = sum(s.lines_read for s in summaries)
    accepted = sum(s.accepted for s in summaries)
    rejected = sum(s.rejected for s in summaries)
    duplicates = sum(s.duplicates for s in summaries)
    replaced = sum(1 for s in summaries if s.replaces is not None)
    return (
        f"{len(summaries)} fichiers importés ({effectif(replaced, 'rectificatif')}) : "
        f"{effectif(read, 'ligne ou élément lu', 'lignes ou éléments lus')} = "
        f"{effectif(accepted, 'accepté')} + {effectif(rejected, 'rejeté')} "
        f"+ {effectif(duplicates, 'doublon')}."
    )


def run_demo(console: Console, db: Path | None) -> Path:
    """Build the demo database; return its path (the server, if any, is the caller's)."""
    started = time.monotonic()
    path = db or Path(tempfile.mkdtemp(prefix="jalon-demo-")) / "jalon-demo.duckdb"
    _fresh_database(path)
    key = _demo_key(path, console)
    plan = write_scaled_plan(Path(f"{path}.plan.toml"), DEMO_SCALE)
    # The simulated exports carry (invented) names, e-mails and phones, as real ones do: they
    # live only while they are imported. `jalon simulation` writes them where one asks.
    with tempfile.TemporaryDirectory(prefix="jalon-demo-fichiers-") as files:
        with console.status("Simulation des fichiers des financeurs…") as status:
            manifest = simulate(
                Path(files),
                scale=DEMO_SCALE,
                seed=DEMO_SEED,
                progress=lambda message, done, total: status.update(f"{message} ({done}/{total})"),
            )
        console.print(
            f"{len(manifest.files)} fichiers simulés (échelle {nombre(DEMO_SCALE, 2)}, "
            "18 régions), effacés après leur import : `jalon simulation` les écrit dans le "
            "dossier de votre choix."
        )
        con = open_store(path)
        try:
            con.execute("INSERT INTO meta VALUES ('demo', 'oui')")
            password = secrets.token_urlsafe(12)
            add_user(con, DEMO_ACCOUNT, password, "national", None)
            summaries = _import_all(console, con, manifest, plan, key)
            console.print(_accounting(summaries))
            bilan = compute_bilan(con, plan, PHASE, REGION)
        finally:
            con.close()
    console.print(bilan_table(bilan, plan))
    _write_report_and_claims(console, path, plan)
    console.print(
        f"Démonstration construite en {round(time.monotonic() - started)} s. Base : {path}\n"
        f"Compte national de démonstration pour le tableau de bord : identifiant "
        f"{DEMO_ACCOUNT}, mot de passe {password}"
    )
    return path


def _write_report_and_claims(console: Console, path: Path, plan: Plan) -> None:
    # WeasyPrint and vl-convert are slow to import: only load them once the data is in.
    from jalon.report import rendu
    from jalon.report.document import build_document
    from jalon.report.presse import chiffres_presse

    pdf_path = path.with_name(f"{path.stem}-bilan-{REGION}-{PHASE}.pdf")
    con = open_store(path, read_only=True)
    try:
        with console.status("Bilan PDF de l'Occitanie…"):
            document = build_document(con, plan, PHASE, REGION, interne=False)
            pdf_path.write_bytes(rendu.pdf(rendu.bilan_html(document)))
        claims = chiffres_presse(con, plan, PHASE, REGION)
    finally:
        con.close()
    console.print(f"Bilan 2016 de l'Occitanie : {pdf_path}")
    console.print(
        "[bold]Ce que l'invitation presse du 23 janvier 2017 affirme, recalculé par Jalon[/] "
        f"(données simulées à l'échelle {nombre(plan.scale, 2)}, objectifs à la même échelle) :"
    )
    for phrase in claims.phrases:
        console.print(f"  • {phrase}")
