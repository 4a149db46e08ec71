"""The carnet: events, their invitees, the invitations sent and the replies, in SQLite.

Why SQLite and not the DuckDB store: the carnet holds contact data (names, e-mail addresses) that
the statistics store must never receive, and its writes are single rows (one reply, one message
sent) made by the web server and by `jalon evenement envoyer` at the same time; SQLite in WAL mode
lets both processes write, each in its own short transaction. The file sits beside the store
(`BASE.evenements.sqlite`), created readable and writable by its owner only.

Scope: every read and write names the region of the account acting (`None` for a national account
or the local administrator); an event of another region is « introuvable » for a regional account,
as if it did not exist. Retention: opening the carnet deletes the events whose retention date has
passed, with their invitees, messages and replies (`ON DELETE CASCADE`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS evenements (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL,
    phase TEXT NOT NULL,
    titre TEXT NOT NULL,
    debut TEXT NOT NULL,
    date_limite TEXT,
    conserver_jusqu_au TEXT NOT NULL,
    declaration TEXT NOT NULL,
    cree_le TEXT NOT NULL,
    cree_par TEXT,
    version_donnees TEXT,
    fige_le TEXT,
    invitation_html TEXT,
    invitation_texte TEXT,
    invitation_pdf BLOB,
    note_html TEXT,
    note_texte TEXT,
    dossier_pdf BLOB
);
CREATE TABLE IF NOT EXISTS invites (
    id INTEGER PRIMARY KEY,
    evenement_id INTEGER NOT NULL REFERENCES evenements(id) ON DELETE CASCADE,
    nom TEXT NOT NULL,
    organisation TEXT,
    courriel TEXT NOT NULL,
    categorie TEXT NOT NULL,
    jeton TEXT NOT NULL UNIQUE,
    ajoute_le TEXT NOT NULL,
    UNIQUE (evenement_id, courriel)
);
CREATE TABLE IF NOT EXISTS envois (
    invite_id INTEGER PRIMARY KEY REFERENCES invites(id) ON DELETE CASCADE,
    statut TEXT NOT NULL CHECK (statut IN ('en_cours', 'envoye', 'refuse', 'erreur')),
    detail TEXT,
    le TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reponses (
    invite_id INTEGER PRIMARY KEY REFERENCES invites(id) ON DELETE CASCADE,
    presence INTEGER NOT NULL CHECK (presence IN (0, 1)),
    personnes INTEGER NOT NULL CHECK (personnes BETWEEN 0 AND 20),
    source TEXT NOT NULL CHECK (source IN ('lien', 'organisateur')),
    le TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS presences (
    invite_id INTEGER PRIMARY KEY REFERENCES invites(id) ON DELETE CASCADE,
    venu INTEGER NOT NULL CHECK (venu IN (0, 1)),
    le TEXT NOT NULL
);
"""


class CarnetError(ValueError):
    """A French message for the user: unknown event, duplicate invitee, closed replies…"""


@dataclass(frozen=True)
class EvenementEnregistre:
    id: int
    region: str
    phase: str
    titre: str
    debut: dt.datetime
    date_limite: dt.date | None
    conserver_jusqu_au: dt.date
    declaration: str
    version_donnees: str | None
    fige_le: dt.datetime | None

    @property
    def fige(self) -> bool:
        return self.fige_le is not None


@dataclass(frozen=True)
class Invite:
    id: int
    nom: str
    organisation: str | None
    courriel: str
    categorie: str
    jeton: str
    envoi: str | None
    envoi_detail: str | None
    presence: bool | None
    personnes: int | None
    source: str | None
    venu: bool | None = None


@dataclass(frozen=True)
class DocumentsFiges:
    """The invitation and the note as they were when the figures were frozen."""

    invitation_html: str
    invitation_texte: str
    invitation_pdf: bytes
    note_html: str
    note_texte: str


def carnet_path(store: Path) -> Path:
    return Path(f"{store}.evenements.sqlite")


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


