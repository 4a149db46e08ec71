"""Importing a Pôle emploi trainee export: accounting, rejections, duplicates, refusals."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from jalon.ingest import IngestError, SecretError, import_file
from jalon.plan import Plan
from jalon.sources import builtin_profiles
from tests.conftest import DATA

FIXTURE = DATA / "pe-stagiaires" / "export-2016-occitanie.csv"
PROFILE = builtin_profiles()["pe-stagiaires"]


def _import(con: duckdb.DuckDBPyConnection, plan: Plan, key: bytes, path: Path = FIXTURE):
    return import_file(con, path, PROFILE, plan, key)


def test_every_line_is_accounted_for(con, plan, key) -> None:
    summary = _import(con, plan, key)
    assert summary.layout == "38 colonnes (dates de module, niveaux et durées)"
    assert summary.ignored_columns == []
    assert summary.lines_read == 9
    assert (summary.accepted, summary.rejected, summary.duplicates) == (5, 3, 1)
    assert summary.lines_read == summary.accepted + summary.rejected + summary.duplicates
    stored = con.execute(
        "SELECT lines_read, accepted, rejected, duplicates, status FROM imports"
    ).fetchall()
    assert stored == [(9, 5, 3, 1, "actif")]
    assert con.execute("SELECT count(*) FROM entree_lignes").fetchone() == (5,)


def test_rejected_lines_carry_line_column_and_reason(con, plan, key) -> None:
    _import(con, plan, key)
    rows = con.execute(
        "SELECT line, column_name, reason, value FROM rejets ORDER BY line, reason"
    ).fetchall()
    assert rows == [
        (8, "dd_datedebutmodule", "date_invalide", "2016-13-45 00:00:00.0"),
        (9, "liste_financeur", "financeur_inconnu", "4;99"),
        (10, None, "nombre_champs", None),
    ]
    message = con.execute("SELECT message FROM rejets WHERE line = 10").fetchone()
    assert message is not None and "au lieu de 38" in message[0]


def test_nulls_and_cofinanced_lists_are_typed(con, plan, key) -> None:
    _import(con, plan, key)
    cofinanced = con.execute("SELECT financeurs FROM entree_lignes WHERE line = 3").fetchone()
    assert cofinanced == ([4, 7],)
    sparse = con.execute(
        "SELECT date_fin_prevue, siret, formacode, heures_centre FROM entree_lignes WHERE line = 6"
    ).fetchone()
    assert sparse == (None, None, None, None)


def test_one_entry_per_person_and_session(con, plan, key) -> None:
    _import(con, plan, key)
    rows = con.execute(
        "SELECT cle_session, region, duree_heures, certifiante FROM entrees ORDER BY date_entree"
    ).fetchall()
    assert len(rows) == 5
    assert rows[0][0] == "SK:12234567800017|43448|2015-10-05"
    by_key = {r[0]: r for r in rows}
    assert by_key["IC:SE_0000101"][1:] == ("76", 560, True)
    persons = con.execute("SELECT count(DISTINCT hash_personne) FROM entrees").fetchone()
    assert persons == (4,)


def test_same_file_twice_is_refused_and_nothing_changes(con, plan, key) -> None:
    _import(con, plan, key)
    with pytest.raises(IngestError, match="déjà été importé, import n° 1"):
        _import(con, plan, key)
    assert con.execute("SELECT count(*) FROM imports").fetchone() == (1,)


def test_header_missing_a_required_field_is_refused_naming_it(con, plan, key, tmp_path) -> None:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    header = lines[0].replace("liste_financeur", "liste_financeurs").replace("|dc_siret", "")
    bad = tmp_path / "entete.csv"
    bad.write_text("\n".join([header, *lines[1:3]]) + "\n", encoding="utf-8")
    with pytest.raises(IngestError) as info:
        _import(con, plan, key, bad)
    message = str(info.value)
    assert message.startswith(
        "entete.csv, ligne 1 : l'en-tête ne fournit pas 1 champ obligatoire du profil pe-stagiaires"
    )
    # The missing field, the names it is known under, and what the file has that looks like it.
    assert "Financeurs (codes LHEO séparés par « ; ») : colonne attendue sous l'un des noms " in (
        message
    )
    assert "« liste_financeur »" in message
    assert "colonnes proches trouvées dans le fichier : « liste_financeurs »" in message
    # dc_siret is optional: its absence is not a reason to refuse the file.
    assert "dc_siret" not in message
    assert con.execute("SELECT count(*) FROM imports").fetchone() == (0,)


def test_latin1_file_is_detected(con, plan, key, tmp_path) -> None:
    text = FIXTURE.read_text(encoding="utf-8").replace("Coupé", "Coupé-Bézier")
    latin = tmp_path / "latin1.csv"
    latin.write_bytes(text.encode("latin-1"))
    summary = _import(con, plan, key, latin)
    assert summary.encoding == "Windows-1252 / Latin-1"
    assert summary.accepted == 5


def test_crlf_and_bom_keep_line_numbers(con, plan, key, tmp_path) -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    crlf = tmp_path / "crlf.csv"
    crlf.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    summary = _import(con, plan, key, crlf)
    assert (summary.accepted, summary.rejected, summary.duplicates) == (5, 3, 1)
    assert summary.encoding == "UTF-8 avec BOM"
    lines = [r[0] for r in con.execute("SELECT DISTINCT line FROM rejets ORDER BY 1").fetchall()]
    assert lines == [8, 9, 10]


def test_import_with_another_key_is_refused(con, plan, key) -> None:
    _import(con, plan, key)
    with pytest.raises(SecretError, match="ne correspond pas"):
        import_file(con, FIXTURE, PROFILE, plan, b"une-autre-cle-de-test-0000")
    assert con.execute("SELECT count(*) FROM imports").fetchone() == (1,)


def test_dry_run_writes_nothing(con, plan, key) -> None:
    summary = import_file(con, FIXTURE, PROFILE, plan, key, dry_run=True)
    assert summary.accepted == 5 and summary.import_id is None
    assert con.execute("SELECT count(*) FROM imports").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM meta").fetchone() == (0,)


def test_empty_and_binary_files_are_refused(con, plan, key, tmp_path) -> None:
    empty = tmp_path / "vide.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(IngestError, match="vide.csv : le fichier est vide"):
        _import(con, plan, key, empty)
    garbage = tmp_path / "binaire.csv"
    garbage.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(IngestError, match="pas un fichier texte"):
        _import(con, plan, key, garbage)


def test_progress_is_reported_for_each_phase(con, plan, key) -> None:
    seen: list[tuple[str, float]] = []
    import_file(con, FIXTURE, PROFILE, plan, key, report=lambda p, f, _n: seen.append((p, f)))
    phases = list(dict.fromkeys(p for p, _ in seen))
    assert phases == [
        "Lecture et contrôle des lignes",
        "Écriture dans la base",
        "Entrées en formation",
        "Tables des indicateurs",
    ]
    assert all(0.0 <= f <= 1.0 for _, f in seen)
    assert [f for p, f in seen if p == phases[0]][-1] == 1.0


def test_financeur_codes_follow_the_lheo_table(con, plan, key, tmp_path) -> None:
    """Codes 18–20 (LADOM, Ministère de l'intérieur, OFII), added to `dict-financeurs` after
    2016, are read; a code beyond the table is rejected."""
    header, line = FIXTURE.read_text(encoding="utf-8").splitlines()[:2]
    later = tmp_path / "financeurs-recents.csv"
    rows = [line.rsplit("|", 1)[0] + f"|{codes}" for codes in ("4;19", "18;20", "21")]
    later.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    summary = _import(con, plan, key, later)
    assert (summary.accepted, summary.rejected) == (2, 1)
    assert con.execute("SELECT line, reason FROM rejets").fetchall() == [(4, "financeur_inconnu")]
    merged = con.execute("SELECT financeurs FROM entrees").fetchall()
    assert merged == [([4, 18, 19, 20],)]


def test_each_step_is_timed_in_order(con, plan, key) -> None:
    """The summary says where the time went (`jalon import` prints it under « Durée »)."""
    summary = _import(con, plan, key)
    assert list(summary.durations) == [
        "Lecture et contrôle des lignes",
        "Empreinte du fichier",
        "Écriture dans la base",
        "Entrées en formation",
        "Tables des indicateurs",
    ]
    assert all(seconds >= 0 for seconds in summary.durations.values())
    other = DATA / "indicateurs" / "pe-stagiaires-2016.csv"
    checked = import_file(con, other, PROFILE, plan, key, dry_run=True)
    assert list(checked.durations) == ["Lecture et contrôle des lignes", "Empreinte du fichier"]


def test_2017_layout_from_the_simulator_is_recognised(con, plan, key, tmp_path) -> None:
    from jalon.simulate.pe_stagiaires import write_pe_stagiaires

    path = tmp_path / "export-2017.csv"
    write_pe_stagiaires(path, 500, seed=3, layout="2017", malformed_share=0.02)
    summary = _import(con, plan, key, path)
    assert summary.layout == "disposition non déclarée (40 colonnes)"
    assert summary.ignored_columns == []
    assert summary.lines_read == 500
    assert summary.accepted + summary.rejected + summary.duplicates == 500
    assert 0 < summary.rejected < 40
    dispositifs = con.execute("SELECT count(dispositif) FROM entree_lignes").fetchone()
    assert dispositifs == (summary.accepted,)
