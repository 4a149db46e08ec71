"""The registry is complete and docs/indicateurs.md is its current rendering."""

from __future__ import annotations

from pathlib import Path

from jalon.indicators import compute_bilan
from jalon.indicators.registry import BREAKDOWNS, INDICATORS, REGISTRY, column_label, markdown

DOC = Path(__file__).parents[2] / "docs" / "indicateurs.md"


def test_every_indicator_is_defined() -> None:
    assert len(REGISTRY) == len(INDICATORS)
    for ind in INDICATORS:
        assert ind.label and ind.unit, ind.code
        assert len(ind.definition) > 60 and ind.definition.endswith((".", ")")), ind.code
    for spec in BREAKDOWNS:
        assert spec.definition, spec.code
        for column in spec.columns:
            assert column_label(column)


def test_every_published_figure_and_table_is_registered(store, plan) -> None:
    bilan = compute_bilan(store, plan, "2016", "76")
    assert [f.code for f in bilan.figures] == [ind.code for ind in INDICATORS]
    assert [b.code for b in bilan.breakdowns] == [spec.code for spec in BREAKDOWNS]


def test_documentation_is_generated_from_the_registry() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert text.startswith(markdown()), (
        "docs/indicateurs.md est périmée : régénérez-la avec "
        "« jalon indicateurs --markdown --backtest BASE-DE-DEMO > docs/indicateurs.md »"
    )
    assert "# Prévision : erreur mesurée (backtest)" in text
