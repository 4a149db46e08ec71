"""Simulator of the files a deployment of Jalon receives (DESIGN §6 `simulate/`), calibrated on
the public record of the 2016 plan (DESIGN §4). It never writes real people's data: names come
from Faker, e-mail domains and phone numbers are reserved for tests and fiction.

- `simulate(out_dir, scale, seed)`: every file of every region, and `manifest.json`;
- `write_pe_stagiaires(path, n_lines, seed, ...)`: one large random `pe-stagiaires` file, for
  benchmarks.
"""

from jalon.simulate.manifest import MANIFEST_NAME, Manifest, ManifestEntry
from jalon.simulate.pe_layouts import (
    LAYOUT_34,
    LAYOUT_35,
    LAYOUT_35_COFINANCEMENT,
    LAYOUT_2015,
    LAYOUT_2016,
    LAYOUT_2017,
    LAYOUTS,
)
from jalon.simulate.pe_stagiaires import write_pe_stagiaires
from jalon.simulate.region_stagiaires import COLUMNS as REGION_STAGIAIRES_COLUMNS
from jalon.simulate.region_stagiaires import COLUMNS_LOCAL as REGION_STAGIAIRES_LOCAL_COLUMNS
from jalon.simulate.runner import Progress, simulate

__all__ = [
    "LAYOUTS",
    "LAYOUT_34",
    "LAYOUT_35",
    "LAYOUT_35_COFINANCEMENT",
    "LAYOUT_2015",
    "LAYOUT_2016",
    "LAYOUT_2017",
    "MANIFEST_NAME",
    "REGION_STAGIAIRES_COLUMNS",
    "REGION_STAGIAIRES_LOCAL_COLUMNS",
    "Manifest",
    "ManifestEntry",
    "Progress",
    "simulate",
    "write_pe_stagiaires",
]
