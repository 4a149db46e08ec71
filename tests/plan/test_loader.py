"""The plan declaration: the shipped plan is valid, and mistakes are reported by key path."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from jalon.formatting import nombre
from jalon.indicators.bilan import estimated_note, targets_of
from jalon.plan import PlanError, default_plan_path, load_plan


def _write_variant(tmp_path: Path, old: str, new: str) -> Path:
    text = default_plan_path().read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "plan.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_default_plan_declares_the_2016_plan() -> None:
    plan = load_plan()
    assert [p.code for p in plan.phases] == ["2016", "2017S1"]
    assert plan.phase("2016").reference_start.year == 2015
    occitanie = plan.convention("76")
    assert occitanie is not None
    target = occitanie.target("2016")
    assert target is not None
    assert (target.total_entries, target.additional_entries, target.declared_baseline) == (
        90000,
        30000,
        60000,
    )
    assert not target.estimated
    assert plan.secret.threshold == 11
    assert len(plan.sha256) == 64


def test_every_region_of_the_2016_map_has_a_convention() -> None:
    plan = load_plan()
    assert len(plan.conventions) == 18
    quadripartite = [c for c in plan.conventions if c.kind == "quadripartite"]
    assert len(quadripartite) == 17
    total_2016 = sum(
        t.additional_entries for c in quadripartite if (t := c.target("2016")) is not None
    )
    assert total_2016 == 500077
    extension = sum(t.additional_entries for c in plan.conventions if (t := c.target("2017S1")))
    assert extension == 165000


def test_estimated_targets_are_marked_and_known_ones_are_not() -> None:
    raw = tomllib.loads(default_plan_path().read_text(encoding="utf-8"))
    first = {conv["region"]: conv["targets"][0] for conv in raw["conventions"]}
    # Published in full (DESIGN §4): Occitanie, Nouvelle-Aquitaine, Île-de-France, Normandie,
    # Bourgogne-Franche-Comté; no public figure at all: PACA, Pays de la Loire, La Réunion,
    # Guyane, Mayotte.
    assert {r for r, t in first.items() if not t["estimated"]} == {"76", "75", "11", "28", "27"}
    assert {r for r, t in first.items() if t["estimated"] and "published" not in t} == {
        "93",
        "52",
        "04",
        "03",
        "06",
    }
    assert first["32"]["published"] == "total_entries"
    assert first["44"]["published"] == "additional_entries"
    idf = first["11"]
    assert (idf["additional_entries"], idf["total_entries"]) == (64212, 118600)


def test_wrong_type_names_the_key_path_and_expected_type(tmp_path: Path) -> None:
    path = _write_variant(tmp_path, "threshold = 11", 'threshold = "onze"')
    with pytest.raises(PlanError) as info:
        load_plan(path)
    message = str(info.value)
    assert "secret.threshold" in message
    assert "attendu : un entier" in message
    assert "'onze'" in message


def test_target_pointing_to_an_unknown_phase_is_refused(tmp_path: Path) -> None:
    path = _write_variant(tmp_path, 'phase = "2017S1"', 'phase = "2018"')
    with pytest.raises(PlanError, match="phase inconnue « 2018 »"):
        load_plan(path)


def test_inconsistent_target_is_refused_with_its_position(tmp_path: Path) -> None:
    path = _write_variant(tmp_path, "total_entries = 90000", "total_entries = 91000")
    with pytest.raises(PlanError) as info:
        load_plan(path)
    assert "conventions[" in str(info.value)
    assert "targets[0]" in str(info.value)


def test_unknown_key_and_missing_key(tmp_path: Path) -> None:
    path = _write_variant(tmp_path, "secondary = true", "secondaire = true")
    with pytest.raises(PlanError) as info:
        load_plan(path)
    assert "secret.secondaire : attendu : aucune clé de ce nom" in str(info.value)


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("code = \n", encoding="utf-8")
    with pytest.raises(PlanError, match="TOML invalide"):
        load_plan(broken)
    with pytest.raises(PlanError, match="illisible"):
        load_plan(tmp_path / "absent.toml")


def test_scale_shrinks_every_target_and_keeps_them_consistent(tmp_path: Path) -> None:
    path = _write_variant(tmp_path, "scale = 1.0", "scale = 0.02")
    plan = load_plan(path)
    assert plan.scale == 0.02
    occitanie = plan.convention("76")
    assert occitanie is not None
    target = occitanie.target("2016")
    assert target is not None
    assert (target.declared_baseline, target.additional_entries, target.total_entries) == (
        1200,
        600,
        1800,
    )
    full = load_plan().convention("76")
    assert full is not None and full.targets[0].total_entries == 90000


def test_scale_outside_zero_one_is_refused(tmp_path: Path) -> None:
    path = _write_variant(tmp_path, "scale = 1.0", "scale = 2.0")
    with pytest.raises(PlanError, match="scale"):
        load_plan(path)


def test_write_scaled_plan_copies_the_default_plan_at_a_scale(tmp_path: Path) -> None:
    from jalon.plan import write_scaled_plan

    plan = write_scaled_plan(tmp_path / "base.duckdb.plan.toml", 0.5)
    assert plan.scale == 0.5
    assert plan.sha256 != load_plan().sha256
    occitanie = plan.convention("76")
    assert occitanie is not None and occitanie.targets[0].total_entries == 45000
    assert "scale = 0.5" in (tmp_path / "base.duckdb.plan.toml").read_text(encoding="utf-8")


def test_write_scaled_plan_at_full_size_is_the_default_plan(tmp_path: Path) -> None:
    from jalon.plan import write_scaled_plan

    plan = write_scaled_plan(tmp_path / "plan.toml", 1.0)
    assert plan.conventions == load_plan().conventions


_SOURCE = re.compile(r"\.fr\b|\.gouv\b|protocole|avenant|DESIGN §4")


def _comment_above(lines: list[str], index: int) -> str:
    """The comment lines directly above line `index` of the plan file, joined."""
    start = index
    while start > 0 and lines[start - 1].startswith("#"):
        start -= 1
    return " ".join(line.lstrip("# ") for line in lines[start:index])


def test_every_published_target_cites_its_source_and_figure_above_it() -> None:
    """Read from the TOML text: each target block whose figures are published in full
    (`estimated = false`) or in part (`published`) has, right above it, a comment naming a
    source and giving the published figure as the file writes it, in French (« 64 212 »)."""
    text = default_plan_path().read_text(encoding="utf-8")
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line == "[[conventions.targets]]"]
    raw = tomllib.loads(text)
    targets = [t for conv in raw["conventions"] for t in conv["targets"]]
    assert len(starts) == len(targets) == 36
    checked = 0
    for start, target in zip(starts, targets, strict=True):
        if target["estimated"] and "published" not in target:
            continue
        comment = _comment_above(lines, start)
        figures = (
            [target[target["published"]]]
            if target["estimated"]
            else [target["additional_entries"], target["total_entries"]]
        )
        where = f"ligne {start + 1}"
        assert _SOURCE.search(comment), where
        assert any(nombre(f).replace("\u202f", " ") in comment for f in figures), where
        checked += 1
    assert checked == 15


def test_published_figure_is_not_called_estimated() -> None:
    plan = load_plan()
    hdf = plan.convention("32")
    target = hdf.target("2016") if hdf else None
    assert target is not None
    assert (target.total_entries, target.declared_baseline) == (88000, 26746)
    assert not target.is_estimated("total_entries")
    assert target.is_estimated("additional_entries")
    assert target.is_estimated("declared_baseline")
    # The rate reads the total target (rule « entrees »): Hauts-de-France's is published,
    # Grand Est's (published additional target, estimated baseline) is not.
    assert targets_of(plan, "2016", "32")[3] is False
    assert targets_of(plan, "2016", "44")[3] is True
    assert estimated_note(plan, "2016", "44", "additional_entries") is None
    assert estimated_note(plan, "2016", "44", "total_entries") == (
        "objectif estimé (valeur publique inconnue)"
    )
    assert estimated_note(plan, "2016", "76", "total_entries") is None
    # The nation sums every convention: 12 of the 18 total targets of 2016 are estimates.
    assert estimated_note(plan, "2016", None, "total_entries") == (
        "objectif estimé en partie : somme des conventions, dont 12 sur 18 estimées"
    )


def test_published_without_estimated_is_refused(tmp_path: Path) -> None:
    path = _write_variant(
        tmp_path,
        "declared_baseline = 60000\nestimated = false\n",
        'declared_baseline = 60000\nestimated = false\npublished = "total_entries"\n',
    )
    with pytest.raises(PlanError, match="published ne se déclare qu'avec estimated = true"):
        load_plan(path)
