"""The quality report per source: figures per month, reasons, coverage and missing cells.

The stores are built by importing small files written here from the formats (the 38-column
Pôle emploi export, a regional export) and the hand-made LHEO fixture, never simulator output.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from jalon.cli import app
from jalon.ingest import import_file
from jalon.ingest.quality import QualityReport, quality_report
from jalon.plan import Plan
from jalon.sources import builtin_profiles
from tests.conftest import DATA

PE_HEADER = (DATA / "pe-stagiaires" / "export-2016-occitanie.csv").read_text().splitlines()[0]
REGION_HEADER = (
    "Identifiant national;Nom;Prénom;Courriel;Téléphone;Code Postal;N° Session Carif;"
    "N° Action Carif;Intitulé Formation;Formacode;Code Certifinfo;SIRET Organisme;"
    "Raison Sociale;Code INSEE Lieu;Date Entree;Date Sortie Prevue;Heures Centre;Heures Entreprise"
)
TOULOUSE = ("31400", "31555", "Toulouse", "31")
RENNES = ("35000", "35238", "Rennes", "35")
GOOD_SIRET = "31234567800014"
BAD_SIRET = "31234567800018"  # wrong Luhn key: an anomaly, the line still counts
JAN, FEB, MAR = dt.date(2016, 1, 1), dt.date(2016, 2, 1), dt.date(2016, 3, 1)


def _pe_line(person: str, start: str, place: tuple[str, str, str, str], siret: str) -> str:
    cp, insee, ville, dep = place
    fields = [
        "Test", "Personne", "personne@exemple.test", "0500000000", "NULL", "1", person, "9100000",
        "O", "1", f"L{person}", "F001", "CARIF", "Soudeur TIG", f"{start} 00:00:00.0",
        "2016-06-24 00:00:00.0", "ORG1", cp, insee, ville, "22854", "54913", "Titre pro", siret,
        "Centre Exemple", "CENTRE EXEMPLE", dep, "NULL", "4", "35", "NULL", "140", "NULL", "420",
        f"SE_{person}", "AF_0000011", f"KSE_{person}", "4",
    ]  # fmt: skip
    return "|".join(fields)


def _write(path: Path, header: str, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_text("\n".join([header, *lines]) + "\n", encoding=encoding)
    return path


@pytest.fixture
def store(con: duckdb.DuckDBPyConnection, plan: Plan, key: bytes, tmp_path: Path):
    """January: Occitanie ×2 (one invalid SIRET), Bretagne ×1, one bad date; February: Occitanie
    only. The Region sends Occitanie's January and nothing for February."""
    pe = builtin_profiles()["pe-stagiaires"]
    january = _write(
        tmp_path / "pe-janvier.csv",
        PE_HEADER,
        [
            _pe_line("1000001A", "2016-01-11", TOULOUSE, GOOD_SIRET),
            _pe_line("1000002B", "2016-01-18", TOULOUSE, BAD_SIRET),
            _pe_line("1000003C", "2016-01-25", RENNES, GOOD_SIRET),
            _pe_line("1000004D", "2016-13-45", RENNES, GOOD_SIRET),
        ],
    )
    february = _write(
        tmp_path / "pe-fevrier.csv",
        PE_HEADER,
        [_pe_line("1000005E", "2016-02-08", TOULOUSE, GOOD_SIRET)],
    )
    regional = _write(
        tmp_path / "region-janvier.csv",
        REGION_HEADER,
        [
            "2000001D;Test;Zoé;;;31000;SE_0000201;AF_0000021;Aide-soignant;43436;;"
            f"{GOOD_SIRET};Centre Exemple;31555;04/01/2016;20/06/2016;350;70"
        ],
        encoding="cp1252",
    )
    import_file(con, january, pe, plan, key)
    import_file(con, february, pe, plan, key)
    import_file(con, regional, builtin_profiles()["region-stagiaires"], plan, key)
    return con


def _row(report: QualityReport, source: str, month: dt.date | None):
    found = [r for r in report.rows if (r.source, r.month) == (source, month)]
    assert len(found) == 1, report.rows
    return found[0]


def test_files_and_lines_per_source_and_month(store, plan) -> None:
    report = quality_report(store, plan)
    january = _row(report, "pe-stagiaires", JAN)
    assert january.source_label == "Pôle emploi"
    assert (january.files, january.lines_read, january.accepted) == (1, 4, 3)
    assert (january.rejected, january.with_anomalies, january.duplicates) == (1, 1, 0)
    february = _row(report, "pe-stagiaires", FEB)
    assert (february.files, february.lines_read, february.accepted, february.rejected) == (
        1,
        1,
        1,
        0,
    )
    regional = _row(report, "region-stagiaires", JAN)
    assert (regional.files, regional.accepted) == (1, 1)


def test_rejections_and_anomalies_by_reason_and_column(store, plan) -> None:
    report = quality_report(store, plan)
    found = {(r.source, r.kind, r.reason_label, r.column, r.lines) for r in report.reasons}
    assert found == {
        ("pe-stagiaires", "rejet", "date illisible", "dd_datedebutmodule", 1),
        ("pe-stagiaires", "anomalie", "SIRET invalide", "dc_siret", 1),
    }


