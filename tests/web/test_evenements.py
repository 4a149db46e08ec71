"""Press events on the web: organisers' pages by region, invitees, replies by personal link (in
process and in Chromium), attendance, and no invitee data anywhere public."""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser

from jalon.evenements import open_carnet
from jalon.evenements.jetons import signed
from tests.conftest import DATA, TEST_KEY
from tests.evenements.conftest import event_file
from tests.web.browser import running_server
from tests.web.conftest import csrf_of, sign_in

INVITES = DATA / "invites" / "invites-presse.csv"
CAME = ("Alex Exemple", "Claude Élu-Test")
PEOPLE = ("Alex Exemple", "alex.exemple@presse-exemple.test", "Béa Modèle", "bea@radio-exemple")


def _create(client: TestClient, tmp_path: Path) -> int:
    token = csrf_of(client, "/evenements")
    with event_file(tmp_path).open("rb") as handle:
        created = client.post(
            "/evenements", data={"csrf": token}, files={"fichier": ("evenement.toml", handle)},
            follow_redirects=False,
        )  # fmt: skip
    assert created.status_code == 303, created.text
    event_id = int(created.headers["location"].rsplit("/", 1)[1])
    with INVITES.open("rb") as handle:
        added = client.post(
            f"/evenements/{event_id}/invites", data={"csrf": token},
            files={"liste": ("invites.csv", handle)}, follow_redirects=False,
        )  # fmt: skip
    assert added.status_code == 303, added.text
    return event_id


def _link(db: Path, name: str) -> str:
    invite = next(i for i in open_carnet(db).invitees(1) if i.nom == name)
    return "/reponse/" + signed(TEST_KEY.encode(), invite.jeton)


def test_organisers_see_the_events_of_their_region_only(
    client: TestClient, tmp_path: Path, web_db: Path
) -> None:
    sign_in(client, "occitanie")
    event_id = _create(client, tmp_path)
    page = client.get(f"/evenements/{event_id}").text
    assert "Premier bilan du plan" in page and "Alex Exemple" in page
    counts = client.get(f"/api/evenements/{event_id}").json()["comptes"]
    assert counts[-1] == {
        "libelle": "Total", "invites": 4, "envoyes": 0, "presents": 0, "personnes": 0,
        "absents": 0, "sans_reponse": 4, "venus": 0,
    }  # fmt: skip
    export = client.get(f"/evenements/{event_id}/invites.csv").text.lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(export), delimiter=";"))
    assert [r["Courriel"] for r in rows][:1] == ["claude@mairie-exemple.test"]
    client.post("/deconnexion", data={"csrf": csrf_of(client, "/")})
    sign_in(client, "bretagne")
    assert "Premier bilan du plan" not in client.get("/evenements").text
    assert client.get(f"/evenements/{event_id}").status_code == 404
    assert client.get(f"/api/evenements/{event_id}").status_code == 404
    assert client.get(f"/evenements/{event_id}/invites.csv").status_code == 404
    client.post("/deconnexion", data={"csrf": csrf_of(client, "/")})
    sign_in(client, "national")
    assert "Premier bilan du plan" in client.get("/evenements").text


def test_a_regional_account_cannot_create_another_regions_event(
    client: TestClient, tmp_path: Path
) -> None:
    sign_in(client, "bretagne")
    token = csrf_of(client, "/evenements")
    with event_file(tmp_path).open("rb") as handle:
        refused = client.post(
            "/evenements", data={"csrf": token}, files={"fichier": ("evenement.toml", handle)}
        )
    assert refused.status_code == 403 and "53" in refused.text
    bad = client.post(
        "/evenements", data={"csrf": token}, files={"fichier": ("faux.toml", b"titre = ")}
    )
    assert bad.status_code == 400
    assert "faux.toml n'est pas un fichier TOML valide" in html.unescape(bad.text)


def test_reply_link_is_personal_single_use_and_unguessable(
    client: TestClient, tmp_path: Path, web_db: Path
) -> None:
    sign_in(client, "occitanie")
    event_id = _create(client, tmp_path)
    anonymous = TestClient(client.app)
    link = _link(web_db, "Alex Exemple")
    form = anonymous.get(link)
    assert form.status_code == 200 and "Alex Exemple, serez-vous présent" in form.text
    assert "Béa" not in form.text and "@" not in form.text.split("<main", 1)[-1].split("</main>")[0]
    done = anonymous.post(link, data={"presence": "oui", "personnes": "2"})
    assert done.status_code == 200 and "Votre présence est confirmée" in done.text
    again = anonymous.post(link, data={"presence": "non", "personnes": "0"})
    assert again.status_code == 410 and "déjà répondu" in again.text
    token = link.rsplit("/", 1)[1]
    forged = "/reponse/" + token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert anonymous.get(forged).status_code == 404
    other_key = "/reponse/" + signed(b"une-autre-cle-de-seize-octets", token.split(".")[0])
    assert anonymous.get(other_key).status_code == 404
    assert anonymous.post(_link(web_db, "Béa Modèle"), data={"presence": "x"}).status_code == 400
    counts = client.get(f"/api/evenements/{event_id}").json()["comptes"]
    journalists = next(c for c in counts if c["libelle"] == "Journalistes")
    assert (journalists["presents"], journalists["personnes"]) == (1, 2)


