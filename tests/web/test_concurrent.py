"""`jalon` commands while `jalon serveur` holds the base: real processes, a real server.

The server is started as an administrator would (`python -m jalon serveur` on a free port). Read
commands from another process get the same answers as with the server stopped; `jalon import`
goes through the server, with progress; `kill -9` of either side mid-import leaves every table
as it was. The large file of the kill tests is the hand-written Pôle emploi fixture's lines,
repeated with fresh identifiers.
"""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import DATA, TEST_KEY
from tests.helpers import state_checksum
from tests.web.browser import free_port

FIXTURE = DATA / "pe-stagiaires" / "export-2016-occitanie.csv"
SECOND_FILE = DATA / "pe-stagiaires" / "export-2017-34-colonnes.csv"
TABLES = ("imports", "rejets", "entree_lignes", "entrees", "personnes", "audit")
BIG_LINES = 200_000


def _env() -> dict[str, str]:
    return {**os.environ, "JALON_SECRET": TEST_KEY, "COLUMNS": "200", "PYTHONUNBUFFERED": "1"}


def jalon(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jalon", *args],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=timeout,
        check=False,
    )


class Served:
    def __init__(self, db: Path) -> None:
        self.db = db
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jalon", "serveur", "--port", str(self.port), "--http-local",
             "--db", str(db)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_env(),
        )  # fmt: skip
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if "Jalon sert la base" in line:
                break
        else:
            raise AssertionError("le serveur n'a pas démarré")

    def get(self, path: str) -> dict[str, object]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=30) as answer:
            return dict(json.loads(answer.read()))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)


@pytest.fixture
def served(web_db: Path) -> Iterator[Served]:
    server = Served(web_db)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture's lines again and again, each copy with its own person and session ids."""
    header, *lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    names = header.split("|")
    person, local, session = (
        names.index("dn_individu_national"),
        names.index("c_individulocal"),
        names.index("dn_session_id"),
    )
    path = tmp_path_factory.mktemp("gros") / "export-2016-gros.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write(header + "\n")
        for n in range(BIG_LINES):
            fields = lines[n % len(lines)].split("|")
            fields[person] = f"{n:07d}Z"
            fields[local] = f"L{n:07d}Z"
            fields[session] = str(8_000_000 + n // 50)
            out.write("|".join(fields) + "\n")
    return path


READS = (
    ("bilan", "--phase", "2016", "--region", "76"),
    ("bilan", "--phase", "2016", "--national", "--format", "json"),
    ("classement", "--phase", "2016", "--format", "csv"),
    ("prevision", "--phase", "2016", "--region", "76", "--format", "json"),
    ("imports", "--format", "json"),
    ("rejets", "1"),
    ("anomalies", "1"),
    ("qualite", "--phase", "2016", "--format", "json"),
)


def test_read_commands_answer_the_same_while_the_server_runs(served: Served) -> None:
    during = {args: jalon(*args, "--db", str(served.db)) for args in READS}
    served.stop()
    for args, done in during.items():
        assert done.returncode == 0, (args, done.stdout + done.stderr)
        assert "Traceback" not in done.stderr
        alone = jalon(*args, "--db", str(served.db))
        assert alone.returncode == 0, (args, alone.stderr)
        assert done.stdout == alone.stdout, args


def test_report_and_press_note_are_written_while_the_server_runs(
    served: Served, tmp_path: Path
) -> None:
    rapport = tmp_path / "bilan.html"
    note = tmp_path / "note.txt"
    done = jalon("rapport", "--phase", "2016", "--region", "76", "-o", str(rapport),
                 "--db", str(served.db))  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Occitanie" in rapport.read_text(encoding="utf-8")
    done = jalon("presse", "note", "--phase", "2016", "--region", "76", "--date",
                 "2017-01-23", "-o", str(note), "--db", str(served.db))  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Occitanie" in note.read_text(encoding="utf-8")


def test_admin_token_is_private_and_asked_for(served: Served) -> None:
    token = served.db.with_name(served.db.name + ".jeton")
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    request = urllib.request.Request(
        f"http://127.0.0.1:{served.port}/admin/instantane",
        data=b"{}",
        headers={"Content-Type": "application/json", "Authorization": "Bearer faux"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 404
    served.stop()
    assert not token.exists()
    assert not served.db.with_name(served.db.name + ".lecture.duckdb").exists()


def test_import_goes_through_the_server_and_readers_see_it(served: Served) -> None:
    before = json.loads(jalon("imports", "--format", "json", "--db", str(served.db)).stdout)
    version = served.get("/sante")["version_donnees"]
    done = jalon("import", "pe-stagiaires", str(SECOND_FILE), "--db", str(served.db),
                 "--format", "json")  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "l'import lui est confié" in " ".join(done.stderr.split())
    summary = json.loads(done.stdout)
    assert summary["file_name"] == SECOND_FILE.name and summary["import_id"] is not None
    assert served.get("/sante")["version_donnees"] != version
    after = json.loads(jalon("imports", "--format", "json", "--db", str(served.db)).stdout)
    assert len(after) == len(before) + 1
    again = jalon("import", "pe-stagiaires", str(SECOND_FILE), "--db", str(served.db))
    assert again.returncode == 2
    assert "déjà" in again.stderr and "Traceback" not in again.stderr


def _start_import_on_a_terminal(db: Path, path: Path) -> tuple[subprocess.Popen[bytes], int]:
    """`jalon import` on a pseudo-terminal, so that it draws its progress bars."""
    master, slave = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "jalon", "import", "pe-stagiaires", str(path), "--db", str(db)],
        stdin=slave, stdout=slave, stderr=slave, env=_env(), close_fds=True,
    )  # fmt: skip
    os.close(slave)
    return child, master


def _wait_for(master: int, text: str, timeout: float = 240) -> str:
    seen = b""
    deadline = time.monotonic() + timeout
    while text.encode() not in seen:
        assert time.monotonic() < deadline, seen.decode(errors="replace")[-2000:]
        ready, _, _ = select.select([master], [], [], 1)
        if ready:
            try:
                seen += os.read(master, 65536)
            except OSError:
                break
    return seen.decode(errors="replace")


def _rest(master: int, child: subprocess.Popen[bytes]) -> str:
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 1)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        elif child.poll() is not None:
            break
    return seen.decode(errors="replace")


