"""Public downloads carry an ETag and a Last-Modified from the data version: re-users polling
them get 304 until new files are imported; answers to signed-in users carry none."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.conftest import sign_in


def test_public_downloads_answer_304_until_the_data_change(client: TestClient) -> None:
    first = client.get("/api/regions/76?phase=2016")
    assert first.status_code == 200
    tag, modified = first.headers["etag"], first.headers["last-modified"]
    assert tag.startswith('"') and modified.endswith("GMT")
    again = client.get("/api/regions/76?phase=2016", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag
    since = client.get("/api/regions/76?phase=2016", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    other = client.get("/api/regions/53?phase=2016", headers={"If-None-Match": tag})
    assert other.status_code == 200 and other.headers["etag"] != tag
    for download in ("/regions/76/ventilations/financeur.csv?phase=2016",
                     "/regions/76/bilan.xlsx?phase=2016"):  # fmt: skip
        answer = client.get(download)
        assert answer.status_code == 200 and "etag" in answer.headers, download
    assert client.get("/regions/76", headers={"If-None-Match": tag}).status_code == 200
    client.app.state.store.data_changed()
    con = client.app.state.store.con
    con.execute("UPDATE imports SET status = status")  # same content: the same version code
    same = client.get("/api/regions/76?phase=2016", headers={"If-None-Match": tag})
    assert same.status_code == 304


def test_answers_to_signed_in_users_carry_no_tag(client: TestClient) -> None:
    sign_in(client, "occitanie")
    private = client.get("/api/regions/76?phase=2016")
    assert private.status_code == 200
    assert "no-store" in private.headers["cache-control"] and "etag" not in private.headers
