"""The import screen's work: keep an uploaded file, preview its accounting, then import it.

An upload is copied in chunks to a private temporary folder and refused past the size bound. The
preview runs the real ingest twice without writing to the base: once in dry-run mode on the
server's base (so a file already imported, an unknown header or a wrong key is refused exactly as
the real import would), and once into a throw-away in-memory base, whose `rejets` table gives the
rejected lines and whose `entrees` give the entries per region. A regional account may write
only rows of its region, whatever the profile: both runs, and the real one, pass its region to
the importer as the scope, which refuses the file otherwise. Confirming runs `import_file` for
real under the connection lock, records who imported it, writes the audit log and bumps the data
version.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from jalon.ingest import ImportSummary, IngestError, SecretError, import_file
from jalon.ingest.detect import detect_profile as detect
from jalon.ingest.pseudonymise import ENV_VAR, key_from_env
from jalon.sources import Profile, builtin_profiles
from jalon.store import open_store
from jalon.web.accounts import User, audit
from jalon.web.rendering import accord
from jalon.web.views import WebStore

CHUNK = 1 << 20
MAX_REJECTS_SHOWN = 200
# Below the 255 bytes most file systems allow, leaving room for the copies ingest makes beside it.
MAX_NAME_BYTES = 200


UPLOAD_PREFIX = "jalon-envois-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def fresh_upload_dir(parent: Path | None) -> Path:
    """A private folder for this server's uploads awaiting their preview or confirmation, named
    after the server's process. The folders of servers that died without cleaning up (killed,
    machine stopped) are removed first: an upload waiting there may hold names and identifiers,
    which must not outlive the server that received them."""
    base = parent or Path(tempfile.gettempdir())
    base.mkdir(parents=True, exist_ok=True)
    for stale in base.glob(f"{UPLOAD_PREFIX}*"):
        owner = stale.name[len(UPLOAD_PREFIX) :].split("-", 1)[0]
        if stale.is_dir() and owner.isdigit() and not _alive(int(owner)):
            shutil.rmtree(stale, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{UPLOAD_PREFIX}{os.getpid()}-", dir=base))


@dataclass(frozen=True)
class Rejet:
    line: int
    column: str | None
    reason: str
    message: str
    value: str | None = None  # never kept for a personal column (`jalon.ingest.delimited`)


@dataclass
class Pending:
    """An uploaded file waiting for its user to confirm the import."""

    token: str
    owner: str
    path: Path
    profile: str
    summary: ImportSummary
    rejets: list[Rejet]
    regions: dict[str, int] = field(default_factory=dict)
    refused: str | None = None


class UploadTooLarge(IngestError):
    pass


def disabled_reason() -> str | None:
    """Why this server cannot take files, in words its users can act on; None if it can."""
    try:
        key_from_env()
    except SecretError:
        return (
            "L'envoi de fichiers est désactivé sur ce serveur : il a été démarré sans la clé "
            f"secrète qui pseudonymise les personnes (variable {ENV_VAR} absente ou trop courte). "
            "Demandez à la personne qui administre Jalon de le redémarrer avec cette clé ; les "
            "tableaux de bord restent consultables en attendant."
        )
    return None


def accepted_formats(profiles: dict[str, Profile]) -> list[str]:
    """Each profile with the kinds of file it is read from, for the upload form's hint."""
    kinds = {
        # `jalon.ingest.inputs` reads these for every delimited profile; LHEO is XML only.
        "delimited": "texte délimité par « {delimiter} » (.csv, .csv.gz, .csv.bz2) ou "
        "classeur (.xlsx, .ods)",
        "lheo": "XML (.xml, .xml.gz)",
    }
    shown = []
    for name, p in sorted(profiles.items()):
        delimiter = "tabulation" if p.delimiter == "\t" else p.delimiter
        shown.append(f"{p.label} ({name}) : {kinds[p.format].format(delimiter=delimiter)}")
    return shown


