"""The incremental refresh of `entrees_marts` (jalon.indicators.marts): after each import of a
sequence of real fixture files (persons recurring across funders' files, their registrations and
jobs arriving later, a corrected export replacing an earlier one), the mart kept up to date person
by person equals, row for row, the mart rebuilt from scratch; and each refresh took the path
expected of it (incremental after imports that only add rows, whole otherwise)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jalon.indicators import marts
from jalon.indicators.marts import MART, last_refresh, mart_sql, mart_table, refresh
from jalon.ingest import import_file
from jalon.ingest.batch import BatchFile, import_batch
from jalon.plan import Plan
from jalon.sources import builtin_profiles
from jalon.store import open_store
from tests.conftest import DATA, TEST_KEY

#: (profile, file): persons 1000001A–1000008H appear in the PE export, the regional export (one
#: of them on the same session, merged) and the registrations and jobs files; 2000002B in two
#: PE exports; 3000001A–3000009J in a PE export, then the registrations and jobs of some.
FILES = (
    ("pe-stagiaires", "pe-stagiaires/export-2016-occitanie.csv"),
    ("pe-stagiaires", "indicateurs/pe-stagiaires-2016.csv"),
    ("region-stagiaires", "region-stagiaires/export-occitanie-2016.csv"),
    ("pe-stagiaires", "pe-stagiaires/indicateurs-2016.csv"),
    ("personnes", "personnes/registre-2016.csv"),
    ("personnes", "indicateurs/personnes.csv"),
    ("emplois", "emplois/emplois-2017.csv"),
    ("emplois", "indicateurs/emplois.csv"),
    ("pe-stagiaires", "pe-stagiaires/indicateurs-2016-region.csv"),
)


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()


def _from_scratch(con: duckdb.DuckDBPyConnection, plan: Plan) -> list[tuple]:
    con.execute(f"CREATE OR REPLACE TEMP TABLE _scratch AS {mart_sql(con, plan)}")
    try:
        return _rows(con, "_scratch")
    finally:
        con.execute("DROP TABLE _scratch")


def _import(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    profile: str,
    path: Path,
    replaces: int | None = None,
) -> str:
    """Import `path` (the importer refreshes the mart), check the mart against a rebuild and
    return the mode of the refresh."""
    summary = import_file(
        con, path, builtin_profiles()[profile], plan, TEST_KEY.encode(), replaces=replaces
    )
    assert summary.accepted > 0, summary
    done = last_refresh(con)
    assert done is not None
    assert _rows(con, MART) == _from_scratch(con, plan), (path.name, done)
    assert mart_table(con, plan) == (MART, False)
    return done.mode


@pytest.fixture
def every_share(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixture files are tiny: each touches far more than 30 % of the entries, which would
    send every refresh down the full path. The share is tested on its own below."""
    monkeypatch.setattr(marts, "FULL_SHARE", 1.0)


@pytest.mark.usefixtures("every_share")
def test_sequence_equals_rebuild(tmp_path: Path, plan: Plan) -> None:
    corrected = tmp_path / "pe-stagiaires-2016-corrige.csv"
    lines = (DATA / "indicateurs/pe-stagiaires-2016.csv").read_bytes().splitlines(keepends=True)
    corrected.write_bytes(b"".join(lines[:-2]))  # a corrected export: the last two lines gone
    con = open_store(tmp_path / "jalon.duckdb")
    try:
        modes = [_import(con, plan, profile, DATA / name) for profile, name in FILES]
        assert modes == ["complet"] + ["incremental"] * (len(FILES) - 1)
        replaced = con.execute(
            "SELECT import_id FROM imports WHERE file_name = 'pe-stagiaires-2016.csv'"
        ).fetchall()[0][0]
        assert _import(con, plan, "pe-stagiaires", corrected, replaces=replaced) == "incremental"
        assert con.execute("SELECT count(*) FROM lignes_retirees").fetchone() == (0,)
        registrations = con.execute(
            "SELECT import_id FROM imports WHERE file_name = 'registre-2016.csv'"
        ).fetchall()[0][0]
        fewer = tmp_path / "registre-2016-corrige.csv"
        kept = (DATA / "personnes/registre-2016.csv").read_bytes().splitlines(keepends=True)
        fewer.write_bytes(b"".join(kept[:-3]))
        assert _import(con, plan, "personnes", fewer, replaces=registrations) == "incremental"
        extra = tmp_path / "emplois-suite.csv"
        extra.write_text(
            "identifiant_national,date_debut,date_fin,type_contrat\n"
            "2000001A,2017-01-09,,CDI\n1000004D,2016-08-01,2017-03-31,CDD\n",
            encoding="utf-8",
        )
        assert _import(con, plan, "emplois", extra) == "incremental"
        assert refresh(con, plan) is None  # nothing changed since
    finally:
        con.close()


def test_large_share_rebuilds_whole(tmp_path: Path, plan: Plan) -> None:
    """At the default share, registrations for most of the persons are cheaper as a rebuild."""
    con = open_store(tmp_path / "jalon.duckdb")
    try:
        assert _import(con, plan, "pe-stagiaires", DATA / FILES[1][1]) == "complet"
        assert _import(con, plan, "personnes", DATA / "indicateurs/personnes.csv") == "complet"
        assert "entrées concernées" in last_refresh(con).reason  # type: ignore[union-attr]
    finally:
        con.close()


