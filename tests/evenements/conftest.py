"""A store built from the hand-made exports, an event in a month, its carnet and invitees, and a
real SMTP server on the loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import subprocess
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from jalon.evenements import Carnet, open_carnet
from jalon.evenements.invites import read_invitees
from jalon.evenements.jetons import new_token
from jalon.plan import load_plan
from tests.conftest import DATA
from tests.report.conftest import EVENEMENT, build_store

SMTP_USER, SMTP_PASSWORD = "jalon-envoi", "mot-de-passe-du-relais"
IN_A_MONTH = dt.date.today() + dt.timedelta(days=30)


def event_file(folder: Path, day: dt.date = IN_A_MONTH, extra: str = "") -> Path:
    """The seed-like event file of tests/data, moved to `day`, replies two days before."""
    text = EVENEMENT.read_text(encoding="utf-8")
    text = text.replace("date = 2017-01-24", f"date = {day.isoformat()}")
    text = text.replace("rsvp_avant = 2017-01-23", f"rsvp_avant = {day - dt.timedelta(days=2)}")
    path = folder / "evenement.toml"
    path.write_text(extra + text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("evenement") / "jalon.duckdb"
    build_store(path, load_plan())
    return path


@pytest.fixture
def carnet(tmp_path: Path) -> Iterator[Carnet]:
    opened = open_carnet(tmp_path / "base.duckdb")
    yield opened
    opened.con.close()


def add_event(carnet: Carnet, day: dt.date = IN_A_MONTH) -> int:
    return carnet.add_event(
        region="76", phase="2016", titre="Premier bilan", debut=dt.datetime.combine(
            day, dt.time(11)), date_limite=day - dt.timedelta(days=2),
        conserver_jusqu_au=day + dt.timedelta(days=30), declaration="", cree_par=None,
    )  # fmt: skip


def add_invitees(carnet: Carnet, event_id: int) -> None:
    people = read_invitees(DATA / "invites" / "invites-presse.csv")
    carnet.add_invitees(event_id, [p.as_row() for p in people], [new_token() for _ in people])


class Mailbox:
    """An aiosmtpd handler: refuses the addresses it is told to, keeps every message."""

    def __init__(self, refused: tuple[str, ...] = ()) -> None:
        self.refused = set(refused)
        self.raw: list[bytes] = []
        self.recipients: list[list[str]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 Destinataire inconnu"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.raw.append(envelope.original_content or envelope.content)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(raw, policy=policy.default) for raw in self.raw]  # type: ignore[misc]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, dict[str, str]]]:
    """A plain relay (no TLS, no login), as a local relay of an administration is."""
    box = Mailbox(refused=("bea@radio-exemple.test",))
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    env = {
        "JALON_SMTP_HOTE": "127.0.0.1",
        "JALON_SMTP_PORT": str(controller.port),
        "JALON_SMTP_STARTTLS": "non",
        "JALON_SMTP_EXPEDITEUR": "Préfecture Exemple <communication@prefecture-exemple.test>",
    }
    yield box, env
    controller.stop()


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        SMTP_USER.encode(), SMTP_PASSWORD.encode(),
    )  # fmt: skip
    # handled=False: aiosmtpd then answers 535 itself (True would leave the client waiting).
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_tls(tmp_path: Path) -> Iterator[tuple[Mailbox, dict[str, str]]]:
    """A relay that requires STARTTLS and a login, with a self-signed certificate the client is
    told to trust (`JALON_SMTP_CA`)."""
    cert, key = tmp_path / "relais.pem", tmp_path / "relais.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    box = Mailbox()
    controller = Controller(
        box, hostname="127.0.0.1", port=free_port(), tls_context=context, require_starttls=True,
        authenticator=_authenticator, auth_require_tls=True,
    )  # fmt: skip
    controller.start()
    env = {
        "JALON_SMTP_HOTE": "127.0.0.1",
        "JALON_SMTP_PORT": str(controller.port),
        "JALON_SMTP_STARTTLS": "oui",
        "JALON_SMTP_UTILISATEUR": SMTP_USER,
        "JALON_SMTP_MOT_DE_PASSE": SMTP_PASSWORD,
        "JALON_SMTP_EXPEDITEUR": "communication@prefecture-exemple.test",
        "JALON_SMTP_CA": str(cert),
    }
    yield box, env
    controller.stop()
