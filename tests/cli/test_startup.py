"""Commands that do not compute indicators start without loading Ibis (about 0.4 s): `jalon
--help`, `jalon profils`, and `jalon import` of a file into a store whose mart SQL is already
compiled (`jalon.indicators.marts` keeps it in `meta`)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["jalon.cli", "jalon.ingest", "jalon.indicators.marts"])
def test_no_ibis_at_import(module: str) -> None:
    code = f"import sys, {module}; print('ibis' in sys.modules, 'pyarrow' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False"]


def test_indicator_names_load_on_first_use() -> None:
    import jalon.indicators as indicators
    from jalon.indicators.bilan import compute_bilan

    assert indicators.compute_bilan is compute_bilan
    assert "compute_bilan" in indicators.__all__
    with pytest.raises(AttributeError, match="no attribute 'inconnu'"):
        _ = indicators.inconnu  # type: ignore[attr-defined]
