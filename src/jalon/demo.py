"""`jalon demo`: simulate a region-by-region data set, import it through the real ingest, and show
the Occitanie bilan of 2016 next to the claims of the January 2017 press invitation.

Writes a fresh database (a temporary one, or `--db PATH`, which must be absent or a previous demo
database) and a demo-only pseudonymisation key beside it (`PATH.cle`, mode 600). Simulated data
only: no real person is involved.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from jalon.indicators import compute_bilan
from jalon.ingest import IngestError, import_file
from jalon.ingest.pseudonymise import ENV_VAR, generate_key
from jalon.plan import load_plan
from jalon.report.text import bilan_table
from jalon.simulate import simulate
from jalon.sources import builtin_profiles
from jalon.store import StoreError, open_store

DEMO_SCALE = 0.02
DEMO_SEED = 2016


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
        f"Clé de pseudonymisation de démonstration générée dans {key_file} "
        f"(pour importer d'autres fichiers : export {ENV_VAR}=$(cat {key_file}))."
    )
    return key.encode("utf-8")


def run_demo(console: Console, db: Path | None) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="jalon-demo-"))
    path = db or workdir / "jalon-demo.duckdb"
    _fresh_database(path)
    plan = load_plan()
    key = _demo_key(path, console)
    profiles = builtin_profiles()
    with console.status("Simulation des fichiers des financeurs…"):
        manifest = simulate(workdir / "fichiers", scale=DEMO_SCALE, seed=DEMO_SEED)
    console.print(f"{len(manifest.files)} fichiers simulés dans {workdir / 'fichiers'}.")
    con = open_store(path)
    totals = {"lues": 0, "acceptées": 0, "rejetées": 0, "doublons": 0}
    skipped: dict[str, int] = {}
    try:
        con.execute("INSERT INTO meta VALUES ('demo', 'oui')")
        with Progress(
            TextColumn("[bold]Import[/] {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("", total=len(manifest.files))
            for item in manifest.files:
                progress.update(task, description=item.path.name)
                profile = profiles.get(item.profile)
                if profile is None:
                    skipped[item.profile] = skipped.get(item.profile, 0) + 1
                else:
                    try:
                        s = import_file(con, item.path, profile, plan, key)
                    except IngestError as exc:
                        console.print(f"[yellow]Fichier refusé[/] : {exc}")
                    else:
                        totals["lues"] += s.lines_read
                        totals["acceptées"] += s.accepted
                        totals["rejetées"] += s.rejected
                        totals["doublons"] += s.duplicates
                progress.advance(task)
        console.print(
            "Lignes importées : "
            + ", ".join(
                f"{name} {value:,}".replace(",", "\u202f") for name, value in totals.items()
            )
        )
        if skipped:
            console.print(
                "Non importés (format sans profil dans cette version) : "
                + ", ".join(f"{name} ({n} fichiers)" for name, n in sorted(skipped.items()))
            )
        bilan = compute_bilan(con, plan, "2016", "76")
    finally:
        con.close()
    console.print(bilan_table(bilan, plan))
    console.print(f"Base de démonstration : {path}")