class Carnet:
    """The carnet of one store, opened by `open_carnet`."""

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self.con:
            yield self.con

    def purge(self, today: dt.date) -> int:
        """Delete the events whose retention period has ended; return how many."""
        with self._write() as con:
            cursor = con.execute(
                "DELETE FROM evenements WHERE conserver_jusqu_au < ?", [today.isoformat()]
            )
        return cursor.rowcount

    def add_event(
        self,
        *,
        region: str,
        phase: str,
        titre: str,
        debut: dt.datetime,
        date_limite: dt.date | None,
        conserver_jusqu_au: dt.date,
        declaration: str,
        cree_par: str | None,
    ) -> int:
        with self._write() as con:
            cursor = con.execute(
                "INSERT INTO evenements (region, phase, titre, debut, date_limite, "
                "conserver_jusqu_au, declaration, cree_le, cree_par) VALUES (?, ?, ?, ?, ?, ?, ?, "
                "?, ?)",
                [
                    region,
                    phase,
                    titre,
                    debut.isoformat(timespec="minutes"),
                    date_limite.isoformat() if date_limite else None,
                    conserver_jusqu_au.isoformat(),
                    declaration,
                    _now(),
                    cree_par,
                ],
            )
        return int(cursor.lastrowid or 0)

    def events(self, scope: str | None) -> list[EvenementEnregistre]:
        rows = self.con.execute(
            "SELECT id, region, phase, titre, debut, date_limite, conserver_jusqu_au, "
            "declaration, version_donnees, fige_le FROM evenements "
            "WHERE ? IS NULL OR region = ? ORDER BY debut, id",
            [scope, scope],
        ).fetchall()
        return [_event(row) for row in rows]

    def event(self, event_id: int, scope: str | None) -> EvenementEnregistre:
        for event in self.events(scope):
            if event.id == event_id:
                return event
        raise CarnetError(f"événement n° {event_id} introuvable (« jalon evenement lister »).")

    def delete_event(self, event_id: int, scope: str | None) -> None:
        self.event(event_id, scope)
        with self._write() as con:
            con.execute("DELETE FROM evenements WHERE id = ?", [event_id])

    def freeze(self, event_id: int, version: str, documents: DocumentsFiges, kit: bytes) -> None:
        """Keep the invitation and the note as they are now: every later message, the kit and
        the web page use these, even if new files are imported."""
        with self._write() as con:
            con.execute(
                "UPDATE evenements SET version_donnees = ?, fige_le = ?, invitation_html = ?, "
                "invitation_texte = ?, invitation_pdf = ?, note_html = ?, note_texte = ?, "
                "dossier_pdf = ? WHERE id = ? AND fige_le IS NULL",
                [
                    version,
                    _now(),
                    documents.invitation_html,
                    documents.invitation_texte,
                    documents.invitation_pdf,
                    documents.note_html,
                    documents.note_texte,
                    kit,
                    event_id,
                ],
            )

    def documents(self, event_id: int) -> DocumentsFiges | None:
        row = self.con.execute(
            "SELECT invitation_html, invitation_texte, invitation_pdf, note_html, note_texte "
            "FROM evenements WHERE id = ? AND fige_le IS NOT NULL",
            [event_id],
        ).fetchone()
        return DocumentsFiges(*row) if row else None

    def press_kit(self, event_id: int) -> bytes | None:
        row = self.con.execute(
            "SELECT dossier_pdf FROM evenements WHERE id = ? AND fige_le IS NOT NULL", [event_id]
        ).fetchone()
        return bytes(row[0]) if row and row[0] is not None else None

    def add_invitees(
        self, event_id: int, people: list[tuple[str, str | None, str, str]], tokens: list[str]
    ) -> tuple[int, int]:
        """Add (name, organisation, e-mail, category) rows; an address already invited to the
        event is left as it is. Returns (added, already there)."""
        added = 0
        with self._write() as con:
            for (nom, organisation, courriel, categorie), token in zip(people, tokens, strict=True):
                cursor = con.execute(
                    "INSERT INTO invites (evenement_id, nom, organisation, courriel, categorie, "
                    "jeton, ajoute_le) VALUES (?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (evenement_id, courriel) DO NOTHING",
                    [event_id, nom, organisation, courriel.lower(), categorie, token, _now()],
                )
                added += cursor.rowcount
        return added, len(people) - added

    def invitees(self, event_id: int) -> list[Invite]:
        rows = self.con.execute(
            "SELECT i.id, i.nom, i.organisation, i.courriel, i.categorie, i.jeton, e.statut, "
            "e.detail, r.presence, r.personnes, r.source, p.venu FROM invites i "
            "LEFT JOIN envois e ON e.invite_id = i.id LEFT JOIN reponses r ON r.invite_id = i.id "
            "LEFT JOIN presences p ON p.invite_id = i.id "
            "WHERE i.evenement_id = ? ORDER BY i.categorie, i.nom COLLATE NOCASE, i.id",
            [event_id],
        ).fetchall()
        return [_invite(row) for row in rows]

    def invitee_by_token(self, token: str) -> tuple[EvenementEnregistre, Invite] | None:
        row = self.con.execute(
            "SELECT evenement_id FROM invites WHERE jeton = ?", [token]
        ).fetchone()
        if row is None:
            return None
        event = self.event(int(row[0]), None)
        invite = next(i for i in self.invitees(event.id) if i.jeton == token)
        return event, invite

    def invitee_by_address(self, event_id: int, courriel: str) -> Invite:
        for invite in self.invitees(event_id):
            if invite.courriel == courriel.strip().lower():
                return invite
        raise CarnetError(
            f"aucun invité n'a l'adresse « {courriel} » pour l'événement n° {event_id}."
        )

    def mark_sending(self, invite_id: int) -> bool:
        """Claim an invitee before the message leaves: False if a message was already sent (or
        its sending was interrupted after the claim, which may have reached the invitee)."""
        with self._write() as con:
            cursor = con.execute(
                "INSERT INTO envois VALUES (?, 'en_cours', NULL, ?) ON CONFLICT (invite_id) DO "
                "UPDATE SET statut = 'en_cours', le = excluded.le "
                "WHERE envois.statut IN ('refuse', 'erreur')",
                [invite_id, _now()],
            )
        return cursor.rowcount == 1

    def mark_sent(self, invite_id: int, statut: str, detail: str | None = None) -> None:
        with self._write() as con:
            con.execute(
                "UPDATE envois SET statut = ?, detail = ?, le = ? WHERE invite_id = ?",
                [statut, detail, _now(), invite_id],
            )

    def record_attendance(self, invite_id: int, venu: bool) -> None:
        with self._write() as con:
            con.execute(
                "INSERT INTO presences VALUES (?, ?, ?) ON CONFLICT (invite_id) DO UPDATE "
                "SET venu = excluded.venu, le = excluded.le",
                [invite_id, int(venu), _now()],
            )

    def event_by_declaration(self, text: str) -> EvenementEnregistre | None:
        row = self.con.execute(
            "SELECT id FROM evenements WHERE declaration = ? ORDER BY id LIMIT 1", [text]
        ).fetchone()
        return self.event(int(row[0]), None) if row else None

    def record_reply(self, invite_id: int, presence: bool, personnes: int, source: str) -> None:
        with self._write() as con:
            con.execute(
                "INSERT INTO reponses VALUES (?, ?, ?, ?, ?) ON CONFLICT (invite_id) DO UPDATE "
                "SET presence = excluded.presence, personnes = excluded.personnes, "
                "source = excluded.source, le = excluded.le",
                [invite_id, int(presence), personnes if presence else 0, source, _now()],
            )


