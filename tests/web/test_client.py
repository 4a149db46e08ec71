"""The server file beside the base: another process can tell a live server from a stale file."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from jalon.web.client import remove_server_file, server_file, server_for, write_server_file
from tests.web.conftest import WEB_DATA

WEB_CSV = WEB_DATA / "occitanie-avec-rejets.csv"


def test_no_file_means_no_server(tmp_path) -> None:
    assert server_for(tmp_path / "base.duckdb") is None


def test_a_live_listening_process_is_found(tmp_path) -> None:
    db = tmp_path / "base.duckdb"
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        write_server_file(db, "127.0.0.1", port)
        found = server_for(db)
        assert found is not None and found.pid == os.getpid() and found.port == port
        message = found.refusal(db)
        assert f"http://127.0.0.1:{port}/imports" in message
        assert "Rien n'a été écrit" in message
    remove_server_file(db)
    assert not server_file(db).exists()


def test_a_file_left_by_a_dead_server_is_ignored_and_removed(tmp_path) -> None:
    db = tmp_path / "base.duckdb"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    server_file(db).write_text(
        json.dumps({"pid": int(dead.stdout), "host": "127.0.0.1", "port": 9, "debut": "x"}),
        encoding="utf-8",
    )
    assert server_for(db) is None
    assert not server_file(db).exists()


def test_a_garbled_file_is_not_a_server(tmp_path) -> None:
    db = tmp_path / "base.duckdb"
    server_file(db).write_text("{pas du json", encoding="utf-8")
    assert server_for(db) is None


def test_jalon_import_refuses_a_server_file_without_its_token(tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from jalon.cli import app
    from tests.conftest import DATA, TEST_KEY

    monkeypatch.setenv("JALON_SECRET", TEST_KEY)
    db = tmp_path / "base.duckdb"
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        write_server_file(db, "127.0.0.1", listener.getsockname()[1])
        result = CliRunner().invoke(
            app,
            ["import", "pe-stagiaires", str(DATA / "pe-stagiaires" / "indicateurs-2016.csv"),
             "--db", str(db)],
        )  # fmt: skip
    # A listener that is no Jalon server left no administrator token: refused, nothing written.
    assert result.exit_code == 2
    output = " ".join(result.output.split())
    assert "tenue par le serveur Jalon" in output and "jeton d'administration" in output
    assert "Traceback" not in result.output
    assert not db.exists()


def test_jalon_serveur_owns_the_base_until_it_stops(web_db, tmp_path) -> None:
    import time

    import httpx

    from tests.conftest import TEST_KEY
    from tests.web.browser import free_port

    port = free_port()
    jalon = Path(sys.executable).with_name("jalon")
    env = {**os.environ, "JALON_SECRET": TEST_KEY}
    server = subprocess.Popen(
        [str(jalon), "serveur", "--port", str(port), "--db", str(web_db), "--http-local"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while server_for(web_db) is None:
            assert server.poll() is None and time.monotonic() < deadline, server.stderr
            time.sleep(0.2)
        assert httpx.get(f"http://127.0.0.1:{port}/sante").json()["ok"] is True
        other = subprocess.run(
            [str(jalon), "import", "pe-stagiaires", str(WEB_CSV), "--db", str(web_db)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        # The import goes through the server: its data version moves on.
        assert other.returncode == 0, other.stderr
        assert "l'import lui est confié" in " ".join(other.stderr.split())
        assert httpx.get(f"http://127.0.0.1:{port}/sante").json()["version_donnees"] == 1
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert not server_file(web_db).exists()
