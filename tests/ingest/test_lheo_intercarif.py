"""The `lheo` import on a catalogue shaped like the intercarif feed (LHEO 2.3, `lheo.gouv.fr`).

`tests/data/lheo/intercarif-2.3.xml` is written by hand from the LHEO 2.3 schema: one formation,
one action, one session, and the defects of real exports (DESIGN §5). Non-essential defects
become anomalies and keep the elements; unusable places, dates or financeurs still reject. Lines
are found in the file by a marker, never hard-coded.
"""

from __future__ import annotations

import bz2
import datetime as dt
import gzip
import hashlib
from pathlib import Path

import duckdb
import pytest

from jalon.ingest import IngestError
from jalon.ingest.lheo import import_lheo
from jalon.ingest.lheo_profile import builtin_lheo_profile
from jalon.plan import Plan
from jalon.store import open_store
from tests.conftest import DATA

FIXTURE = DATA / "lheo" / "intercarif-2.3.xml"
TEXT = FIXTURE.read_text(encoding="utf-8")
LINES = TEXT.splitlines()
SIRET = "formation/organisme-formation-responsable/SIRET-organisme-formation/SIRET"
COMMUNE = "action/lieu-de-formation/coordonnees/adresse/code-INSEE-commune"
#: Every name, e-mail and phone of the fixture's contact blocks (invented).
PERSONAL = (
    "Lemoine-Fictif",
    "Clothilde",
    "02 99 00 11 22",
    "06 98 76 54 32",
    "clothilde.lemoine-fictif@exemple.test",
    "Vasseur-Fictif",
    "0299334455",
    "accueil.vasseur-fictif@exemple.test",
    "Kerbrat-Fictif",
    "Yannick",
    "+33 2 99 55 66 77",
    "yannick.kerbrat-fictif@exemple.test",
    "02.99.12.34.56",
    "direction@batir-fictif.exemple.test",
    "Le Goff-Fictif",
    "Maëlle",
    "07 11 22 33 44",
    "maelle.legoff-fictif@exemple.test",
)


def _line(marker: str) -> int:
    found = [n for n, text in enumerate(LINES, start=1) if marker in text]
    assert len(found) == 1, marker
    return found[0]


FORMATION_LINE = _line('<formation numero="53_FO_0042001"')
ACTION_LINE = _line('<action numero="53_AF_0042101"')
SESSION_LINE = _line('<session numero="53_SE_0042201"')


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def _variant(tmp_path: Path, old: str, new: str, name: str = "variante.xml") -> Path:
    assert TEXT.count(old) == 1, old
    path = tmp_path / name
    path.write_text(TEXT.replace(old, new), encoding="utf-8")
    return path


def _nothing_written(con: duckdb.DuckDBPyConnection) -> None:
    tables = ("offre_formations", "offre_actions", "offre_sessions", "places", "imports")
    for table in (*tables, "rejets", "anomalies"):
        assert _rows(con, f"SELECT count(*) FROM {table}") == [(0,)], table


EXPECTED_ANOMALIES = {
    (FORMATION_LINE, "formation/certifiante", "format_invalide", "-"),
    (FORMATION_LINE, SIRET, "format_invalide", "512345678000351"),
    (ACTION_LINE, COMMUNE, "commune_inconnue", "35000"),
    (ACTION_LINE, "action/nombre-heures-entreprise", "format_invalide", "-"),
}


def test_intercarif_catalogue_keeps_its_action_and_session_with_anomalies(con, plan: Plan) -> None:
    summary = import_lheo(con, FIXTURE, plan)
    assert (summary.layout, summary.input_kind) == ("LHEO 2.3", "XML")
    assert (summary.lines_read, summary.accepted, summary.rejected) == (2, 2, 0)
    assert summary.with_anomalies == 1  # the action (its own and its formation's); not the session
    assert summary.anomalies_by_reason == {"format_invalide": 3, "commune_inconnue": 1}
    anomalies = _rows(con, "SELECT line, column_name, reason, value FROM anomalies")
    assert set(anomalies) == EXPECTED_ANOMALIES and len(anomalies) == 4
    messages = dict(_rows(con, "SELECT column_name, message FROM anomalies"))
    assert messages[SIRET] == (
        "SIRET de l'organisme de formation responsable : 14 chiffres attendus"
    )
    assert "texte de remplacement" in messages["formation/certifiante"]
    assert _rows(con, "SELECT count(*) FROM rejets") == [(0,)]
    # Kept, with each faulty value missing; the absent domaine-formation is no anomaly.
    assert _rows(
        con,
        "SELECT numero, intitule, formacode, nsf, rome, certifiante, siret FROM offre_formations",
    ) == [("53_FO_0042001", "Conducteur de travaux du bâtiment", None, None, None, None, None)]
    assert _rows(
        con,
        "SELECT numero, formation, heures_centre, heures_entreprise, commune_lieu, departement, "
        "region FROM offre_actions",
    ) == [("53_AF_0042101", "53_FO_0042001", 1190, None, None, "35", "53")]  # from the postcode
    assert _rows(con, "SELECT numero, action, debut, fin, line FROM offre_sessions") == [
        ("53_SE_0042201", "53_AF_0042101", dt.date(2017, 9, 4), dt.date(2018, 6, 29), SESSION_LINE)
    ]
    assert _rows(con, "SELECT action, financeur, places FROM places") == [("53_AF_0042101", 2, 12)]
    assert _rows(con, "SELECT layout, accepted, rejected, with_anomalies FROM imports") == [
        ("LHEO 2.3", 2, 0, 1)
    ]


