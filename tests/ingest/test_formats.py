"""Every tabular profile on its hand-made fixture: what is accepted, rejected, and where it goes."""

from __future__ import annotations

import duckdb
import pytest

from jalon.ingest import import_file
from jalon.ingest.pseudonymise import person_hash
from jalon.plan import Plan
from jalon.sources import builtin_profiles
from tests.conftest import DATA

PROFILES = builtin_profiles()
PE = DATA / "pe-stagiaires" / "export-2016-occitanie.csv"
REGION = DATA / "region-stagiaires" / "export-occitanie-2016.csv"

# profile, fixture, (read, accepted, rejected, duplicates), {line: reason} of rejected lines,
# {line: reason} of the anomalies of kept lines, target table. Only a required field (the
# person, a start date, the place, the counted figures) loses the line.
EXPECTED = [
    (
        "region-stagiaires",
        REGION,
        (6, 5, 1, 0),
        {5: "date_invalide"},
        {6: "siret_invalide", 7: "commune_inconnue"},
        "entree_lignes",
    ),
    (
        "personnes",
        DATA / "personnes" / "registre-2016.csv",
        (7, 6, 0, 1),
        {},
        {4: "date_invalide", 5: "format_invalide", 6: "booleen_invalide", 7: "departement_inconnu"},
        "personnes",
    ),
    (
        "demandeurs",
        DATA / "demandeurs" / "demandeurs-2016.csv",
        (4, 2, 2, 0),
        {4: "region_inconnue", 5: "hors_plage"},
        {},
        "demandeurs",
    ),
    (
        "emplois",
        DATA / "emplois" / "emplois-2017.csv",
        (4, 2, 2, 0),
        {4: "format_invalide", 5: "valeur_manquante"},
        {},
        "emplois",
    ),
    (
        "actions-agregees",
        DATA / "actions-agregees" / "actions-2016.csv",
        (4, 2, 2, 0),
        {4: "hors_plage", 5: "format_invalide"},
        {},
        "actions_agregees",
    ),
]


@pytest.mark.parametrize(
    ("profile", "path", "counts", "rejects", "anomalies", "table"),
    EXPECTED,
    ids=[e[0] for e in EXPECTED],
)
def test_profile_accounts_for_every_line(
    con, plan, key, profile, path, counts, rejects, anomalies, table
):
    summary = import_file(con, path, PROFILES[profile], plan, key)
    assert (summary.lines_read, summary.accepted, summary.rejected, summary.duplicates) == counts
    stored = dict(con.execute("SELECT line, reason FROM rejets").fetchall())
    assert stored == rejects
    flagged = dict(con.execute("SELECT line, reason FROM anomalies").fetchall())
    assert flagged == anomalies
    assert summary.with_anomalies == len(anomalies)
    assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == (counts[1],)
    imported = con.execute("SELECT lines_read, accepted, rejected, duplicates FROM imports")
    assert imported.fetchone() == counts


def test_region_export_is_windows_1252_with_financeur_and_departement_from_profile(
    con, plan, key
) -> None:
    summary = import_file(con, REGION, PROFILES["region-stagiaires"], plan, key)
    assert summary.encoding == "Windows-1252 / Latin-1"
    rows = con.execute(
        "SELECT line, financeurs, departement, commune_lieu, date_entree, heures_entreprise "
        "FROM entree_lignes ORDER BY line"
    ).fetchall()
    # Line 7's commune code is unknown: its place comes from its postcode, the commune is dropped.
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        (2, [2], "34", "34172"),
        (3, [2], "31", "31555"),
        (4, [2], "81", "81004"),
        (6, [2], "31", "31555"),
        (7, [2], "31", None),
    ]
    assert str(rows[0][4]) == "2016-09-12"
    assert rows[2][5] is None


def test_same_person_and_session_from_two_sources_is_one_entry(con, plan, key) -> None:
    pe = import_file(con, PE, PROFILES["pe-stagiaires"], plan, key)
    region = import_file(con, REGION, PROFILES["region-stagiaires"], plan, key)
    person = person_hash(key, "1000002B")
    merged = con.execute(
        "SELECT financeurs, imports FROM entrees WHERE hash_personne = ? AND cle_session = ?",
        [person, "IC:SE_0000102"],
    ).fetchall()
    assert merged == [([2, 4, 7], [pe.import_id, region.import_id])]
    total = con.execute("SELECT count(*) FROM entrees").fetchone()
    assert total == (pe.accepted + region.accepted - 1,)


def test_personnes_are_hashed_with_the_trainee_key_and_typed(con, plan, key) -> None:
    import_file(con, DATA / "personnes" / "registre-2016.csv", PROFILES["personnes"], plan, key)
    row = con.execute(
        "SELECT mois_naissance, sexe, niveau, date_fin_inscription, travailleur_handicape, qpv "
        "FROM personnes WHERE hash_personne = ?",
        [person_hash(key, "1000002B")],
    ).fetchone()
    assert row is not None
    assert (str(row[0]), row[1], row[2], str(row[3]), row[4], row[5]) == (
        "1968-11-01",
        "H",
        "5",
        "2016-12-31",
        True,
        False,
    )


def test_non_entry_sources_leave_entrees_alone(con: duckdb.DuckDBPyConnection, plan: Plan, key):
    import_file(con, PE, PROFILES["pe-stagiaires"], plan, key)
    before = con.execute("SELECT count(*) FROM entrees").fetchone()
    import_file(con, DATA / "demandeurs" / "demandeurs-2016.csv", PROFILES["demandeurs"], plan, key)
    assert con.execute("SELECT count(*) FROM entrees").fetchone() == before
    assert con.execute(
        "SELECT annee, region, demandeurs FROM demandeurs ORDER BY region"
    ).fetchall() == [
        (2016, "11", 1100000),
        (2016, "76", 598000),
    ]
