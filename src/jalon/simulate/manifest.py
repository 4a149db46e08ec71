"""The manifest of a simulated data set: every file written, in the order an importer should
load it, with its profile, region, period, checksum and line counts, plus the ground truth the
files encode (`truth`), for tests and for checking Jalon's indicators against it.

Pure data and JSON (de)serialisation; `jalon.simulate.runner` fills it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class ManifestEntry:
    """One file. `path` is where the file is (in `manifest.json`, relative to the data set's
    folder with POSIX separators); `lines` counts data lines (header excluded) including the
    `malformed` ones an importer must reject, and `anomalies` lines given one imperfect value
    that an importer keeps (recording an anomaly); `layout` is the simulator's name of the
    file's column layout (`pe_layouts.LAYOUTS`, `region_stagiaires.LAYOUTS`); `replaces` is the
    path of the earlier file that this corrected export supersedes."""

    path: Path
    profile: str
    region: str
    period: str
    sha256: str
    lines: int
    malformed: int = 0
    anomalies: int = 0
    encoding: str = "utf-8"
    layout: str | None = None
    replaces: Path | None = None

    def to_dict(self, root: Path) -> dict[str, Any]:
        data = asdict(self)
        data["path"] = self.path.relative_to(root).as_posix()
        data["replaces"] = self.replaces.relative_to(root).as_posix() if self.replaces else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], root: Path) -> ManifestEntry:
        fields = dict(data)
        fields["path"] = root / data["path"]
        fields["replaces"] = root / data["replaces"] if data.get("replaces") else None
        return cls(**fields)


@dataclass
class Manifest:
    """Files of a simulated data set in load order, and the truth they encode."""

    root: Path
    scale: float
    seed: int
    files: list[ManifestEntry] = field(default_factory=list)
    truth: dict[str, Any] = field(default_factory=dict)

    def profile(self, name: str) -> list[ManifestEntry]:
        return [f for f in self.files if f.profile == name]

    def superseded(self) -> set[Path]:
        """Files replaced by a later correction (an importer keeps only the correction)."""
        return {f.replaces for f in self.files if f.replaces}

    def to_json(self) -> str:
        """The manifest as JSON, paths relative to `root` (identical wherever it was written)."""
        data = {
            "scale": self.scale,
            "seed": self.seed,
            "files": [f.to_dict(self.root) for f in self.files],
            "truth": self.truth,
        }
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    def write(self) -> Path:
        path = self.root / MANIFEST_NAME
        path.write_text(self.to_json(), encoding="utf-8")
        return path

    @classmethod
    def read(cls, out_dir: Path) -> Manifest:
        root = Path(out_dir)
        raw = json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))
        files = [ManifestEntry.from_dict(f, root) for f in raw["files"]]
        return cls(root=root, scale=raw["scale"], seed=raw["seed"], files=files, truth=raw["truth"])


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
