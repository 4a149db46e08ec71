"""Typed model and loader of ingest profiles (the TOML files of `jalon/sources/`).

Pure data and validation; reading the data files themselves is `jalon.ingest`'s job.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

ColumnType = Literal["text", "integer", "date", "financeurs"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnSpec(_Strict):
    """One column of a format: its label, type and fate (kept, hashed or dropped)."""

    label: str
    type: ColumnType = "text"
    format: str | None = None
    required: bool = False
    pattern: str | None = None
    personal: Literal["drop", "hash"] | None = None
    to: str | None = None

    @model_validator(mode="after")
    def _coherent(self) -> ColumnSpec:
        if self.type == "date" and not self.format:
            raise ValueError("une colonne de type date doit déclarer son format")
        if self.personal != "drop" and self.to is None:
            raise ValueError("une colonne lue doit dire où elle va (clé « to »)")
        return self


class Layout(_Strict):
    """An ordered list of column names, as found in the file's header line."""

    name: str
    columns: list[str] = Field(min_length=1)


class Profile(_Strict):
    name: str
    label: str
    format: Literal["delimited"]
    delimiter: str = Field(min_length=1, max_length=1)
    encoding: str = "utf-8"
    missing: list[str] = ["", "NULL"]
    target: Literal["entree_lignes"]
    fixed_financeurs: list[int] = []
    layouts: list[Layout] = Field(min_length=1)
    columns: dict[str, ColumnSpec]

    @model_validator(mode="after")
    def _declared(self) -> Profile:
        for layout in self.layouts:
            if len(set(layout.columns)) != len(layout.columns):
                raise ValueError(f"la disposition {layout.name} répète une colonne")
        return self

    def match_layout(self, header: list[str]) -> Layout | None:
        return next((lay for lay in self.layouts if lay.columns == header), None)

    def closest_layout(self, header: list[str]) -> tuple[Layout, list[str], list[str]]:
        """The known layout closest to `header`, with the unexpected and the missing names."""
        seen = set(header)

        def overlap(lay: Layout) -> int:
            return len(seen & set(lay.columns))

        best = max(self.layouts, key=overlap)
        unexpected = [c for c in header if c not in best.columns]
        missing = [c for c in best.columns if c not in seen]
        return best, unexpected, missing


class ProfileError(ValueError):
    """A profile file that cannot be read or is not a valid profile."""


def load_profile(path: Path) -> Profile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"Profil illisible : {path} ({exc})") from None
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        details = "\n".join(
            f"  - {'.'.join(str(p) for p in err['loc'])} : {err['msg']}" for err in exc.errors()
        )
        raise ProfileError(f"{path} : profil invalide\n{details}") from None


def builtin_profiles() -> dict[str, Profile]:
    """The profiles shipped with Jalon, by name."""
    folder = resources.files("jalon.sources")
    profiles = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            profile = load_profile(Path(str(entry)))
            profiles[profile.name] = profile
    return profiles
