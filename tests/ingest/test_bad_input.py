"""The malformed-file corpus of tests/data/mauvais: each file's documented outcome, as data.

A file is either refused whole (nothing written, one French message naming the file) or imported
with its faulty lines rejected (line, column, reason code) when counting cannot use them, and the
faulty values of the lines it keeps recorded as anomalies (line, column, reason code, value).
None may crash or hang. The two LHEO cases (XML bomb, external entity) are tested with the LHEO
reader in test_lheo.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from jalon.ingest import IngestError, import_file
from jalon.sources import builtin_profiles, load_profile
from tests.conftest import DATA

BAD = DATA / "mauvais"
PE = builtin_profiles()["pe-stagiaires"]
SEMICOLON = load_profile(BAD / "profil-point-virgule.toml")


@dataclass(frozen=True)
class Outcome:
    file: str
    refused: str | None = None  # French message (regex) when the file is refused whole
    counts: tuple[int, int, int, int] | None = None  # read, accepted, rejected, duplicates
    rejets: tuple[tuple[int, str | None, str, str | None], ...] = ()  # line, column, reason, value
    anomalies: tuple[tuple[int, str | None, str, str | None], ...] = ()  # same, on kept lines
    profile: str = "pe-stagiaires"


CORPUS = [
    Outcome(
        "ligne-tronquee.csv",
        counts=(2, 1, 1, 0),
        rejets=((3, None, "nombre_champs", None),),
    ),
    Outcome(
        "champs-en-trop.csv",
        counts=(2, 1, 1, 0),
        rejets=((3, None, "nombre_champs", None),),
    ),
    Outcome(
        "mauvais-separateur.csv",
        refused=r"mauvais-separateur\.csv, ligne 1 : le profil pe-stagiaires attend le séparateur "
        r"« \| », mais l'en-tête semble utiliser « ; »",
    ),
    Outcome(
        "financeurs-debordants.csv",
        counts=(4, 3, 1, 0),
        rejets=((5, None, "nombre_champs", None),),
        profile="point-virgule",
    ),
    # The person identifier is opaque (no documented format): kept as it is. The SIRET is not
    # needed to count: the line is kept without it.
    Outcome(
        "nombres-excel.csv",
        counts=(2, 2, 0, 0),
        anomalies=((3, "dc_siret", "format_invalide", "3,12346E+13"),),
    ),
    # The start date is required: the line is lost; its end date is not the reason.
    Outcome(
        "dates-nulles.csv",
        counts=(2, 1, 1, 0),
        rejets=((3, "dd_datedebutmodule", "date_invalide", "0000-00-00 00:00:00.0"),),
    ),
    # An unknown département code: the place comes from the commune instead.
    Outcome(
        "departement-inconnu.csv",
        counts=(2, 2, 0, 0),
        anomalies=((3, "departement", "departement_inconnu", "99"),),
    ),
    Outcome(
        "siret-invalide.csv",
        counts=(2, 2, 0, 0),
        anomalies=((3, "dc_siret", "siret_invalide", "31234567800018"),),
    ),
    # Line 3 keeps its place through the postcode (31400), line 4 through its département.
    Outcome(
        "references-multiples.csv",
        counts=(3, 3, 0, 0),
        anomalies=(
            (3, "dc_insee_lieuformation", "commune_inconnue", "99999"),
            (3, "dc_siret", "siret_invalide", "31234567800018"),
            (3, "departement", "departement_inconnu", "99"),
            (4, "dc_insee_lieuformation", "commune_inconnue", "31999"),
        ),
    ),
    # A NUL byte damages its line only: rejected, with the column it falls in.
    Outcome(
        "octet-nul.csv",
        counts=(3, 2, 1, 0),
        rejets=((3, "dc_lblorganisme", "octet_nul", None),),
    ),
    # UTF-8 on line 2, Windows-1252 on line 3: either reading would store mojibake.
    Outcome(
        "encodage-change.csv",
        refused=r"encodage-change\.csv : le fichier change d'encodage en cours de route : ligne 2, "
        r"colonne « dc_lblformation », des caractères en UTF-8, et ligne 3, colonne "
        r"« dc_raisonsociale », un octet \(0xC9\) qui n'est pas de l'UTF-8",
    ),
    # RFC 4180: a quoted « ; », a doubled quote, a quoted line end (line 3 spans two physical
    # lines: the line after it is line 5).
    Outcome(
        "guillemets.csv",
        counts=(4, 3, 1, 0),
        rejets=((5, "Date Entree", "date_invalide", "31/02/2016"),),
        profile="region-stagiaires",
    ),
    Outcome("vide.csv", refused=r"vide\.csv : le fichier est vide\."),
    Outcome("entete-seul.csv", counts=(0, 0, 0, 0)),
    Outcome(
        "binaire.csv",
        refused=r"binaire\.csv : ce n'est pas un fichier texte \(octets nuls\) ; attendu : un "
        r"export délimité par « \| »",
    ),
]


def _profile(outcome: Outcome):
    if outcome.profile == "region-stagiaires":
        return builtin_profiles()["region-stagiaires"]
    return SEMICOLON if outcome.profile == "point-virgule" else PE


def test_every_corpus_file_has_a_documented_outcome() -> None:
    files = {p.name for p in BAD.glob("*.csv")}
    assert files == {o.file for o in CORPUS}


@pytest.mark.parametrize("outcome", CORPUS, ids=[o.file for o in CORPUS])
def test_bad_file_outcome(con, plan, key, outcome: Outcome) -> None:
    path = BAD / outcome.file
    if outcome.refused is not None:
        with pytest.raises(IngestError, match=outcome.refused) as info:
            import_file(con, path, _profile(outcome), plan, key)
        assert "Traceback" not in str(info.value)
        assert con.execute("SELECT count(*) FROM imports").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM entree_lignes").fetchone() == (0,)
        return
    summary = import_file(con, path, _profile(outcome), plan, key)
    counts = (summary.lines_read, summary.accepted, summary.rejected, summary.duplicates)
    assert counts == outcome.counts
    stored = con.execute(
        "SELECT line, column_name, reason, value FROM rejets ORDER BY line, column_name NULLS FIRST"
    ).fetchall()
    assert tuple(stored) == outcome.rejets
    flagged = con.execute(
        "SELECT line, column_name, reason, value FROM anomalies "
        "ORDER BY line, column_name NULLS FIRST"
    ).fetchall()
    assert tuple(flagged) == outcome.anomalies
    assert summary.with_anomalies == len({a[0] for a in outcome.anomalies})
    written = con.execute("SELECT with_anomalies FROM imports").fetchone()
    assert written == (summary.with_anomalies,)


def test_header_only_exports_are_recorded_and_may_repeat(con, plan, key) -> None:
    first = import_file(con, BAD / "entete-seul.csv", PE, plan, key)
    second = import_file(con, BAD / "entete-seul.csv", PE, plan, key)
    assert (first.import_id, second.import_id) == (1, 2)
    assert con.execute("SELECT sum(lines_read) FROM imports").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM entrees").fetchone() == (0,)


def test_spilled_financeur_lists_are_read_whole(con, plan, key) -> None:
    import_file(con, BAD / "financeurs-debordants.csv", SEMICOLON, plan, key)
    rows = con.execute("SELECT line, financeurs FROM entree_lignes ORDER BY line").fetchall()
    assert rows == [(2, [4]), (3, [4, 7]), (4, [2, 4, 16])]


def test_wrong_field_count_message_names_the_count_and_the_delimiter(con, plan, key) -> None:
    import_file(con, BAD / "champs-en-trop.csv", PE, plan, key)
    message = con.execute("SELECT message FROM rejets").fetchone()
    assert message == ("nombre de champs : 40 au lieu de 38 (séparateur « | »)",)


def test_a_50_mb_single_line_file_is_refused_quickly(con, plan, key, tmp_path: Path) -> None:
    huge = tmp_path / "une-ligne.csv"
    with huge.open("wb") as handle:
        handle.write(b"x" * (50 << 20))
    with pytest.raises(IngestError, match="ligne d'en-tête introuvable dans le premier mégaoctet"):
        import_file(con, huge, PE, plan, key)


def test_a_50_mb_data_line_is_refused_naming_its_line(con, plan, key, tmp_path: Path) -> None:
    header = (DATA / "pe-stagiaires" / "export-2016-occitanie.csv").read_bytes().split(b"\n")[0]
    huge = tmp_path / "ligne-geante.csv"
    with huge.open("wb") as handle:
        handle.write(header + b"\n" + b"y|" * (25 << 20) + b"\n")
    with pytest.raises(
        IngestError,
        match=r"ligne-geante\.csv : lecture impossible \(ligne 2 : "
        r"une ligne dépasse 8 Mo\)",
    ) as info:
        import_file(con, huge, PE, plan, key)
    assert "y|y" not in str(info.value)
    assert con.execute("SELECT count(*) FROM imports").fetchone() == (0,)


def test_mixed_line_endings_keep_physical_line_numbers(con, plan, key, tmp_path: Path) -> None:
    lines = (DATA / "pe-stagiaires" / "export-2016-occitanie.csv").read_bytes().split(b"\n")
    bad = lines[7]  # line 8 of the file: its start date is 2016-13-45
    assert b"2016-13-45" in bad
    mixed = b"\n".join(lines[:3]) + b"\r\n" + b"\r\n".join(lines[3:8]) + b"\n" + lines[8] + b"\n"
    path = tmp_path / "fins-melangees.csv"
    path.write_bytes(mixed + b"\n\r\n\n")
    summary = import_file(con, path, PE, plan, key)
    assert summary.lines_read == 8  # lines 2 to 9; the trailing blank lines are not lines
    rejected = con.execute("SELECT line, reason FROM rejets ORDER BY line").fetchall()
    assert rejected == [(8, "date_invalide"), (9, "financeur_inconnu")]


def test_cr_only_line_endings_are_refused_without_quoting_data(con, plan, key, tmp_path) -> None:
    text = (DATA / "pe-stagiaires" / "export-2016-occitanie.csv").read_bytes()
    path = tmp_path / "mac.csv"
    path.write_bytes(text.replace(b"\n", b"\r"))
    with pytest.raises(IngestError, match="retour chariot seul") as info:
        import_file(con, path, PE, plan, key)
    assert "Dupontel" not in str(info.value) and "@" not in str(info.value)


def test_a_nul_byte_past_the_first_megabyte_rejects_its_line_alike(
    con, plan, key, tmp_path
) -> None:
    header, good = (BAD / "siret-invalide.csv").read_bytes().split(b"\n")[:2]
    lines = [good.replace(b"1000001A", f"{n:07d}X".encode()) for n in range(3000)]
    damaged = good.replace(b"1000001A", b"9999999Z").replace(b"Toulouse", b"Tou\x00louse")
    path = tmp_path / "nul-loin.csv"
    path.write_bytes(b"\n".join([header, *lines, damaged, lines[0].replace(b"0000000X", b"Y")]))
    assert path.stat().st_size > 1 << 20
    summary = import_file(con, path, PE, plan, key)
    assert (summary.lines_read, summary.accepted, summary.rejected) == (3002, 3001, 1)
    assert con.execute("SELECT line, column_name, reason FROM rejets").fetchall() == [
        (3002, "dc_ville_lieuformation", "octet_nul")
    ]
    stored = con.execute(
        "SELECT count(*) FROM entree_lignes WHERE contains(organisme, chr(0))"
    ).fetchone()
    assert stored == (0,)


def test_an_encoding_change_past_the_first_megabyte_is_refused(con, plan, key, tmp_path) -> None:
    header, utf8, latin = (BAD / "encodage-change.csv").read_bytes().split(b"\n")[:3]
    lines = [utf8.replace(b"1000001A", f"{n:07d}X".encode()) for n in range(3000)]
    path = tmp_path / "encodage-loin.csv"
    path.write_bytes(b"\n".join([header, *lines, latin]) + b"\n")
    assert path.stat().st_size > 1 << 20
    with pytest.raises(IngestError, match=r"ligne 2, colonne « dc_lblformation ».* ligne 3002, "):
        import_file(con, path, PE, plan, key)
    assert con.execute("SELECT count(*) FROM imports").fetchone() == (0,)


def test_a_windows_1252_file_is_still_read_whole(con, plan, key, tmp_path) -> None:
    header, _utf8, latin = (BAD / "encodage-change.csv").read_bytes().split(b"\n")[:3]
    path = tmp_path / "latin.csv"
    path.write_bytes(b"\n".join([header, latin]) + b"\n")
    summary = import_file(con, path, PE, plan, key)
    assert summary.encoding == "Windows-1252 / Latin-1"
    assert con.execute("SELECT organisme FROM entree_lignes").fetchall() == [
        ("CENTRE EXEMPLE ÉCOLE",)
    ]


def test_quoted_fields_are_read_whole_at_their_physical_lines(con, plan, key) -> None:
    import_file(con, BAD / "guillemets.csv", builtin_profiles()["region-stagiaires"], plan, key)
    rows = con.execute(
        "SELECT line, numero_session, organisme, date_entree FROM entree_lignes ORDER BY line"
    ).fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (2, "SE_0000102", 'Centre "Exemple" Formation'),
        (3, "SE_0000201", "Centre Exemple Formation"),
        (6, None, "Compagnons Exemple"),
    ]
    assert str(rows[2][3]) == "2016-11-07"


def test_an_unclosed_quote_is_refused_with_its_line(con, plan, key, tmp_path) -> None:
    lines = (BAD / "guillemets.csv").read_bytes().decode("utf-8").split("\r\n")
    path = tmp_path / "guillemet-ouvert.csv"
    broken = lines[4].replace("Cariste", '"Cariste')
    after = [lines[4].replace("2000003F", f"3{n:06d}X") for n in range(50)]
    path.write_bytes("\r\n".join([*lines[:4], broken, *after]).encode("utf-8"))
    with pytest.raises(
        IngestError, match=r"guillemet-ouvert\.csv, ligne 5 : guillemets mal formés"
    ):
        import_file(con, path, builtin_profiles()["region-stagiaires"], plan, key)
    assert con.execute("SELECT count(*) FROM imports").fetchone() == (0,)


def test_quoted_windows_1252_exports_are_read_alike(con, plan, key, tmp_path) -> None:
    path = tmp_path / "guillemets-latin.csv"
    path.write_bytes((BAD / "guillemets.csv").read_bytes().decode("utf-8").encode("cp1252"))
    summary = import_file(con, path, builtin_profiles()["region-stagiaires"], plan, key)
    assert (summary.lines_read, summary.accepted, summary.encoding) == (
        4,
        3,
        "Windows-1252 / Latin-1",
    )
    assert con.execute("SELECT line, reason FROM rejets").fetchall() == [(5, "date_invalide")]
