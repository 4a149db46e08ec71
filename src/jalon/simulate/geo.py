"""Where simulated trainings take place: regions of the 2016 map, their départements and a few
communes each (INSEE code, postcode, name, population weight).

Regions, départements and their membership come from `jalon.reference` (Jalon's packaged INSEE
geography). Training places are drawn among the four most populous communes of each département,
weighted by population: `jalon.reference` carries no populations, so that small extract is
packaged here (`data/communes.csv`, see `data/SOURCES.md`). Read once per process.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from jalon.reference import departements, regions

REGIONS_2016: tuple[str, ...] = tuple(region.code for region in regions())


@dataclass(frozen=True)
class Geography:
    """Flat commune table; `by_region[code]` gives the commune indices of a region."""

    insee: list[str]
    postcode: list[str]
    nom: list[str]
    departement: list[str]
    weight: np.ndarray
    by_region: dict[str, np.ndarray]

    def region_communes(self, region: str) -> tuple[np.ndarray, np.ndarray]:
        """Indices of the region's communes and their normalised drawing probabilities."""
        idx = self.by_region[region]
        w = self.weight[idx].astype(np.float64)
        return idx, w / w.sum()

    def departements_of(self, region: str) -> list[str]:
        return sorted({self.departement[i] for i in self.by_region[region].tolist()})


def _communes() -> list[dict[str, str]]:
    text = resources.files("jalon.simulate").joinpath("data/communes.csv").read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@lru_cache(maxsize=1)
def geography() -> Geography:
    rows = _communes()
    dep_region = {d.code: d.region for d in departements()}
    insee = [row["commune"] for row in rows]
    postcode = [row["code_postal"] for row in rows]
    nom = [row["nom"] for row in rows]
    dep = [row["departement"] for row in rows]
    # Training places follow population, dampened so that small towns still appear.
    weight = [float(max(int(row["population"]), 2_000)) ** 0.8 for row in rows]
    region = np.asarray([dep_region[d] for d in dep])
    by_region = {r: np.flatnonzero(region == r) for r in REGIONS_2016}
    return Geography(insee, postcode, nom, dep, np.asarray(weight), by_region)