@pytest.mark.usefixtures("every_share")
def test_plan_change_rebuilds_whole(tmp_path: Path, plan: Plan) -> None:
    con = open_store(tmp_path / "jalon.duckdb")
    try:
        _import(con, plan, "pe-stagiaires", DATA / FILES[0][1])
        other = plan.model_copy(
            update={"rules": plan.rules.model_copy(update={"counted_financeurs": [4]})}
        )
        name, temporary = mart_table(con, other)
        assert temporary  # stale for the other rules: never read
        con.execute(f'DROP TABLE temp."{name}"')
        done = refresh(con, other)
        assert done is not None and done.mode == "complet"
        assert _rows(con, MART) == _from_scratch(con, other)
    finally:
        con.close()


@pytest.mark.usefixtures("every_share")
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(order=st.permutations(range(len(FILES))), batch=st.integers(1, 3))
def test_any_order_equals_rebuild(
    tmp_path_factory: pytest.TempPathFactory, plan: Plan, order: list[int], batch: int
) -> None:
    """Any order of the files, imported in series of `batch` files (`import_batch`, which
    refreshes the mart once per series, as the demo does), equals the rebuild."""
    con = open_store(tmp_path_factory.mktemp("ordre") / "jalon.duckdb")
    profiles = builtin_profiles()
    files = [BatchFile(DATA / FILES[i][1], profiles[FILES[i][0]]) for i in order]
    try:
        for start in range(0, len(files), batch):
            import_batch(con, files[start : start + batch], plan, TEST_KEY.encode())
            done = last_refresh(con)
            assert done is not None
            assert done.mode == ("complet" if start == 0 else "incremental")
            assert _rows(con, MART) == _from_scratch(con, plan)
    finally:
        con.close()


@pytest.mark.usefixtures("every_share")
def test_rows_behind_the_last_import_rebuild_whole(tmp_path: Path, plan: Plan) -> None:
    """Rows numbered before the last import the mart reflects (two imports committed out of
    order) are not among the "new" rows: the counts no longer add up, and the refresh rebuilds."""
    con = open_store(tmp_path / "jalon.duckdb")
    try:
        for profile, name in FILES[:2]:
            _import(con, plan, profile, DATA / name)
        con.execute(
            "INSERT INTO emplois SELECT 1, 99, hash_personne, DATE '2017-01-02', NULL, 'CDI' "
            "FROM entrees WHERE date_entree = DATE '2016-10-03'"
        )
        done = refresh(con, plan)
        assert done is not None and done.mode == "complet"
        assert "hors ordre" in done.reason
        assert _rows(con, MART) == _from_scratch(con, plan)
        job = f"SELECT emploi FROM {MART} WHERE date_entree = DATE '2016-10-03'"
        assert con.execute(job).fetchall() == [(1,)]
    finally:
        con.close()


@pytest.mark.usefixtures("every_share")
def test_replacement_elsewhere_keeps_incremental(tmp_path: Path, plan: Plan) -> None:
    """A corrected file of another source (demandeurs) replaces its import without touching the
    mart's sources: the mart stays current, and the next import is still applied person by
    person."""
    con = open_store(tmp_path / "jalon.duckdb")
    profiles = builtin_profiles()
    corrected = tmp_path / "demandeurs-corrige.csv"
    lines = (DATA / "indicateurs/demandeurs.csv").read_text(encoding="utf-8").splitlines()
    corrected.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    try:
        _import(con, plan, "pe-stagiaires", DATA / FILES[1][1])
        first = import_file(
            con,
            DATA / "indicateurs/demandeurs.csv",
            profiles["demandeurs"],
            plan,
            TEST_KEY.encode(),
        )
        import_file(
            con,
            corrected,
            profiles["demandeurs"],
            plan,
            TEST_KEY.encode(),
            replaces=first.import_id,
        )
        assert mart_table(con, plan) == (MART, False)
        assert _import(con, plan, "emplois", DATA / "indicateurs/emplois.csv") == "incremental"
    finally:
        con.close()


@pytest.mark.usefixtures("every_share")
def test_compiled_sql_is_kept_in_the_store(
    tmp_path: Path, plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each `jalon import` is a new process: the mart's SQL, compiled by the first refreshes,
    is read back from `meta`, and a later import neither imports Ibis nor compiles."""
    con = open_store(tmp_path / "jalon.duckdb")
    try:
        _import(con, plan, "pe-stagiaires", DATA / FILES[0][1])
        _import(con, plan, "pe-stagiaires", DATA / FILES[1][1])
        kept = con.execute("SELECT value FROM meta WHERE key = 'sql_entrees_marts'").fetchall()
        assert len(kept) == 1 and len(json.loads(kept[0][0])) == 2  # whole and per person

        def never(*_args: object) -> None:
            raise AssertionError("compiled again")

        monkeypatch.setattr(marts, "_SQL", {})  # a new process
        monkeypatch.setattr(marts, "_compile", never)
        assert _import(con, plan, "personnes", DATA / FILES[4][1]) == "incremental"
    finally:
        con.close()


@pytest.mark.usefixtures("every_share")
def test_definition_edit_rebuilds_whole(
    tmp_path: Path, plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The source of `jalon.indicators.definitions` is part of the mart's signature: after an
    upgrade that changed it, the stored mart is stale and the next refresh rebuilds it whole."""
    con = open_store(tmp_path / "jalon.duckdb")
    try:
        _import(con, plan, "pe-stagiaires", DATA / FILES[0][1])
        monkeypatch.setattr(marts, "_definition_digest", lambda: "une autre version")
        name, stale = mart_table(con, plan)
        assert stale  # readers build their own copy
        con.execute(f'DROP TABLE temp."{name}"')
        done = refresh(con, plan)
        assert done is not None and done.mode == "complet"
        assert "définition" in done.reason
    finally:
        con.close()
