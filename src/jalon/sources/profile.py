"""Typed model and loader of ingest profiles (the TOML files of `jalon/sources/`, or a user's).

Pure data and validation; reading the data files themselves is `jalon.ingest`'s job. A tabular
profile (`format = "delimited"`) declares its layouts, columns, types, checks and target table;
an XML profile (`format = "lheo"`) only names itself, its own reader knows the XML paths and its
extra keys are kept in `options`.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

ColumnType = Literal["text", "integer", "date", "financeurs", "boolean"]
ReferenceCheck = Literal["departement", "commune", "siret", "region"]
Target = Literal["entree_lignes", "personnes", "demandeurs", "emplois", "actions_agregees"]
USER_PROFILES_ENV = "JALON_PROFILS"

#: The columns a row must provide for each target table (besides import_id and line).
TARGET_REQUIRED: dict[str, tuple[str, ...]] = {
    "entree_lignes": ("hash_personne", "date_entree"),
    "personnes": ("hash_personne", "date_inscription"),
    "demandeurs": ("annee", "region", "demandeurs"),
    "emplois": ("hash_personne", "date_debut", "type_contrat"),
    "actions_agregees": ("annee", "mois", "region", "type_action", "nombre"),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnSpec(_Strict):
    """One column of a format: its label, type, checks and fate (kept, hashed or dropped)."""

    label: str
    type: ColumnType = "text"
    format: str | None = None
    required: bool = False
    pattern: str | None = None
    expected: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    earliest: dt.date = dt.date(1990, 1, 1)
    latest: dt.date = dt.date(2100, 12, 31)
    check: ReferenceCheck | None = None
    personal: Literal["drop", "hash"] | None = None
    to: str | None = None

    @model_validator(mode="after")
    def _coherent(self) -> ColumnSpec:
        if self.type == "date" and not self.format:
            raise ValueError("une colonne de type date doit déclarer son format")
        if self.personal != "drop" and self.to is None:
            raise ValueError("une colonne lue doit dire où elle va (clé « to »)")
        if self.personal == "hash" and self.type != "text":
            raise ValueError("seule une colonne de type text peut être pseudonymisée")
        return self


class Layout(_Strict):
    """An ordered list of column names, as found in the file's header line."""

    name: str
    columns: list[str] = Field(min_length=1)


class Profile(_Strict):
    name: str
    label: str
    format: Literal["delimited", "lheo"]
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    encoding: str = "utf-8"
    missing: list[str] = ["", "NULL"]
    target: Target | None = None
    fixed_financeurs: list[int] = []
    departement_from: str | None = None
    layouts: list[Layout] = []
    columns: dict[str, ColumnSpec] = {}
    options: dict[str, Any] = {}
    source: str = "intégré"

    @model_validator(mode="before")
    @classmethod
    def _xml_options(cls, data: Any) -> Any:
        """An XML profile's own keys (paths, size bound…) belong to its reader: keep them."""
        if isinstance(data, dict) and data.get("format") == "lheo":
            known = set(cls.model_fields)
            extra = {k: v for k, v in data.items() if k not in known}
            kept = {k: v for k, v in data.items() if k in known}
            kept["options"] = {**kept.get("options", {}), **extra}
            return kept
        return data

    @model_validator(mode="after")
    def _declared(self) -> Profile:
        if self.format == "lheo":
            return self
        if not self.layouts or not self.columns or self.target is None:
            raise ValueError("un profil délimité déclare target, layouts et columns")
        for layout in self.layouts:
            if len(set(layout.columns)) != len(layout.columns):
                raise ValueError(f"la disposition {layout.name} répète une colonne")
            produced = {self.columns[c].to for c in layout.columns if c in self.columns}
            if self.fixed_financeurs:
                produced.add("financeurs")
            missing = [t for t in TARGET_REQUIRED[self.target] if t not in produced]
            if missing:
                raise ValueError(
                    f"la disposition {layout.name} ne fournit pas {', '.join(missing)} "
                    f"(obligatoires pour {self.target})"
                )
        if self.target == "entree_lignes" and not self.fixed_financeurs:
            for layout in self.layouts:
                if not any(self._to(c) == "financeurs" for c in layout.columns):
                    raise ValueError(
                        f"la disposition {layout.name} n'a pas de colonne financeurs : "
                        "déclarez fixed_financeurs"
                    )
        return self

    def _to(self, column: str) -> str | None:
        spec = self.columns.get(column)
        return spec.to if spec else None

    def layout(self, name: str) -> Layout:
        return next(lay for lay in self.layouts if lay.name == name)

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


def load_profile(path: Path, *, source: str | None = None) -> Profile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"Profil illisible : {path} ({exc})") from None
    data.setdefault("source", source or str(path))
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        details = "\n".join(
            f"  - {'.'.join(str(p) for p in err['loc']) or 'profil'} : {err['msg']}"
            for err in exc.errors()
        )
        raise ProfileError(f"{path} : profil invalide\n{details}") from None


def builtin_profiles() -> dict[str, Profile]:
    """The profiles shipped with Jalon, by name."""
    folder = resources.files("jalon.sources")
    profiles = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            profile = load_profile(Path(str(entry)), source="intégré")
            profiles[profile.name] = profile
    return profiles


def user_profiles_folder() -> Path | None:
    value = os.environ.get(USER_PROFILES_ENV)
    return Path(value) if value else None


def user_profiles() -> dict[str, Profile]:
    """The profiles of the folder named by `$JALON_PROFILS`, by name (none when unset)."""
    folder = user_profiles_folder()
    if folder is None or not folder.is_dir():
        return {}
    return {p.name: p for p in (load_profile(f) for f in sorted(folder.glob("*.toml")))}


def all_profiles() -> dict[str, Profile]:
    """Built-in profiles, then the user's (a user profile may not hide a built-in one)."""
    profiles = builtin_profiles()
    for name, profile in user_profiles().items():
        if name in profiles:
            raise ProfileError(
                f"{profile.source} : le profil « {name} » porte le nom d'un profil intégré ; "
                "renommez-le."
            )
        profiles[name] = profile
    return profiles


def find_profile(name_or_path: str) -> Profile:
    """A profile by name (built-in or user) or by the path of its TOML file."""
    if name_or_path.endswith(".toml"):
        path = Path(name_or_path)
        if not path.is_file():
            raise ProfileError(f"Profil introuvable : {path}")
        return load_profile(path)
    profiles = all_profiles()
    if name_or_path not in profiles:
        raise ProfileError(
            f"profil inconnu « {name_or_path} » (profils : {', '.join(sorted(profiles))})"
        )
    return profiles[name_or_path]
