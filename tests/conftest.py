"""Shared fixtures: a fresh store in a temporary folder, a test key, the default plan, the demo
store (`jalon demo --serveur` run once per session, as a user runs it, then read only) and one
local Spark session for the whole run.

The suite runs on one process per core (pytest-xdist, `-n auto --dist loadfile` in
pyproject.toml). Each test module goes whole to one process, so that its module fixtures are
built once; the modules that share an expensive session fixture (the demo, Spark) go together
(TOGETHER below), so that fixture too is built once in the run.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from jalon.plan import Plan, load_plan
from jalon.store import open_store

DATA = Path(__file__).parent / "data"
TEST_KEY = "cle-de-test-jalon-0123456789"

#: Modules that share an expensive session fixture, run on one pytest-xdist process so that the
#: fixture is built once in the run and not once per process: module → the unit it goes with.
TOGETHER = {
    "tests/test_demo.py": "demo",  # demo_run: a real `jalon demo --serveur`, 45 s or more
    "tests/report/test_invitation_seed.py": "demo",
    "tests/export/test_lake.py": "spark",  # spark_session, and a minute of Spark jobs
    "tests/indicators/test_spark.py": "spark",
}
#: The longest units, handed out first (measured: 40 to 90 s each), so that the processes end
#: together instead of one of them starting Spark when the other has nothing left to do.
FIRST = ("spark", "demo", "tests/web/test_concurrent.py", "tests/evenements/test_envoi.py")


@pytest.hookimpl(tryfirst=True, optionalhook=True)  # before pytest-xdist's own choice
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadfile` (pyproject.toml), with the units of TOGETHER and FIRST; another
    `--dist` is left to pytest-xdist. Not `--dist loadgroup` and `xdist_group` marks: pytest-xdist
    3.8 groups tests by rewriting `item._nodeid`, which pytest 9.2 no longer reads, so the
    groups are silently ignored and every test is scheduled on its own."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Modules(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return TOGETHER.get(module, module)

        def _assign_work_unit(self, node: Any) -> None:
            for unit in reversed(FIRST):
                if unit in self.workqueue:
                    self.workqueue.move_to_end(unit, last=False)
            super()._assign_work_unit(node)

    return Modules(config, log)


def pytest_configure(config: pytest.Config) -> None:
    """No COLUMNS or LINES inherited: Rich, given COLUMNS when `jalon.cli` builds its consoles,
    keeps that width for good, and the tests that set COLUMNS (or print long paths) then see
    their text wrapped at the inherited width. Python's readline, which pytest imports, writes
    COLUMNS=80 and LINES=24 into the process's environment (not into `os.environ`): every
    process pytest starts inherits them, pytest-xdist's workers among them."""
    assert "jalon.cli.common" not in sys.modules, "jalon.cli importé avant la configuration"
    for name in ("COLUMNS", "LINES"):
        os.environ.pop(name, None)


@pytest.fixture(scope="session")
def plan() -> Plan:
    return load_plan()


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> bytes:
    monkeypatch.setenv("JALON_SECRET", TEST_KEY)
    return TEST_KEY.encode()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "jalon.duckdb"


@pytest.fixture
def con(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = open_store(db_path)
    yield connection
    connection.close()


# What the dashboard of the demo is asked while it serves (path → (HTTP status, body)).
DEMO_PAGES = ("/regions/76?phase=2016", "/api/regions/76?phase=2016")


@dataclass(frozen=True)
class DemoRun:
    """One `jalon demo --db DB --serveur` process, stopped by Ctrl+C once served."""

    db: Path  # the store it built, with its PDF, plan and key beside it; never written again
    output: str  # what it printed up to the dashboard's address
    served: dict[str, tuple[int, str]]  # DEMO_PAGES as the running dashboard answered them
    server_file_left: bool  # whether `DB.serveur` was still there once the process ended


def _read_until_served(process: subprocess.Popen[str]) -> tuple[str, str]:
    """The demo's output up to the dashboard's address, and that address."""
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        if found := re.search(r"Tableau de bord : (http://127\.0\.0\.1:\d+)", line):
            return "".join(lines), found.group(1)
    raise AssertionError("la démonstration s'est arrêtée sans servir :\n" + "".join(lines))


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.status, response.read().decode("utf-8")


def _digest(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    """The demo store, built once per session by the README's command in a real process. Tests
    only read it (a test that writes copies `db` first): at the end of the session its file must
    be byte for byte what the demo left."""
    folder = tmp_path_factory.mktemp("demo")
    db = folder / "jalon-demo.duckdb"
    # The demo simulates its files in a temporary folder of its own: keep it in pytest's.
    env = {**os.environ, "COLUMNS": "200", "TMPDIR": str(folder)}
    env.pop("JALON_SECRET", None)
    from jalon.web.server import free_port  # the web stack takes seconds to import: only here

    port = free_port("127.0.0.1", 8600)
    process = subprocess.Popen(
        [sys.executable, "-m", "jalon", "demo", "--db", str(db), "--serveur", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        output, url = _read_until_served(process)
        served = {page: _get(f"{url}{page}") for page in DEMO_PAGES}
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=60)
    run = DemoRun(db, output, served, Path(f"{db}.serveur").exists())
    before = _digest(db)
    db.chmod(0o444)  # refused to other users than root; the digest below catches root too
    yield run
    assert _digest(db) == before, "un test a écrit dans la base de démonstration partagée"


@pytest.fixture(scope="session")
def spark_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One local Spark for the run, instead of one per module (a JVM and a SparkContext each):
    `jalon --moteur spark` uses this running session, as it would a caller's, and a test that
    registers views of its own does so in a `newSession()` of it. The settings are the
    product's (`jalon.export.lake.SPARK_SETTINGS`) but for one shuffle partition and no adaptive
    planning, which only make small data slower. Modules using it are in TOGETHER."""
    pytest.importorskip("pyspark", reason="PySpark est une dépendance de test (extra dev)")
    if shutil.which("java") is None:
        pytest.fail(
            "Java est nécessaire aux tests Spark (Java 17 : apt-get install openjdk-17-jre)"
        )
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("jalon-tests")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark-warehouse")))
        .getOrCreate()
    )
    yield session
    session.stop()
