"""The press kit: a one-page press release and a press invitation, written from the data.

`build_note` and `build_invitation` read the store (read-only) through the same view builders as
the bilan, and word the key figures with the rules of `jalon.report.redaction`, so a figure reads
the same in the bilan, the note and the invitation. The event (place and date of issue, protocol
paragraph, visit, programme, RSVP, press contacts) comes from a TOML file that `load_evenement`
validates, naming each wrong key in French; its own text is checked against the data
(`redaction.contradictions`) before anything is written. Outputs are plain data rendered to
HTML/PDF or to plain text by `jalon.report.rendu`; dates come from the command line, the event
file and the data version, never from the clock. The public version names no data version in
its text (it stays in the document's metadata); the internal version (`interne`) says it.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from jalon.formatting import date_longue
from jalon.indicators.bilan import Bilan, estimated_note
from jalon.plan import Plan
from jalon.reference import region as region_of
from jalon.report import redaction
from jalon.report.document import (
    COVER,
    Valeur,
    chiffres_cles,
    etat_sentences,
    ex_aequo_of,
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
_COURRIEL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
_TELEPHONE = r"^\+?[0-9][0-9 .\u00a0-]{5,}[0-9]$"
#: Keys whose values are a person's name or contact details: never repeated in a message.
_PERSONAL = frozenset({"contacts", "participants", "rsvp"})


class EvenementError(ValueError):
    """An event file that cannot be read, does not match the expected keys, or contradicts the
    data."""


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    organisme: str = Field(min_length=1)
    nom: str = Field(min_length=1)
    telephone: str | None = Field(default=None, pattern=_TELEPHONE)
    courriel: str | None = Field(default=None, pattern=_COURRIEL)


class Evenement(BaseModel):
    """A press event, as declared in its TOML file (see `tests/data/evenements/`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    phase: str
    region: str | None = Field(default=None, pattern=r"^\d{2}$")
    ville: str = Field(description="ville d'où l'invitation est envoyée")
    date_envoi: dt.date
    titre: str
    introduction: list[str] = []
    protocole: list[str] = []
    suite: list[str] = []
    participants: list[str] = Field(min_length=1)
    accompagnes_de: str | None = None
    lieu: str
    adresse: str
    date: dt.date
    heure: dt.time
    participation: str | None = None
    programme: list[str] = list(PROGRAMME)
    rsvp: str = Field(pattern=_COURRIEL)
    rsvp_avant: dt.date | None = None
    contacts: list[Contact] = []
    duree_minutes: int = Field(90, ge=15, le=720)
    conservation_jours: int = Field(
        30, ge=0, le=365, description="jours de conservation des invités après l'événement"
    )
    _source: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _dates(self) -> Evenement:
        if self.date < self.date_envoi:
            raise ValueError(
                f"l'événement (date = {self.date}) a lieu avant l'envoi de l'invitation "
                f"(date_envoi = {self.date_envoi})"
            )
        if self.rsvp_avant is not None and not self.date_envoi <= self.rsvp_avant <= self.date:
            raise ValueError(
                f"rsvp_avant = {self.rsvp_avant} : attendu une date entre l'envoi "
                f"({self.date_envoi}) et l'événement ({self.date})"
            )
        return self

    def textes(self) -> dict[str, list[str]]:
        """The event's own prose, by key: what the data must not contradict."""
        return {
            "titre": [self.titre],
            "introduction": self.introduction,
            "protocole": self.protocole,
            "suite": self.suite,
            "participation": [self.participation] if self.participation else [],
        }


def _personal(location: tuple[int | str, ...]) -> bool:
    return bool(location) and location[0] in _PERSONAL


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
        event = Evenement.model_validate(raw)
    except ValidationError as exc:
        message = f"{path} : fichier d'événement invalide\n{validation_lines(exc, _personal)}"
        raise EvenementError(message) from None
    event._source = path
    return event


def heure(moment: dt.time) -> str:
    """`11 heures`, `11 h 30` — as French invitations write times."""
    if moment.minute == 0:
        return f"{moment.hour}\u00a0heure{'s' if moment.hour > 1 else ''}"
    return f"{moment.hour}\u00a0h\u00a0{moment.minute:02d}"


def emission(lieu: str | None, date: dt.date) -> str:
    """The place and date of issue: « Toulouse, le 23 janvier 2017 » (« Le … » without place)."""
    day = f"le {date_longue(date)}"
    return f"{lieu}, {day}" if lieu else day[0].upper() + day[1:]


def parse_date(text: str) -> dt.date:
    """A date given on the command line: `2017-01-23` or `23/01/2017`."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise ValueError(
        f"date invalide « {text} » (attendu : AAAA-MM-JJ ou JJ/MM/AAAA, par exemple 2017-01-23)"
    )


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
    cles: redaction.ChiffresCles


def chiffres_presse(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    phase: str,
    region: str,
    au: dt.date | None = None,
) -> ChiffresPresse:
    """The key-figure sentences and values of a region's phase, and the plan's context, as of
    the date d'arrêt des données (or `au`, when earlier)."""
    bilan, classement, _ = territory_views(con, plan, phase, region, interne=False, au=au)
    rank = rank_of(classement, region)
    territoire = region_of(region).nom
    the_phase = plan.phase(phase)

    chiffres = chiffres_cles(bilan, plan, territoire, rank, ex_aequo_of(classement, region))
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
        etat_sentences(bilan) + tuple(redaction.paragraphe(chiffres)),
        tuple(_valeur_presse(bilan, plan, code) for code in COVER),
        data_version(con, plan),
        tuple(context),
        chiffres,
    )


