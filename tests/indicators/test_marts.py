"""The mart `entrees_marts` on the hand-made store of tests/data/indicateurs (E1–E10 and P1–P5 as
in test_indicateurs.py): its per-entry facts, worked out by hand from the files; its refresh on
each import of entries, persons or jobs; and the rebuild, for the reader, of a stale one."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from jalon.indicators import compute_all_bilans
from jalon.indicators.marts import MART, mart_table, refresh_marts
from jalon.ingest import import_file
from jalon.plan import Plan
from jalon.sources import builtin_profiles
from jalon.store import open_store
from tests.conftest import TEST_KEY
from tests.indicators.conftest import FIXTURES

COLUMNS = "dans_plan, connue, tranche_age, niveau, deld, handicapes, emploi, durable"


def _entry(con: duckdb.DuckDBPyConnection, start: str, financeurs: list[int]) -> tuple:
    rows = con.execute(
        f"SELECT {COLUMNS} FROM {MART} WHERE date_entree = ? AND financeurs = ?",
        [dt.date.fromisoformat(start), financeurs],
    ).fetchall()
    assert len(rows) == 1, (start, financeurs, rows)
    return rows[0]


def test_one_row_per_entry_and_current(store: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    counts = store.execute(
        f"SELECT (SELECT count(*) FROM entrees), (SELECT count(*) FROM {MART})"
    ).fetchone()
    assert counts == (10, 10)
    assert mart_table(store, plan) == (MART, False)


@pytest.mark.parametrize(
    ("start", "financeurs", "expected"),
    [
        # E1, P1 (level 3, 24, registered 2014): only a 20-day job after the end (too short)
        ("2016-02-01", [4], (True, True, "jeunes", "3", True, False, 0, 0)),
        # E2, P1: temp work from 16 Jun 2017, 6 months to the day after 16 Dec, 7 months long
        ("2016-09-05", [2, 4], (True, True, "jeunes", "3", True, False, 1, 1)),
        # E3, P2: second spell (Jan 2016, 11 months: not DELD; disabled); CDD 6 months + 1 day
        ("2016-09-05", [4, 7], (True, True, "seniors", "5", False, True, 0, 0)),
        # E4, P3: exactly 26 and registered exactly 12 months on entry; CDI after the end
        ("2016-03-07", [2], (True, True, "intermediaire", "4", True, False, 1, 1)),
        # E5, P4: not in the persons file; a 5-month CDD after the end
        ("2015-11-16", [4], (True, False, "inconnu", None, False, False, 1, 0)),
        # E8: funded by a company only, outside the plan
        ("2016-04-04", [5], (False, False, "inconnu", None, False, False, 0, 0)),
    ],
)
def test_entry_facts(
    store: duckdb.DuckDBPyConnection, start: str, financeurs: list[int], expected: tuple
) -> None:
    assert _entry(store, start, financeurs) == expected


def test_first_flags_count_distinct_persons(store: duckdb.DuckDBPyConnection) -> None:
    """Occitanie 2016: four persons for five entries (P1 twice); nationally five leavers
    (P1–P4 in Occitanie, P8 in Bretagne), three of them with a job (P1, P3, P4), P1 counted once
    although both of P1's trainings ended in 2016."""
    row = store.execute(
        f"SELECT count(*) FILTER (premiere_personnes_2016 AND region = '76'), "
        "count(*) FILTER (premiere_sortants_nat_2016), count(*) FILTER (premiere_emploi_nat_2016), "
        f"count(*) FILTER (premiere_durable_nat_2016) FROM {MART}"
    ).fetchall()
    assert row == [(4, 5, 3, 2)]


def test_refreshed_on_each_import(tmp_path: Path, plan: Plan) -> None:
    con = open_store(tmp_path / "jalon.duckdb")
    profiles = builtin_profiles()

    def load(profile: str, name: str) -> tuple:
        import_file(con, FIXTURES / name, profiles[profile], plan, TEST_KEY.encode())
        row = con.execute(
            f"SELECT count(*), count(*) FILTER (connue), sum(emploi) FROM {MART}"
        ).fetchone()
        assert row is not None
        return row

    try:
        assert load("pe-stagiaires", "pe-stagiaires-2016.csv") == (10, 0, 0)
        assert load("personnes", "personnes.csv") == (10, 5, 0)  # E1–E4 and E6 (P5)
        assert load("emplois", "emplois.csv")[2] == 3  # E2, E4, E5
        assert mart_table(con, plan) == (MART, False)
        assert refresh_marts(con, plan) is False  # nothing changed since the last import
    finally:
        con.close()


