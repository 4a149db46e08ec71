"""Reliability bench: the bad-input corpus, kill -9 at N moments, 20 clients on a real server.

    .venv/bin/python bench/reliability_bench.py
    .venv/bin/python bench/reliability_bench.py --clients 20 --duree 30 --resultats bench/RESULTS.md

Everything runs in real processes (`python -m jalon …`), on stores built in a temporary folder
from the hand-written fixtures of `tests/data/` (never the simulator):

1. corpus: each file of `tests/data/mauvais/` imported by `jalon import` into a store that
   already holds one import, compared with its documented outcome (`tests/ingest/test_bad_input`);
2. kill -9: a large file (the hand-written Pôle emploi lines repeated with fresh identifiers)
   imported on a pseudo-terminal and killed when a chosen step appears: the CLI alone at each
   step, the CLI that goes through a running server, and the server itself mid-import; the
   store is compared table by table (row count and checksum) with its state before;
3. load: 20 closed-loop clients on the pages, JSON, CSV and malformed URLs of a real
   `jalon serveur` for the given duration, while read commands and an import run beside it
   through the server; every national total seen must be the one before or the one after.

Printed (and written between markers in RESULTS.md with --resultats): cases tried, crashes
(death by signal, HTTP 5xx), tracebacks, hangs (past the time limit), lines unaccounted
(read ≠ accepted + rejected + duplicates, or not the documented counts), values leaked
(a personal value of the file in an output or in the store), store changes on refusal.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results_file import write_section  # noqa: E402
from tests.conftest import DATA, TEST_KEY  # noqa: E402
from tests.helpers import state_checksum  # noqa: E402
from tests.ingest.test_bad_input import BAD, CORPUS, Outcome  # noqa: E402

FIXTURE = DATA / "pe-stagiaires" / "export-2016-occitanie.csv"
BASE_FILE = DATA / "pe-stagiaires" / "indicateurs-2016.csv"
SECOND_FILE = DATA / "pe-stagiaires" / "export-2017-34-colonnes.csv"
PERSONAL = ("c_nomcorrespondance", "c_prenomcorrespondance", "c_adresseemail", "c_telephone1")
TABLES = ("imports", "rejets", "anomalies", "entree_lignes", "entrees", "personnes", "audit")
HANG_SECONDS = 120.0
STEPS = ("Lecture et contrôle des lignes", "Écriture dans la base", "Entrées en formation")
START, END = "<!-- fiabilite:debut -->", "<!-- fiabilite:fin -->"


@dataclass
class Tally:
    cases: int = 0
    crashes: int = 0
    tracebacks: int = 0
    hangs: int = 0
    unaccounted: int = 0
    leaked: int = 0
    changed_on_refusal: int = 0
    searched: int = 0  # personal values looked for in outputs and stores
    mismatches: list[str] = field(default_factory=list)

    def row(self, name: str) -> str:
        cells = (self.cases, self.crashes, self.tracebacks, self.hangs, self.unaccounted,
                 self.leaked, self.changed_on_refusal)  # fmt: skip
        return f"| {name} | " + " | ".join(str(c) for c in cells) + " |"


def _env() -> dict[str, str]:
    return {**os.environ, "JALON_SECRET": TEST_KEY, "COLUMNS": "200", "PYTHONUNBUFFERED": "1"}


def jalon(*args: str, timeout: float = HANG_SECONDS) -> subprocess.CompletedProcess[str] | None:
    """A real `jalon` process; None when it hangs past `timeout` (it is then killed)."""
    try:
        return subprocess.run(
            [sys.executable, "-m", "jalon", *args],
            capture_output=True, text=True, env=_env(), timeout=timeout, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return None


def store_text(db: Path) -> str:
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SHOW TABLES").fetchall()]
        return "\n".join(
            str(row)
            for t in tables
            for row in con.execute(f"SELECT t::VARCHAR FROM {t} t").fetchall()
        )
    finally:
        con.close()


def personal_values(path: Path) -> set[str]:
    """The names, e-mails and phones a file carries (its header says where), 4 characters up."""
    lines = path.read_bytes().decode("utf-8", errors="replace").splitlines()
    if not lines:
        return set()
    for separator in ("|", ";"):
        names = lines[0].split(separator)
        columns = [names.index(c) for c in PERSONAL if c in names]
        if columns:
            break
    else:
        return set()
    found = set()
    for line in lines[1:]:
        fields = line.split(separator)
        found |= {fields[c] for c in columns if c < len(fields) and len(fields[c]) >= 4}
    return found - {"NULL"}


def base_store(folder: Path) -> Path:
    db = folder / "base.duckdb"
    if not db.exists():
        done = jalon("import", "pe-stagiaires", str(BASE_FILE), "--db", str(db))
        assert done is not None and done.returncode == 0, done
    return db


# --- 1. the bad-input corpus ---------------------------------------------------------------


def run_corpus(folder: Path) -> Tally:
    tally = Tally()
    template = base_store(folder)
    profiles = {"point-virgule": str(BAD / "profil-point-virgule.toml")}
    for outcome in CORPUS:
        tally.cases += 1
        db = folder / f"corpus-{outcome.file}.duckdb"
        shutil.copy(template, db)
        before = state_checksum(db, TABLES)
        path = BAD / outcome.file
        profile = profiles.get(outcome.profile, outcome.profile)
        done = jalon("import", profile, str(path), "--db", str(db), "--format", "json")
        _judge(tally, outcome, path, db, before, done)
    return tally


def _judge(
    tally: Tally,
    outcome: Outcome,
    path: Path,
    db: Path,
    before: dict[str, tuple[int, str]],
    done: subprocess.CompletedProcess[str] | None,
) -> None:
    if done is None:
        tally.hangs += 1
        return
    output = done.stdout + done.stderr
    if done.returncode < 0:
        tally.crashes += 1
    if "Traceback" in output:
        tally.tracebacks += 1
    secrets = personal_values(path)
    tally.searched += len(secrets)
    if any(value in output for value in secrets) or any(
        value in store_text(db) for value in secrets
    ):
        tally.leaked += 1
    if outcome.refused is not None:
        flat = " ".join(output.split())
        if done.returncode != 2 or not re.search(outcome.refused, flat):
            tally.mismatches.append(f"{outcome.file} : refus attendu, obtenu {flat[:120]}")
        if state_checksum(db, TABLES) != before:
            tally.changed_on_refusal += 1
        return
    try:
        summary = json.loads(done.stdout)
    except ValueError:
        tally.mismatches.append(f"{outcome.file} : pas de résumé ({output[:120]})")
        return
    counts = (summary["lines_read"], summary["accepted"], summary["rejected"],
              summary["duplicates"])  # fmt: skip
    if counts[0] != sum(counts[1:]) or counts != outcome.counts:
        tally.unaccounted += 1
        tally.mismatches.append(f"{outcome.file} : {counts} au lieu de {outcome.counts}")


# --- 2. kill -9 -----------------------------------------------------------------------------


def big_file(folder: Path, lines: int) -> Path:
    """The fixture's lines again and again, each copy with its own person and session ids."""
    path = folder / "export-2016-gros.csv"
    if path.exists():
        return path
    header, *rows = FIXTURE.read_text(encoding="utf-8").splitlines()
    names = header.split("|")
    person, local = names.index("dn_individu_national"), names.index("c_individulocal")
    session = names.index("dn_session_id")
    with path.open("w", encoding="utf-8") as out:
        out.write(header + "\n")
        for n in range(lines):
            fields = rows[n % len(rows)].split("|")
            fields[person], fields[local] = f"{n:07d}Z", f"L{n:07d}Z"
            fields[session] = str(8_000_000 + n // 50)
            out.write("|".join(fields) + "\n")
    return path


class Server:
    def __init__(self, db: Path, port: int) -> None:
        self.port = port
        self.log = db.with_suffix(".serveur.log").open("w+", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jalon", "serveur", "--port", str(port), "--http-local",
             "--db", str(db)],
            stdout=self.log, stderr=subprocess.STDOUT, env=_env(),
        )  # fmt: skip
        deadline = time.monotonic() + HANG_SECONDS
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/sante", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("le serveur n'a pas démarré")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=HANG_SECONDS)


