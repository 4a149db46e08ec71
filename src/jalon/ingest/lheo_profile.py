"""Typed model and loader of the `lheo` declaration (`jalon/sources/lheo.toml`).

Pure data and validation: which LHEO elements are read from each `formation`, `action` and
`session`, with their French labels, types and checks, and the table each one fills. Reading
the XML itself is `jalon.ingest.lheo_xml`'s job.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from jalon.sources.profile import ProfileError

FieldType = Literal["text", "integer", "date", "booleen"]
OnError = Literal["reject", "anomaly"]
_SOURCE = re.compile(r"^(@[a-z-]+|[A-Za-z-]+(/[A-Za-z-]+)*)$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LheoField(_Strict):
    """One value read from an element: a child path (`a/b/c`) or an attribute (`@numero`)."""

    label: str
    source: str = Field(pattern=_SOURCE.pattern)
    type: FieldType = "text"
    required: bool = False
    pattern: str | None = None
    expected: str | None = None
    max: int | None = Field(default=None, ge=0)
    check: Literal["siret"] | None = None
    stored: bool = True
    not_before: str | None = None
    #: What an unusable value does: reject the element, or keep it with the field missing and
    #: record an anomaly. Default: a required field rejects, any other records an anomaly.
    on_error: OnError | None = None

    @property
    def rejects(self) -> bool:
        return self.on_error == "reject" if self.on_error is not None else self.required

    @model_validator(mode="after")
    def _coherent(self) -> LheoField:
        if self.required and self.on_error == "anomaly":
            raise ValueError("un champ obligatoire ne peut manquer : « on_error » doit être reject")
        if self.pattern is not None:
            re.compile(self.pattern)
            if self.expected is None:
                raise ValueError("un champ avec « pattern » doit dire ce qui est attendu")
        if self.max is not None and self.type != "integer":
            raise ValueError("« max » ne vaut que pour un champ de type integer")
        return self


class Geography(_Strict):
    """Where the département and région of an element come from: commune, else postcode."""

    label: str
    source: str
    commune: str
    code_postal: str
    departement: str
    region: str


class Financeurs(_Strict):
    """The repeated `organisme-financeur` children: one row of `table` per financeur."""

    table: str
    source: str
    code: str
    places: str
    code_label: str
    places_label: str
    places_max: int = Field(ge=1)


class ElementSpec(_Strict):
    label: str
    tag: str
    table: str
    parent_column: str | None = None
    fields: dict[str, LheoField]
    geography: Geography | None = None
    financeurs: Financeurs | None = None

    @model_validator(mode="after")
    def _declared(self) -> ElementSpec:
        numero = self.fields.get("numero")
        if numero is None or not numero.required:
            raise ValueError(f"l'élément {self.tag} doit déclarer un champ « numero » obligatoire")
        for name, spec in self.fields.items():
            if spec.not_before is not None:
                other = self.fields.get(spec.not_before)
                if other is None or other.type != "date" or spec.type != "date":
                    raise ValueError(f"{name} : « not_before » doit nommer un autre champ date")
        if self.geography is not None:
            for name in (self.geography.commune, self.geography.code_postal):
                if name not in self.fields:
                    raise ValueError(f"géographie : champ « {name} » non déclaré")
        return self

    def stored_fields(self) -> dict[str, LheoField]:
        return {name: spec for name, spec in self.fields.items() if spec.stored}


class LheoProfile(_Strict):
    name: str
    label: str
    format: Literal["lheo"]
    max_bytes: int = Field(ge=1)
    #: A gzip file is refused when its content is this many times larger than what was read of it.
    max_gzip_ratio: int = Field(ge=2)
    #: Texts that stand for "no value" in real feeds (`-`): the field is missing, with an anomaly.
    placeholders: list[str] = Field(default_factory=list)
    unknown_date: str = Field(pattern=r"^[0-9]{8}$")
    date_min: dt.date
    date_max: dt.date
    versions: dict[str, str] = Field(min_length=1)
    formation: ElementSpec
    action: ElementSpec
    session: ElementSpec

    @model_validator(mode="after")
    def _hierarchy(self) -> LheoProfile:
        if self.action.parent_column is None or self.session.parent_column is None:
            raise ValueError("action et session doivent déclarer « parent_column »")
        if self.action.financeurs is None:
            raise ValueError("l'action doit déclarer ses « financeurs »")
        return self


def load_lheo_profile(path: Path) -> LheoProfile:
    """Read and validate a `lheo` declaration; `ProfileError` (in French) if it is not one."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"Profil illisible : {path} ({exc})") from None
    try:
        return LheoProfile.model_validate(data)
    except ValidationError as exc:
        details = "\n".join(
            f"  - {'.'.join(str(p) for p in err['loc'])} : {err['msg']}" for err in exc.errors()
        )
        raise ProfileError(f"{path} : profil LHEO invalide\n{details}") from None


@cache
def builtin_lheo_profile() -> LheoProfile:
    """The declaration shipped with Jalon (`jalon/sources/lheo.toml`), read once per process."""
    return load_lheo_profile(Path(str(resources.files("jalon.sources") / "lheo.toml")))
