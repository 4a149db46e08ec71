"""The severity key `on_error` of the `lheo` declaration: validated, and obeyed by the import."""

from __future__ import annotations

from pathlib import Path

import pytest

from jalon.ingest.lheo import import_lheo
from jalon.ingest.lheo_profile import load_lheo_profile
from jalon.plan import Plan
from jalon.sources.profile import ProfileError
from tests.conftest import DATA

SOURCE = Path(__file__).parents[2] / "src" / "jalon" / "sources" / "lheo.toml"
FORMACODE = """source = "domaine-formation/code-FORMACODE"
"""


def _declaration(tmp_path: Path, old: str, new: str) -> Path:
    text = SOURCE.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "lheo.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_defaults_reject_on_required_fields_and_record_anomalies_elsewhere() -> None:
    profile = load_lheo_profile(SOURCE)
    for spec in (profile.formation, profile.action, profile.session):
        for name, field in spec.fields.items():
            assert field.rejects == field.required, name
    assert profile.session.fields["debut"].rejects
    assert not profile.formation.fields["siret"].rejects
    assert "http://lheo.gouv.fr/2.3" in profile.versions


def test_a_required_field_cannot_be_an_anomaly(tmp_path: Path) -> None:
    path = _declaration(tmp_path, 'on_error = "reject"', 'on_error = "anomaly"')
    with pytest.raises(ProfileError, match="session.fields.debut.*obligatoire ne peut manquer"):
        load_lheo_profile(path)


def test_on_error_reject_makes_an_optional_field_reject(
    con, plan: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jalon.ingest import lheo

    strict = load_lheo_profile(
        _declaration(tmp_path, FORMACODE, FORMACODE + 'on_error = "reject"\n')
    )
    monkeypatch.setattr(lheo, "builtin_lheo_profile", lambda: strict)
    summary = import_lheo(con, DATA / "lheo" / "anomalies-2.2.xml", plan)
    # FO_A2's Formacode "2285" now rejects its action AF_B1 (and so SE_B1) instead of marking it.
    assert summary.rejects_by_reason["format_invalide"] == 1
    assert "format_invalide" not in summary.anomalies_by_reason
    rejected = con.execute(
        "SELECT value FROM rejets WHERE column_name = 'formation/domaine-formation/code-FORMACODE'"
    ).fetchall()
    assert rejected == [("2285",)]
    assert con.execute(
        "SELECT count(*) FROM offre_formations WHERE numero = 'FO_A2'"
    ).fetchall() == [(0,)]
