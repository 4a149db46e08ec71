"""The `lheo` import: real-format LHEO 2.2/2.3 catalogues, element accounting, refusals.

Fixtures are small hand-made catalogues under `tests/data/lheo/`; the expected fate of every
`action` and `session` of `anomalies-2.2.xml` is written below (ANOMALIES), located in the file by
a marker of its start line rather than by a hard-coded line number.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from jalon.cli import app
from jalon.ingest import IngestError
from jalon.ingest.lheo import import_lheo
from jalon.ingest.lheo_profile import builtin_lheo_profile
from jalon.plan import Plan
from jalon.simulate import Manifest, simulate
from jalon.store.database import migrate
from tests.conftest import DATA

LHEO = DATA / "lheo"
OFFER_TABLES = ("offre_formations", "offre_actions", "offre_sessions", "places")
CONTACTS = (
    "Dupont-Témoin",
    "Annette",
    "annette.dupont@exemple.test",
    "0561000001",
    "Martin-Témoin",
    "lea.martin@exemple.test",
    "0600000002",
    "0467000003",
    "Bernard-Témoin",
    "paul.bernard@exemple.test",
)


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def _table_sizes(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = (*OFFER_TABLES, "imports", "rejets", "anomalies")
    return {t: _rows(con, f"SELECT count(*) FROM {t}")[0][0] for t in tables}


def _elements(path: Path) -> int:
    text = path.read_bytes().decode("latin-1")
    return len(re.findall(r"<(?:action|session)[\s>]", text))


def _text_values(con: duckdb.DuckDBPyConnection) -> list[str]:
    columns = _rows(
        con,
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE data_type = 'VARCHAR' AND table_schema = 'main'",
    )
    values: list[str] = []
    for table, column in columns:
        values += [r[0] for r in _rows(con, f'SELECT "{column}" FROM "{table}"') if r[0]]
    return values


# --- valid catalogues ---------------------------------------------------------------------------


def test_lheo_2_2_catalogue_fills_the_offer_tables(con, plan: Plan) -> None:
    path = LHEO / "catalogue-2.2-occitanie.xml"
    summary = import_lheo(con, path, plan)
    assert summary.lines_read == _elements(path) == 8
    assert (summary.accepted, summary.rejected, summary.duplicates) == (8, 0, 0)
    assert (summary.profile, summary.layout, summary.encoding) == ("lheo", "LHEO 2.2", "UTF-8")
    assert (summary.with_anomalies, summary.anomalies_by_reason) == (0, {})
    formations = _rows(
        con,
        "SELECT numero, intitule, formacode, nsf, rome, certifiante, siret FROM offre_formations "
        "ORDER BY numero",
    )
    assert formations == [
        (
            "FO_0000101",
            "Soudeur TIG électrode enrobée",
            "22854",
            "254",
            "H2913",
            True,
            "31234567800014",
        ),
        (
            "FO_0000102",
            "Remise à niveau & savoirs de base",
            "15043",
            "415",
            None,
            False,
            "41234567800020",
        ),
    ]
    actions = _rows(
        con,
        "SELECT numero, formation, heures_centre, heures_entreprise, commune_lieu, departement, "
        "region FROM offre_actions ORDER BY numero",
    )
    assert actions == [
        ("AF_0000201", "FO_0000101", 420, 140, "31555", "31", "76"),
        ("AF_0000202", "FO_0000101", 400, None, None, "65", "76"),  # from the postcode
        ("AF_0000203", "FO_0000102", 210, 0, "34172", "34", "76"),
    ]
    sessions = _rows(con, "SELECT numero, action, debut, fin FROM offre_sessions ORDER BY numero")
    assert sessions == [
        ("SE_0000301", "AF_0000201", dt.date(2016, 9, 12), dt.date(2016, 12, 16)),
        ("SE_0000302", "AF_0000201", dt.date(2017, 1, 9), None),  # fin 00000000
        ("SE_0000303", "AF_0000202", dt.date(2016, 10, 3), dt.date(2017, 1, 27)),
        ("SE_0000304", "AF_0000203", dt.date(2016, 2, 1), dt.date(2016, 4, 29)),
        ("SE_0000305", "AF_0000203", None, None),
    ]
    places = _rows(con, "SELECT action, financeur, places FROM places ORDER BY ALL")
    assert places == [
        ("AF_0000201", 2, 12),
        ("AF_0000201", 4, 4),
        ("AF_0000202", 2, None),  # financeur listed without nb-places-financees
        ("AF_0000203", 2, 15),
        ("AF_0000203", 3, 5),
    ]
    lines = _rows(con, "SELECT line FROM offre_sessions WHERE numero = 'SE_0000303'")[0][0]
    assert 'numero="SE_0000303"' in path.read_text(encoding="utf-8").splitlines()[lines - 1]
    imports = _rows(
        con, "SELECT profile, layout, lines_read, accepted, status, encoding FROM imports"
    )
    assert imports == [("lheo", "LHEO 2.2", 8, 8, "actif", "UTF-8")]


def test_contacts_of_the_catalogue_never_reach_the_database(con, plan: Plan) -> None:
    import_lheo(con, LHEO / "catalogue-2.2-occitanie.xml", plan)
    import_lheo(con, LHEO / "catalogue-2.3.xml", plan)
    stored = "\n".join(_text_values(con))
    assert "Centre Exemple" not in stored  # read nothing but the declared values
    for value in CONTACTS:
        assert value not in stored


def test_lheo_2_3_and_namespace_free_latin1_catalogues(con, plan: Plan) -> None:
    v23 = import_lheo(con, LHEO / "catalogue-2.3.xml", plan)
    bare = import_lheo(con, LHEO / "catalogue-sans-espace-de-noms-latin1.xml", plan)
    assert (v23.layout, v23.accepted, v23.rejected, v23.with_anomalies) == ("LHEO 2.3", 2, 0, 0)
    assert (bare.layout, bare.encoding) == ("LHEO (sans espace de noms)", "ISO-8859-1")
    assert (bare.lines_read, bare.accepted) == (2, 2)
    # An LHEO 2.3 action with several places: the first one places it.
    where = "SELECT departement, region FROM offre_actions WHERE numero = "
    assert _rows(con, where + "'14_AF_0000601'") == [("35", "53")]
    assert _rows(con, where + "'AF_9001'") == [("2A", "94")]
    title = _rows(con, "SELECT intitule FROM offre_formations WHERE numero = 'FO_9001'")
    assert title == [("Aide-soignant : préparation au diplôme",)]


def test_places_launched_is_one_join(con, plan: Plan) -> None:
    """The query the indicator of DESIGN §3 needs, on the hand-made catalogue."""
    import_lheo(con, LHEO / "catalogue-2.2-occitanie.xml", plan)
    phase = plan.phase("2016")
    rows = _rows(
        con,
        f"""
        SELECT a.region, p.financeur, sum(p.places)
        FROM places p
        JOIN offre_actions a ON a.import_id = p.import_id AND a.numero = p.action
        JOIN imports i ON i.import_id = p.import_id AND i.status = 'actif'
        WHERE EXISTS (SELECT 1 FROM offre_sessions s
                      WHERE s.import_id = a.import_id AND s.action = a.numero
                        AND s.debut BETWEEN DATE '{phase.start}' AND DATE '{phase.end}')
        GROUP BY ALL ORDER BY ALL
        """,
    )
    # AF_0000201 (sessions 2016 and 2017) and AF_0000203 (February 2016) start in 2016;
    # AF_0000202 finances places without a number.
    assert rows == [("76", 2, 27), ("76", 3, 5), ("76", 4, 4)]


# --- element accounting -------------------------------------------------------------------------

#: (marker of the element's start line, occurrence, status, reasons): the reasons of its
#: rejection when rejected, of its anomalies when accepted.
ANOMALIES: list[tuple[str, int, str, set[str]]] = [
    ('action numero="AF_A1"', 0, "accepte", set()),
    ('session numero="SE_A1"', 0, "rejete", {"date_invalide"}),
    ('session numero="SE_A2"', 0, "accepte", set()),
    ("<session><periode>", 0, "rejete", {"valeur_manquante"}),
    ('session numero="SE_A3"', 0, "accepte", {"date_incoherente"}),  # fin kept missing
    ('action numero="AF_A2"', 0, "rejete", {"financeur_inconnu"}),
    ('session numero="SE_A4"', 0, "rejete", {"action_rejetee"}),
    (
        'action numero="AF_A3"',
        0,
        "accepte",
        {"commune_inconnue", "code_postal_inconnu", "lieu_inconnu"},
    ),
    ('session numero="SE_A5"', 0, "accepte", set()),
    ('action numero="AF_A4"', 0, "rejete", {"nombre_invalide"}),  # places, not the hours
    ('session numero="SE_A6"', 0, "rejete", {"action_rejetee"}),
    ('action numero="AF_A1"', 1, "doublon", set()),
    ('session numero="SE_A1"', 1, "doublon", set()),
    ('session numero="SE_A2"', 1, "doublon", set()),
    ("<session><periode>", 1, "doublon", set()),
    ('session numero="SE_A3"', 1, "doublon", set()),
    ('action numero="AF_A5"', 0, "accepte", set()),
    ('session numero="SE_A7"', 0, "accepte", set()),
    ('action numero="AF_A5"', 1, "rejete", {"numero_en_double"}),
    ('session numero="SE_A8"', 0, "rejete", {"action_rejetee"}),
    ('action numero="AF_A6"', 0, "accepte", {"lieu_inconnu"}),  # no place: no département
    ('session numero="SE_A9"', 0, "accepte", set()),
    ('action numero="AF_B1"', 0, "accepte", set()),  # its formation's anomalies mark it
    ('session numero="SE_B1"', 0, "accepte", set()),
    ('action numero="AF_C1"', 0, "rejete", {"structure_invalide"}),
    ('session numero="SE_C1"', 0, "rejete", {"action_rejetee"}),
    ('session numero="SE_D1"', 0, "rejete", {"structure_invalide"}),
    ('action numero="AF_D1"', 0, "accepte", set()),
    ('session numero="SE_D2"', 0, "accepte", set()),
]
#: Anomalies of a formation, at its own line (a formation is not a counted element).
FORMATION_ANOMALIES = {'formation numero="FO_A2"': {"format_invalide", "siret_invalide"}}


def _line_of(lines: list[str], marker: str, occurrence: int) -> int:
    found = [n for n, text in enumerate(lines, start=1) if marker in text]
    return found[occurrence]


def test_every_element_of_a_faulty_catalogue_is_accounted_for(con, plan: Plan) -> None:
    path = LHEO / "anomalies-2.2.xml"
    lines = path.read_text(encoding="utf-8").splitlines()
    expected = {
        (_line_of(lines, marker, n), marker.split()[0].lstrip("<")): (status, reasons)
        for marker, n, status, reasons in ANOMALIES
    }
    assert len(expected) == len(ANOMALIES) == _elements(path)

    summary = import_lheo(con, path, plan)

    def lines_with(status: str, kind: str) -> set[int]:
        return {line for (line, k), (s, _r) in expected.items() if s == status and k == kind}

    assert summary.lines_read == summary.accepted + summary.rejected + summary.duplicates
    assert summary.lines_read == len(ANOMALIES)
    assert summary.accepted == len(
        lines_with("accepte", "action") | lines_with("accepte", "session")
    )
    assert summary.duplicates == sum(1 for s, _r in expected.values() if s == "doublon")
    found: dict[int, set[str]] = {}
    for line, reason in _rows(con, "SELECT line, reason FROM rejets"):
        found.setdefault(line, set()).add(reason)
    assert found == {
        line: reasons for (line, _k), (s, reasons) in expected.items() if s == "rejete"
    }
    anomalies: dict[int, set[str]] = {}
    for line, reason in _rows(con, "SELECT line, reason FROM anomalies"):
        anomalies.setdefault(line, set()).add(reason)
    formations = {_line_of(lines, m, 0): r for m, r in FORMATION_ANOMALIES.items()}
    assert anomalies == formations | {
        line: reasons for (line, _k), (s, reasons) in expected.items() if s == "accepte" and reasons
    }
    assert {r[0] for r in _rows(con, "SELECT line FROM offre_actions")} == lines_with(
        "accepte", "action"
    )
    assert {r[0] for r in _rows(con, "SELECT line FROM offre_sessions")} == lines_with(
        "accepte", "session"
    )
    assert summary.rejects_by_reason["action_rejetee"] == 4
    # SE_A3, AF_A3, AF_A6 and AF_B1 (through its formation FO_A2).
    assert summary.with_anomalies == 4
    assert summary.anomalies_by_reason == {
        "code_postal_inconnu": 1,
        "commune_inconnue": 1,
        "date_incoherente": 1,
        "format_invalide": 1,
        "lieu_inconnu": 2,
        "siret_invalide": 1,
    }
    stored = _rows(
        con, "SELECT lines_read, accepted, rejected, duplicates, with_anomalies FROM imports"
    )
    assert stored == [
        (
            summary.lines_read,
            summary.accepted,
            summary.rejected,
            summary.duplicates,
            summary.with_anomalies,
        )
    ]
    # Only formations with an accepted action are written, once.
    formations_written = _rows(con, "SELECT numero FROM offre_formations ORDER BY 1")
    assert formations_written == [("FO_A1",), ("FO_A2",), ("FO_A3",)]
    # A kept value that failed its check is stored missing.
    kept = _rows(con, "SELECT formacode, siret FROM offre_formations WHERE numero = 'FO_A2'")
    assert kept == [(None, None)]
    places = "SELECT commune_lieu, departement, region FROM offre_actions WHERE numero = "
    assert _rows(con, places + "'AF_A3'") == [(None, None, None)]
    assert _rows(con, places + "'AF_A6'") == [(None, None, None)]
    assert _rows(con, "SELECT debut, fin FROM offre_sessions WHERE numero = 'SE_A3'") == [
        (dt.date(2016, 9, 1), None)
    ]


def test_rejections_name_the_element_value_and_expectation(con, plan: Plan) -> None:
    path = LHEO / "anomalies-2.2.xml"
    lines = path.read_text(encoding="utf-8").splitlines()
    import_lheo(con, path, plan)
    rejets = {
        (line, column): (reason, message, value)
        for line, column, reason, message, value in _rows(
            con, "SELECT line, column_name, reason, message, value FROM rejets"
        )
    }
    se_a1 = _line_of(lines, 'session numero="SE_A1"', 0)
    assert rejets[(se_a1, "session/periode/debut")] == (
        "date_invalide",
        "Date de début de la session : date AAAAMMJJ attendue (00000000 si inconnue)",
        "20161340",
    )
    af_a4 = _line_of(lines, 'action numero="AF_A4"', 0)
    assert rejets[(af_a4, "action/organisme-financeur/nb-places-financees")][2] == "1,4E+019"
    # The hours of a rejected action are not what rejects it.
    assert (af_a4, "action/nombre-heures-centre") not in rejets
    se_a4 = _line_of(lines, 'session numero="SE_A4"', 0)
    assert "action AF_A2" in rejets[(se_a4, "session")][1]
    assert "Code financeur" in rejets[(se_a4, "session")][1]


def test_anomalies_name_the_element_value_and_expectation(con, plan: Plan) -> None:
    path = LHEO / "anomalies-2.2.xml"
    lines = path.read_text(encoding="utf-8").splitlines()
    import_lheo(con, path, plan)
    anomalies = {
        (line, column): (reason, message, value)
        for line, column, reason, message, value in _rows(
            con, "SELECT line, column_name, reason, message, value FROM anomalies"
        )
    }
    fo_a2 = _line_of(lines, 'formation numero="FO_A2"', 0)
    reason, message, value = anomalies[(fo_a2, "formation/domaine-formation/code-FORMACODE")]
    assert (reason, value) == ("format_invalide", "2285")
    assert message == "Code Formacode (le premier cité) : 5 chiffres attendus"
    siret = anomalies[
        (fo_a2, "formation/organisme-formation-responsable/SIRET-organisme-formation/SIRET")
    ]
    assert siret[0] == "siret_invalide" and siret[2] == "31234567800018"
    se_a3 = _line_of(lines, 'session numero="SE_A3"', 0)
    assert anomalies[(se_a3, "session/periode/fin")] == (
        "date_incoherente",
        "Date de fin de la session : antérieure à « Date de début de la session »",
        "20160801",
    )
    af_a3 = _line_of(lines, 'action numero="AF_A3"', 0)
    commune = anomalies[(af_a3, "action/lieu-de-formation/coordonnees/adresse/code-INSEE-commune")]
    assert commune[0] == "commune_inconnue" and commune[2] == "99999"
    af_a6 = _line_of(lines, 'action numero="AF_A6"', 0)
    assert anomalies[(af_a6, "action/lieu-de-formation")][0:1] == ("lieu_inconnu",)
    assert "sans département ni région" in anomalies[(af_a6, "action/lieu-de-formation")][1]


# --- refusals: nothing written --------------------------------------------------------------------

REFUSED = [
    ("bombe-xml.xml", "ligne 4 : le fichier déclare des entités XML (<!ENTITY lol"),
    ("entite-externe.xml", "ligne 3 : le fichier déclare des entités XML (<!ENTITY x"),
    ("entite-parametre-externe.xml", "déclare des entités XML (<!ENTITY distante"),
    ("bombe-entites-parametres.xml", "les entités XML sont interdites"),
    (
        "defauts-dtd.xml",
        "ligne 5 : le fichier déclare des valeurs par défaut d'attributs (<!ATTLIST lheo",
    ),
    ("entite-non-declaree.xml", "ligne 5, colonne 40 : entité non déclarée"),
    ("tronque.xml", "XML mal formé"),
    ("racine-inconnue.xml", "élément racine <offres>"),
    ("espace-de-noms-inconnu.xml", "espace de noms « http://www.lheo.org/9.9 » inconnu"),
    ("sans-action.xml", "aucune action ni session"),
    ("vide.xml", "fichier vide"),
    ("binaire.xml", "n'est pas un document XML"),
]


@pytest.mark.parametrize(("name", "expected"), REFUSED)
def test_bad_files_are_refused_whole_with_a_french_message(
    con, plan: Plan, name: str, expected: str
) -> None:
    with pytest.raises(IngestError) as refused:
        import_lheo(con, LHEO / name, plan)
    message = str(refused.value)
    assert message.startswith(name)
    assert expected in message
    assert message.endswith("Rien n'a été écrit.")
    assert "root:" not in message  # /etc/passwd was never read
    assert set(_table_sizes(con).values()) == {0}
    assert _rows(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '_lheo_%'") == [
        (0,)
    ]


def test_truncated_file_error_points_at_its_end(con, plan: Plan) -> None:
    path = LHEO / "tronque.xml"
    last = len(path.read_text(encoding="utf-8").splitlines())
    with pytest.raises(IngestError, match=rf"tronque\.xml, ligne {last}, colonne \d+ : XML mal"):
        import_lheo(con, path, plan)


def test_file_over_the_size_bound_is_refused_before_reading(
    con, plan: Plan, tmp_path: Path
) -> None:
    big = tmp_path / "catalogue-enorme.xml"
    big.write_bytes((LHEO / "catalogue-2.3.xml").read_bytes())
    os.truncate(big, builtin_lheo_profile().max_bytes + 1)  # sparse: no disk used
    with pytest.raises(IngestError, match="au-delà de la limite de 2 Gio"):
        import_lheo(con, big, plan)
    assert set(_table_sizes(con).values()) == {0}


def test_a_value_over_10_mb_is_refused_by_the_parser_limits(
    con, plan: Plan, tmp_path: Path
) -> None:
    huge = tmp_path / "intitule-demesure.xml"
    text = (LHEO / "catalogue-2.3.xml").read_text(encoding="utf-8")
    huge.write_text(text.replace("Développeur web", "x" * (11 << 20)), encoding="utf-8")
    with pytest.raises(IngestError, match="valeur démesurée"):
        import_lheo(con, huge, plan)
    assert set(_table_sizes(con).values()) == {0}


def test_same_file_twice_is_refused_and_dry_run_writes_nothing(con, plan: Plan) -> None:
    path = LHEO / "anomalies-2.2.xml"
    trial = import_lheo(con, path, plan, dry_run=True)
    assert trial.import_id is None and trial.dry_run
    assert set(_table_sizes(con).values()) == {0}
    assert trial.with_anomalies == 4 and sum(trial.anomalies_by_reason.values()) == 7
    real = import_lheo(con, path, plan)
    assert real.as_dict() | {"import_id": None, "dry_run": True} == trial.as_dict()
    with pytest.raises(IngestError, match="déjà été importé, import n° 1"):
        import_lheo(con, path, plan)


def test_corrected_catalogue_replaces_the_earlier_import(con, plan: Plan, tmp_path: Path) -> None:
    first = import_lheo(con, LHEO / "anomalies-2.2.xml", plan)
    fixed = tmp_path / "anomalies-corrige.xml"
    text = (LHEO / "anomalies-2.2.xml").read_text(encoding="utf-8")
    fixed.write_text(text.replace("20161340", "20161003"), encoding="utf-8")
    second = import_lheo(con, fixed, plan, replaces=first.import_id)
    assert second.accepted == first.accepted + 1
    statuses = _rows(con, "SELECT import_id, status, replaces FROM imports ORDER BY 1")
    assert statuses == [(1, "remplace", None), (2, "actif", 1)]
    assert _rows(con, "SELECT DISTINCT import_id FROM offre_sessions") == [(2,)]
    assert _rows(con, "SELECT count(*) FROM rejets WHERE import_id = 1")[0][0] > 0  # history
    old_anomalies = _rows(con, "SELECT count(*) FROM anomalies WHERE import_id = 1")[0][0]
    assert old_anomalies == sum(first.anomalies_by_reason.values()) == 7
    assert _rows(con, "SELECT count(*) FROM anomalies WHERE import_id = 2")[0][0] == 7
    with pytest.raises(IngestError, match="déjà été remplacé"):
        import_lheo(con, LHEO / "catalogue-2.3.xml", plan, replaces=1)


def test_a_failure_while_writing_leaves_the_store_as_it_was(
    con, plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jalon.ingest import lheo

    original = lheo._Staging.copy

    def copy_then_fail(self: lheo._Staging, import_id: int) -> None:
        original(self, import_id)
        raise RuntimeError("disque plein")

    monkeypatch.setattr(lheo._Staging, "copy", copy_then_fail)
    with pytest.raises(RuntimeError, match="disque plein"):
        import_lheo(con, LHEO / "catalogue-2.2-occitanie.xml", plan)
    assert set(_table_sizes(con).values()) == {0}


def test_cli_imports_a_catalogue_and_explains_a_bomb(db_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(
        app, ["import", "lheo", str(LHEO / "catalogue-2.3.xml"), "--db", str(db_path)]
    )
    assert ok.exit_code == 0, ok.output
    bomb = runner.invoke(app, ["import", "lheo", str(LHEO / "bombe-xml.xml"), "--db", str(db_path)])
    assert bomb.exit_code != 0
    assert "entités XML" in bomb.output and "Traceback" not in bomb.output


# --- the simulator's catalogues ------------------------------------------------------------------


@pytest.mark.slow
def test_simulated_catalogues_import_whole_and_give_the_true_places(
    con, plan: Plan, tmp_path: Path
) -> None:
    manifest: Manifest = simulate(tmp_path / "sim", scale=0.002, seed=7)
    for entry in manifest.profile("lheo"):
        summary = import_lheo(con, entry.path, plan)
        assert summary.rejected == summary.duplicates == 0, summary.rejects_by_reason
        sessions = _rows(
            con, f"SELECT count(*) FROM offre_sessions WHERE import_id = {summary.import_id}"
        )
        assert sessions[0][0] == entry.lines
    windows = {"2015": (2015, 2015), "2016": (2016, 2016), "2017S1": (2017, 2017)}
    for period, (first, last) in windows.items():
        found = dict(
            _rows(
                con,
                f"""
                SELECT a.region, sum(p.places) FROM places p
                JOIN offre_actions a ON a.import_id = p.import_id AND a.numero = p.action
                WHERE EXISTS (SELECT 1 FROM offre_sessions s
                              WHERE s.import_id = a.import_id AND s.action = a.numero
                                AND year(s.debut) BETWEEN {first} AND {last})
                GROUP BY 1
                """,
            )
        )
        truth = {r: t["places"][period] for r, t in manifest.truth["regions"].items()}
        assert {r: found.get(r, 0) for r in truth} == truth


# --- property: any generated catalogue ------------------------------------------------------------

_VALID_COMMUNES = ["31555", "34172", "2A004", "35238", "97411"]
_BAD_COMMUNES = ["99999", "3155", "ABCDE"]
_BAD_INTEGERS = ["12,5", "-3", "1,4E+019", "douze"]
_BAD_DATES = ["20161340", "2016-09-12", "1899-01-01", "20160230"]

_session = st.fixed_dictionaries(
    {
        "valid": st.booleans(),
        "debut": st.dates(dt.date(2015, 1, 1), dt.date(2017, 6, 30)),
        "days": st.integers(0, 400),
        "bad": st.sampled_from(_BAD_DATES),
    }
)
_action = st.fixed_dictionaries(
    {
        "valid": st.booleans(),
        "commune": st.sampled_from(_VALID_COMMUNES),
        "bad_commune": st.sampled_from(_BAD_COMMUNES),
        "bad_integer": st.sampled_from(_BAD_INTEGERS),
        "hours": st.integers(0, 2000),
        "financeurs": st.lists(
            st.tuples(st.sampled_from([2, 3, 4, 7, 11, 16]), st.integers(0, 40)), max_size=3
        ),
        "sessions": st.lists(_session, min_size=1, max_size=4),
        "repeat": st.booleans(),
        "financeur_ok": st.booleans(),
    }
)
_formation = st.fixed_dictionaries(
    {
        "valid": st.booleans(),
        "contact": st.from_regex(r"[A-Z][a-z]{4,8}-Perso[0-9]{4}", fullmatch=True),
        "actions": st.lists(_action, min_size=1, max_size=3),
    }
)


def _catalogue(formations: list[dict]) -> tuple[str, dict[str, int], list[str]]:
    """The XML text, the expected counts and the personal values written in it.

    A faulty Formacode, commune or number of hours is an anomaly (the action is kept); an unknown
    financeur code or a faulty session start date rejects."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<lheo xmlns="http://lheo.gouv.fr/2.3">']
    out.append("<offres>")
    counts = {"accepte": 0, "rejete": 0, "doublon": 0, "anomalies": 0}
    personal: list[str] = []
    for i, f in enumerate(formations):
        phone = f"06{i:08d}"
        personal += [f["contact"], phone]
        out.append(f'<formation numero="FO_{i}">')
        formacode = "22854" if f["valid"] else "2285"
        out.append(f"<domaine-formation><code-FORMACODE>{formacode}</code-FORMACODE>")
        out.append("</domaine-formation><intitule-formation>Formation</intitule-formation>")
        out.append(f"<contact-formation><coordonnees><nom>{f['contact']}</nom>")
        out.append(f"<telfixe><numtel>{phone}</numtel></telfixe></coordonnees>")
        out.append("</contact-formation><certifiante>1</certifiante>")
        for j, a in enumerate(f["actions"]):
            action_ok = a["financeur_ok"]
            commune = a["commune"] if a["valid"] else a["bad_commune"]
            hours = a["hours"] if a["valid"] else a["bad_integer"]
            block = [f'<action numero="AF_{i}_{j}">']
            block.append("<lieu-de-formation><coordonnees><adresse><codepostal>31000</codepostal>")
            block.append(f"<code-INSEE-commune>{commune}</code-INSEE-commune>")
            block.append("</adresse></coordonnees></lieu-de-formation>")
            statuses = []
            for k, s in enumerate(a["sessions"]):
                fin = s["debut"] + dt.timedelta(days=s["days"])
                debut = s["debut"].strftime("%Y%m%d") if s["valid"] else s["bad"]
                block.append(
                    f'<session numero="SE_{i}_{j}_{k}"><periode><debut>{debut}</debut>'
                    f"<fin>{fin:%Y%m%d}</fin></periode></session>"
                )
                statuses.append("accepte" if action_ok and s["valid"] else "rejete")
            block.append(f"<nombre-heures-centre>{hours}</nombre-heures-centre>")
            if not a["financeur_ok"]:
                block.append("<organisme-financeur><code-financeur>42</code-financeur>")
                block.append("</organisme-financeur>")
            for code, places in a["financeurs"]:
                block.append(
                    f"<organisme-financeur><code-financeur>{code}</code-financeur>"
                    f"<nb-places-financees>{places}</nb-places-financees></organisme-financeur>"
                )
            block.append("</action>")
            copies = 2 if a["repeat"] else 1
            out += block * copies
            counts["accepte" if action_ok else "rejete"] += 1
            counts["anomalies"] += action_ok and not (f["valid"] and a["valid"])
            for status in statuses:
                counts[status] += 1
            if a["repeat"]:
                counts["doublon"] += 1 + len(statuses)
        out.append("</formation>")
    out += ["</offres>", "</lheo>"]
    return "\n".join(out) + "\n", counts, personal


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formations=st.lists(_formation, min_size=1, max_size=4))
def test_any_catalogue_accounts_for_every_element(formations: list[dict], plan: Plan) -> None:
    text, counts, personal = _catalogue(formations)
    con = duckdb.connect()
    migrate(con)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "catalogue.xml"
        path.write_text(text, encoding="utf-8")
        summary = import_lheo(con, path, plan)
    assert summary.lines_read == summary.accepted + summary.rejected + summary.duplicates
    assert summary.lines_read == len(re.findall(r"<(?:action|session)[\s>]", text))
    assert (summary.accepted, summary.rejected, summary.duplicates) == (
        counts["accepte"],
        counts["rejete"],
        counts["doublon"],
    )
    assert summary.with_anomalies == counts["anomalies"]
    # A faulty commune falls back on the postcode: every kept action has its département.
    assert _rows(con, "SELECT count(*) FROM offre_actions WHERE departement IS NULL") == [(0,)]
    written = _rows(
        con, "SELECT (SELECT count(*) FROM offre_actions) + (SELECT count(*) FROM offre_sessions)"
    )
    assert written[0][0] == summary.accepted
    rejected_lines = _rows(con, "SELECT count(DISTINCT line) FROM rejets")[0][0]
    assert rejected_lines == summary.rejected
    stored = "\n".join(_text_values(con))
    for value in personal:
        assert value not in stored
    con.close()


