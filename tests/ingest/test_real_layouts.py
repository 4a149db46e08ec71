"""Every layout of the Pôle emploi export's history, and a regional export without national ids,
imported from files written by hand from DESIGN §5 ("Real exports"): columns by meaning, unknown
columns dropped unread, anomalies instead of lost lines, local person keys namespaced by source."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from jalon.ingest import IngestError, import_file
from jalon.ingest.pseudonymise import person_hash
from jalon.plan import Plan
from jalon.sources import builtin_profiles
from tests.conftest import DATA

PROFILES = builtin_profiles()
PE = PROFILES["pe-stagiaires"]
FILES = DATA / "pe-stagiaires"
IDF = DATA / "region-stagiaires" / "export-idf-2016.csv"
PERSONAL = [
    "Fabre-Essai",
    "lea.fabre@exemple.test",
    "0561990001",
    "Moreau-Essai",
    "hugo.moreau@exemple.test",
    "0663990003",
    "L0000001X",
    "4012345678",
]
UNKNOWN_VALUES = [
    "COFIN-7Q3ZK-SIRET",
    "MONTANT-4182-EUR",
    "referent.cofin@exemple.test",
    "Referente-Essai",
    "0561990099",
]


def _entries(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return con.execute(
        "SELECT line, date_entree, date_fin_prevue, siret, departement, commune_lieu, formacode, "
        "financeurs FROM entree_lignes ORDER BY line"
    ).fetchall()


# file, layout name, (read, accepted, rejected, duplicates), first entry's start date
LAYOUTS = [
    (
        "export-2015-dates-session.csv",
        "38 colonnes, dates de session (exports les plus anciens)",
        (2, 2, 0, 0),
        dt.date(2015, 3, 2),
    ),
    (
        "export-2016-occitanie.csv",
        "38 colonnes (dates de module, niveaux et durées)",
        (9, 5, 3, 1),
        dt.date(2016, 3, 7),
    ),
    (
        "export-2017-34-colonnes.csv",
        "34 colonnes (dates du plan de formation, Formacode et Certif Info multiples)",
        (5, 4, 1, 0),
        dt.date(2017, 2, 6),
    ),
    (
        "export-2018-35-colonnes.csv",
        "35 colonnes (34 colonnes et dispositif de formation)",
        (2, 2, 0, 0),
        dt.date(2018, 1, 8),
    ),
    (
        "export-sans-code-insee.csv",
        "disposition non déclarée (33 colonnes)",
        (2, 2, 0, 0),
        dt.date(2017, 9, 4),
    ),
    (
        "export-2019-colonnes-inconnues.csv",
        "disposition non déclarée (38 colonnes)",
        (2, 2, 0, 0),
        dt.date(2019, 3, 4),
    ),
]


@pytest.mark.parametrize(
    ("name", "layout", "counts", "first"), LAYOUTS, ids=[x[0] for x in LAYOUTS]
)
def test_every_layout_of_the_history_imports(con, plan, key, name, layout, counts, first) -> None:
    summary = import_file(con, FILES / name, PE, plan, key)
    assert summary.layout == layout
    assert (summary.lines_read, summary.accepted, summary.rejected, summary.duplicates) == counts
    assert _entries(con)[0][1] == first
    assert con.execute("SELECT layout FROM imports").fetchone() == (layout,)


def test_34_column_layout_keeps_lines_with_anomalies(con, plan, key) -> None:
    summary = import_file(con, FILES / "export-2017-34-colonnes.csv", PE, plan, key)
    assert summary.with_anomalies == 2
    assert summary.anomalies_by_reason == {"format_invalide": 2}
    assert summary.rejects_by_reason == {"valeur_manquante": 1}
    anomalies = con.execute(
        "SELECT line, column_name, reason, value FROM anomalies ORDER BY line"
    ).fetchall()
    assert anomalies == [
        (3, "dc_siret", "format_invalide", "312345678000140"),
        (4, "dc_formacode_ppal_id", "format_invalide", "-"),
    ]
    # `00000000` is a missing identifier: the line cannot be counted.
    assert con.execute("SELECT line, column_name, reason FROM rejets").fetchall() == [
        (5, "dn_individu_national", "valeur_manquante")
    ]
    rows = {r[0]: r for r in _entries(con)}
    assert rows[3][3] is None  # the 15-character SIRET is not kept
    assert rows[4][4:7] == ("81", "81004", None)  # no département: the commune's; no Formacode
    assert rows[6][4:6] == ("31", None)  # no département nor commune: the postcode's
    levels = con.execute("SELECT count(niveau_sortie), count(heures_centre) FROM entree_lignes")
    assert levels.fetchone() == (0, 0)


def test_35_column_layout_reads_the_training_scheme(con, plan, key) -> None:
    import_file(con, FILES / "export-2018-35-colonnes.csv", PE, plan, key)
    rows = con.execute("SELECT dispositif, financeurs FROM entree_lignes ORDER BY line")
    assert rows.fetchall() == [("AIF", [4]), ("POEI", [4, 18])]


def test_unknown_columns_are_named_and_never_stored(con, plan, key, db_path: Path) -> None:
    summary = import_file(con, FILES / "export-2019-colonnes-inconnues.csv", PE, plan, key)
    unknown = ["dc_siret_cofinanceur", "dn_montant_cofinance", "dc_contact_referent"]
    assert summary.ignored_columns == unknown
    assert con.execute("SELECT ignored_columns FROM imports").fetchone() == (unknown,)
    con.execute("CHECKPOINT")
    con.close()
    content = b"".join(p.read_bytes() for p in db_path.parent.glob("jalon.duckdb*") if p.is_file())
    for value in [*UNKNOWN_VALUES, *PERSONAL]:
        assert value.encode() not in content, value


def test_regional_export_without_national_ids_is_counted_under_local_keys(con, plan, key) -> None:
    summary = import_file(con, IDF, PROFILES["region-stagiaires"], plan, key)
    assert (summary.lines_read, summary.accepted, summary.rejected) == (4, 3, 1)
    assert con.execute("SELECT line, reason, value FROM rejets").fetchall() == [
        (4, "date_invalide", "31/11/2016")
    ]
    rows = con.execute(
        "SELECT hash_personne, personne_source, departement, date_fin_reelle, organisme "
        "FROM entree_lignes ORDER BY line"
    ).fetchall()
    assert [r[1:3] for r in rows] == [
        ("region-stagiaires", "75"),
        ("region-stagiaires", "93"),
        ("region-stagiaires", "75"),
    ]
    assert rows[0][3] == dt.date(2016, 12, 9)
    assert rows[0][4] == "Centre Exemple Formation"
    # One trainee, two trainings: one person, keyed in the source's namespace, never by the
    # bare local identifier (which could collide with another source's).
    assert rows[0][0] == rows[2][0]
    assert rows[0][0] != person_hash(key, "ST000123")
    assert rows[0][0] == person_hash(key, "region-stagiaires/11/ST000123")
    # The entry ends at its actual end (9 December), not the planned one (16 December).
    ends = con.execute("SELECT date_sortie FROM entrees ORDER BY date_entree").fetchall()
    assert ends[0] == (dt.date(2016, 12, 9),)
    assert con.execute(
        "SELECT count(*), count(DISTINCT hash_personne) FROM entrees"
    ).fetchone() == (
        3,
        2,
    )


def test_regional_export_values_of_personal_columns_never_reach_the_store(
    con, plan, key, db_path: Path
) -> None:
    import_file(con, IDF, PROFILES["region-stagiaires"], plan, key)
    con.execute("CHECKPOINT")
    con.close()
    content = b"".join(p.read_bytes() for p in db_path.parent.glob("jalon.duckdb*") if p.is_file())
    for value in [
        "Lefèvre-Essai",
        "amelie.lefevre@exemple.test",
        "0601020304",
        "ST000123",
        "12/04/1990",
    ]:
        assert value.encode("utf-8") not in content, value
        assert value.encode("cp1252") not in content, value


def test_a_header_without_the_place_is_refused_naming_its_names(con, plan, key, tmp_path) -> None:
    lines = (FILES / "export-2018-35-colonnes.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("|")
    drop = {
        header.index(c) for c in ("departement", "dc_insee_lieuformation", "dc_cp_lieuformation")
    }
    keep = [i for i in range(len(header)) if i not in drop]
    text = ["|".join(line.split("|")[i] for i in keep) for line in lines]
    path = tmp_path / "sans-lieu.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(IngestError) as info:
        import_file(con, path, PE, plan, key)
    message = str(info.value)
    assert "Lieu de formation (département, commune ou code postal)" in message
    assert "« departement », « dc_insee_lieuformation », « dc_cp_lieuformation »" in message
    assert con.execute("SELECT count(*) FROM imports").fetchone() == (0,)


def test_refusal_never_quotes_a_headerless_file_s_data(con, plan, key, tmp_path) -> None:
    line = (FILES / "export-2018-35-colonnes.csv").read_text(encoding="utf-8").splitlines()[1]
    path = tmp_path / "sans-entete.csv"
    path.write_text(line.replace("dd_", "") + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(IngestError) as info:
        import_file(con, path, PE, plan, key)
    for value in ("lea.fabre@exemple.test", "0561990001", "4012345678"):
        assert value not in str(info.value)


def test_columns_of_the_spreadsheet_era_are_found_whatever_their_case(
    con, plan: Plan, key, tmp_path
) -> None:
    text = (FILES / "export-2018-35-colonnes.csv").read_text(encoding="utf-8").splitlines()
    text[0] = text[0].upper()
    path = tmp_path / "majuscules.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    summary = import_file(con, path, PE, plan, key)
    assert summary.accepted == 2
    assert summary.layout == "35 colonnes (34 colonnes et dispositif de formation)"


def test_absurd_hours_are_anomalies_not_a_crash(con, plan, key, tmp_path) -> None:
    text = (FILES / "export-2016-occitanie.csv").read_text(encoding="utf-8").splitlines()
    header = text[0].split("|")
    fields = text[1].split("|")
    fields[header.index("dn_nombreheurescentre")] = "2000000000"
    fields[header.index("dn_dureeentreprise")] = "2000000000"
    path = tmp_path / "heures.csv"
    path.write_text(text[0] + "\n" + "|".join(fields) + "\n", encoding="utf-8")
    summary = import_file(con, path, PE, plan, key)
    assert (summary.accepted, summary.with_anomalies) == (1, 1)
    assert summary.anomalies_by_reason == {"hors_plage": 1}
    assert con.execute("SELECT column_name FROM anomalies ORDER BY 1").fetchall() == [
        ("dn_dureeentreprise",),
        ("dn_nombreheurescentre",),
    ]
    assert con.execute("SELECT duree_heures FROM entrees").fetchall() == [(None,)]


def test_values_shaped_like_contacts_are_never_copied_into_anomalies(con, plan, key, tmp_path):
    text = (FILES / "export-2018-35-colonnes.csv").read_text(encoding="utf-8").splitlines()
    header = text[0].split("|")
    fields = text[1].split("|")
    fields[header.index("dc_formacode_ppal_id")] = "lea.fabre@exemple.test"
    fields[header.index("dc_siret")] = "06 61 99 00 01"
    path = tmp_path / "decale.csv"
    path.write_text(text[0] + "\n" + "|".join(fields) + "\n", encoding="utf-8")
    summary = import_file(con, path, PE, plan, key)
    assert summary.with_anomalies == 1
    values = con.execute("SELECT column_name, value FROM anomalies ORDER BY 1").fetchall()
    assert values == [("dc_formacode_ppal_id", None), ("dc_siret", None)]
