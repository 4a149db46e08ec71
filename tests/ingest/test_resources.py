"""The import's resources: a memory limit chosen from the machine or `JALON_MEMOIRE`, and a
French message, never a traceback, when memory runs out."""

from __future__ import annotations

import pytest

from jalon.ingest import IngestError, import_file, resources
from jalon.sources import builtin_profiles
from tests.conftest import DATA


@pytest.mark.parametrize(
    ("value", "expected"),
    [("4GB", "4096MiB"), ("1500MB", "1500MiB"), ("1,5G", "1536MiB"), ("2 Go", "2048MiB")],
)
def test_jalon_memoire_is_read_as_a_size(monkeypatch, value, expected) -> None:
    monkeypatch.setenv("JALON_MEMOIRE", value)
    assert resources.memory_limit() == expected


def test_a_malformed_jalon_memoire_is_refused_in_french(monkeypatch) -> None:
    monkeypatch.setenv("JALON_MEMOIRE", "beaucoup")
    with pytest.raises(IngestError, match="JALON_MEMOIRE=beaucoup : taille attendue"):
        resources.memory_limit()


@pytest.mark.parametrize(
    ("machine", "expected"),
    [(2 << 30, "1024MiB"), (6 << 30, "1536MiB"), (24 << 30, "1536MiB"), (256 << 30, "1536MiB")],
)
def test_the_default_follows_the_machine(monkeypatch, machine, expected) -> None:
    monkeypatch.delenv("JALON_MEMOIRE", raising=False)
    monkeypatch.setattr(resources, "_machine_memory", lambda: machine)
    assert resources.memory_limit() == expected


def test_running_out_of_memory_is_a_french_message(con, plan, key, monkeypatch, tmp_path) -> None:
    lines = (DATA / "pe-stagiaires" / "export-2016-occitanie.csv").read_text().splitlines()
    header, fields = lines[0], lines[1].split("|")
    path = tmp_path / "gros.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write(header + "\n")
        for i in range(300_000):
            fields[6], fields[34] = f"{i:010d}", f"SE_{i:07d}"
            out.write("|".join(fields) + "\n")
    monkeypatch.setenv("JALON_MEMOIRE", "8MB")
    with pytest.raises(IngestError) as info:
        import_file(con, path, builtin_profiles()["pe-stagiaires"], plan, key)
    assert str(info.value).startswith("gros.csv : mémoire insuffisante pour cet import")
    assert "JALON_MEMOIRE=4GB" in str(info.value)
    monkeypatch.delenv("JALON_MEMOIRE")
    assert con.execute("SELECT count(*) FROM imports").fetchone() == (0,)
