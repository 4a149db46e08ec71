"""A series of files imported as one unit (`import_batch`) gives the store that importing them one
by one gives, and is all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from jalon.ingest import IngestError, import_file
from jalon.ingest.batch import BatchFile, import_batch
from jalon.simulate.pe_stagiaires import write_pe_stagiaires
from jalon.sources import builtin_profiles
from jalon.store import open_store
from tests.conftest import DATA

PROFILES = builtin_profiles()
PE = DATA / "pe-stagiaires" / "export-2016-occitanie.csv"
TABLES = ("entree_lignes", "entrees", "personnes", "emplois", "rejets", "places", "entrees_marts")


def _series(tmp_path: Path) -> list[BatchFile]:
    generated = tmp_path / "pe-2016.csv"
    write_pe_stagiaires(generated, 800, seed=5, region="76")
    lines = generated.read_text(encoding="utf-8").splitlines()
    again = tmp_path / "pe-2016-bis.csv"
    # The same entries reported again with another financeur: merged into the first ones.
    again.write_text(
        "\n".join([lines[0], *(line.rsplit("|", 1)[0] + "|2" for line in lines[1:300])]) + "\n",
        encoding="utf-8",
    )
    corrected = tmp_path / "pe-corrige.csv"
    corrected.write_text("\n".join(PE.read_text(encoding="utf-8").splitlines()[:6]) + "\n")
    return [
        BatchFile(PE, PROFILES["pe-stagiaires"]),
        BatchFile(generated, PROFILES["pe-stagiaires"]),
        BatchFile(again, PROFILES["pe-stagiaires"]),
        BatchFile(
            DATA / "region-stagiaires" / "export-occitanie-2016.csv", PROFILES["region-stagiaires"]
        ),
        BatchFile(DATA / "personnes" / "registre-2016.csv", PROFILES["personnes"]),
        BatchFile(DATA / "emplois" / "emplois-2017.csv", PROFILES["emplois"]),
        BatchFile(DATA / "lheo" / "catalogue-2.3.xml", PROFILES["lheo"]),
        BatchFile(corrected, PROFILES["pe-stagiaires"], replaces=PE),
    ]


def _contents(con) -> dict[str, list[tuple]]:
    out = {name: con.execute(f"SELECT * FROM {name} ORDER BY ALL").fetchall() for name in TABLES}
    out["imports"] = con.execute(
        "SELECT import_id, profile, file_name, lines_read, accepted, rejected, duplicates, "
        "status, replaces FROM imports ORDER BY 1"
    ).fetchall()
    return out


def test_a_series_gives_the_store_of_one_by_one_imports(plan, key, tmp_path) -> None:
    files = _series(tmp_path)
    one_by_one = open_store(tmp_path / "un-par-un.duckdb")
    ids: dict[Path, int] = {}
    for item in files:
        replaces = ids[item.replaces] if item.replaces else None
        summary = import_file(one_by_one, item.path, item.profile, plan, key, replaces=replaces)
        assert summary.import_id is not None
        ids[item.path] = summary.import_id
    expected = _contents(one_by_one)
    one_by_one.close()

    batch = open_store(tmp_path / "serie.duckdb")
    seen: list[str] = []
    summaries = import_batch(
        batch, files, plan, key, on_file=lambda item, _summary: seen.append(item.path.name)
    )
    assert seen == [item.path.name for item in files]
    assert [s.replaces for s in summaries] == [None] * 7 + [1]
    assert _contents(batch) == expected
    assert expected["entrees"] and expected["entrees_marts"] and expected["rejets"]
    merged = batch.execute("SELECT count(*) FROM entrees WHERE len(imports) = 2").fetchone()
    assert merged is not None and merged[0] >= 290
    batch.close()


def test_a_refused_file_leaves_the_store_as_it_was(con, plan, key) -> None:
    import_file(con, DATA / "personnes" / "registre-2016.csv", PROFILES["personnes"], plan, key)
    before = _contents(con)
    files = [
        BatchFile(PE, PROFILES["pe-stagiaires"]),
        BatchFile(DATA / "mauvais" / "mauvais-separateur.csv", PROFILES["pe-stagiaires"]),
    ]
    with pytest.raises(IngestError, match="mauvais-separateur.csv, ligne 1"):
        import_batch(con, files, plan, key)
    assert _contents(con) == before


def test_a_correction_must_follow_the_file_it_corrects(con, plan, key) -> None:
    files = [BatchFile(PE, PROFILES["pe-stagiaires"], replaces=DATA / "absent.csv")]
    with pytest.raises(IngestError, match="corrige absent.csv, qui n'a pas été importé"):
        import_batch(con, files, plan, key)
    assert con.execute("SELECT count(*) FROM imports").fetchone() == (0,)
