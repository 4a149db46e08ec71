"""`jalon simulation`: a simulated data set written from the command line, and its bad options."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from jalon.cli import app

runner = CliRunner()


def test_simulation_writes_every_region_and_a_manifest(tmp_path) -> None:
    result = runner.invoke(
        app, ["simulation", "--sortie", str(tmp_path), "--echelle", "0.001", "--graine", "7"]
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    regions = {entry["region"] for entry in manifest["files"]}
    assert len(regions) == 18
    profiles = {entry["profile"] for entry in manifest["files"]}
    assert {"pe-stagiaires", "region-stagiaires", "lheo", "personnes", "emplois"} <= profiles
    assert manifest["seed"] == 7


def test_simulation_refuses_an_impossible_scale(tmp_path) -> None:
    result = runner.invoke(app, ["simulation", "--sortie", str(tmp_path), "--echelle", "0"])
    assert result.exit_code == 2
    assert "--echelle doit être comprise entre 0 (exclu) et 1" in result.output