def test_organiser_enters_replies_and_attendance(
    client: TestClient, tmp_path: Path, web_db: Path
) -> None:
    sign_in(client, "occitanie")
    event_id = _create(client, tmp_path)
    token = csrf_of(client, f"/evenements/{event_id}")
    entered = client.post(
        f"/evenements/{event_id}/reponses",
        data={"csrf": token, "courriel": "dany@formation-exemple.test", "presence": "non"},
        follow_redirects=False,
    )
    assert entered.status_code == 303
    invitees = {i.nom: i.id for i in open_carnet(web_db).invitees(event_id)}
    came = client.post(
        f"/evenements/{event_id}/presences",
        data={"csrf": token, "venu": [str(invitees[n]) for n in CAME]},
        follow_redirects=False,
    )  # fmt: skip
    assert came.status_code == 303
    page = client.get(f"/evenements/{event_id}").text
    assert "4 invités, 1 réponse (0 présence annoncée, 1 absence), 2 personnes venues" in page
    unknown = client.post(
        f"/evenements/{event_id}/reponses",
        data={"csrf": token, "courriel": "inconnu@exemple.test", "presence": "oui"},
    )
    assert unknown.status_code == 400 and "aucun invité" in unknown.text


def test_no_invitee_data_in_any_public_page_or_export(client: TestClient, tmp_path: Path) -> None:
    sign_in(client, "occitanie")
    event_id = _create(client, tmp_path)
    anonymous = TestClient(client.app)
    for url in ("/", "/regions/76", "/api/national", "/api/regions/76", "/regions/76.csv",
                "/national.xlsx", "/indicateurs", "/donnees-personnelles"):  # fmt: skip
        body = anonymous.get(url).content
        for value in PEOPLE:
            assert value.encode() not in body, (url, value)
    private = ("", f"/{event_id}", f"/{event_id}/invites.csv", f"/{event_id}/emargement.pdf")
    for url in [*(f"/evenements{p}" for p in private), f"/api/evenements/{event_id}"]:
        refused = anonymous.get(url, follow_redirects=False)
        assert refused.status_code in (303, 401), url
        assert refused.status_code == 401 or refused.headers["location"].startswith("/connexion")
        assert all(value.encode() not in refused.content for value in PEOPLE)


@pytest.mark.slow
def test_an_invitee_answers_in_chromium(
    browser: Browser,
    tmp_path: Path,
    web_template: Path,
    key: bytes,
) -> None:
    db = Path(shutil.copy(web_template, tmp_path / "web.duckdb"))
    with running_server(db) as url:
        page = browser.new_page()
        page.goto(f"{url}/connexion")
        page.fill("#identifiant", "occitanie")
        page.fill("#mot_de_passe", "mot-de-passe-de-test-tres-long")
        with page.expect_navigation():
            page.click("main button[type=submit]")
        page.goto(f"{url}/evenements")
        page.set_input_files("#fichier", str(event_file(tmp_path)))
        with page.expect_navigation(url=re.compile(r".*/evenements/1$")):
            page.click("main button:has-text('Enregistrer')")
        page.set_input_files("#liste", str(INVITES))
        with page.expect_navigation(url=re.compile(r".*/evenements/1$")):
            page.click("main button:has-text('Ajouter les invités')")
        assert page.locator("#invites tbody tr").count() == 4
        invitee = browser.new_page()
        invitee.goto(url + _link(db, "Béa Modèle"))
        assert "Béa Modèle, serez-vous présent" in invitee.inner_text("main")
        invitee.click("label[for=non]")
        with invitee.expect_navigation():
            invitee.click("main button:has-text('Envoyer ma réponse')")
        assert "Votre absence est notée" in invitee.inner_text("#reponse-faite")
        invitee.goto(url + _link(db, "Béa Modèle"))
        assert "déjà répondu" in invitee.inner_text("main")
        page.reload()
        row = page.locator('tr[data-categorie="Journalistes"] td[data-champ="absents"]')
        assert row.inner_text() == "1"
