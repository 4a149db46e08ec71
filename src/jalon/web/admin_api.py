"""The local administrator's endpoints of the server: read snapshots and imports for the CLI.

Runs in the `jalon serveur` process, the one process that holds the base read-write (DuckDB's
rule: one writer process, or several readers). Only callers on the loopback that present the
token of `<base>.jeton` (readable by the base's owner only, `jalon.web.admin_client`) get in;
anyone else gets a 404, as if the endpoints did not exist. No cookie is involved, hence no CSRF.

- `POST /admin/instantane`: under the connection's locks, a CHECKPOINT then a file copy of the
  base to `<base>.lecture.duckdb` (mode 0600, replaced atomically), made again only after the
  data changed; a reader that has the previous copy open keeps it whole.
- `POST /admin/import`: imports files named by path, in one transaction under the connection's
  lock, streaming progress as JSON lines. If the client goes away before the end (killed CLI),
  the running statement is interrupted and the transaction rolled back: nothing is written.
  Pages never see a half-imported state: their reads wait for the lock, or come from views
  cached before the import (the cache is cleared only after the commit).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import logging
import os
import queue
import secrets
import shutil
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import duckdb
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from jalon.ingest import ImportSummary, IngestError, SecretError, import_file
from jalon.ingest.batch import BatchFile, import_batch
from jalon.ingest.pseudonymise import key_from_env
from jalon.plan import PlanError
from jalon.sources import ProfileError, find_profile
from jalon.store import StoreError
from jalon.web.accounts import audit
from jalon.web.admin_client import TOKEN_HEADER, snapshot_file
from jalon.web.views import WebStore

router = APIRouter(prefix="/admin", include_in_schema=False)
log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 0.5
#: The step that runs after the import's commit (`jalon.ingest.importer`).
AFTER_COMMIT = "Tables des indicateurs"
SNAPSHOT_STEP = "Copie de la base pour les commandes de lecture"
USER_ERRORS = (IngestError, SecretError, ProfileError, PlanError, StoreError, KeyError)


class ImportRequest(BaseModel):
    fichiers: list[str] = Field(min_length=1)
    profil: str
    remplace: int | None = None
    essai: bool = False
    auteur: str | None = Field(default=None, max_length=64)


class _Cancelled(Exception):
    """The client went away: the import stops at its next step and rolls back."""


def _store(request: Request) -> WebStore:
    """The server's store, for a loopback caller with the right token; 404 for anyone else."""
    token = getattr(request.app.state, "admin_token", None)
    host = request.client.host if request.client else ""
    try:
        local = ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = False
    given = request.headers.get(TOKEN_HEADER, "")
    if token is None or not local or not secrets.compare_digest(given, f"Bearer {token}"):
        raise HTTPException(404, "Page introuvable.")
    store: WebStore = request.app.state.store
    return store


@router.post("/instantane")
def snapshot(request: Request) -> dict[str, Any]:
    store = _store(request)
    target = snapshot_file(store.db_path)
    # The copy of the current data version needs no lock: an import running meanwhile commits
    # before it bumps the version, so readers get the last committed state without waiting.
    if getattr(request.app.state, "snapshot_version", None) != store.version or not (
        target.exists()
    ):
        with store.lock, store.accounts_lock:
            refresh_snapshot(store, request.app.state)
    return {"chemin": str(target.resolve()), "version_donnees": store.version}


def refresh_snapshot(store: WebStore, state: Any) -> None:
    """Copy the base for readers unless the copy is already of this data version; the caller
    holds the connection's locks, so no write lands between the checkpoint and the copy."""
    target = snapshot_file(store.db_path)
    if getattr(state, "snapshot_version", None) == store.version and target.exists():
        return
    store.con.execute("CHECKPOINT")
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(store.db_path, "rb") as source, os.fdopen(fd, "wb") as copy:
        shutil.copyfileobj(source, copy, 1 << 24)
    os.replace(temporary, target)
    state.snapshot_version = store.version


@router.post("/import")
async def remote_import(request: Request, demande: ImportRequest) -> StreamingResponse:
    store = _store(request)
    job = _Job(store, demande, request.app.state)
    return StreamingResponse(_stream(job), media_type="application/x-ndjson")


