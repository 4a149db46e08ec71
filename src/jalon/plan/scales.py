"""Colour scales of the maps: classes and legend of an indicator, declared once as data.

A plan file declares the scale of each indicator it maps (`[scales.taux_realisation]`: the upper
bounds of the classes and their legend); the web map (`jalon.web.maps`) and the PDF map
(`jalon.report.graphiques`) both colour through `Scale.colour`, so the same value has the same
class and colour on screen and on paper. A count without a declared scale (entries per
département) gets classes of about equal size from its values (`Scale.quantiles`), with the same
palette. Pure data: no file, no store.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field, model_validator

from jalon.formatting import nombre

# Sequential blues of the DSFR (bleu France 950 → 113), light to dark: readable in grey-scale too.
PALETTE: tuple[str, ...] = ("#ececfe", "#cacafb", "#a1a1f8", "#6a6af4", "#000091")
# Areas without a value (no data, or hidden by statistical secrecy).
NO_DATA = "#e5e5e5"


class Scale(BaseModel):
    """Classes of an indicator: `bounds` are the upper bounds (excluded) of every class but the
    last; `legend` names each class, in order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    bounds: list[float] = Field(max_length=len(PALETTE) - 1)
    legend: list[str]

    @model_validator(mode="after")
    def _consistent(self) -> Scale:
        if any(later <= earlier for earlier, later in itertools.pairwise(self.bounds)):
            raise ValueError("les bornes des classes doivent être croissantes")
        if len(self.legend) != len(self.bounds) + 1:
            raise ValueError(
                f"{len(self.bounds)} bornes font {len(self.bounds) + 1} classes : la légende "
                f"en nomme {len(self.legend)}"
            )
        return self

    @property
    def colours(self) -> tuple[str, ...]:
        """One colour per class, spread over the palette (darkest for the last class)."""
        n = len(self.bounds) + 1
        if n == 1:
            return (PALETTE[-1],)
        last = len(PALETTE) - 1
        return tuple(PALETTE[round(i * last / (n - 1))] for i in range(n))

    def classify(self, value: float | None) -> int | None:
        """The class of `value` (0 for the first), None without a value."""
        if value is None:
            return None
        return next((i for i, bound in enumerate(self.bounds) if value < bound), len(self.bounds))

    def colour(self, value: float | None) -> str:
        index = self.classify(value)
        return NO_DATA if index is None else self.colours[index]

    def entries(self) -> list[tuple[str, str]]:
        """The legend: (colour, label) of each class."""
        return list(zip(self.colours, self.legend, strict=True))

    @classmethod
    def quantiles(cls, values: Iterable[float | None], classes: int = len(PALETTE)) -> Scale:
        """Classes of about equal size over the known `values` (counts), with their legend."""
        known = sorted(v for v in values if v is not None)
        bounds: list[float] = []
        for step in range(1, classes):
            if not known:
                break
            bound = known[min(len(known) - 1, (len(known) * step) // classes)]
            if bound > (bounds[-1] if bounds else known[0]):
                bounds.append(bound)
        if not bounds:
            return cls(bounds=[], legend=["toutes valeurs"])
        legend = [f"moins de {nombre(bounds[0])}"]
        legend += [f"de {nombre(a)} à moins de {nombre(b)}" for a, b in itertools.pairwise(bounds)]
        legend.append(f"{nombre(bounds[-1])} ou plus")
        return cls(bounds=bounds, legend=legend)