_WITHOUT_NAMESPACE = """<lheo>
  <offres>
    <formation numero="FO_1">
      <action>
        <lieu-de-formation><coordonnees><adresse>
          <code-INSEE-commune>31555</code-INSEE-commune>
        </adresse></coordonnees></lieu-de-formation>
        <session numero="SE_1"><periode><debut>20160912</debut></periode></session>
      </action>
    </formation>
  </offres>
</lheo>
"""


def test_an_external_dtd_is_never_loaded_nor_its_defaults_applied(
    con, plan: Plan, tmp_path: Path
) -> None:
    # Were the DTD read, <lheo> would gain the LHEO 2.2 namespace and the action a number.
    (tmp_path / "defauts.dtd").write_text(
        '<!ATTLIST lheo xmlns CDATA "http://www.lheo.org/2.2">\n'
        '<!ATTLIST action numero CDATA "AF_DEFAUT">\n',
        encoding="utf-8",
    )
    path = tmp_path / "dtd-externe.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE lheo SYSTEM "defauts.dtd">\n' + _WITHOUT_NAMESPACE,
        encoding="utf-8",
    )
    summary = import_lheo(con, path, plan)
    assert summary.layout == "LHEO (sans espace de noms)"
    assert (summary.accepted, summary.rejected) == (0, 2)  # the action has no number
    assert _rows(con, "SELECT column_name, reason FROM rejets ORDER BY line LIMIT 1") == [
        ("action/@numero", "valeur_manquante")
    ]


def test_attribute_declarations_without_defaults_are_read(con, plan: Plan, tmp_path: Path) -> None:
    path = tmp_path / "attlist-sans-defaut.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE lheo [\n  <!ATTLIST action numero CDATA #REQUIRED\n'
        "    type (a|b) #IMPLIED>\n]>\n"
        + _WITHOUT_NAMESPACE.replace("<action>", '<action numero="AF_1">'),
        encoding="utf-8",
    )
    summary = import_lheo(con, path, plan)
    assert (summary.accepted, summary.rejected) == (2, 0)
