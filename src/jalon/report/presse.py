"""The press kit: a one-page press release and a press invitation, written from the data.

`build_note` and `build_invitation` read the store (read-only) through the same view builders as
the bilan, and word the key figures with the rules of `jalon.report.redaction`, so a figure reads
the same in the bilan, the note and the invitation. The event (place, date, programme, RSVP,
press contacts) comes from a TOML file that `load_evenement` validates, naming each wrong key in
French. Outputs are plain data rendered to HTML/PDF or to plain text for e-mail by `jalon.report.
rendu`; dates come from the data version and the event file, never from the clock.
"""

from __future__ import annotations

import datetime as dt
import textwrap
import tomllib
from dataclasses import dataclass
from pathlib import Path

import duckdb
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jalon.formatting import date_longue
from jalon.plan import Plan
from jalon.reference import region as region_of
from jalon.report import redaction
from jalon.report.document import (
    COVER,
    Valeur,
    chiffres_cles,
    rank_of,
    territory_views,
    valeur,
)
from jalon.report.version import DataVersion, data_version
from jalon.validation import toml_error, validation_lines

PROGRAMME = (
    "Visite des locaux",
    "Témoignages et échanges avec d'anciens stagiaires aujourd'hui salariés",
    "Point presse",
)


class EvenementError(ValueError):
    """An event file that cannot be read or does not match the expected keys."""


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    organisme: str
    nom: str
    telephone: str | None = None
    courriel: str | None = None


class Evenement(BaseModel):
    """A press event, as declared in its TOML file (see `tests/data/evenements/`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    phase: str
    ville: str = Field(description="ville d'où l'invitation est envoyée")
    date_envoi: dt.date
    titre: str
    introduction: list[str] = []
    suite: list[str] = []
    participants: list[str] = Field(min_length=1)
    accompagnes_de: str | None = None
    lieu: str
    adresse: str
    date: dt.date
    heure: dt.time
    participation: str | None = None
    programme: list[str] = list(PROGRAMME)
    rsvp: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    contacts: list[Contact] = []
    region: str | None = Field(None, description="région de l'événement (code ou nom)")
    date_limite_reponse: dt.date | None = None
    duree_minutes: int = Field(90, ge=15, le=720)
    conservation_jours: int = Field(
        30, ge=0, le=365, description="jours de conservation des invités après l'événement"
    )


def load_evenement(path: Path) -> Evenement:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EvenementError(f"Fichier d'événement illisible : {path} ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise EvenementError(f"{path} : le fichier d'événement doit être encodé en UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        message = f"{path} n'est pas un fichier TOML valide : {toml_error(exc)}"
        raise EvenementError(message) from None
    try:
        return Evenement.model_validate(raw)
    except ValidationError as exc:
        message = f"{path} : fichier d'événement invalide\n{validation_lines(exc)}"
        raise EvenementError(message) from None


def heure(moment: dt.time) -> str:
    """`11 heures`, `11 h 30` — as French invitations write times."""
    if moment.minute == 0:
        return f"{moment.hour}\u00a0heure{'s' if moment.hour > 1 else ''}"
    return f"{moment.hour}\u00a0h\u00a0{moment.minute:02d}"


def _liste(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " et " + items[-1]


@dataclass(frozen=True)
class ChiffresPresse:
    territoire: str
    phase: str
    phrases: tuple[str, ...]
    valeurs: tuple[Valeur, ...]
    version: DataVersion
    contexte: tuple[str, ...]


def chiffres_presse(
    con: duckdb.DuckDBPyConnection, plan: Plan, phase: str, region: str
) -> ChiffresPresse:
    """The key-figure sentences and values of a region's phase, and the plan's context."""
    bilan, classement, _ = territory_views(con, plan, phase, region, interne=False)
    rank = rank_of(classement, region)
    territoire = region_of(region).nom
    the_phase = plan.phase(phase)

    chiffres = chiffres_cles(bilan, plan, territoire, rank)
    context = [f"{plan.description}"]
    convention = plan.convention(region)
    if convention and convention.signed_on:
        signed = (
            f"Le {date_longue(convention.signed_on)}, {_liste(convention.signatories)} ont signé "
            if convention.signatories
            else f"Le {date_longue(convention.signed_on)} a été signé "
        )
        context.append(
            f"{signed}la convention « {convention.name} » déclinant ce plan en {territoire}."
        )
    return ChiffresPresse(
        territoire,
        the_phase.label,
        tuple(redaction.paragraphe(chiffres)),
        tuple(valeur(bilan, code) for code in COVER),
        data_version(con, plan),
        tuple(context),
    )


@dataclass(frozen=True)
class Note:
    titre: str
    lieu_date: str
    chiffres: ChiffresPresse


def build_note(con: duckdb.DuckDBPyConnection, plan: Plan, phase: str, region: str) -> Note:
    chiffres = chiffres_presse(con, plan, phase, region)
    return Note(
        titre=(
            f"{plan.name} : bilan en {chiffres.territoire}, "
            f"{chiffres.phase[0].lower()}{chiffres.phase[1:]}"
        ),
        lieu_date=f"Le {date_longue(chiffres.version.as_of.date())}",
        chiffres=chiffres,
    )


@dataclass(frozen=True)
class Invitation:
    evenement: Evenement
    lieu_date: str
    visite: str
    chiffres: ChiffresPresse


def build_invitation(
    con: duckdb.DuckDBPyConnection, plan: Plan, region: str, evenement: Evenement
) -> Invitation:
    chiffres = chiffres_presse(con, plan, evenement.phase, region)
    accompanied = f", avec {evenement.accompagnes_de}," if evenement.accompagnes_de else ""
    verb = "visitera" if len(evenement.participants) == 1 else "visiteront"
    visite = (
        f"{_liste(evenement.participants)} {verb}{accompanied} {evenement.lieu} – "
        f"{evenement.adresse} –, le {date_longue(evenement.date)} à {heure(evenement.heure)}."
    )
    return Invitation(
        evenement=evenement,
        lieu_date=f"{evenement.ville}, le {date_longue(evenement.date_envoi)}",
        visite=visite,
        chiffres=chiffres,
    )


def wrap(paragraphs: list[str], width: int = 76) -> str:
    """Plain text for e-mail: paragraphs wrapped, never breaking at a no-break space."""
    return "\n\n".join(
        textwrap.fill(p, width=width, break_long_words=False, break_on_hyphens=False)
        for p in paragraphs
    )