def _import_on_terminal(db: Path, path: Path) -> tuple[subprocess.Popen[bytes], int]:
    master, slave = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "jalon", "import", "pe-stagiaires", str(path), "--db", str(db)],
        stdin=slave, stdout=slave, stderr=slave, env=_env(), close_fds=True,
    )  # fmt: skip
    os.close(slave)
    return child, master


def _read_until(master: int, text: str | None, child: subprocess.Popen[bytes]) -> str | None:
    """Output until `text` appears (None: until the end); None if it never did in time."""
    seen = b""
    deadline = time.monotonic() + HANG_SECONDS
    while time.monotonic() < deadline:
        if text is not None and text.encode() in seen:
            return seen.decode(errors="replace")
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                chunk = b""
            seen += chunk
            if not chunk and text is None:
                return seen.decode(errors="replace")
        elif child.poll() is not None and text is None:
            return seen.decode(errors="replace")
    return None


def run_kills(folder: Path, lines: int, port: int) -> Tally:
    tally = Tally()
    path = big_file(folder, lines)
    template = base_store(folder)
    for who in ("commande seule", "commande via le serveur", "serveur"):
        for step in STEPS:
            tally.cases += 1
            db = folder / "tuer.duckdb"
            for leftover in folder.glob("tuer.duckdb*"):
                leftover.unlink() if leftover.is_file() else shutil.rmtree(leftover)
            shutil.copy(template, db)
            before = state_checksum(db, TABLES)
            server = Server(db, port) if who != "commande seule" else None
            child, master = _import_on_terminal(db, path)
            try:
                if _read_until(master, step, child) is None:
                    tally.hangs += 1
                    child.kill()
                    continue
                victim = server.process if who == "serveur" and server else child
                victim.send_signal(signal.SIGKILL)
                victim.wait(timeout=HANG_SECONDS)
                rest = _read_until(master, None, child) or ""
                child.wait(timeout=HANG_SECONDS)
            finally:
                os.close(master)
            if server is not None:
                if who != "serveur":  # the server must still take a check, then stop cleanly
                    checked = jalon("import", "--essai", "pe-stagiaires", str(SECOND_FILE),
                                    "--db", str(db))  # fmt: skip
                    if checked is None:
                        tally.hangs += 1
                    elif checked.returncode != 0:
                        tally.mismatches.append(f"{who}, {step} : {checked.stderr[:200]}")
                server.stop()
                if "Traceback" in server.output() and who != "serveur":
                    tally.tracebacks += 1
            if "Traceback" in rest:
                tally.tracebacks += 1
            if state_checksum(db, TABLES) != before:
                tally.changed_on_refusal += 1
                tally.mismatches.append(f"{who}, tué pendant « {step} » : base modifiée")
    return tally