def test_stale_mart_rebuilt_for_the_reader(tmp_path: Path, store_path: Path, plan: Plan) -> None:
    """Rows written behind the importer's back: the bilan reads a temporary mart built from them,
    never the stale table."""
    path = tmp_path / "copie.duckdb"
    shutil.copy(store_path, path)
    con = open_store(path)
    try:
        before = compute_all_bilans(con, plan, "2016")[None].value("acces_emploi")
        con.execute(
            "INSERT INTO emplois SELECT 99, 1, hash_personne, DATE '2017-01-02', NULL, 'CDI' "
            "FROM entrees WHERE date_entree = DATE '2016-10-03'"  # P8, after E9 (Bretagne)
        )
        name, temporary = mart_table(con, plan)
        assert temporary and name != MART
        con.execute(f'DROP TABLE temp."{name}"')
        after = compute_all_bilans(con, plan, "2016")[None].value("acces_emploi")
        assert (before, after) == (pytest.approx(3 / 5), pytest.approx(4 / 5))
    finally:
        con.close()


def test_first_row_flags_per_person_and_region(tmp_path: Path, plan: Plan) -> None:
    """A person with entries in two regions is counted once in each region and once
    nationally; a person with a single entry is the first of every count it meets."""
    con = open_store(tmp_path / "jalon.duckdb")
    con.execute(
        """
        INSERT INTO entrees VALUES
          ('P1', 'IC:S2', DATE '2016-05-02', DATE '2016-09-30', [4], 4, NULL, false, NULL,
           '31', '76', 300, [1], false),
          ('P1', 'IC:S1', DATE '2016-02-01', DATE '2016-04-29', [4], 4, NULL, false, NULL,
           '75', '11', 200, [1], false),
          ('P1', 'IC:S3', DATE '2016-05-02', DATE '2016-06-30', [2], 2, NULL, false, NULL,
           '31', '76', 100, [1], false),
          ('P2', 'IC:S4', DATE '2016-03-07', NULL, [4], 4, NULL, false, NULL, '31', '76', NULL, [1],
           false)
        """
    )
    refresh_marts(con, plan)
    flags = con.execute(
        f"SELECT hash_personne, region, date_entree, premiere_personnes_2016, "
        f"premiere_personnes_nat_2016, premiere_sortants_2016 FROM {MART} ORDER BY ALL"
    ).fetchall()
    con.close()
    may, feb, march = dt.date(2016, 5, 2), dt.date(2016, 2, 1), dt.date(2016, 3, 7)
    assert flags == [
        # P1: first nationally in February (Île-de-France); in Occitanie, of the two entries of
        # 2 May the session key S2 comes before S3.
        (b"P1", "11", feb, True, True, True),
        (b"P1", "76", may, False, False, False),
        (b"P1", "76", may, True, False, True),
        # P2: one entry, first of the counts it meets; no end date, so not among leavers.
        (b"P2", "76", march, True, True, False),
    ]


def test_the_shipped_mart_sql_is_the_compiled_definition() -> None:
    """`marts_compiled.json` must be regenerated (scripts/compile_marts.py) whenever the
    definition, the shipped plan's rules or the schema change."""
    import json
    from pathlib import Path

    from jalon.indicators.marts import SHIPPED, compiled_for_package
    from jalon.plan import load_plan
    from jalon.store import open_store

    con = open_store(Path(":memory:"))
    try:
        compiled = compiled_for_package(con, load_plan())
    finally:
        con.close()
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))
    assert shipped == json.loads(json.dumps(compiled)), "relancez scripts/compile_marts.py"


def test_a_first_import_compiles_nothing_and_never_imports_ibis(tmp_path) -> None:
    import subprocess
    import sys

    from tests.conftest import DATA, TEST_KEY

    code = (
        "import sys; from pathlib import Path\n"
        "from jalon.ingest import import_file\n"
        "from jalon.plan import load_plan\n"
        "from jalon.sources import builtin_profiles\n"
        "from jalon.store import open_store\n"
        f"con = open_store(Path({str(tmp_path / 'base.duckdb')!r}))\n"
        f"s = import_file(con, Path({str(DATA / 'pe-stagiaires' / 'export-2016-occitanie.csv')!r}),"
        f" builtin_profiles()['pe-stagiaires'], load_plan(), {TEST_KEY.encode()!r})\n"
        "n = con.execute('SELECT count(*) FROM entrees_marts').fetchone()[0]\n"
        "print(s.accepted, n, 'ibis' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["5", "5", "False"]