def test_coverage_grid_and_missing_cells(store, plan) -> None:
    report = quality_report(store, plan, "2016")
    assert report.months[0] == JAN and len(report.months) == 12
    assert report.expected_until == FEB
    assert report.sources == ("pe-stagiaires", "region-stagiaires")
    assert report.lines_in("pe-stagiaires", "76", JAN) == 2
    assert report.lines_in("pe-stagiaires", "53", JAN) == 1
    assert report.lines_in("pe-stagiaires", "76", FEB) == 1
    assert report.lines_in("pe-stagiaires", "53", FEB) == 0
    messages = {m.message for m in report.missing}
    assert "Pôle emploi : aucune donnée pour Bretagne en février 2016" in messages
    assert "Conseil régional : aucune donnée pour Occitanie en février 2016" in messages
    # Pôle emploi sent for two regions, so it is expected everywhere.
    assert "Pôle emploi : aucune donnée pour Normandie sur toute la phase 2016" in messages
    # The Region sent for Occitanie only: it is not expected elsewhere.
    assert not any(m.startswith("Conseil régional") and "Bretagne" in m for m in messages)
    # Months after the last month any source has data for are not expected yet.
    assert not any("mars 2016" in m for m in messages)
    assert not any("Occitanie" in m for m in messages if m.startswith("Pôle emploi"))


def test_region_scope_keeps_one_region(store, plan) -> None:
    bretagne = quality_report(store, plan, region="53")
    assert bretagne.regions == ("53",)
    january = _row(bretagne, "pe-stagiaires", JAN)
    # The January file is mainly Occitanie's: its rejection and anomaly are not Bretagne's.
    assert (january.files, january.lines_read, january.accepted, january.rejected) == (1, 1, 1, 0)
    assert bretagne.reasons == []
    assert {m.message for m in bretagne.missing} == {
        "Pôle emploi : aucune donnée pour Bretagne en février 2016"
    }
    assert {c.region for c in bretagne.coverage} == {"53"}

    occitanie = quality_report(store, plan, region="76")
    assert _row(occitanie, "pe-stagiaires", JAN).rejected == 1
    assert len(occitanie.reasons) == 2
    assert {m.message for m in occitanie.missing} == {
        "Conseil régional : aucune donnée pour Occitanie en février 2016"
    }


def test_offer_is_placed_by_session_start(con, plan, key) -> None:
    catalogue = DATA / "lheo" / "catalogue-2.2-occitanie.xml"
    import_file(con, catalogue, builtin_profiles()["lheo"], plan, key)
    report = quality_report(con, plan, "2016")
    cells = {(c.region, c.month): c.lines for c in report.coverage if c.source == "lheo"}
    assert cells == {
        ("76", dt.date(2016, 2, 1)): 1,
        ("76", dt.date(2016, 9, 1)): 1,
        ("76", dt.date(2016, 10, 1)): 1,
    }
    undated = _row(report, "lheo", None)
    assert undated.accepted == 1


def test_replaced_file_no_longer_counts(store, plan, key, tmp_path) -> None:
    corrected = _write(
        tmp_path / "pe-fevrier-corrige.csv",
        PE_HEADER,
        [
            _pe_line("1000005E", "2016-02-08", TOULOUSE, GOOD_SIRET),
            _pe_line("1000006F", "2016-02-15", RENNES, GOOD_SIRET),
        ],
    )
    import_file(store, corrected, builtin_profiles()["pe-stagiaires"], plan, key, replaces=2)
    report = quality_report(store, plan)
    assert _row(report, "pe-stagiaires", FEB).files == 1
    assert report.lines_in("pe-stagiaires", "53", FEB) == 1
    assert not any("Bretagne en février" in m.message for m in report.missing)


def test_unknown_region_is_a_french_error(store, plan) -> None:
    with pytest.raises(KeyError, match="région inconnue"):
        quality_report(store, plan, region="99")


def test_cli_text_json_and_csv(store, db_path: Path) -> None:
    store.close()
    runner = CliRunner()
    text = runner.invoke(app, ["qualite", "--db", str(db_path)], env={"COLUMNS": "200"})
    assert text.exit_code == 0, text.output
    assert "Pôle emploi : aucune donnée pour Bretagne en février 2016" in text.output
    assert "janvier 2016" in text.output and "date illisible" in text.output

    as_json = runner.invoke(app, ["qualite", "--db", str(db_path), "--format", "json"])
    data = json.loads(as_json.output)
    january = next(
        r for r in data["par_mois"] if r["source"] == "pe-stagiaires" and r["mois"] == "2016-01"
    )
    assert (january["lues"], january["rejetees"], january["avec_anomalies"]) == (4, 1, 1)
    assert {"source": "pe-stagiaires", "region": "53", "mois": "2016-01", "lignes": 1} in data[
        "couverture"
    ]

    as_csv = runner.invoke(
        app,
        ["qualite", "--db", str(db_path), "--region", "53", "--format", "csv", "--tableau",
         "manquants"],
    )  # fmt: skip
    assert as_csv.output.splitlines() == [
        "source;region;mois;message",
        "pe-stagiaires;53;2016-02;Pôle emploi : aucune donnée pour Bretagne en février 2016",
    ]

    unknown = runner.invoke(app, ["qualite", "--db", str(db_path), "--region", "99"])
    assert unknown.exit_code == 2 and "région inconnue" in unknown.output