# --- 3. load: 20 clients, with read commands and an import beside them ---------------------

URLS = (
    "/", "/api/national?phase=2016", "/api/national?phase=2017S1", "/regions/76?phase=2016",
    "/api/regions/76?phase=2016", "/api/regions/53?phase=2017S1", "/indicateurs",
    "/api/indicateurs", "/regions/76/ventilations/departement.csv?phase=2016",
    "/api/openapi.json",
    # malformed: each must be a clean 4xx
    "/regions/999", "/api/regions/76?phase=zzz", "/regions/%00",
    "/api/national?phase=" + "9" * 5000, "/regions/76/ventilations/inconnue.csv", "/imports",
    "/admin/instantane", "/../../etc/passwd",
)  # fmt: skip


WATCHED = "/api/national?phase=2017S1"  # the phase of the file imported during the load


def _payload(base: str) -> str:
    return hashlib.sha256(httpx.get(f"{base}{WATCHED}", timeout=HANG_SECONDS).content).hexdigest()


async def _clients(base: str, clients: int, seconds: float) -> dict[str, object]:
    statuses: Counter[int] = Counter()
    seen: set[str] = set()
    slow: list[float] = []
    stop = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=base, timeout=HANG_SECONDS) as client:

        async def worker(index: int) -> None:
            turn = index
            while time.monotonic() < stop:
                url = URLS[turn % len(URLS)]
                turn += 1
                began = time.perf_counter()
                try:
                    answer = await client.get(url)
                except httpx.TimeoutException:
                    statuses[0] += 1
                    continue
                slow.append(time.perf_counter() - began)
                statuses[answer.status_code] += 1
                if url == WATCHED and answer.status_code == 200:
                    seen.add(hashlib.sha256(answer.content).hexdigest())

        await asyncio.gather(*(worker(i) for i in range(clients)))
    slow.sort()
    return {"statuts": dict(statuses), "vus": seen, "p95": slow[int(0.95 * (len(slow) - 1))]}


