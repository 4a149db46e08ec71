"""Invitations sent through a real SMTP server on the loopback, from the CLI, and read back."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from typer.testing import CliRunner

from jalon.cli import app
from jalon.evenements import open_carnet
from jalon.evenements.envoi import EnvoiError, SmtpSettings, send_invitations
from jalon.evenements.jetons import verified
from jalon.report.presse import Evenement
from tests.conftest import DATA, TEST_KEY
from tests.evenements.conftest import (
    IN_A_MONTH,
    Mailbox,
    add_event,
    add_invitees,
    event_file,
)

runner = CliRunner()
PUBLIC = "https://jalon.region-exemple.test"


def _jalon(args: list[str], env: dict[str, str]) -> str:
    result = runner.invoke(app, args, env={"JALON_SECRET": TEST_KEY, **env})
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return re.sub(r" *\n *", " ", result.output)  # Rich wraps at 80 columns


def _prepared(tmp_path: Path, store_path: Path) -> list[str]:
    db = tmp_path / "jalon.duckdb"
    shutil.copy(store_path, db)
    out = _jalon(["evenement", "creer", str(event_file(tmp_path)), "--db", str(db)], {})
    assert "Événement n° 1 enregistré" in out
    out = _jalon(
        [
            "evenement",
            "invites",
            "1",
            str(DATA / "invites" / "invites-presse.csv"),
            "--db",
            str(db),
        ],
        {},
    )
    assert "4 invités ajoutés à l'événement n° 1" in out
    return ["--db", str(db)]


def test_each_invitee_gets_text_html_pdf_ics_and_a_personal_link(
    tmp_path: Path, store_path: Path, smtp: tuple[Mailbox, dict[str, str]]
) -> None:
    box, env = smtp
    db = _prepared(tmp_path, store_path)
    out = _jalon(["evenement", "envoyer", "1", "--adresse-publique", PUBLIC, *db], env)
    assert "Chiffres figés : version des données" in out
    assert "3 invitations envoyées, 0 déjà envoyée, 1 refusée par le serveur, 0 erreur." in out
    assert sorted(r for rs in box.recipients for r in rs) == [
        "alex.exemple@presse-exemple.test", "claude@mairie-exemple.test",
        "dany@formation-exemple.test",
    ]  # fmt: skip
    carnet = open_carnet(Path(db[1]))
    frozen = carnet.documents(1)
    assert frozen is not None
    tokens = set()
    for message in box.messages:
        assert message["Subject"].startswith("Invitation presse : Premier bilan du plan")
        assert re.fullmatch(r"<jalon-evenement-1-invite-\d+@prefecture-exemple\.test>",
                            message["Message-ID"])  # fmt: skip
        text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
        html = message.get_body(("html",)).get_content()
        assert frozen.invitation_texte.strip() in text
        link = re.search(rf"{re.escape(PUBLIC)}/reponse/(\S+)", text)
        assert link is not None and link.group(0) in html
        token = verified(TEST_KEY.encode(), link.group(1))
        assert token is not None
        tokens.add(token)
        attachments = {a.get_filename(): a for a in message.iter_attachments()}
        assert attachments["invitation-presse.pdf"].get_content()[:5] == b"%PDF-"
        calendar = icalendar.Calendar.from_ical(attachments["invitation.ics"].get_content())
        (entry,) = calendar.walk("VEVENT")
        assert entry.decoded("dtstart") == dt.datetime.combine(
            IN_A_MONTH, dt.time(11), tzinfo=ZoneInfo("Europe/Paris")
        )
        assert entry.decoded("dtend") - entry.decoded("dtstart") == dt.timedelta(minutes=90)
        assert "31520 Ramonville-Saint-Agne" in str(entry["location"])
    assert tokens == {i.jeton for i in carnet.invitees(1) if i.envoi == "envoye"}
    statuses = {i.courriel: (i.envoi, i.envoi_detail) for i in carnet.invitees(1)}
    assert statuses["bea@radio-exemple.test"][0] == "refuse"
    assert "550" in (statuses["bea@radio-exemple.test"][1] or "")

    again = _jalon(["evenement", "envoyer", "1", "--adresse-publique", PUBLIC, *db], env)
    assert "0 invitation envoyée, 3 déjà envoyées, 1 refusée par le serveur" in again
    assert len(box.raw) == 3


def test_figures_stay_frozen_when_new_files_arrive(
    tmp_path: Path, store_path: Path, smtp: tuple[Mailbox, dict[str, str]]
) -> None:
    _box, env = smtp
    db = _prepared(tmp_path, store_path)
    first = _jalon(["evenement", "figer", "1", *db], env)
    version = re.search(r"version des données (\w+)", first).group(1)  # type: ignore[union-attr]
    kit = tmp_path / "dossier.pdf"
    _jalon(["evenement", "dossier", "1", "--sortie", str(kit), *db], env)
    before = kit.read_bytes()
    _jalon(["import", str(DATA / "pe-stagiaires" / "export-2017-34-colonnes.csv"), *db], env)
    again = _jalon(["evenement", "figer", "1", *db], env)
    assert f"version {version} : ils ne changent plus" in again
    _jalon(["evenement", "dossier", "1", "--sortie", str(kit), *db], env)
    assert kit.read_bytes() == before
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() for page in PdfReader(kit).pages)
    assert "COMMUNIQUÉ DE PRESSE" in text and "Contacts presse" in text
    assert "Alix Presse" in text and version in text


def test_starttls_and_login(
    tmp_path: Path, store_path: Path, smtp_tls: tuple[Mailbox, dict[str, str]]
) -> None:
    box, env = smtp_tls
    db = _prepared(tmp_path, store_path)
    wrong = runner.invoke(
        app,
        ["evenement", "envoyer", "1", "--adresse-publique", PUBLIC, *db],
        env={"JALON_SECRET": TEST_KEY, **env, "JALON_SMTP_MOT_DE_PASSE": "faux"},
    )
    assert wrong.exit_code == 2
    assert "refuse l'identifiant ou le mot de passe" in wrong.output
    assert "faux" not in wrong.output
    assert all(i.envoi is None for i in open_carnet(Path(db[1])).invitees(1))
    out = _jalon(["evenement", "envoyer", "1", "--adresse-publique", PUBLIC, *db], env)
    assert "4 invitations envoyées" in out and len(box.raw) == 4


def test_an_interrupted_claim_is_never_sent_again(
    tmp_path: Path, store_path: Path, smtp: tuple[Mailbox, dict[str, str]]
) -> None:
    box, env = smtp
    db = _prepared(tmp_path, store_path)
    carnet = open_carnet(Path(db[1]))
    claimed = next(i for i in carnet.invitees(1) if i.courriel.startswith("claude"))
    assert carnet.mark_sending(claimed.id)
    out = _jalon(["evenement", "envoyer", "1", "--adresse-publique", PUBLIC, *db], env)
    assert "2 invitations envoyées" in out and "1 envoi interrompu" in out
    assert "claude@mairie-exemple.test" not in [r for rs in box.recipients for r in rs]
    export = tmp_path / "invites.csv"
    _jalon(["evenement", "reponses", "1", "--csv", str(export), *db], env)
    rows = {
        r["Courriel"]: r for r in csv.DictReader(export.open(encoding="utf-8-sig"), delimiter=";")
    }
    assert rows["claude@mairie-exemple.test"]["Invitation"] == "interrompue, à vérifier"
    assert rows["alex.exemple@presse-exemple.test"]["Invitation"] == "envoyée"
    assert rows["bea@radio-exemple.test"]["Invitation"] == "refusée par le serveur"


def test_messages_are_paced(tmp_path: Path, smtp: tuple[Mailbox, dict[str, str]]) -> None:
    box, env = smtp
    carnet = open_carnet(tmp_path / "base.duckdb")
    event_id = add_event(carnet)
    add_invitees(carnet, event_id)
    event = carnet.event(event_id, None)
    from jalon.evenements.carnet import DocumentsFiges

    documents = DocumentsFiges(
        "<html><body>Invitation</body></html>", "Invitation", b"%PDF-1.7", "", ""
    )
    declaration = Evenement.model_validate(
        {**_minimal_declaration(), "date": IN_A_MONTH.isoformat()}
    )
    now = [0.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    result = send_invitations(
        carnet, event, declaration, documents, SmtpSettings.from_env(env), public_url=PUBLIC,
        secret=TEST_KEY.encode(), per_minute=2, clock=lambda: now[0], sleep=sleep,
    )  # fmt: skip
    assert (result.envoyes, result.refuses) == (3, 1)
    assert sleeps == [30.0, 30.0, 30.0]
    assert len(box.raw) == 3


def _minimal_declaration() -> dict[str, object]:
    return {
        "phase": "2016", "ville": "Toulouse", "date_envoi": "2017-01-23", "titre": "Premier bilan",
        "participants": ["La préfète"], "lieu": "le centre Exemple", "adresse": "1 rue Exemple",
        "heure": "11:00:00", "rsvp": "communication@prefecture-exemple.test",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "réglage d'envoi manquant : JALON_SMTP_HOTE, JALON_SMTP_EXPEDITEUR"),
        ({"JALON_SMTP_HOTE": "h", "JALON_SMTP_EXPEDITEUR": "a@b.fr", "JALON_SMTP_PORT": "x"},
         "JALON_SMTP_PORT vaut « x »"),
        ({"JALON_SMTP_HOTE": "h", "JALON_SMTP_EXPEDITEUR": "a@b.fr",
          "JALON_SMTP_STARTTLS": "peut-être"},
         "attendu oui ou non"),
        ({"JALON_SMTP_HOTE": "h", "JALON_SMTP_EXPEDITEUR": "a@b.fr", "JALON_SMTP_UTILISATEUR": "u"},
         "ensemble, ou aucun des deux"),
    ],
)  # fmt: skip
def test_settings_errors_are_french(env: dict[str, str], expected: str) -> None:
    with pytest.raises(EnvoiError, match=re.escape(expected)):
        SmtpSettings.from_env(env)


def test_unreachable_relay(tmp_path: Path) -> None:
    carnet = open_carnet(tmp_path / "base.duckdb")
    event_id = add_event(carnet)
    add_invitees(carnet, event_id)
    from jalon.evenements.carnet import DocumentsFiges
    from tests.evenements.conftest import free_port

    settings = SmtpSettings("127.0.0.1", free_port(), False, None, None, "a@exemple.test")
    with pytest.raises(EnvoiError, match="injoignable"):
        send_invitations(
            carnet, carnet.event(event_id, None),
            Evenement.model_validate(_minimal_declaration() | {"date": IN_A_MONTH.isoformat()}),
            DocumentsFiges("", "", b"", "", ""), settings, public_url=PUBLIC,
            secret=TEST_KEY.encode(),
        )  # fmt: skip
    assert all(i.envoi is None for i in carnet.invitees(event_id))


def test_the_event_file_names_the_event_and_attendance_is_summed_up(
    tmp_path: Path, store_path: Path, smtp: tuple[Mailbox, dict[str, str]]
) -> None:
    box, env = smtp
    db = tmp_path / "jalon.duckdb"
    shutil.copy(store_path, db)
    event = str(event_file(tmp_path))
    out = _jalon(["evenement", "invites", event, str(DATA / "invites" / "invites-presse.csv"),
                  "--db", str(db)], {})  # fmt: skip
    assert "Événement n° 1 enregistré" in out and "4 invités ajoutés à l'événement n° 1" in out
    out = _jalon(["evenement", "envoyer", event, "--db", str(db)], env)
    assert "Attention : les liens de réponse mènent à http://127.0.0.1:8000" in out
    assert "3 invitations envoyées" in out and len(box.raw) == 3
    assert "n° 2" not in _jalon(["evenement", "lister", "--db", str(db)], {})
    _jalon(["evenement", "repondre", event, "alex.exemple@presse-exemple.test", "--presence",
            "oui", "--personnes", "2", "--db", str(db)], {})  # fmt: skip
    _jalon(["evenement", "repondre", "1", "dany@formation-exemple.test", "--presence", "non",
            "--db", str(db)], {})  # fmt: skip
    for address in ("alex.exemple@presse-exemple.test", "claude@mairie-exemple.test"):
        _jalon(["evenement", "presence", "1", address, "--db", str(db)], {})
    summary = _jalon(["evenement", "synthese", event, "--db", str(db)], {})
    assert (
        "4 invités, 2 réponses (1 présence annoncée, 1 absence), 2 personnes venues : "
        "1 journaliste, 1 élu." in summary
    )
    wrong = runner.invoke(app, ["evenement", "presence", "1", "alex.exemple@presse-exemple.test",
                                "--venu", "peut-être", "--db", str(db)])  # fmt: skip
    assert wrong.exit_code == 2 and "attendu oui ou non" in wrong.output
    unknown = runner.invoke(app, ["evenement", "synthese", "7", "--db", str(db)])
    assert unknown.exit_code == 2 and "événement n° 7 introuvable" in unknown.output
