"""The stand-alone `pe-stagiaires` writer used by the benchmarks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from jalon.simulate import LAYOUT_35, LAYOUT_2016, write_pe_stagiaires


def test_writes_the_requested_lines(tmp_path: Path) -> None:
    path = tmp_path / "pe.csv"
    n = write_pe_stagiaires(
        path, 5_000, 3, start=dt.date(2016, 1, 1), end=dt.date(2016, 12, 31), chunk_lines=2_000
    )
    lines = path.read_text(encoding="utf-8").split("\n")
    assert n == 5_000 and len(lines) == 5_002 and lines[-1] == ""
    assert lines[0] == "|".join(LAYOUT_2016)
    assert all(len(line.split("|")) == 38 for line in lines[1:-1])
    starts = {line.split("|")[14][:10] for line in lines[1:-1]}
    assert min(starts) >= "2016-01-01" and max(starts) <= "2016-12-31"
    ids = [line.split("|")[6] for line in lines[1:-1]]
    assert all(len(i) == 8 and i[:7].isdigit() and i[7].isalpha() for i in ids)
    assert len(set(ids)) < len(ids)


def test_deterministic_and_layout_of_35_columns(tmp_path: Path) -> None:
    for name in ("a.csv", "b.csv"):
        write_pe_stagiaires(
            tmp_path / name,
            3_000,
            9,
            layout="2017-35",
            region="76",
            start=dt.date(2017, 1, 1),
            end=dt.date(2017, 6, 30),
            malformed_share=0.01,
        )
    a = (tmp_path / "a.csv").read_bytes()
    assert a == (tmp_path / "b.csv").read_bytes()
    lines = a.decode().split("\n")[1:-1]
    assert a.decode().split("\n")[0] == "|".join(LAYOUT_35)
    widths = [len(line.split("|")) for line in lines]
    assert 0 < sum(w != 35 for w in widths) < 0.03 * len(lines)
    whole = [line.split("|") for line, w in zip(lines, widths, strict=True) if w == 35]
    assert all(f[34] in {"AFC", "AIF", "POEI", "POEC", "CR"} for f in whole)
    occitanie = {"09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"}
    assert all(f[30] in occitanie for f in whole)
