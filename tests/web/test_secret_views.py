"""The web app publishes through the one secrecy rule of `jalon.indicators.secret`: anonymous
visitors get no small count back from the ranking, the forecast or a figure whose source was
never imported shown as zero."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.conftest import sign_in


def _ranking(client: TestClient) -> dict[str, dict[str, object]]:
    national = client.get("/api/national").json()
    return {r["region"]: r for r in national["classement"]["regions"]}


def test_anonymous_ranking_shows_no_value_of_a_small_region(client: TestClient) -> None:
    public = _ranking(client)
    assert public["76"]["donnees"] is True
    assert public["76"]["entrees"] is None and public["76"]["entrees_supplementaires"] is None
    assert public["76"]["rangs"]["entrees_supplementaires"] is None
    sign_in(client, "national")
    assert _ranking(client)["76"]["entrees"] == 5


def test_anonymous_forecast_is_withheld_when_entries_are_secret(client: TestClient) -> None:
    assert client.get("/api/regions/76").json()["prevision"] is None
    sign_in(client, "occitanie")
    assert client.get("/api/regions/76").json()["prevision"]["observed"] is not None


def test_figures_of_sources_never_imported_are_not_available(client: TestClient) -> None:
    sign_in(client, "occitanie")
    figures = client.get("/api/regions/76").json()["bilan"]["indicateurs"]
    for code in ("places_lancees", "acces_emploi", "taux_acces", "part_jeunes"):
        assert figures[code]["valeur"] is None, code
        assert figures[code]["note"] != "secret statistique", code
