"""Names, not codes, in the bilan's tables: organisations by name (from the import lines), domains
by their Formacode champs, levels by their French label.

The organisations' names are set by the test on a copy of the hand-made store: the lines it
inserts in `entree_lignes` are all an organisation's names, whatever the importer wrote.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from jalon.indicators import compute_all_bilans, compute_bilan
from jalon.indicators.bilan import secondary, siret_affiche
from jalon.plan import Plan
from jalon.report.document import tableau
from jalon.store import open_store

S1, S2, S3 = "31234567800014", "34123456700012", "34999999900015"
NBSP = "\u00a0"
REPLACED = 999


@pytest.fixture
def named(store_path: Path, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The store with S1 named "Afpa Toulouse" on two lines and "AFPA" on one of the active
    import, "Ancien nom" on three lines of a replaced import, and S3 with a blank name only."""
    path = tmp_path / "noms.duckdb"
    shutil.copy(store_path, path)
    con = open_store(path)
    active = con.execute(
        "SELECT import_id FROM imports WHERE profile = 'pe-stagiaires' AND status = 'actif'"
    ).fetchone()
    assert active is not None
    con.execute("UPDATE entree_lignes SET organisme = NULL")
    con.execute(
        "INSERT INTO imports (import_id, profile, file_name, sha256, started_at, finished_at, "
        "lines_read, accepted, rejected, duplicates, status) VALUES (?, 'pe-stagiaires', "
        "'ancien.csv', 'x', ?, ?, 3, 3, 0, 0, 'remplace')",
        [REPLACED, dt.datetime(2017, 1, 2), dt.datetime(2017, 1, 2)],
    )
    lines = [
        (active[0], 9001, S1, "Afpa Toulouse"),
        (active[0], 9002, S1, "  Afpa Toulouse "),
        (active[0], 9003, S1, "AFPA"),
        (REPLACED, 1, S1, "Ancien nom"),
        (REPLACED, 2, S1, "Ancien nom"),
        (REPLACED, 3, S1, "Ancien nom"),
        (active[0], 9004, S3, "   "),
    ]
    con.executemany(
        "INSERT INTO entree_lignes (import_id, line, hash_personne, date_entree, financeurs, "
        "siret, organisme) VALUES (?, ?, 'h', DATE '2016-03-01', [4], ?, ?)",
        lines,
    )
    yield con
    con.close()


def test_siret_is_written_in_groups() -> None:
    assert siret_affiche(S1) == f"312{NBSP}345{NBSP}678{NBSP}00014"
    assert siret_affiche("3123456780001") == "3123456780001"  # not a SIRET: unchanged
    assert secondary("organisme", "autres") is None
    assert secondary("domaine", "22") == "22"
    assert secondary("departement", "31") is None


def test_organisation_named_by_its_most_frequent_name(named, plan: Plan) -> None:
    table = compute_bilan(named, plan, "2016", "76").breakdown("organisme")
    labels = {row.key: row.label for row in table.rows}
    # 2 × "Afpa Toulouse" (spaces trimmed) against 1 × "AFPA"; the replaced import's 3 lines
    # do not count.
    assert labels[S1] == "Afpa Toulouse"
    assert labels[S2] == f"SIRET 341{NBSP}234{NBSP}567{NBSP}00012"  # no name known
    assert labels[S3] == f"SIRET 349{NBSP}999{NBSP}999{NBSP}00015"  # a blank name is none
    national = compute_all_bilans(named, plan, "2016")[None].breakdown("organisme")
    assert {row.key: row.label for row in national.rows}[S1] == "Afpa Toulouse"


def test_organisation_table_shows_the_siret_as_second_column(named, plan: Plan) -> None:
    printed = tableau(compute_bilan(named, plan, "2016", "76").breakdown("organisme"))
    assert printed.entete == ("Organisme de formation", "SIRET", "Entrées")
    assert printed.texte == 2
    assert ("Afpa Toulouse", f"312{NBSP}345{NBSP}678{NBSP}00014", "2") in printed.lignes
    assert printed.total == ("Total", "", "5")


def test_a_tie_goes_to_the_first_name_in_alphabetical_order(named, plan: Plan) -> None:
    named.execute("DELETE FROM entree_lignes WHERE line = 9002")
    named.execute(
        "INSERT INTO entree_lignes (import_id, line, hash_personne, date_entree, financeurs, "
        "siret, organisme) SELECT import_id, 9005, 'h', DATE '2016-03-01', [4], siret, 'AFPA' "
        "FROM entree_lignes WHERE line = 9003"
    )
    table = compute_bilan(named, plan, "2016", "76").breakdown("organisme")
    # "AFPA" now twice, "Afpa Toulouse" once: the most frequent wins.
    assert {row.key: row.label for row in table.rows}[S1] == "AFPA"


def test_domains_by_their_champs_and_levels_by_label(store, plan: Plan) -> None:
    bilan = compute_bilan(store, plan, "2016", "76")
    domains = {row.key: row.label for row in bilan.breakdown("domaine").rows}
    assert domains["31"] == "Informatique, qualité, gestion industrielle, manutention, transport"
    assert domains["22"].startswith("Travaux publics, BTP conception organisation, ")
    printed = tableau(bilan.breakdown("domaine"))
    assert printed.entete == ("Domaine de formation", "Formacode", "Entrées")
    levels = {row.key: row.label for row in bilan.breakdown("niveau").rows}
    assert levels == {
        "3": "Niveau V bis (préqualification)",
        "4": "Niveau V (CAP, BEP, CFPA du premier degré)",
        "5": "Niveau IV (BP, BT, baccalauréat professionnel ou technologique)",
        "6": "Niveau III (BTS, DUT)",
    }
    assert tableau(bilan.breakdown("niveau")).entete[0] == "Niveau de formation"
