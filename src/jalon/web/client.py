"""The server file beside the database: who holds it, and how other `jalon` commands find out.

While `jalon serveur` runs it owns the DuckDB file (DuckDB locks it for other processes) and
writes `<base>.serveur` (JSON: process id, host, port, start time). `server_for(db_path)` lets a
command from another process tell, before it even tries to open the file, that a live server
holds the base and where to send the work instead. A file left by a server that died (its process
is gone) is ignored and removed. Safe to call from any process; it never opens the database.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Server:
    pid: int
    host: str
    port: int
    started: str

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def refusal(self, db_path: Path) -> str:
        """The French message a command prints when it cannot use the base the server holds."""
        return (
            f"la base {db_path} est tenue par le serveur Jalon ({self.url}, processus "
            f"n° {self.pid}) : importez le fichier depuis la page « Imports » du serveur "
            f"({self.url}/imports), ou arrêtez le serveur puis relancez la commande. "
            "Rien n'a été écrit."
        )


def server_file(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".serveur")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def server_for(db_path: Path) -> Server | None:
    """The live server holding `db_path`, or None (a stale server file is removed)."""
    path = server_file(db_path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        server = Server(int(data["pid"]), str(data["host"]), int(data["port"]), str(data["debut"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if _alive(server.pid) and _listening(server.host, server.port):
        return server
    if not _alive(server.pid):
        path.unlink(missing_ok=True)
    return None


def write_server_file(db_path: Path, host: str, port: int) -> Path:
    path = server_file(db_path)
    payload = {
        "pid": os.getpid(),
        "host": host,
        "port": port,
        "debut": dt.datetime.now().isoformat(timespec="seconds"),
    }
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def remove_server_file(db_path: Path) -> None:
    path = server_file(db_path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if data.get("pid") == os.getpid():
        path.unlink(missing_ok=True)