@pytest.mark.slow
def test_kill_9_of_the_cli_mid_import_leaves_the_store_as_before(
    served: Served, big_file: Path
) -> None:
    served.stop()
    before = state_checksum(served.db, TABLES)
    server = Served(served.db)
    try:
        shown = server.get("/api/national?phase=2016")
        child, master = _start_import_on_a_terminal(served.db, big_file)
        try:
            _wait_for(master, "Écriture dans la base")
            assert server.get("/api/national?phase=2016") == shown  # never half-imported
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
        finally:
            os.close(master)
        # The server saw its client go, rolled back and released the base: a check runs.
        done = jalon("import", "--essai", "pe-stagiaires", str(SECOND_FILE), "--db", str(served.db))
        assert done.returncode == 0, done.stdout + done.stderr
        assert server.get("/api/national?phase=2016") == shown
    finally:
        server.stop()
    assert state_checksum(served.db, TABLES) == before


@pytest.mark.slow
def test_kill_9_of_the_server_mid_import_leaves_the_store_as_before(
    served: Served, big_file: Path
) -> None:
    served.stop()
    before = state_checksum(served.db, TABLES)
    server = Served(served.db)
    child, master = _start_import_on_a_terminal(served.db, big_file)
    try:
        _wait_for(master, "Écriture dans la base")
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=30)
        output = _rest(master, child)
        child.wait(timeout=60)
    finally:
        os.close(master)
    assert child.returncode == 2, output
    assert "s'est arrêté avant la fin de l'import" in " ".join(output.split())
    assert "Traceback" not in output
    assert state_checksum(served.db, TABLES) == before
    # The server file left behind is stale: commands open the base directly again.
    done = jalon("imports", "--db", str(served.db))
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
def test_a_second_import_waits_for_its_turn_and_says_so(served: Served, big_file: Path) -> None:
    first, first_out = _start_import_on_a_terminal(served.db, big_file)
    second, second_out = None, None
    try:
        _wait_for(first_out, "Écriture dans la base")
        second, second_out = _start_import_on_a_terminal(served.db, SECOND_FILE)
        waiting = _wait_for(second_out, "En attente de son tour")
        assert "l'import lui est confié" in " ".join(waiting.split())
        rest = _rest(second_out, second)
        assert second.wait(timeout=240) == 0, rest
        rest = _rest(first_out, first)  # read on: a full terminal would stop the first import
        assert first.wait(timeout=240) == 0, rest
    finally:
        os.close(first_out)
        if second_out is not None:
            os.close(second_out)
    names = {i["file_name"] for i in json.loads(
        jalon("imports", "--format", "json", "--db", str(served.db)).stdout
    )}  # fmt: skip
    assert {big_file.name, SECOND_FILE.name} <= names