def _invite(row: tuple[object, ...]) -> Invite:
    (id_, nom, organisation, courriel, categorie, jeton, envoi, detail, presence, personnes,
     source, venu) = row  # fmt: skip
    return Invite(
        int(id_),  # type: ignore[call-overload]
        str(nom),
        None if organisation is None else str(organisation),
        str(courriel),
        str(categorie),
        str(jeton),
        None if envoi is None else str(envoi),
        None if detail is None else str(detail),
        None if presence is None else bool(presence),
        None if personnes is None else int(personnes),  # type: ignore[call-overload]
        None if source is None else str(source),
        None if venu is None else bool(venu),
    )


def _event(row: tuple[object, ...]) -> EvenementEnregistre:
    (id_, region, phase, titre, debut, limite, garde, declaration, version, fige) = row
    return EvenementEnregistre(
        int(id_),  # type: ignore[call-overload]
        str(region),
        str(phase),
        str(titre),
        dt.datetime.fromisoformat(str(debut)),
        dt.date.fromisoformat(str(limite)) if limite else None,
        dt.date.fromisoformat(str(garde)),
        str(declaration),
        str(version) if version else None,
        dt.datetime.fromisoformat(str(fige)) if fige else None,
    )


def open_carnet(store: Path, *, today: dt.date | None = None) -> Carnet:
    """Open (or create, mode 0600) the carnet of `store`, and apply the retention rule."""
    path = carnet_path(store)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    con = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    con.execute("PRAGMA journal_mode = WAL")
    con.executescript(SCHEMA)
    con.isolation_level = "DEFERRED"
    carnet = Carnet(con)
    carnet.purge(today or dt.date.today())
    return carnet
