"""Serve the web app on one database until stopped: `jalon serveur` and the end of `jalon demo`.

Builds the app (which opens the base; refused if a live server already holds it), writes the
server file beside the base so that other `jalon` commands know who holds it, runs uvicorn, and
removes the file on the way out (Ctrl+C or SIGTERM). Listens on the given address only.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from jalon.store import StoreError
from jalon.web.client import remove_server_file, server_for, write_server_file


def free_port(host: str, first: int, tries: int = 20) -> int:
    """The first port from `first` on which nothing listens at `host`."""
    for port in range(first, first + tries):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            if probe.connect_ex((host, port)) != 0:
                return port
    raise StoreError(f"aucun port libre entre {first} et {first + tries - 1} sur {host}.")


def serve(
    db_path: Path,
    plan_path: Path | None,
    host: str,
    port: int,
    *,
    https_only: bool,
    announce: Callable[[str], None],
) -> None:
    """Serve `db_path` on http://host:port until interrupted; `announce` gets the address as
    soon as the server accepts connections."""
    import uvicorn

    from jalon.web.app import Settings, create_app

    if (running := server_for(db_path)) is not None:
        raise StoreError(f"un serveur Jalon tient déjà la base {db_path} ({running.url}).")
    web = create_app(
        Settings(
            db_path=db_path,
            plan_path=plan_path,
            https_only=https_only,
            session_secret=os.environ.get("JALON_SESSION_SECRET"),
        )
    )
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
        server.run()
    finally:
        remove_server_file(db_path)
