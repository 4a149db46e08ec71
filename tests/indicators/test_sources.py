"""Figures read from a source that was never imported are "donnée non disponible" (`None`), not 0:
the hand-made store with only the funders' file imported, then with each source added."""

from __future__ import annotations

from pathlib import Path

import pytest

from jalon.indicators import compute_bilan
from jalon.ingest import import_file
from jalon.plan import Plan
from jalon.sources import builtin_profiles
from jalon.store import open_store
from tests.conftest import TEST_KEY
from tests.indicators.conftest import FIXTURES

NEEDS = {
    "places_lancees": "lheo",
    "acces_emploi": "emplois",
    "emploi_durable": "emplois",
    "taux_acces": "demandeurs",
    "entrees_pour_1000_demandeurs": "demandeurs",
    "part_jeunes": "personnes",
    "part_peu_qualifies": "personnes",
    "actions_agregees": "actions-agregees",
    "total_actions_plan": "actions-agregees",
}
FILE_OF = {
    "personnes": "personnes.csv",
    "emplois": "emplois.csv",
    "demandeurs": "demandeurs.csv",
    "actions-agregees": "actions-agregees.csv",
    "lheo": "offre-lheo.xml",
}


def _store(tmp_path: Path, plan: Plan, profiles: tuple[str, ...]) -> Path:
    path = tmp_path / "jalon.duckdb"
    con = open_store(path)
    try:
        known = builtin_profiles()
        for profile, name in [("pe-stagiaires", "pe-stagiaires-2016.csv")] + [
            (p, FILE_OF[p]) for p in profiles
        ]:
            import_file(con, FIXTURES / name, known[profile], plan, TEST_KEY.encode())
    finally:
        con.close()
    return path


def _bilan(path: Path, plan: Plan):
    con = open_store(path, read_only=True)
    try:
        return compute_bilan(con, plan, "2016", "76")
    finally:
        con.close()


def test_only_entries_imported_leaves_other_sources_unavailable(tmp_path: Path, plan: Plan) -> None:
    bilan = _bilan(_store(tmp_path, plan, ()), plan)
    assert bilan.value("entrees") > 0
    for code in NEEDS:
        assert bilan.value(code) is None, code
    publics = bilan.breakdown("public")
    assert all(v is None for r in publics.rows for v in r.values.values())
    assert bilan.value("part_certifiante") is not None  # read from the entries themselves


@pytest.mark.parametrize("profile", sorted(FILE_OF))
def test_each_source_makes_its_figures_available(tmp_path: Path, plan: Plan, profile: str) -> None:
    bilan = _bilan(_store(tmp_path, plan, (profile,)), plan)
    for code, needed in NEEDS.items():
        if needed == profile and code not in ("acces_emploi", "emploi_durable"):
            assert bilan.value(code) is not None, code
        elif needed != profile:
            assert bilan.value(code) is None, code
    if profile == "emplois":  # the leavers are known from the entries: a rate, possibly 0
        assert bilan.value("acces_emploi") is not None


def test_leavers_known_only_by_a_local_id_are_not_counted_as_out_of_work(con, plan, key) -> None:
    """An Île-de-France-like export has no national id: its persons cannot be found in the job
    files, so they leave the access-to-employment population instead of lowering the rate."""
    from tests.conftest import DATA

    profiles = builtin_profiles()
    import_file(
        con, DATA / "region-stagiaires" / "export-idf-2016.csv", profiles["region-stagiaires"],
        plan, key,
    )  # fmt: skip
    locale = con.execute("SELECT personne_locale, count(*) FROM entrees GROUP BY ALL").fetchall()
    assert locale == [(True, 3)]
    bilan = compute_bilan(con, plan, "2016", "11")
    assert bilan.value("entrees") == 2
    # The bilan says how many of its entries could not be matched with another source.
    assert bilan.value("entrees_non_rapprochees") == 2
    emploi = next(f for f in bilan.figures if f.code == "acces_emploi")
    # One of them left in December 2016: before, a leaver without any job (0 of 1).
    assert emploi.counts == (0, 0)