@pytest.mark.parametrize(
    ("namespace", "version"),
    [
        ("http://www.lheo.org/2.2", "LHEO 2.2"),
        ("http://www.lheo.org/2.3", "LHEO 2.3"),  # read as before the change of domain
    ],
)
def test_the_same_catalogue_under_the_other_namespaces(
    con, plan: Plan, tmp_path: Path, namespace: str, version: str
) -> None:
    path = _variant(tmp_path, 'xmlns="http://lheo.gouv.fr/2.3"', f'xmlns="{namespace}"')
    summary = import_lheo(con, path, plan)
    assert (summary.layout, summary.accepted, summary.with_anomalies) == (version, 2, 1)
    anomalies = _rows(con, "SELECT line, column_name, reason, value FROM anomalies")
    assert set(anomalies) == EXPECTED_ANOMALIES


def test_gzipped_catalogue_is_read_as_it_comes(con, plan: Plan, tmp_path: Path) -> None:
    packed = tmp_path / "intercarif-2.3.xml.gz"
    packed.write_bytes(gzip.compress(FIXTURE.read_bytes()))
    summary = import_lheo(con, packed, plan)
    assert summary.input_kind == "XML compressé (gzip)"
    assert (summary.lines_read, summary.accepted, summary.with_anomalies) == (2, 2, 1)
    anomalies = _rows(con, "SELECT line, column_name, reason, value FROM anomalies")
    assert set(anomalies) == EXPECTED_ANOMALIES  # lines of the decompressed XML
    sha = hashlib.sha256(packed.read_bytes()).hexdigest()
    assert _rows(con, "SELECT file_name, sha256 FROM imports") == [(packed.name, sha)]
    assert _rows(con, "SELECT departement FROM offre_actions") == [("35",)]
    with pytest.raises(IngestError, match="déjà été importé"):
        import_lheo(con, packed, plan)


def test_contacts_never_reach_the_database_file(db_path: Path, plan: Plan, tmp_path: Path) -> None:
    for value in PERSONAL:
        assert value in TEXT, value  # the scan below looks for values the file really has
    rejected = _variant(
        tmp_path, "<code-financeur>2</code-financeur>", "<code-financeur>99</code-financeur>"
    )
    con = open_store(db_path)
    import_lheo(con, FIXTURE, plan)
    import_lheo(con, rejected, plan)
    assert _rows(con, "SELECT count(*) FROM rejets")[0][0] == 2  # the action and its session
    stored: list[str] = []
    for table, column in _rows(
        con,
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE data_type = 'VARCHAR' AND table_schema = 'main'",
    ):
        stored += [r[0] for r in _rows(con, f'SELECT "{column}" FROM "{table}"') if r[0]]
    con.execute("CHECKPOINT")
    con.close()
    text = "\n".join(stored)
    files = [p for p in db_path.parent.iterdir() if p.name.startswith(db_path.name)]
    content = b"".join(p.read_bytes() for p in files)
    assert b"53_AF_0042101" in content  # the scan does see the text that is stored
    for value in PERSONAL:
        assert value not in text, value
        assert value.encode("utf-8") not in content, value
        digits = "".join(c for c in value if c.isdigit())
        if len(digits) >= 9:
            assert digits.encode() not in content, value


