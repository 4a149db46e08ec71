"""The plan declaration: the shipped plan is valid, and mistakes are reported by key path."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

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
    flags = {conv["region"]: conv["targets"][0]["estimated"] for conv in raw["conventions"]}
    assert flags["76"] is False
    assert flags["11"] is True


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


def test_published_targets_cite_their_source() -> None:
    plan = load_plan()
    hdf = plan.convention("32")
    target = hdf.target("2016") if hdf else None
    assert target is not None
    assert (target.total_entries, target.declared_baseline) == (88000, 26746)
    assert not target.estimated
    text = default_plan_path().read_text(encoding="utf-8")
    blocks = text.split("[[conventions]]\n")[1:]
    for conv, block in zip(plan.conventions, blocks, strict=True):
        assert f'region = "{conv.region}"' in block
        published = [t for t in conv.targets if not t.estimated]
        if published:
            comments = [line for line in block.splitlines() if line.startswith("#")]
            assert any(".fr" in c or "protocole" in c for c in comments), conv.region
