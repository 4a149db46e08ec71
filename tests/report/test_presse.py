"""The press kit: event files, invitation and note texts written from the data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from jalon.plan import Plan
from jalon.report import rendu
from jalon.report.presse import (
    EvenementError,
    Invitation,
    build_invitation,
    build_note,
    heure,
    load_evenement,
)
from jalon.store import open_store
from tests.report.conftest import EVENEMENT


def test_example_event_file_loads() -> None:
    event = load_evenement(EVENEMENT)
    assert event.date == dt.date(2017, 1, 24) and event.heure == dt.time(11, 0)
    assert event.programme[0] == "Visite des locaux"
    assert next(c.organisme for c in event.contacts) == "Préfecture de région"


def test_event_errors_name_the_file_and_the_key(tmp_path: Path) -> None:
    broken = tmp_path / "evenement.toml"
    text = EVENEMENT.read_text(encoding="utf-8")
    broken.write_text(text.replace("date = 2017-01-24", 'date = "demain"'), encoding="utf-8")
    with pytest.raises(EvenementError, match=r"evenement.toml.*\n.*date : attendu : une date"):
        load_evenement(broken)
    broken.write_text(text.replace("rsvp =", "rsvp_inconnu ="), encoding="utf-8")
    with pytest.raises(EvenementError, match="rsvp_inconnu : attendu : aucune clé de ce nom"):
        load_evenement(broken)
    broken.write_text("titre = ", encoding="utf-8")
    with pytest.raises(EvenementError, match="n'est pas un fichier TOML valide"):
        load_evenement(broken)
    with pytest.raises(EvenementError, match="illisible"):
        load_evenement(tmp_path / "absent.toml")


def test_times_as_invitations_write_them() -> None:
    assert heure(dt.time(11, 0)) == "11\u00a0heures"
    assert heure(dt.time(1, 0)) == "1\u00a0heure"
    assert heure(dt.time(9, 30)) == "9\u00a0h\u00a030"


@pytest.fixture(scope="module")
def invitation(store_path: Path, module_plan: Plan) -> Invitation:
    con = open_store(store_path, read_only=True)
    try:
        return build_invitation(con, module_plan, "76", load_evenement(EVENEMENT))
    finally:
        con.close()


def test_invitation_text_has_place_date_programme_rsvp_and_contacts(
    invitation: Invitation,
) -> None:
    text = rendu.invitation_text(invitation)
    assert text.startswith("Toulouse, le 23 janvier 2017\n")
    assert "le 24 janvier 2017 à 11\u00a0heures." in text
    assert "31520 Ramonville-Saint-Agne" in text
    assert "- Témoignages et échanges avec d’anciens stagiaires aujourd’hui salariés" in text
    assert "communication@prefecture-exemple.test" in text
    assert "- Pôle emploi\u202f: Noa Communication – 06 00 00 00 03" in text
    assert "La région Occitanie est la 1re région de France" in text
    assert invitation.chiffres.version.code in text
    # 9 entries are under the secrecy threshold: the sentence that would give them is left out
    assert "entrées en formation enregistrées" not in text
    assert all(len(line) <= 90 for line in text.splitlines())


def test_invitation_html_and_note(invitation: Invitation, ro, module_plan: Plan) -> None:
    html = rendu.invitation_html(invitation)
    assert "<li>Point presse</li>" in html and "Invitation presse" in html
    note = build_note(ro, module_plan, "2016", "76")
    assert note.titre == (
        "Plan 500 000 formations supplémentaires : bilan en Occitanie, année 2016"
    )
    text = rendu.note_text(note)
    assert "COMMUNIQUÉ DE PRESSE" in text
    assert "25 avril 2016" in text  # the convention's signature, from the plan file
    assert "Objectif total d’entrées\u202f: 90\u202f000" in text