class _Job:
    """One import run by a worker thread for a streaming answer, and its way to be cancelled."""

    def __init__(self, store: WebStore, demande: ImportRequest, state: Any) -> None:
        self.store = store
        self.state = state
        self.demande = demande
        self.events: queue.SimpleQueue[dict[str, Any] | None] = queue.SimpleQueue()
        self.cancelled = threading.Event()
        self.importing = threading.Event()  # set while the worker holds the lock, before commit
        self.worker = threading.Thread(target=self.run, name="jalon-import-admin", daemon=True)

    def cancel(self) -> None:
        self.cancelled.set()
        if self.importing.is_set():
            self.store.con.interrupt()

    def report(self, phase: str, fraction: float, lines: int) -> None:
        if phase == AFTER_COMMIT:
            self.importing.clear()  # committed: the import is whole, let the marts finish
        elif self.cancelled.is_set() and self.importing.is_set():
            self.store.con.interrupt()
            if threading.current_thread() is self.worker:
                raise _Cancelled
        self.events.put({"etape": phase, "fraction": fraction, "lignes": lines})

    def run(self) -> None:
        demande, store = self.demande, self.store
        changed = False
        try:
            profile = find_profile(demande.profil)
            key = key_from_env() if profile.format != "lheo" else b""
            paths = [Path(name) for name in demande.fichiers]
            with store.lock:
                if self.cancelled.is_set():
                    raise _Cancelled
                self.importing.set()
                try:
                    summaries = _import(store, paths, profile, key, demande, self.report)
                finally:
                    self.importing.clear()
                if not demande.essai:
                    store.data_changed()
                    changed = True
                    # Readers have used a copy: refresh it now, while the lock is held anyway,
                    # rather than at the next read, which would wait for it.
                    if snapshot_file(store.db_path).exists():
                        self.events.put({"etape": SNAPSHOT_STEP, "fraction": 0.0, "lignes": 0})
                        with store.accounts_lock:
                            refresh_snapshot(store, self.state)
            self.events.put({"resultat": [s.as_dict() for s in summaries]})
        except USER_ERRORS as exc:
            self.events.put({"erreur": str(exc.args[0]) if isinstance(exc, KeyError) else str(exc)})
        except (_Cancelled, duckdb.InterruptException):
            self.events.put(
                {"erreur": "Import interrompu avant sa validation : rien n'a été écrit."}
            )
        except Exception:
            log.exception("import demandé par la ligne de commande")
            self.events.put(
                {"erreur": "Erreur interne du serveur pendant l'import : rien n'a été écrit."}
            )
        finally:
            if not demande.essai and not changed:
                store.data_changed()  # an error after the commit leaves the import in the base
            self.events.put(None)


async def _stream(job: _Job) -> AsyncIterator[str]:
    job.worker.start()
    finished = False
    try:
        while True:
            try:
                event = await asyncio.to_thread(job.events.get, True, HEARTBEAT_SECONDS)
            except queue.Empty:
                event = {"attente": True}
            if event is None:
                finished = True
                return
            # A line every half second at least: a client that went away is noticed at once.
            yield json.dumps(event, ensure_ascii=False) + "\n"
    finally:
        if not finished:
            job.cancel()


def _import(
    store: WebStore,
    paths: list[Path],
    profile: Any,
    key: bytes,
    demande: ImportRequest,
    report: Any,
) -> list[ImportSummary]:
    if len(paths) > 1:
        summaries = import_batch(
            store.con,
            [BatchFile(path, profile) for path in paths],
            store.plan,
            key,
            step=lambda message: report(message, 0.0, 0),
        )
    else:
        summaries = [
            import_file(
                store.con,
                paths[0],
                profile,
                store.plan,
                key,
                dry_run=demande.essai,
                replaces=demande.remplace,
                report=report,
            )
        ]
    for summary in summaries:
        if summary.import_id is None or summary.dry_run:
            continue
        if demande.auteur:
            store.con.execute(
                "UPDATE imports SET imported_by = ? WHERE import_id = ?",
                [demande.auteur, summary.import_id],
            )
        audit(
            store.con,
            None,
            "import",
            None,
            f"import n° {summary.import_id} : {summary.file_name} ({summary.profile}) par la "
            f"ligne de commande, {summary.lines_read} lignes lues, {summary.accepted} acceptées, "
            f"{summary.rejected} rejetées, {summary.duplicates} doublons",
        )
    return summaries
