"""Serve the web app on one database until stopped: `jalon serveur` and the end of `jalon demo`.

Binds the listening socket itself first (so that a busy port is told in French, with a free one
to suggest, and no other program can take the port between the check and uvicorn's start),
warns when uploads will be off for want of the pseudonymisation key, builds the app (which opens
the base; refused if a live server already holds it), writes the server file beside the base so
that other `jalon` commands know who holds it and the local administrator token they present to
it (`jalon.web.admin_client`), runs uvicorn on the socket, and removes both files and the read
snapshot on the way out (Ctrl+C or SIGTERM). Listens on the given address only.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from jalon.ingest.pseudonymise import ENV_VAR
from jalon.store import StoreError
from jalon.web.admin_api import router as admin_router
from jalon.web.admin_client import remove_token, snapshot_file, write_token
from jalon.web.client import remove_server_file, server_for, write_server_file
from jalon.web.uploads import disabled_reason


def free_port(host: str, first: int, tries: int = 20) -> int:
    """The first port from `first` on which nothing listens at `host`."""
    for port in range(first, first + tries):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            if probe.connect_ex((host, port)) != 0:
                return port
    raise StoreError(f"aucun port libre entre {first} et {first + tries - 1} sur {host}.")


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to host:port, or a French StoreError saying what to change."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as exc:
        listener.close()
        if exc.errno == errno.EADDRINUSE:
            try:
                other = f"par exemple « --port {free_port(host, port + 1)} »"
            except StoreError:
                other = "un port libre"
            raise StoreError(
                f"le port {port} est déjà utilisé sur {host} (par un autre serveur, Jalon ou "
                f"non) : arrêtez-le, ou choisissez un autre port avec --port, {other}."
            ) from None
        if exc.errno == errno.EACCES:
            raise StoreError(
                f"le port {port} demande des droits d'administrateur : choisissez avec --port "
                "un port à partir de 1024 (8000 par défaut)."
            ) from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise StoreError(
                f"l'adresse {host} n'appartient pas à cette machine : corrigez --hote "
                "(127.0.0.1 pour cette machine seule)."
            ) from None
        raise StoreError(f"impossible d'écouter sur {host}:{port} ({exc.strerror}).") from None
    return listener


def serve(
    db_path: Path,
    plan_path: Path | None,
    host: str,
    port: int,
    *,
    https_only: bool,
    announce: Callable[[str], None],
    warn: Callable[[str], None] | None = None,
) -> None:
    """Serve `db_path` on http://host:port until interrupted; `announce` gets the address as
    soon as the server accepts connections, `warn` (standard error by default) what is off."""
    import uvicorn

    from jalon.web.app import Settings, create_app

    if (running := server_for(db_path)) is not None:
        raise StoreError(f"un serveur Jalon tient déjà la base {db_path} ({running.url}).")
    listener = bind(host, port)
    if disabled_reason() is not None:
        (warn or _stderr)(
            f"Attention : {ENV_VAR} n'est pas définie (ou trop courte) ; les envois de fichiers "
            "sont désactivés sur ce serveur, la page Imports le dit à ses utilisateurs. "
            f"Arrêtez le serveur, définissez {ENV_VAR} (la clé des imports de cette base) et "
            "relancez-le pour les permettre."
        )
    try:
        web = create_app(
            Settings(
                db_path=db_path,
                plan_path=plan_path,
                https_only=https_only,
                session_secret=os.environ.get("JALON_SESSION_SECRET"),
            )
        )
    except BaseException:
        listener.close()
        raise
    web.include_router(admin_router)
    token = write_token(db_path)
    web.state.admin_token = token
    snapshot_file(db_path).unlink(missing_ok=True)  # a copy left by an earlier server is stale
    write_server_file(db_path, host, port)
    # uvicorn re-raises the stop signal once shut down: exit through `finally`, not the default
    # handler, so that the server file is removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server = uvicorn.Server(
        uvicorn.Config(web, host=host, port=port, log_level="warning", access_log=False)
    )

    def announce_when_listening() -> None:
        while not (server.started or server.should_exit):
            time.sleep(0.05)
        if server.started:
            announce(f"http://{host}:{port}")

    threading.Thread(target=announce_when_listening, daemon=True).start()
    try:
        server.run(sockets=[listener])
    finally:
        listener.close()
        remove_server_file(db_path)
        remove_token(db_path, token)
        snapshot_file(db_path).unlink(missing_ok=True)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)
