"""Invitees' replies: by their personal link (single use, closed when the event starts) or entered
by the organiser from the mailbox; counts by category for the organiser's page and
`jalon evenement reponses`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from jalon.evenements.carnet import Carnet, CarnetError, EvenementEnregistre, Invite
from jalon.evenements.invites import CATEGORIES
from jalon.evenements.jetons import verified
from jalon.formatting import nombre

MAX_PERSONNES = 20


class LienError(CarnetError):
    """A reply link that cannot be used; the message says why, in words for the invitee."""


def invitee_of_link(
    carnet: Carnet, secret: bytes, link_token: str, now: dt.datetime
) -> tuple[EvenementEnregistre, Invite]:
    token = verified(secret, link_token)
    found = carnet.invitee_by_token(token) if token else None
    if found is None:
        raise LienError(
            "Ce lien de réponse n'est pas valide. Vérifiez qu'il est complet, ou répondez à "
            "l'adresse indiquée dans l'invitation."
        )
    event, invite = found
    if now >= event.debut:
        raise LienError("L'événement a commencé : les réponses par ce lien sont closes.")
    if invite.source == "lien":
        raise LienError(
            "Vous avez déjà répondu par ce lien. Pour changer votre réponse, écrivez à l'adresse "
            "indiquée dans l'invitation."
        )
    return event, invite


def check_personnes(presence: bool, personnes: int) -> int:
    if not presence:
        return 0
    if not 1 <= personnes <= MAX_PERSONNES:
        raise CarnetError(f"nombre de personnes : de 1 à {MAX_PERSONNES} pour une présence.")
    return personnes


def reply_by_link(
    carnet: Carnet,
    secret: bytes,
    link_token: str,
    presence: bool,
    personnes: int,
    now: dt.datetime,
) -> tuple[EvenementEnregistre, Invite]:
    event, invite = invitee_of_link(carnet, secret, link_token, now)
    carnet.record_reply(invite.id, presence, check_personnes(presence, personnes), "lien")
    return event, invite


@dataclass(frozen=True)
class Compte:
    """One line of the counts: a category, or the total."""

    libelle: str
    invites: int
    envoyes: int
    presents: int
    personnes: int
    absents: int
    sans_reponse: int
    venus: int


def summary_sentence(lines: list[Compte]) -> str:
    """The event in one sentence, after the day: invited, replied, came, by category."""
    from jalon.formatting import accord, effectif

    total = lines[-1]
    replied = total.presents + total.absents
    came = [f"{effectif(c.venus, c.libelle[:-1].lower(), c.libelle.lower())}" for c in lines[:-1]
            if c.venus]  # fmt: skip
    announced = accord(total.presents, "présence annoncée", "présences annoncées")
    return (
        f"{effectif(total.invites, 'invité')}, {effectif(replied, 'réponse')} "
        f"({nombre(total.presents)} {announced}, {effectif(total.absents, 'absence')}), "
        f"{effectif(total.venus, 'personne venue', 'personnes venues')}"
        + (f" : {', '.join(came)}." if came else ".")
    )


def counts(invitees: list[Invite]) -> list[Compte]:
    """Counts by category (in `CATEGORIES` order), then the total."""

    def line(label: str, people: list[Invite]) -> Compte:
        return Compte(
            label,
            len(people),
            sum(i.envoi == "envoye" for i in people),
            sum(i.presence is True for i in people),
            sum(i.personnes or 0 for i in people if i.presence),
            sum(i.presence is False for i in people),
            sum(i.presence is None for i in people),
            sum(i.venu is True for i in people),
        )

    lines = [
        line(label, [i for i in invitees if i.categorie == code])
        for code, label in CATEGORIES.items()
    ]
    return [*lines, line("Total", invitees)]
