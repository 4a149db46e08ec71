"""Typed model and loader of ingest profiles (the TOML files of `jalon/sources/`, or a user's).

Pure data and validation; reading the data files themselves is `jalon.ingest`'s job. A tabular
profile (`format = "delimited"`) declares canonical *fields*, each with the column names it is
known under (aliases across layouts), its type, its checks and what a failed check does (reject
the line, or keep it with the field missing and an anomaly); the personal columns never read; the
known columns that counting does not use; and, as data for the summary, the layouts seen so far.
A file's header is matched to the fields by `jalon.sources.header`. An XML profile
(`format = "lheo"`) only names itself: its own reader knows the XML paths, and its extra keys are
kept in `options`.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
import unicodedata
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from jalon.validation import toml_error, validation_lines

ColumnType = Literal["text", "integer", "date", "financeurs", "boolean"]
ReferenceCheck = Literal["departement", "commune", "code_postal", "siret", "region"]
Severity = Literal["reject", "anomaly"]
Target = Literal["entree_lignes", "personnes", "demandeurs", "emplois", "actions_agregees"]
USER_PROFILES_ENV = "JALON_PROFILS"

#: The fields a file must provide for each target table (besides import_id and line).
TARGET_REQUIRED: dict[str, tuple[str, ...]] = {
    "entree_lignes": ("hash_personne", "date_entree", "financeurs"),
    "personnes": ("hash_personne", "date_inscription"),
    "demandeurs": ("annee", "region", "demandeurs"),
    "emplois": ("hash_personne", "date_debut", "type_contrat"),
    "actions_agregees": ("annee", "mois", "region", "type_action", "nombre"),
}
#: Fields read only to derive another one (the département of the place), never stored.
DERIVING_ONLY = frozenset({"code_postal_lieu"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSpec(_Strict):
    """One canonical field: the columns it is known under, its type, checks and severity."""

    label: str
    names: list[str] = Field(min_length=1)
    #: For the person: identifiers local to the funder's own base, hashed in a namespace of
    #: the source (they cannot be matched with another source's persons).
    local_names: list[str] = []
    type: ColumnType = "text"
    format: str | list[str] | None = None
    required: bool = False
    #: What a failed check does; by default a required field rejects the line and any other
    #: field is set to missing with an anomaly.
    on_error: Severity | None = None
    pattern: str | None = None
    expected: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    earliest: dt.date = dt.date(1990, 1, 1)
    latest: dt.date = dt.date(2100, 12, 31)
    check: ReferenceCheck | None = None
    not_before: str | None = None
    personal: Literal["hash"] | None = None

    @model_validator(mode="after")
    def _coherent(self) -> FieldSpec:
        if self.type == "date" and not self.format:
            raise ValueError("un champ de type date doit déclarer son format")
        if self.personal == "hash" and self.type != "text":
            raise ValueError("seul un champ de type text peut être pseudonymisé")
        if self.local_names and self.personal != "hash":
            raise ValueError("« local_names » ne vaut que pour l'identifiant pseudonymisé")
        if self.required and self.on_error == "anomaly":
            raise ValueError("un champ obligatoire rejette la ligne quand il est inutilisable")
        return self

    @property
    def severity(self) -> Severity:
        if self.on_error is not None:
            return self.on_error
        return "reject" if self.required else "anomaly"

    @property
    def formats(self) -> list[str]:
        if self.format is None:
            return []
        return [self.format] if isinstance(self.format, str) else list(self.format)


class Layout(_Strict):
    """A layout seen in the wild: its column names, in file order (named in import summaries)."""

    name: str
    columns: list[str] = Field(min_length=1)


class Profile(_Strict):
    name: str
    label: str
    format: Literal["delimited", "lheo"]
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    encoding: str = "utf-8"
    #: The quote character of fields holding the delimiter, a quote (doubled) or a line end
    #: (RFC 4180), when the format's owner uses quotes; None: quotes are plain characters.
    quote: str | None = Field(default=None, min_length=1, max_length=1)
    missing: list[str] = ["", "NULL"]
    target: Target | None = None
    fixed_financeurs: list[int] = []
    #: Fields giving the département of a line when its own is absent or unknown, in order.
    departement_from: list[str] = []
    layouts: list[Layout] = []
    fields: dict[str, FieldSpec] = {}
    personal_columns: list[str] = []
    known_columns: list[str] = []
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
        if not self.fields or self.target is None:
            raise ValueError("un profil délimité déclare target et fields")
        required = [f for f in TARGET_REQUIRED[self.target] if f not in self.fields]
        if self.fixed_financeurs and "financeurs" in required:
            required.remove("financeurs")
        if required:
            raise ValueError(
                f"champs obligatoires pour {self.target} non déclarés : {', '.join(required)}"
            )
        for name in self.departement_from:
            if name not in self.fields:
                raise ValueError(f"departement_from : champ « {name} » non déclaré")
        seen: dict[str, str] = {}
        for name, spec in self.fields.items():
            if spec.not_before is not None:
                other = self.fields.get(spec.not_before)
                if other is None or other.type != "date" or spec.type != "date":
                    raise ValueError(f"{name} : « not_before » doit nommer un autre champ date")
            for column in [*spec.names, *spec.local_names]:
                key = normalise(column)
                if key in seen and seen[key] != name:
                    raise ValueError(
                        f"la colonne « {column} » est déclarée pour deux champs : {seen[key]} "
                        f"et {name}"
                    )
                seen[key] = name
        for column in [*self.personal_columns, *self.known_columns]:
            if normalise(column) in seen:
                raise ValueError(
                    f"la colonne « {column} » est à la fois un champ lu et une colonne ignorée"
                )
        return self

    def stored_fields(self) -> list[str]:
        """The fields written to the target table (all but those read only to derive others)."""
        return [name for name in self.fields if name not in DERIVING_ONLY]

    @property
    def required_fields(self) -> list[str]:
        return [name for name, spec in self.fields.items() if spec.required]


def normalise(column: str) -> str:
    """A column name as compared with the declared names: no accents, case, punctuation."""
    decomposed = unicodedata.normalize("NFKD", column.strip())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in plain).split())


class ProfileError(ValueError):
    """A profile file that cannot be read or is not a valid profile."""


def load_profile(path: Path, *, source: str | None = None) -> Profile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"Profil illisible : {path} ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path} : TOML invalide, {toml_error(exc)}") from None
    data.setdefault("source", source or str(path))
    if data.get("format") == "delimited" and "columns" in data and "fields" not in data:
        raise ProfileError(
            f"{path} : ce profil suit l'ancien format (tables [columns.NOM] avec « to ») ; "
            "décrivez chaque champ sous [fields.CHAMP] avec la liste « names » des colonnes qui "
            "le portent (docs/formats.md, « Écrire un profil »)."
        )
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(f"{path} : profil invalide\n{validation_lines(exc)}") from None


def builtin_profile_files() -> dict[str, Path]:
    """The TOML files of the profiles shipped with Jalon, by profile name (file stem)."""
    folder = resources.files("jalon.sources")
    return {
        entry.name.removesuffix(".toml"): Path(str(entry))
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".toml")
    }


def builtin_profiles() -> dict[str, Profile]:
    """The profiles shipped with Jalon, by name."""
    profiles = {}
    for path in builtin_profile_files().values():
        profile = load_profile(path, source="intégré")
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
