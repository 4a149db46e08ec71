"""The invitation Jalon writes on the demo store, compared point by point with the seed
invitation of 23 January 2017 (« Premier bilan du plan 500 000 formations supplémentaires en
région Occitanie »; DESIGN §4), using the hand-written event file modelled on it.

The seed's points, in its order: place and date of issue; genre and title; the plan's launch;
the protocol of 25 April 2016; places launched and the gain on 2015; entries and the target
reached; 1st region; the extension; the visit (who, where, when); Pôle emploi's participation;
the programme; the RSVP (address, deadline); the press contacts. The demo is simulated at scale
0.02, so the seed's 30 000 additional trainings read as about 600. The demo store is the
session's (`demo_run`, tests/conftest.py), built once by `jalon demo` and only read here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jalon.plan import load_plan
from jalon.report import rendu
from jalon.report.document import build_document
from jalon.report.presse import Invitation, build_invitation, build_note, load_evenement
from jalon.store import open_store
from tests.conftest import DemoRun
from tests.report.conftest import EVENEMENT

pytestmark = pytest.mark.slow


def _plain(text: str) -> str:
    """Text as the seed is read: straight apostrophes, plain spaces, lines joined."""
    text = text.replace("’", "'").replace("\u202f", " ").replace("\u00a0", " ")
    return " ".join(text.split())


@pytest.fixture(scope="module")
def demo(demo_run: DemoRun) -> Path:
    return demo_run.db


@pytest.fixture(scope="module")
def invitation(demo: Path) -> tuple[Invitation, str]:
    plan = load_plan(Path(f"{demo}.plan.toml"))
    con = open_store(demo, read_only=True)
    try:
        inv = build_invitation(con, plan, "76", load_evenement(EVENEMENT))
    finally:
        con.close()
    return inv, _plain(rendu.invitation_text(inv))


def test_issue_genre_title_and_context(invitation: tuple[Invitation, str]) -> None:
    _, text = invitation
    assert text.startswith("Toulouse, le 23 janvier 2017 INVITATION PRESSE Premier bilan du plan")
    assert "« 500 000 formations supplémentaires » en région Occitanie" in text
    assert "Le 18 janvier 2016, le président de la République a présenté un plan" in text
    assert (
        "Le 25 avril 2016, l'État, la Région Occitanie / Pyrénées-Méditerranée et les "
        "partenaires sociaux ont signé un protocole d'accord déclinant ce plan en Occitanie"
    ) in text


def test_key_figures_as_the_seed_states_them(invitation: tuple[Invitation, str]) -> None:
    inv, text = invitation
    places = re.search(r"En 2016, ce plan s'est traduit par le lancement de (.+?) places", text)
    assert places is not None and re.fullmatch(r"(plus de |près de )?\d[\d ]*", places[1])
    gain = re.search(r"soit (\d+) de plus qu'en 2015", text)
    assert gain is not None and 540 <= int(gain[1]) <= 660, text  # 30 000 × 0,02, ±10 %
    assert inv.chiffres.cles.supplementaires == int(gain[1])
    assert re.search(r"Avec [^.]+ entrées en formation enregistrées, [^.]+ est atteint\.", text)
    assert (
        "La région Occitanie est la 1re région de France en termes de demandeurs d'emploi "
        "supplémentaires formés."
    ) in text
    assert "prolonger le plan au premier semestre 2017" in text
    # the seed's own sentence repeats no figure: neither do ours
    entries = next(p for p in inv.chiffres.phrases if p.startswith("Avec "))
    counts = re.findall(r"\d{1,3}(?:\u202f\d{3})*(?!\u202f%)", entries.replace("2015", ""))
    assert len(counts) == len(set(counts)), entries


def test_visit_programme_rsvp_and_contacts(invitation: tuple[Invitation, str]) -> None:
    _, text = invitation
    assert "visiteront, avec les partenaires sociaux, le centre de formation" in text
    assert "31520 Ramonville-Saint-Agne –, le 24 janvier 2017 à 11 heures." in text
    assert "avec la participation du directeur régional de Pôle emploi" in text
    programme = text.split("Déroulé de la manifestation : ", 1)[1]
    assert programme.startswith(
        "- Visite des locaux - Témoignages et échanges avec d'anciens stagiaires aujourd'hui "
        "salariés - Point presse Vous êtes cordialement invités à cette rencontre."
    )
    assert (
        "Merci de bien vouloir confirmer votre présence avant le 23 janvier 2017 à l'adresse "
        "suivante : communication@prefecture-exemple.test"
    ) in text
    contacts = text.split("Contacts presse : ", 1)[1]
    for organisme in (
        "Préfecture de région",
        "Région Occitanie / Pyrénées-Méditerranée",
        "Pôle emploi",
    ):
        assert f"- {organisme} : " in contacts
    assert "version des données" not in text


def test_the_bilan_the_note_and_the_invitation_word_the_figures_alike(
    demo: Path, invitation: tuple[Invitation, str]
) -> None:
    inv, _ = invitation
    plan = load_plan(Path(f"{demo}.plan.toml"))
    con = open_store(demo, read_only=True)
    try:
        document = build_document(con, plan, "2016", "76")
        note = build_note(con, plan, "2016", "76", date=inv.evenement.date_envoi)
    finally:
        con.close()
    assert document.resume == note.chiffres.phrases == inv.chiffres.phrases
    note_text = _plain(rendu.note_text(note))
    assert all(_plain(p) in note_text for p in note.chiffres.phrases)
