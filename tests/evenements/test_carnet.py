"""The carnet: its file's mode, regional scope, retention, replies by link and by the organiser,
counts and the sign-in sheet."""

from __future__ import annotations

import datetime as dt
import io
import stat
from pathlib import Path

import pytest
from pypdf import PdfReader

from jalon.evenements import CarnetError, carnet_path, open_carnet
from jalon.evenements.documents import sign_in_sheet
from jalon.evenements.jetons import signed
from jalon.evenements.reponses import LienError, counts, reply_by_link
from jalon.report.presse import Evenement
from tests.conftest import TEST_KEY
from tests.evenements.conftest import IN_A_MONTH, add_event, add_invitees

KEY = TEST_KEY.encode()
BEFORE = dt.datetime.combine(IN_A_MONTH, dt.time(9))


def test_file_readable_by_its_owner_only(tmp_path: Path) -> None:
    carnet = open_carnet(tmp_path / "base.duckdb")
    add_invitees(carnet, add_event(carnet))
    for path in tmp_path.glob("base.duckdb.evenements.sqlite*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    assert carnet_path(tmp_path / "base.duckdb").exists()
    assert not (tmp_path / "base.duckdb").exists()  # the statistics store is not touched


def test_a_regional_account_sees_only_its_region(carnet) -> None:
    event_id = add_event(carnet)
    assert [e.id for e in carnet.events("76")] == [event_id]
    assert carnet.events("53") == []
    with pytest.raises(CarnetError, match=f"événement n° {event_id} introuvable"):
        carnet.event(event_id, "53")
    with pytest.raises(CarnetError):
        carnet.delete_event(event_id, "53")
    assert carnet.event(event_id, None).region == "76"


def test_retention_deletes_the_event_and_its_contacts(tmp_path: Path) -> None:
    carnet = open_carnet(tmp_path / "base.duckdb")
    past = dt.date(2017, 1, 24)
    event_id = carnet.add_event(
        region="76", phase="2016", titre="Ancien", debut=dt.datetime(2017, 1, 24, 11),
        date_limite=None, conserver_jusqu_au=past + dt.timedelta(days=30), declaration="",
        cree_par=None,
    )  # fmt: skip
    add_invitees(carnet, event_id)
    kept = add_event(carnet)
    carnet.con.close()
    carnet = open_carnet(tmp_path / "base.duckdb", today=past + dt.timedelta(days=30))
    assert [e.id for e in carnet.events(None)] == [event_id, kept]
    carnet.con.close()
    carnet = open_carnet(tmp_path / "base.duckdb", today=past + dt.timedelta(days=31))
    assert [e.id for e in carnet.events(None)] == [kept]
    assert carnet.con.execute("SELECT count(*) FROM invites").fetchone() == (0,)


def test_same_address_twice_is_kept_once(carnet) -> None:
    event_id = add_event(carnet)
    add_invitees(carnet, event_id)
    added, present = carnet.add_invitees(
        event_id, [("Alex Exemple", None, "ALEX.EXEMPLE@presse-exemple.test", "journaliste")], ["t"]
    )
    assert (added, present) == (0, 1)
    assert len(carnet.invitees(event_id)) == 4


def test_reply_link_single_use_signed_and_closed_at_the_event(carnet) -> None:
    event_id = add_event(carnet)
    add_invitees(carnet, event_id)
    people = {i.nom: i for i in carnet.invitees(event_id)}
    alex, bea = people["Alex Exemple"], people["Béa Modèle"]
    link = signed(KEY, alex.jeton)
    with pytest.raises(LienError, match="pas valide"):
        reply_by_link(carnet, KEY, link[:-1] + ("A" if link[-1] != "A" else "B"), True, 1, BEFORE)
    with pytest.raises(LienError, match="pas valide"):
        reply_by_link(carnet, b"une-autre-cle-de-seize-octets", link, True, 1, BEFORE)
    with pytest.raises(CarnetError, match="de 1 à 20"):
        reply_by_link(carnet, KEY, link, True, 0, BEFORE)
    reply_by_link(carnet, KEY, link, True, 2, BEFORE)
    with pytest.raises(LienError, match="déjà répondu"):
        reply_by_link(carnet, KEY, link, False, 0, BEFORE)
    late = dt.datetime.combine(IN_A_MONTH, dt.time(11))
    with pytest.raises(LienError, match="a commencé"):
        reply_by_link(carnet, KEY, signed(KEY, bea.jeton), True, 1, late)
    carnet.record_reply(bea.id, False, 0, "organisateur")
    by_category = {c.libelle: c for c in counts(carnet.invitees(event_id))}
    journalists = by_category["Journalistes"]
    assert (journalists.invites, journalists.presents, journalists.personnes) == (2, 1, 2)
    assert (journalists.absents, journalists.sans_reponse) == (1, 0)
    assert by_category["Total"].sans_reponse == 2 and by_category["Élus"].invites == 1


def test_sign_in_sheet_lists_the_confirmed_alphabetically_by_category(carnet) -> None:
    event_id = add_event(carnet)
    add_invitees(carnet, event_id)
    carnet.add_invitees(
        event_id, [("Zoé Abadie", "AFP", "zoe@afp-exemple.test", "journaliste")], ["tz"]
    )
    people = {i.nom: i for i in carnet.invitees(event_id)}
    for name in ("Zoé Abadie", "Alex Exemple", "Claude Élu-Test"):
        carnet.record_reply(people[name].id, True, 1, "organisateur")
    carnet.record_reply(people["Béa Modèle"].id, False, 0, "organisateur")
    declaration = Evenement.model_validate(
        {"phase": "2016", "ville": "Toulouse", "date_envoi": "2017-01-23", "titre": "Premier bilan",
         "participants": ["La préfète"], "lieu": "le centre Exemple", "adresse": "1 rue Exemple",
         "date": IN_A_MONTH.isoformat(), "heure": "11:00:00", "rsvp": "c@prefecture.test"}
    )  # fmt: skip
    pdf = sign_in_sheet(carnet, carnet.event(event_id, None), declaration)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert text.index("Journalistes (2)") < text.index("Zoé Abadie") < text.index("Alex Exemple")
    assert text.index("Alex Exemple") < text.index("Élus (1)") < text.index("Claude Élu-Test")
    assert "Partenaires (0)" in text
    assert "Béa Modèle" not in text and "Dany Partenaire" not in text
