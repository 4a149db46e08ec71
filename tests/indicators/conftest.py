"""The hand-made store of tests/data/indicateurs, loaded through `jalon.ingest.import_file` with the
built-in profiles (every line must be accepted): every figure of its bilan is computed by hand in
test_indicateurs.py. Built once per session, opened read only by each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from jalon.ingest import import_file
from jalon.plan import Plan
from jalon.sources import builtin_profiles
from jalon.store import open_store
from tests.conftest import DATA, TEST_KEY

FIXTURES = DATA / "indicateurs"
FILES = (
    ("pe-stagiaires", "pe-stagiaires-2016.csv"),
    ("personnes", "personnes.csv"),
    ("emplois", "emplois.csv"),
    ("demandeurs", "demandeurs.csv"),
    ("actions-agregees", "actions-agregees.csv"),
    ("lheo", "offre-lheo.xml"),
)


def load_fixtures(con: duckdb.DuckDBPyConnection, plan: Plan, key: bytes) -> None:
    profiles = builtin_profiles()
    for profile, name in FILES:
        summary = import_file(con, FIXTURES / name, profiles[profile], plan, key)
        assert summary.accepted == summary.lines_read, (name, summary.rejects_by_reason)


@pytest.fixture(scope="session")
def store_path(tmp_path_factory: pytest.TempPathFactory, plan: Plan) -> Path:
    path = tmp_path_factory.mktemp("indicateurs") / "jalon.duckdb"
    con = open_store(path)
    try:
        load_fixtures(con, plan, TEST_KEY.encode())
    finally:
        con.close()
    return path


@pytest.fixture
def store(store_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The hand-made store, read only (as the CLI and the web app open it)."""
    con = open_store(store_path, read_only=True)
    yield con
    con.close()