_TARGET_FIGURES = {
    "objectif_entrees": "total_entries",
    "objectif_supplementaires": "additional_entries",
}


def _valeur_presse(bilan: Bilan, plan: Plan, code: str) -> Valeur:
    """A key figure of the press kit, whose list prints no notes: an estimated target says
    so in its label, as the sentences do."""
    v = valeur(bilan, code)
    figure = _TARGET_FIGURES.get(code)
    if figure and estimated_note(plan, bilan.phase, bilan.region, figure):
        return replace(v, libelle=f"{v.libelle} (estimé)")
    return v


def _position(source: Path | None, extrait: str) -> str:
    """« ligne L, colonne C » of a claim in the event file, when it is written there verbatim."""
    if source is None:
        return ""
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
    found = re.search(re.escape(extrait), text)
    if found is None:
        return ""
    line = text.count("\n", 0, found.start()) + 1
    column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
    return f", ligne {line}, colonne {column}"


def check_evenement(evenement: Evenement, region: str, chiffres: ChiffresPresse) -> None:
    """Refuse an event file for another region, or whose own text the data contradict."""
    source = evenement._source
    name = source if source is not None else "fichier d'événement"
    if evenement.region is not None and evenement.region != region:
        raise EvenementError(
            f"{name} : l'événement est celui de la région {evenement.region} "
            f"({region_of(evenement.region).nom}, clé « region »), la commande porte sur la "
            f"région {region} ({chiffres.territoire})."
        )
    found = redaction.contradictions(evenement.textes(), chiffres.cles)
    if found:
        lines = "\n".join(
            f"  - clé « {c.cle} »{_position(source, c.extrait)} : « {c.extrait} » "
            f"contredit les données ({c.raison})"
            for c in found
        )
        raise EvenementError(
            f"{name} : le texte de l'événement contredit les chiffres de {chiffres.territoire} "
            f"({chiffres.phase}) ; corrigez-le ou retirez la phrase\n{lines}"
        )


@dataclass(frozen=True)
class Note:
    titre: str
    lieu_date: str
    chiffres: ChiffresPresse
    contexte: tuple[str, ...]
    contacts: tuple[Contact, ...]
    interne: bool


def build_note(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    phase: str,
    region: str,
    *,
    date: dt.date,
    lieu: str | None = None,
    evenement: Evenement | None = None,
    interne: bool = False,
    au: dt.date | None = None,
) -> Note:
    """The press release of a region's phase, issued at `lieu` on `date`, with the figures as
    of the date d'arrêt des données (or `au`, when earlier); an event file, if given, brings the
    protocol paragraph and the press contacts (and its text is checked)."""
    chiffres = chiffres_presse(con, plan, phase, region, au)
    contexte = chiffres.contexte
    contacts: tuple[Contact, ...] = ()
    if evenement is not None:
        check_evenement(evenement, region, chiffres)
        if evenement.protocole:
            contexte = (*evenement.introduction, *evenement.protocole)
        contacts = tuple(evenement.contacts)
    return Note(
        titre=(
            f"{plan.name} : bilan en {chiffres.territoire}, "
            f"{chiffres.phase[0].lower()}{chiffres.phase[1:]}"
        ),
        lieu_date=emission(lieu, date),
        chiffres=chiffres,
        contexte=contexte,
        contacts=contacts,
        interne=interne,
    )


@dataclass(frozen=True)
class Invitation:
    evenement: Evenement
    lieu_date: str
    visite: str
    rsvp: str
    chiffres: ChiffresPresse
    interne: bool


def build_invitation(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    region: str,
    evenement: Evenement,
    *,
    lieu: str | None = None,
    date: dt.date | None = None,
    interne: bool = False,
    au: dt.date | None = None,
) -> Invitation:
    """The invitation to the event, issued at `lieu` on `date` (the event file's `ville` and
    `date_envoi` by default), with the figures as of the date d'arrêt des données (or `au`)."""
    chiffres = chiffres_presse(con, plan, evenement.phase, region, au)
    check_evenement(evenement, region, chiffres)
    accompanied = f", avec {evenement.accompagnes_de}," if evenement.accompagnes_de else ""
    verb = "visitera" if len(evenement.participants) == 1 else "visiteront"
    visite = (
        f"{_liste(evenement.participants)} {verb}{accompanied} {evenement.lieu} – "
        f"{evenement.adresse} –, le {date_longue(evenement.date)} à {heure(evenement.heure)}."
    )
    deadline = f" avant le {date_longue(evenement.rsvp_avant)}" if evenement.rsvp_avant else ""
    return Invitation(
        evenement=evenement,
        lieu_date=emission(lieu or evenement.ville, date or evenement.date_envoi),
        visite=visite,
        rsvp=(
            "Vous êtes cordialement invités à cette rencontre. Merci de bien vouloir confirmer "
            f"votre présence{deadline} à l'adresse suivante :"
        ),
        chiffres=chiffres,
        interne=interne,
    )


def mention_interne(version: DataVersion) -> str:
    """What the internal version says of itself, and the data it was written from."""
    return (
        f"Version interne, à ne pas diffuser. Chiffres : Jalon, version des données {version.code}."
    )


def wrap(paragraphs: list[str], width: int = 76) -> str:
    """Plain text for e-mail: paragraphs wrapped, never breaking at a no-break space."""
    return "\n\n".join(
        textwrap.fill(p, width=width, break_long_words=False, break_on_hyphens=False)
        for p in paragraphs
    )