@pytest.mark.parametrize(
    ("old", "new", "where", "column", "reason"),
    [
        (
            "<debut>20170904</debut>",
            "<debut>-</debut>",
            "session",
            "session/periode/debut",
            "valeur_manquante",
        ),
        (
            "<debut>20170904</debut>",
            "<debut>20170931</debut>",
            "session",
            "session/periode/debut",
            "date_invalide",
        ),
        (
            "<code-financeur>2</code-financeur>",
            "<code-financeur>99</code-financeur>",
            "action",
            "action/organisme-financeur/code-financeur",
            "financeur_inconnu",
        ),
        (
            "<nb-places-financees>12</nb-places-financees>",
            "<nb-places-financees>douze</nb-places-financees>",
            "action",
            "action/organisme-financeur/nb-places-financees",
            "nombre_invalide",
        ),
        (
            '<action numero="53_AF_0042101">',
            '<action numero="-">',
            "action",
            "action/@numero",
            "valeur_manquante",
        ),
    ],
)
def test_unusable_places_dates_or_financeurs_still_reject(
    con, plan: Plan, tmp_path: Path, old: str, new: str, where: str, column: str, reason: str
) -> None:
    summary = import_lheo(con, _variant(tmp_path, old, new), plan)
    rejets = set(_rows(con, "SELECT line, column_name, reason FROM rejets"))
    if where == "session":
        assert (summary.accepted, summary.rejected) == (1, 1)
        assert rejets == {(SESSION_LINE, column, reason)}
    else:
        assert (summary.accepted, summary.rejected) == (0, 2)
        assert rejets == {
            (ACTION_LINE, column, reason),
            (SESSION_LINE, "session", "action_rejetee"),
        }
        # A rejected action writes neither its formation nor any anomaly.
        assert _rows(con, "SELECT count(*) FROM offre_formations") == [(0,)]
        assert _rows(con, "SELECT count(*) FROM anomalies") == [(0,)]


def test_a_placeholder_number_of_places_is_a_financeur_without_number(
    con, plan: Plan, tmp_path: Path
) -> None:
    path = _variant(tmp_path, "<nb-places-financees>12<", "<nb-places-financees>-<")
    summary = import_lheo(con, path, plan)
    assert (summary.accepted, summary.rejected) == (2, 0)
    assert _rows(con, "SELECT financeur, places FROM places") == [(2, None)]
    places = "action/organisme-financeur/nb-places-financees"
    assert (ACTION_LINE, places, "format_invalide", "-") in _rows(
        con, "SELECT line, column_name, reason, value FROM anomalies"
    )


# --- gzip: bounded while it is read, refused before anything is written -------------------------


def test_a_decompression_bomb_is_refused_while_reading(con, plan: Plan, tmp_path: Path) -> None:
    head, tail = TEXT.split("<offres>")
    bomb = tmp_path / "bombe.xml.gz"
    bomb.write_bytes(gzip.compress(f"{head}<offres>".encode() + b" " * (64 << 20) + tail.encode()))
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(IngestError) as refused:
        import_lheo(con, bomb, plan)
    message = str(refused.value)
    assert message.startswith("bombe.xml.gz : taux de compression invraisemblable (plus de 100")
    assert message.endswith("Rien n'a été écrit.")
    _nothing_written(con)


def test_decompressed_size_over_the_bound_is_refused(
    con, plan: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jalon.ingest import lheo

    small = builtin_lheo_profile().model_copy(update={"max_bytes": 4000})
    monkeypatch.setattr(lheo, "builtin_lheo_profile", lambda: small)
    packed = tmp_path / "gros.xml.gz"
    packed.write_bytes(gzip.compress(FIXTURE.read_bytes()))
    assert packed.stat().st_size < 4000 < len(FIXTURE.read_bytes())
    with pytest.raises(IngestError, match=r"^gros\.xml\.gz : une fois décompressé, le catalogue"):
        import_lheo(con, packed, plan)
    _nothing_written(con)
    plain = tmp_path / "petit.xml"
    plain.write_bytes(FIXTURE.read_bytes()[:3999])
    with pytest.raises(IngestError, match="XML mal formé"):  # the plain file is under the bound
        import_lheo(con, plain, plan)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (gzip.compress(TEXT.encode())[:600], "fichier gzip abîmé ou tronqué"),
        (gzip.compress(gzip.compress(TEXT.encode())), "compressé deux fois"),
        (gzip.compress(b""), "fichier gzip dont le contenu est vide"),
        (bz2.compress(TEXT.encode()), "fichier compressé (bzip2)"),
    ],
    ids=["tronque", "deux-fois", "vide", "bzip2"],
)
def test_bad_compressed_files_are_refused_whole(
    con, plan: Plan, tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "catalogue.xml.gz"
    path.write_bytes(content)
    with pytest.raises(IngestError) as refused:
        import_lheo(con, path, plan)
    message = str(refused.value)
    assert message.startswith("catalogue.xml.gz : ") and expected in message
    assert message.endswith("Rien n'a été écrit.")
    _nothing_written(con)
