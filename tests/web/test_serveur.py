"""`jalon serveur` started as an administrator would: a busy port, a missing key."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from tests.web.browser import free_port


def _env(**changes: str) -> dict[str, str]:
    env = {**os.environ, "COLUMNS": "200", **changes}
    env.pop("JALON_SECRET", None)
    return env


def test_busy_port_is_told_in_french_with_another_port(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "jalon", "serveur", "--port", str(port), "--http-local",
             "--db", str(tmp_path / "jalon.duckdb")],
            capture_output=True, text=True, env=_env(), timeout=120, check=False,
        )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert f"le port {port} est déjà utilisé sur 127.0.0.1" in output
    assert "choisissez un autre port avec --port, par exemple « --port " in output
    assert "Traceback" not in output and "Errno" not in output


def test_server_without_key_warns_at_start_up(web_db: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "jalon", "serveur", "--port", str(port), "--http-local",
         "--db", str(web_db)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_env(),
    )  # fmt: skip
    lines = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if "Jalon sert la base" in line:
                break
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    output = "".join(lines)
    assert f"http://127.0.0.1:{port}" in output, output
    warning = " ".join(output.split("Jalon sert la base")[0].split())
    assert "Attention : JALON_SECRET n'est pas définie" in warning
    assert "les envois de fichiers sont désactivés" in warning
    assert "définissez JALON_SECRET" in warning
