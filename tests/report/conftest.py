"""A store built once per session from the hand-made Pôle emploi exports of tests/data, and its
Occitanie 2016 documents (frozen): the report tests only read them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from jalon.ingest import import_file
from jalon.plan import Plan, load_plan
from jalon.report.document import Document, build_document
from jalon.sources import builtin_profiles
from jalon.store import open_store
from tests.conftest import DATA, TEST_KEY

PE_FILES = ("export-2016-occitanie.csv", "indicateurs-2016.csv")
EVENEMENT = DATA / "evenements" / "bilan-occitanie-2017-01-24.toml"


def build_store(path: Path, plan: Plan, files: tuple[str, ...] = PE_FILES) -> None:
    con = open_store(path)
    try:
        for name in files:
            import_file(
                con,
                DATA / "pe-stagiaires" / name,
                builtin_profiles()["pe-stagiaires"],
                plan,
                TEST_KEY.encode(),
            )
    finally:
        con.close()


@pytest.fixture(scope="session")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rapport") / "jalon.duckdb"
    build_store(path, load_plan())
    return path


@pytest.fixture
def ro(store_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = open_store(store_path, read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def module_plan() -> Plan:
    return load_plan()


@pytest.fixture(scope="session")
def public_doc(store_path: Path, module_plan: Plan) -> Document:
    con = open_store(store_path, read_only=True)
    try:
        return build_document(con, module_plan, "2016", "76")
    finally:
        con.close()


@pytest.fixture(scope="session")
def internal_doc(store_path: Path, module_plan: Plan) -> Document:
    con = open_store(store_path, read_only=True)
    try:
        return build_document(con, module_plan, "2016", "76", interne=True)
    finally:
        con.close()
