"""Compressed files and spreadsheets import like the CSV they hold, with the same line numbers."""

from __future__ import annotations

import bz2
import datetime as dt
import gzip
from pathlib import Path

import pytest

from jalon.ingest import IngestError, import_file
from jalon.sources import builtin_profiles
from tests.conftest import DATA
from tests.ingest.spreadsheets import write_ods, write_xlsx

PROFILES = builtin_profiles()
PE = DATA / "pe-stagiaires" / "export-2016-occitanie.csv"
PE_COUNTS = (9, 5, 3, 1)
PE_REJECTED_LINES = [8, 9, 10]


def _outcome(con, summary) -> tuple[tuple[int, int, int, int], list[int]]:
    lines = [r[0] for r in con.execute("SELECT DISTINCT line FROM rejets ORDER BY 1").fetchall()]
    counts = (summary.lines_read, summary.accepted, summary.rejected, summary.duplicates)
    return counts, lines


@pytest.mark.parametrize(
    ("suffix", "compress", "kind"),
    [(".csv.gz", gzip.compress, "CSV (gzip)"), (".csv.bz2", bz2.compress, "CSV (bzip2)")],
)
def test_compressed_exports(con, plan, key, tmp_path, suffix, compress, kind) -> None:
    packed = tmp_path / f"export{suffix}"
    packed.write_bytes(compress(PE.read_bytes()))
    summary = import_file(con, packed, PROFILES["pe-stagiaires"], plan, key)
    assert _outcome(con, summary) == (PE_COUNTS, PE_REJECTED_LINES)
    assert summary.input_kind == kind
    assert not list((tmp_path / "jalon.duckdb.tmp").glob("*.jalon-tmp.csv"))


def _sheet_rows() -> list[list[object]]:
    rows: list[list[object]] = [
        ["annee", "mois", "region", "type_action", "nombre"],
        [2016, 9, "76", "contrat-professionnalisation", 412],
        [],
        [2016, 13, "76", "vae-collective", 3],
        [2016.0, 10, "11", "vae-collective", 7],
    ]
    return rows


@pytest.mark.parametrize(("suffix", "writer"), [(".xlsx", write_xlsx), (".ods", write_ods)])
def test_spreadsheets_keep_sheet_row_numbers(con, plan, key, tmp_path, suffix, writer) -> None:
    book = tmp_path / f"actions{suffix}"
    writer(book, _sheet_rows())
    summary = import_file(con, book, PROFILES["actions-agregees"], plan, key)
    assert (summary.lines_read, summary.accepted, summary.rejected) == (4, 2, 2)
    assert con.execute("SELECT line, reason FROM rejets ORDER BY line").fetchall() == [
        (3, "ligne_vide"),
        (4, "hors_plage"),
    ]
    assert con.execute(
        "SELECT line, mois, nombre FROM actions_agregees ORDER BY line"
    ).fetchall() == [
        (2, 9, 412),
        (5, 10, 7),
    ]


def test_spreadsheet_dates_follow_the_column_format(con, plan, key, tmp_path) -> None:
    book = tmp_path / "emplois.xlsx"
    write_xlsx(
        book,
        [
            ["identifiant_national", "date_debut", "date_fin", "type_contrat"],
            ["1000001A", dt.datetime(2017, 2, 1), None, "CDI"],
        ],
    )
    summary = import_file(con, book, PROFILES["emplois"], plan, key)
    assert summary.accepted == 1
    assert con.execute("SELECT date_debut, date_fin FROM emplois").fetchone() == (
        dt.date(2017, 2, 1),
        None,
    )


def test_unreadable_spreadsheet_is_refused_in_french(con, plan, key, tmp_path) -> None:
    fake = tmp_path / "faux.xlsx"
    fake.write_bytes(b"PK\x03\x04 ceci n'est pas un classeur")
    with pytest.raises(IngestError, match="faux.xlsx : classeur illisible"):
        import_file(con, fake, PROFILES["actions-agregees"], plan, key)
    assert con.execute("SELECT count(*) FROM imports").fetchone() == (0,)


def test_latin1_beyond_the_sniffed_megabyte_is_detected(con, plan, key, tmp_path: Path) -> None:
    header, line = (DATA / "actions-agregees" / "actions-2016.csv").read_text().splitlines()[:2]
    filler = (line + "\n") * 40_000
    late = tmp_path / "tardif.csv"
    late.write_bytes(
        (header + "\n" + filler).encode()
        + b"2016,9,76,vae-collective,1\n"
        + "2016,9,76,vae-collectivé,1\n".encode("cp1252")
    )
    summary = import_file(con, late, PROFILES["actions-agregees"], plan, key)
    assert summary.encoding == "Windows-1252 / Latin-1"
    assert (summary.lines_read, summary.rejected) == (40_002, 1)
    assert summary.duplicates == 39_999
    assert con.execute("SELECT line, value FROM rejets").fetchall() == [(40_003, "vae-collectivé")]


@pytest.mark.parametrize("name", ["glob[1].csv", "etoile*.csv", "question?.csv", "acc{a,b}.csv"])
def test_a_file_name_is_a_name_never_a_pattern(con, plan, key, tmp_path, name) -> None:
    """DuckDB expands patterns in file names: the file named must be the file read."""
    fixture = DATA / "pe-stagiaires" / "export-2016-occitanie.csv"
    lines = fixture.read_text(encoding="utf-8").splitlines()
    decoy = tmp_path / "glob1.csv"  # what `glob[1].csv` would match as a pattern
    decoy.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    for other in ("etoileX.csv", "questionX.csv", "acca.csv"):
        (tmp_path / other).write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    target = tmp_path / name
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = import_file(con, target, builtin_profiles()["pe-stagiaires"], plan, key)
    assert summary.file_name == name
    assert summary.lines_read == len(lines) - 1
    assert not list(tmp_path.glob("*.tmp/jalon-lien-*"))


def test_a_bzip2_bomb_is_refused_before_it_fills_the_disk(con, plan, key, tmp_path) -> None:
    from jalon.ingest import inputs

    header = (DATA / "pe-stagiaires" / "export-2016-occitanie.csv").read_bytes().split(b"\n")[0]
    bomb = tmp_path / "bombe.csv.bz2"
    compressor = bz2.BZ2Compressor(9)
    parts = [compressor.compress(header + b"\n")]
    chunk = b"\n" * (1 << 20)
    parts += [compressor.compress(chunk) for _ in range(300)]  # 300 MiB of blank lines
    bomb.write_bytes(b"".join(parts) + compressor.flush())
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(IngestError, match="bombe de décompression"):
        import_file(con, bomb, builtin_profiles()["pe-stagiaires"], plan, key)
    work = Path(f"{con.execute('SELECT path FROM duckdb_databases() LIMIT 1').fetchone()[0]}.tmp")
    assert not [p for p in work.glob("*") if p.name.endswith(inputs.COPY_SUFFIXES)]
    assert con.execute("SELECT count(*) FROM imports").fetchone() == (0,)


def test_working_copies_left_by_a_crash_are_removed_at_the_next_import(
    con, plan, key, db_path
) -> None:
    work = Path(f"{db_path}.tmp")
    work.mkdir()
    left = work / "copie-0123456789abcdef.jalon-utf8.csv"
    left.write_text("Dupont;Marie;marie@exemple.test\n", encoding="utf-8")
    import_file(
        con,
        DATA / "demandeurs" / "demandeurs-2016.csv",
        builtin_profiles()["demandeurs"],
        plan,
        key,
    )
    assert not left.exists()