def run_load(folder: Path, clients: int, seconds: float, port: int) -> tuple[Tally, str]:
    tally = Tally()
    db = folder / "charge.duckdb"
    shutil.copy(base_store(folder), db)
    server = Server(db, port)
    try:
        for url in URLS:  # the first answer of each view computes it: not what is measured
            httpx.get(f"{server_url(port)}{url}", timeout=HANG_SECONDS)
        before = _payload(server_url(port))
        beside: dict[str, subprocess.Popen[str]] = {}

        async def everything() -> dict[str, object]:
            load = asyncio.create_task(_clients(server_url(port), clients, seconds))
            await asyncio.sleep(seconds / 4)
            for name, args in (
                ("import", ("import", "pe-stagiaires", str(SECOND_FILE))),
                ("bilan", ("bilan", "--phase", "2016", "--region", "76")),
                ("imports", ("imports",)),
                ("qualite", ("qualite", "--phase", "2016")),
            ):
                beside[name] = subprocess.Popen(
                    [sys.executable, "-m", "jalon", *args, "--db", str(db)],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
                )  # fmt: skip
            return await load

        found = asyncio.run(everything())
        after = _payload(server_url(port))
        statuses: dict[int, int] = found["statuts"]  # type: ignore[assignment]
        tally.cases = sum(statuses.values())
        tally.crashes = sum(n for code, n in statuses.items() if code >= 500)
        tally.hangs = statuses.get(0, 0)
        for name, process in beside.items():
            tally.cases += 1
            try:
                out, err = process.communicate(timeout=HANG_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                tally.hangs += 1
                continue
            if "Traceback" in out + err:
                tally.tracebacks += 1
            if process.returncode != 0:
                tally.mismatches.append(f"{name} pendant la charge : {err[:200]}")
        odd = found["vus"] - {before, after}  # type: ignore[operator]
        if odd:
            tally.mismatches.append(f"{len(odd)} réponses {WATCHED} ni d'avant ni d'après l'import")
        server.stop()
        if "Traceback" in server.output():
            tally.tracebacks += 1
        codes = ", ".join(f"{code} : {n}" for code, n in sorted(statuses.items()))
        note = (
            f"{tally.cases - len(beside)} requêtes ({codes}), soit "
            f"{(tally.cases - len(beside)) / seconds:.0f} par seconde, 95e centile "
            f"{1000 * float(str(found['p95'])):.0f} ms ; réponses de {WATCHED} : "
            f"{len(found['vus'])} versions vues (avant et après l'import"  # type: ignore[arg-type]
            f"{', identiques' if before == after else ''}), "
            f"{len(odd)} autre{'s' if len(odd) > 1 else ''}."
        )
    finally:
        server.stop()
    return tally, note


def server_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


# --- report ---------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duree", type=float, default=30.0)
    parser.add_argument("--lignes", type=int, default=200_000, help="Lignes du gros fichier.")
    parser.add_argument("--port", type=int, default=8775)
    parser.add_argument("--resultats", type=Path, help="Écrire la section dans ce RESULTS.md.")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="jalon-fiabilite-") as name:
        folder = Path(name)
        parts = [
            ("Corpus des fichiers mauvais", run_corpus(folder)),
            ("kill -9 à 3 étapes × 3 victimes", run_kills(folder, args.lignes, args.port)),
        ]
        load, note = run_load(folder, args.clients, args.duree, args.port)
        parts.append((f"{args.clients} clients × {args.duree:.0f} s, import et lectures", load))
    lines = [
        "| partie | cas | plantages | tracebacks | blocages | lignes non comptées | "
        "valeurs divulguées | base changée sur refus ou arrêt |",
        "|---|---|---|---|---|---|---|---|",
        *(tally.row(title) for title, tally in parts),
    ]
    problems = [m for _, tally in parts for m in tally.mismatches]
    searched = sum(tally.searched for _, tally in parts)
    text = "\n".join(lines) + f"\n\nCharge : {note}\n"
    text += (
        f"\nValeurs personnelles cherchées (noms, prénoms, courriels, téléphones des fichiers du "
        f"corpus) dans les sorties et dans toute la base : {searched}.\n"
    )
    text += "\nÉcarts : " + ("; ".join(problems) if problems else "aucun") + "."
    text += (
        f"\n\nDurée totale : {time.perf_counter() - started:.0f} s, le "
        f"{time.strftime('%d/%m/%Y à %H h %M UTC', time.gmtime())}, sur la machine de "
        "développement partagée (2 cœurs, d'autres travaux en cours : les durées et le débit "
        "en dépendent, pas les comptes)."
    )
    print(text)
    if args.resultats is not None:
        write_results(args.resultats, text)
    bad = any(
        t.crashes or t.tracebacks or t.hangs or t.unaccounted or t.leaked or t.changed_on_refusal
        for _, t in parts
    )
    return 1 if bad or problems else 0


def write_results(results: Path, text: str) -> None:
    section = f"{START}\n## Fiabilité (`bench/reliability_bench.py`)\n\n{text}\n{END}"
    write_section(results, START, END, section)


if __name__ == "__main__":
    sys.exit(main())
