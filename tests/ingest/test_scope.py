"""Scope on every write: a regional import (`scope`) writes only rows of its region, whatever the
profile; one row outside it refuses the file, the store unchanged, with the count and the first
lines (line and region found, no value of the row). `imports.regions_ecrites` names the regions
an import wrote, whoever made it."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from jalon.ingest import IngestError, import_file
from jalon.plan import Plan
from jalon.sources import builtin_profiles
from tests.conftest import DATA

PROFILES = builtin_profiles()
PORTEE = DATA / "portee"
WRITTEN_TABLES = (
    "imports",
    "rejets",
    "anomalies",
    "entree_lignes",
    "entrees",
    "personnes",
    "demandeurs",
    "emplois",
    "actions_agregees",
    "offre_formations",
    "offre_actions",
    "offre_sessions",
    "places",
)


def _snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in WRITTEN_TABLES}  # type: ignore[index]


# (profile, file, scope, message expected): every profile, a file with rows of another region.
REFUSED = [
    (
        "pe-stagiaires",
        DATA / "pe-stagiaires" / "indicateurs-2016.csv",
        "76",
        r"indicateurs-2016\.csv : 1 ligne hors de votre région \(Occitanie, 76\) : ligne 11 "
        r"\(Bretagne, 53\)\.",
    ),
    (
        "region-stagiaires",
        DATA / "region-stagiaires" / "export-idf-2016.csv",
        "76",
        r"export-idf-2016\.csv : 3 lignes hors de votre région \(Occitanie, 76\) : "
        r"ligne 2 \(Île-de-France, 11\), ligne 3 \(Île-de-France, 11\), ligne 5 "
        r"\(Île-de-France, 11\)\.",  # line 4 is rejected (31/11/2016): not written anyway
    ),
    (
        "demandeurs",
        PORTEE / "demandeurs-trois-regions.csv",
        "76",
        r"demandeurs-trois-regions\.csv : 2 lignes hors de votre région \(Occitanie, 76\) : "
        r"ligne 3 \(Bretagne, 53\), ligne 4 \(Auvergne-Rhône-Alpes, 84\)\. Un compte régional",
    ),
    (
        "actions-agregees",
        PORTEE / "actions-deux-regions.csv",
        "76",
        r"actions-deux-regions\.csv : 1 ligne hors de votre région \(Occitanie, 76\) : "
        r"ligne 3 \(Île-de-France, 11\)\.",
    ),
    (
        "personnes",
        PORTEE / "personnes-trois-lieux.csv",
        "76",
        r"personnes-trois-lieux\.csv : 2 lignes hors de votre région \(Occitanie, 76\) : "
        r"ligne 3 \(Bretagne, 53\), ligne 4 \(région non indiquée\)\.",
    ),
    (
        "emplois",
        DATA / "emplois" / "emplois-2017.csv",
        "76",
        r"emplois-2017\.csv : 2 lignes hors de votre région \(Occitanie, 76\) : ligne 2 "
        r"\(région non indiquée\), ligne 3 \(région non indiquée\) ; ce format ne dit pas la "
        r"région de ses lignes : seul un compte national peut l'importer\.",
    ),
    (
        "lheo",
        PORTEE / "catalogue-deux-regions.xml",
        "76",
        r"catalogue-deux-regions\.xml : 2 actions hors de votre région \(Occitanie, 76\) : "
        r"ligne 16 \(Bretagne, 53\), ligne 21 \(région non indiquée\)\.",
    ),
]


@pytest.mark.parametrize(
    ("profile", "path", "scope", "message"), REFUSED, ids=[r[0] for r in REFUSED]
)
@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "essai"])
def test_rows_outside_the_scope_refuse_the_whole_file(
    con, plan: Plan, key: bytes, profile: str, path: Path, scope: str, message: str, dry_run: bool
) -> None:
    before = _snapshot(con)
    with pytest.raises(IngestError, match=message) as info:
        import_file(con, path, PROFILES[profile], plan, key, scope=scope, dry_run=dry_run)
    text = str(info.value)
    assert "Rien n'a été écrit" in text
    assert "@" not in text and not re.search(r"[0-9]{7}[A-Z]", text)  # no e-mail, no person id
    assert _snapshot(con) == before


ACCEPTED = [
    ("pe-stagiaires", DATA / "pe-stagiaires" / "export-2016-occitanie.csv", ["entree_lignes"]),
    (
        "region-stagiaires",
        DATA / "region-stagiaires" / "export-occitanie-2016.csv",
        ["entree_lignes"],
    ),
    ("demandeurs", PORTEE / "demandeurs-occitanie.csv", ["demandeurs"]),
    # Actions and sessions are the counted elements of a catalogue.
    ("lheo", DATA / "lheo" / "catalogue-2.2-occitanie.xml", ["offre_actions", "offre_sessions"]),
]


@pytest.mark.parametrize(("profile", "path", "tables"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_rows_of_the_scope_are_written_and_recorded(
    con, plan: Plan, key: bytes, profile: str, path: Path, tables: list[str]
) -> None:
    summary = import_file(con, path, PROFILES[profile], plan, key, scope="76")
    assert summary.regions == ["76"]
    assert con.execute("SELECT regions_ecrites FROM imports").fetchall() == [(["76"],)]
    written = sum(_snapshot(con)[table] for table in tables)
    assert summary.accepted > 0 and written == summary.accepted


def test_a_national_import_records_every_region_it_writes(con, plan: Plan, key: bytes) -> None:
    import_file(
        con, DATA / "pe-stagiaires" / "indicateurs-2016.csv", PROFILES["pe-stagiaires"], plan, key
    )
    import_file(con, PORTEE / "demandeurs-trois-regions.csv", PROFILES["demandeurs"], plan, key)
    import_file(con, PORTEE / "catalogue-deux-regions.xml", PROFILES["lheo"], plan, key)
    import_file(con, DATA / "emplois" / "emplois-2017.csv", PROFILES["emplois"], plan, key)
    written = con.execute(
        "SELECT profile, regions_ecrites FROM imports ORDER BY import_id"
    ).fetchall()
    entry_regions = con.execute("SELECT list(DISTINCT region ORDER BY region) FROM entrees")
    assert written == [
        ("pe-stagiaires", ["53", "76"]),
        ("demandeurs", ["53", "76", "84"]),
        ("lheo", ["53", "76"]),  # the action without a place writes no region
        ("emplois", []),
    ]
    assert entry_regions.fetchone() == (["53", "76"],)


def test_lines_rejected_anyway_do_not_count_against_the_scope(
    con, plan: Plan, key: bytes, tmp_path
) -> None:
    # Brittany's line has an unreadable count: it is rejected, so nothing of Brittany is written.
    path = tmp_path / "demandeurs.csv"
    path.write_text("annee,region,demandeurs\n2016,76,598000\n2016,53,beaucoup\n", encoding="utf-8")
    summary = import_file(con, path, PROFILES["demandeurs"], plan, key, scope="76")
    assert (summary.accepted, summary.rejected, summary.regions) == (1, 1, ["76"])


def test_an_unknown_scope_is_refused_in_french(con, plan: Plan, key: bytes) -> None:
    with pytest.raises(IngestError, match="région inconnue « 99 »"):
        import_file(
            con, PORTEE / "demandeurs-occitanie.csv", PROFILES["demandeurs"], plan, key, scope="99"
        )
