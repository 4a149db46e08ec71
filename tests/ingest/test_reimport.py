"""Safe re-import: a corrected export replaces an earlier import atomically; dry runs write nothing;
the history and the rejections can be read back."""

from __future__ import annotations

from pathlib import Path

import pytest

from jalon.ingest import IngestError, import_file
from jalon.ingest import history as hist
from jalon.sources import builtin_profiles
from tests.conftest import DATA

PROFILES = builtin_profiles()
PE = DATA / "pe-stagiaires" / "export-2016-occitanie.csv"
FIXTURES = {
    "pe-stagiaires": PE,
    "region-stagiaires": DATA / "region-stagiaires" / "export-occitanie-2016.csv",
    "personnes": DATA / "personnes" / "registre-2016.csv",
    "demandeurs": DATA / "demandeurs" / "demandeurs-2016.csv",
    "emplois": DATA / "emplois" / "emplois-2017.csv",
    "actions-agregees": DATA / "actions-agregees" / "actions-2016.csv",
}


def _corrected(tmp_path: Path) -> Path:
    """The PE fixture with its three faulty lines fixed and its duplicate removed."""
    lines = PE.read_text(encoding="utf-8").splitlines()
    fixed = [lines[0], *lines[1:6], lines[7].replace("2016-13-45", "2016-11-14")]
    fixed.append(lines[8].replace("4;99", "4;9"))
    path = tmp_path / "export-corrige.csv"
    path.write_text("\n".join(fixed) + "\n", encoding="utf-8")
    return path


def test_replace_swaps_rows_and_keeps_history(con, plan, key, tmp_path) -> None:
    first = import_file(con, PE, PROFILES["pe-stagiaires"], plan, key)
    second = import_file(
        con, _corrected(tmp_path), PROFILES["pe-stagiaires"], plan, key, replaces=first.import_id
    )
    assert (second.accepted, second.rejected, second.duplicates, second.replaces) == (7, 0, 0, 1)
    imports = con.execute("SELECT import_id, status, replaces FROM imports ORDER BY 1").fetchall()
    assert imports == [(1, "remplace", None), (2, "actif", 1)]
    by_import = con.execute(
        "SELECT import_id, count(*) FROM entree_lignes GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert by_import == [(2, 7)]
    lineage = con.execute("SELECT DISTINCT unnest(imports) FROM entrees").fetchall()
    assert lineage == [(2,)]
    assert con.execute("SELECT count(*) FROM rejets WHERE import_id = 1").fetchone() == (3,)
    records = hist.imports(con)
    assert (records[0].status, records[0].replaced_by) == ("remplace", 2)


@pytest.mark.parametrize(
    ("replaces", "message"),
    [
        (7, "aucun import n° 7"),
        (1, "est du profil pe-stagiaires, pas demandeurs"),
    ],
)
def test_replace_refuses_unknown_or_other_profile(con, plan, key, replaces, message) -> None:
    import_file(con, PE, PROFILES["pe-stagiaires"], plan, key)
    with pytest.raises(IngestError, match=message):
        import_file(
            con, FIXTURES["demandeurs"], PROFILES["demandeurs"], plan, key, replaces=replaces
        )
    assert con.execute("SELECT count(*) FROM imports").fetchone() == (1,)
    assert con.execute("SELECT count(*) FROM demandeurs").fetchone() == (0,)


def test_an_import_is_replaced_only_once(con, plan, key, tmp_path) -> None:
    import_file(con, PE, PROFILES["pe-stagiaires"], plan, key)
    import_file(con, _corrected(tmp_path), PROFILES["pe-stagiaires"], plan, key, replaces=1)
    again = tmp_path / "encore.csv"
    again.write_text(_corrected(tmp_path).read_text() + "\n", encoding="utf-8")
    with pytest.raises(IngestError, match="a déjà été remplacé"):
        import_file(con, again, PROFILES["pe-stagiaires"], plan, key, replaces=1)


def test_replacing_a_non_entry_source_empties_its_rows(con, plan, key, tmp_path) -> None:
    import_file(con, FIXTURES["demandeurs"], PROFILES["demandeurs"], plan, key)
    fixed = tmp_path / "demandeurs-corrige.csv"
    fixed.write_text("annee,region,demandeurs\n2016,76,600000\n", encoding="utf-8")
    import_file(con, fixed, PROFILES["demandeurs"], plan, key, replaces=1)
    assert con.execute("SELECT import_id, demandeurs FROM demandeurs").fetchall() == [(2, 600000)]


@pytest.mark.parametrize("profile", sorted(FIXTURES))
def test_dry_run_writes_nothing_for_every_format(con, plan, key, profile) -> None:
    tables = [
        "imports",
        "rejets",
        "entree_lignes",
        "entrees",
        "personnes",
        "demandeurs",
        "emplois",
        "actions_agregees",
        "meta",
    ]
    summary = import_file(con, FIXTURES[profile], PROFILES[profile], plan, key, dry_run=True)
    assert summary.import_id is None and summary.dry_run
    assert summary.lines_read == summary.accepted + summary.rejected + summary.duplicates > 0
    for table in tables:
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table


def test_rejections_read_back_and_exported_for_the_funder(con, plan, key, tmp_path) -> None:
    import_file(con, PE, PROFILES["pe-stagiaires"], plan, key)
    rows = hist.rejections(con, 1)
    assert [(r.line, r.reason) for r in rows] == [
        (8, "date_invalide"),
        (9, "financeur_inconnu"),
        (10, "nombre_champs"),
    ]
    out = tmp_path / "rejets.csv"
    assert hist.write_rejections_csv(con, 1, out) == 3
    text = out.read_text(encoding="utf-8-sig").splitlines()
    assert text[0] == "ligne;colonne;motif;message;valeur"
    assert text[1].startswith("8;dd_datedebutmodule;date_invalide;Date de début de formation")
    with pytest.raises(IngestError, match="aucun import n° 5"):
        hist.rejections(con, 5)
