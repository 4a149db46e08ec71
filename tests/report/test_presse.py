"""The press kit: event files, invitation and note texts written from the data."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
from pypdf import PdfReader

from jalon.plan import Plan
from jalon.report import rendu
from jalon.report.presse import (
    EvenementError,
    Invitation,
    build_invitation,
    build_note,
    chiffres_presse,
    emission,
    heure,
    load_evenement,
    parse_date,
)
from jalon.store import open_store
from tests.report.conftest import EVENEMENT


def test_example_event_file_loads() -> None:
    event = load_evenement(EVENEMENT)
    assert event.date == dt.date(2017, 1, 24) and event.heure == dt.time(11, 0)
    assert event.programme[0] == "Visite des locaux"
    assert next(c.organisme for c in event.contacts) == "Préfecture de région"
    assert event.region == "76" and event.rsvp_avant == dt.date(2017, 1, 23)
    assert event.protocole[0].startswith("Le 25 avril 2016, l'État")


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
    assert "confirmer votre présence avant le 23 janvier 2017 à l’adresse suivante" in text
    assert "communication@prefecture-exemple.test" in text
    assert "- Pôle emploi\u202f: Noa Communication – 06 00 00 00 03" in text
    assert "Le 25 avril 2016, l’État, la Région Occitanie" in text  # the event's protocol
    # 9 entries are under the secrecy threshold: the sentences that would give them, and the
    # rank of a gain the reader may not see, are left out
    assert "entrées en formation enregistrées" not in text
    assert "région de France" not in text
    assert all(len(line) <= 90 for line in text.splitlines())
    assert text.endswith("presse@pole-emploi-exemple.test\n")


def test_public_version_names_no_data_version_the_internal_one_does(
    invitation: Invitation,
) -> None:
    code = invitation.chiffres.version.code
    public_text = rendu.invitation_text(invitation)
    public_html = rendu.invitation_html(invitation)
    assert code not in public_text and "Chiffres" not in public_text
    body = public_html.split("<body>", 1)[1]
    assert code not in body and "data-mention" not in body
    assert f"version des données {code}" in public_html.split("<body>", 1)[0]  # metadata
    internal = replace(invitation, interne=True)
    internal_text = rendu.invitation_text(internal)
    assert "Version interne, à ne pas diffuser." in internal_text and code in internal_text
    assert internal_text.startswith(public_text.rstrip("\n"))
    assert 'data-mention="Version interne' in rendu.invitation_html(internal)


def test_public_pdf_has_no_footer_and_keeps_the_version_in_its_metadata(
    invitation: Invitation,
) -> None:
    code = invitation.chiffres.version.code
    reader = PdfReader(io.BytesIO(rendu.pdf(rendu.invitation_html(invitation))))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Contacts presse" in text and code not in text and "Chiffres" not in text
    assert reader.metadata is not None and code in str(reader.metadata.subject)
    internal = rendu.pdf(rendu.invitation_html(replace(invitation, interne=True)))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(internal)).pages)
    assert "Version interne" in text and code in text


def test_note_dated_and_placed_as_asked_with_the_event_contacts(
    ro: duckdb.DuckDBPyConnection, module_plan: Plan
) -> None:
    event = load_evenement(EVENEMENT)
    note = build_note(
        ro,
        module_plan,
        "2016",
        "76",
        date=dt.date(2017, 1, 25),
        lieu="Montpellier",
        evenement=event,
    )
    text = rendu.note_text(note)
    assert text.startswith("Montpellier, le 25 janvier 2017\n")
    assert "Le 25 avril 2016, l’État, la Région Occitanie" in text
    assert "- Préfecture de région\u202f: Alix Presse – 05 00 00 00 01" in text
    assert note.chiffres.version.code not in text
    without_event = build_note(ro, module_plan, "2016", "76", date=dt.date(2017, 3, 1))
    assert rendu.note_text(without_event).startswith("Le 1er mars 2017\n")
    assert '<div class="coin">Le 1<sup>er</sup> mars 2017</div>' in rendu.note_html(without_event)
    assert not without_event.contacts


def test_invitation_html_and_note(invitation: Invitation, ro, module_plan: Plan) -> None:
    html = rendu.invitation_html(invitation)
    assert "<li>Point presse</li>" in html and "Invitation presse" in html
    note = build_note(ro, module_plan, "2016", "76", date=dt.date(2017, 1, 23))
    assert note.titre == (
        "Plan 500 000 formations supplémentaires : bilan en Occitanie, année 2016"
    )
    text = rendu.note_text(note)
    assert "COMMUNIQUÉ DE PRESSE" in text
    assert "25 avril 2016" in text  # the convention's signature, from the plan file
    assert "Objectif total d’entrées\u202f: 90\u202f000" in text


def _event_with(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "evenement.toml"
    text = EVENEMENT.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_event_text_that_the_data_contradict_is_refused_with_its_place(
    tmp_path: Path, ro: duckdb.DuckDBPyConnection, module_plan: Plan
) -> None:
    path = _event_with(
        tmp_path,
        "Devant ces bons résultats,",
        "Occitanie est la 3e région de France. Devant ces bons résultats,",
    )
    event = load_evenement(path)
    with pytest.raises(EvenementError) as error:
        build_invitation(ro, module_plan, "76", event)
    message = str(error.value)
    assert "evenement.toml" in message and "clé « suite »" in message
    # The store's Occitanie entries are few: the public pattern hides its rank, so no rank
    # claim can stand in a public text.
    assert "« 3e région »" in message and "le rang de la région n'est pas publiable" in message
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "3e région" in t)
    assert f"ligne {line}, colonne " in message


def test_event_of_another_region_is_refused(
    ro: duckdb.DuckDBPyConnection, module_plan: Plan
) -> None:
    with pytest.raises(EvenementError, match=r"région 76 \(Occitanie.*région 53 \(Bretagne\)"):
        build_invitation(ro, module_plan, "53", load_evenement(EVENEMENT))


def test_event_errors_never_repeat_a_contact_detail(tmp_path: Path) -> None:
    path = _event_with(tmp_path, '"06 00 00 00 03"', '"appelez-moi"')
    with pytest.raises(EvenementError) as error:
        load_evenement(path)
    assert "contacts[2].telephone : attendu : un texte au bon format" in str(error.value)
    assert "appelez-moi" not in str(error.value)
    path = _event_with(tmp_path, "rsvp_avant = 2017-01-23", "rsvp_avant = 2017-02-01")
    with pytest.raises(EvenementError, match="rsvp_avant = 2017-02-01 : attendu une date entre"):
        load_evenement(path)
    path = _event_with(tmp_path, "date = 2017-01-24", "date = 2017-01-20")
    with pytest.raises(EvenementError, match="a lieu avant l'envoi de l'invitation"):
        load_evenement(path)


def test_issue_dates_and_places() -> None:
    assert emission("Toulouse", dt.date(2017, 1, 23)) == "Toulouse, le 23 janvier 2017"
    assert emission(None, dt.date(2017, 3, 1)) == "Le 1er mars 2017"
    assert parse_date("23/01/2017") == parse_date("2017-01-23") == dt.date(2017, 1, 23)
    with pytest.raises(ValueError, match="attendu : AAAA-MM-JJ ou JJ/MM/AAAA"):
        parse_date("23 janvier")


def test_key_figures_list_says_which_target_is_estimated(
    ro: duckdb.DuckDBPyConnection, module_plan: Plan
) -> None:
    """The note's list prints no notes: Grand Est's total target (its baseline is estimated)
    says « (estimé) » in its label; Occitanie's, published, does not."""
    labels = {
        region: {
            v.code: v.libelle for v in chiffres_presse(ro, module_plan, "2016", region).valeurs
        }
        for region in ("44", "76")
    }
    assert labels["44"]["objectif_entrees"] == "Objectif total d'entrées (estimé)"
    assert labels["76"]["objectif_entrees"] == "Objectif total d'entrées"
