"""DuckDB's settings for an import: a second import on the same connection works after the first
one spilled to disk (DuckDB refuses to move a spill folder it has used)."""

from __future__ import annotations

import duckdb

from jalon.ingest.importer import configure


def test_configure_again_after_a_spill(tmp_path) -> None:
    con = duckdb.connect(str(tmp_path / "base.duckdb"))
    workdir = tmp_path / "base.duckdb.tmp"
    configure(con, workdir)
    con.execute("SET memory_limit = '128MB'")
    con.execute(
        "CREATE TEMP TABLE big AS SELECT range AS i, repeat('x', 64) || range AS s "
        "FROM range(4000000) ORDER BY s DESC"
    )
    assert any(workdir.iterdir()), "the test must make DuckDB spill"
    configure(con, workdir)
    assert con.execute("SELECT current_setting('temp_directory')").fetchone() == (str(workdir),)
    con.close()
