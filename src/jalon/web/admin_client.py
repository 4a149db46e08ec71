"""The base owner's way into a running server: the local token, read snapshots, imports.

DuckDB lets one process write a base, or several read it, never both. While `jalon serveur`
runs, it is the one process that holds the base (read-write); it writes `<base>.jeton`, a random
token in a file only the base's owner can read (mode 0600), and removes it on the way out. Other
`jalon` commands of that owner, on the same machine, present the token on the loopback
(`jalon.web.admin_api`):

- a read command asks for a snapshot: a copy of the base as of the last committed import, that
  the server refreshes after each import; the command opens the copy read-only, as many at once
  as wanted, while the server keeps serving;
- `jalon import` sends the files' paths; the server imports them itself, in its own transaction,
  and streams the progress back (one JSON object per line).

Standard library only (`urllib`): the CLI does not need the web stack to talk to its server.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from jalon.store import StoreError
from jalon.web.client import Server

TOKEN_HEADER = "Authorization"
#: A long import streams a line every half second at least; silence this long means trouble.
SILENCE_SECONDS = 600.0
WAITING = "En attente de son tour (le serveur finit un autre import ou un calcul)"


def token_file(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".jeton")


def snapshot_file(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lecture.duckdb")


def write_token(db_path: Path) -> str:
    """A fresh token in `<base>.jeton`, created with mode 0600 before anything is written."""
    token = secrets.token_urlsafe(32)
    target = token_file(db_path)
    temporary = target.with_name(f"{target.name}.{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(token)
    os.replace(temporary, target)
    return token


def remove_token(db_path: Path, token: str) -> None:
    """Remove the token file if it is still this server's (a newer server may have replaced it)."""
    target = token_file(db_path)
    with contextlib.suppress(OSError):
        if target.read_text(encoding="ascii") == token:
            target.unlink()


def read_token(db_path: Path, server: Server) -> str:
    target = token_file(db_path)
    try:
        return target.read_text(encoding="ascii").strip()
    except PermissionError:
        raise StoreError(
            f"la base {db_path} est tenue par le serveur Jalon ({server.url}) et ce compte ne "
            f"peut pas lire son jeton d'administration ({target}) : seul le propriétaire de la "
            "base peut lancer des commandes pendant que le serveur tourne. Utilisez ce compte-là, "
            "ou le site."
        ) from None
    except OSError:
        raise StoreError(
            f"la base {db_path} est tenue par le serveur Jalon ({server.url}), mais son jeton "
            f"d'administration {target} manque : redémarrez le serveur (il le réécrit), ou "
            "arrêtez-le puis relancez la commande."
        ) from None


def _request(server: Server, db_path: Path, path: str, payload: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        f"{server.url}{path}",
        data=json.dumps(payload).encode("utf-8"),
        headers={
            "Content-Type": "application/json",
            TOKEN_HEADER: f"Bearer {read_token(db_path, server)}",
        },
        method="POST",
    )
    try:
        return urllib.request.urlopen(request, timeout=SILENCE_SECONDS)
    except urllib.error.HTTPError as exc:
        raise StoreError(_refusal(server, exc)) from None
    except (urllib.error.URLError, OSError) as exc:
        raise StoreError(
            f"le serveur Jalon qui tient la base {db_path} ({server.url}) ne répond pas "
            f"({getattr(exc, 'reason', exc)}) : vérifiez qu'il tourne, ou arrêtez-le puis "
            "relancez la commande."
        ) from None


def _refusal(server: Server, exc: urllib.error.HTTPError) -> str:
    try:
        detail = str(json.loads(exc.read().decode("utf-8"))["erreur"])
    except (ValueError, KeyError, TypeError, OSError):
        detail = f"réponse HTTP {exc.code}"
    return f"le serveur Jalon ({server.url}) a refusé la demande : {detail}"


def snapshot(server: Server, db_path: Path) -> Path:
    """The path of a read-only copy of the base as of its last committed import."""
    with _request(server, db_path, "/admin/instantane", {}) as answer:
        return Path(json.loads(answer.read().decode("utf-8"))["chemin"])


def remote_import(
    server: Server,
    db_path: Path,
    payload: dict[str, Any],
    progress: Callable[[str, float, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Have the server import the files `payload` names; the summaries of the imports.

    A French `StoreError` when the server refuses the file or stops before the end; then the
    import's transaction was not committed and the base is as it was."""
    started = False
    with _request(server, db_path, "/admin/import", payload) as answer:
        for event in _events(answer):
            if "erreur" in event:
                raise StoreError(str(event["erreur"]))
            if "resultat" in event:
                return list(event["resultat"])
            if progress is None:
                continue
            if "etape" in event:
                started = True
                progress(str(event["etape"]), float(event["fraction"]), int(event["lignes"]))
            elif not started:  # the server's connection is busy: another import, a long page
                progress(WAITING, 0.0, 0)
    raise StoreError(
        f"le serveur Jalon ({server.url}) s'est arrêté avant la fin de l'import : l'import n'a "
        "pas été validé, la base est telle qu'avant. Relancez-le quand le serveur sera revenu."
    )


def _events(answer: Any) -> Iterator[dict[str, Any]]:
    while True:
        try:
            line = answer.readline()
        except (OSError, urllib.error.URLError):
            return
        if not line:
            return
        with contextlib.suppress(ValueError):
            yield json.loads(line)
