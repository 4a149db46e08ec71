"""Shared fixtures: a fresh store in a temporary folder, a test key, the default plan."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from jalon.plan import Plan, load_plan
from jalon.store import open_store

DATA = Path(__file__).parent / "data"
TEST_KEY = "cle-de-test-jalon-0123456789"


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