def save_upload(stream: BinaryIO, name: str, folder: Path, limit: int) -> Path:
    """Copy `stream` to a new private folder under `folder`; refuse past `limit` bytes."""
    safe = Path(name).name.replace("\x00", "") or "fichier"
    if len(safe.encode("utf-8")) > MAX_NAME_BYTES:
        raise IngestError(
            f"{safe[:40]}… : nom de fichier trop long ({len(safe)} caractères) ; renommez le "
            f"fichier avec un nom plus court ({MAX_NAME_BYTES} octets au plus) et envoyez-le "
            "de nouveau."
        )
    target_dir = Path(tempfile.mkdtemp(prefix="envoi-", dir=folder))
    target = target_dir / safe
    written = 0
    with target.open("wb") as out:
        while chunk := stream.read(CHUNK):
            written += len(chunk)
            if written > limit:
                out.close()
                shutil.rmtree(target_dir, ignore_errors=True)
                raise UploadTooLarge(
                    f"{safe} : fichier trop volumineux (plus de {limit // (1 << 20)} Mio) ; "
                    "importez-le avec « jalon import » quand le serveur est arrêté."
                )
            out.write(chunk)
    return target


def detect_profile(path: Path) -> Profile:
    """The built-in profile the file follows (`jalon.ingest.detect`)."""
    return detect(path, builtin_profiles(), path.parent)


def choose_profile(path: Path, name: str) -> Profile:
    if name in ("", "auto"):
        return detect_profile(path)
    profiles = builtin_profiles()
    if name not in profiles:
        raise IngestError(f"profil inconnu « {name} » (profils : {', '.join(sorted(profiles))})")
    return profiles[name]


def preview(store: WebStore, user: User, path: Path, profile_name: str) -> Pending:
    """Check `path` without writing to the base: accounting, rejected lines, regions touched."""
    profile = choose_profile(path, profile_name)
    key = key_from_env()
    with store.lock:
        summary = import_file(
            store.con, path, profile, store.plan, key, dry_run=True, scope=scope_of(user)
        )
    scratch = open_store(Path(":memory:"))
    try:
        scratch_summary = import_file(scratch, path, profile, store.plan, key, scope=scope_of(user))
        rejets = [
            Rejet(int(r[0]), r[1], str(r[2]), str(r[3]), r[4])
            for r in scratch.execute(
                "SELECT line, column_name, reason, message, value FROM rejets "
                "WHERE import_id = ? ORDER BY line, column_name LIMIT ?",
                [scratch_summary.import_id, MAX_REJECTS_SHOWN],
            ).fetchall()
        ]
        regions = {
            str(r[0]) if r[0] is not None else "?": int(r[1])
            for r in scratch.execute(
                "SELECT region, count(*) FROM entrees GROUP BY ALL ORDER BY 1"
            ).fetchall()
        }
    finally:
        scratch.close()
    return Pending(
        secrets.token_urlsafe(16), user.identifiant, path, profile.name, summary, rejets, regions
    )


def scope_of(user: User) -> str | None:
    """The region a user may write (`import_file`'s scope); None for a national account."""
    return user.region if user.role == "regional" else None


def confirm(store: WebStore, user: User, pending: Pending) -> ImportSummary:
    if pending.refused:
        raise IngestError(pending.refused)
    profile = builtin_profiles()[pending.profile]
    key = key_from_env()
    with store.lock:
        summary = import_file(
            store.con, pending.path, profile, store.plan, key, scope=scope_of(user)
        )
        store.con.execute(
            "UPDATE imports SET imported_by = ? WHERE import_id = ?",
            [user.identifiant, summary.import_id],
        )
        regions = summary.regions
        audit(
            store.con,
            user,
            "import",
            user.region if user.role == "regional" else (regions[0] if len(regions) == 1 else None),
            f"import n° {summary.import_id} : {summary.file_name} ({summary.profile}), "
            f"{summary.lines_read} {accord(summary.lines_read, 'ligne lue', 'lignes lues')}, "
            f"{summary.accepted} {accord(summary.accepted, 'acceptée')}, "
            f"{summary.rejected} {accord(summary.rejected, 'rejetée')}, "
            f"{summary.duplicates} {accord(summary.duplicates, 'doublon')}",
        )
    store.data_changed()
    discard(pending)
    return summary


def discard(pending: Pending) -> None:
    discard_path(pending.path)


def discard_path(path: Path) -> None:
    """Remove an uploaded file and the private folder `save_upload` made for it."""
    shutil.rmtree(path.parent, ignore_errors=True)
