"""The invitation e-mail of one invitee: plain text and HTML, the invitation PDF, an `.ics`
calendar entry, and the invitee's personal reply link.

Pure composition (`email.message.EmailMessage`, `icalendar`): nothing is sent here. The texts are
the frozen documents of the event (`DocumentsFiges`), so every invitee receives the same figures.
The Message-ID is derived from the event and the invitee, so that a relay or a mailbox that sees
the same message twice can tell.
"""

from __future__ import annotations

import datetime as dt
import re
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from html import escape
from zoneinfo import ZoneInfo

import icalendar

from jalon.evenements.carnet import DocumentsFiges, EvenementEnregistre, Invite
from jalon.formatting import date_longue
from jalon.report.presse import Evenement

PARIS = ZoneInfo("Europe/Paris")


def domain_of(address: str) -> str:
    return address.rpartition("@")[2] or "jalon.invalid"


def reply_sentence(event: EvenementEnregistre) -> str:
    deadline = f" avant le {date_longue(event.date_limite)}" if event.date_limite else ""
    return f"Merci de nous dire{deadline} si vous serez présent, en suivant votre lien personnel :"


def calendar_entry(
    event: EvenementEnregistre, declaration: Evenement, link: str, organiser: str
) -> bytes:
    """The event as an iCalendar `VEVENT` (RFC 5545), `METHOD:PUBLISH`: the reply goes through
    the link, not through the calendar."""
    start = event.debut.replace(tzinfo=PARIS)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Jalon//Evenements//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = icalendar.Event()
    entry.add("uid", f"jalon-evenement-{event.id}@{domain_of(organiser)}")
    entry.add("dtstamp", event.fige_le.replace(tzinfo=PARIS) if event.fige_le else start)
    entry.add("dtstart", start)
    entry.add("dtend", start + dt.timedelta(minutes=declaration.duree_minutes))
    entry.add("summary", event.titre)
    entry.add(
        "location", f"{declaration.lieu[:1].upper()}{declaration.lieu[1:]}, {declaration.adresse}"
    )
    entry.add("description", f"{reply_sentence(event)} {link}")
    entry.add("organizer", f"mailto:{organiser}")
    calendar.add_component(entry)
    return calendar.to_ical()


def _html_with_reply(html: str, sentence: str, link: str) -> str:
    block = (
        f'<p style="margin-top:2em">{escape(sentence)}</p>'
        f'<p><a href="{escape(link)}" style="display:inline-block;padding:.5em 1em;'
        f'background:#000091;color:#fff;text-decoration:none">Répondre à l’invitation</a></p>'
    )
    if re.search(r"</body>", html, flags=re.IGNORECASE):
        return re.sub(r"</body>", block + "</body>", html, count=1, flags=re.IGNORECASE)
    return html + block


def invitation_message(
    *,
    event: EvenementEnregistre,
    declaration: Evenement,
    documents: DocumentsFiges,
    invite: Invite,
    sender: str,
    link: str,
    now: dt.datetime,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr((invite.nom, invite.courriel))
    message["Subject"] = f"Invitation presse : {event.titre}"
    message["Date"] = format_datetime(now.astimezone(PARIS))
    message["Message-ID"] = f"<jalon-evenement-{event.id}-invite-{invite.id}@{domain_of(sender)}>"
    message["Reply-To"] = declaration.rsvp
    sentence = reply_sentence(event)
    message.set_content(f"{documents.invitation_texte.rstrip()}\n\n{sentence}\n{link}\n")
    message.add_alternative(
        _html_with_reply(documents.invitation_html, sentence, link), subtype="html"
    )
    message.add_attachment(
        documents.invitation_pdf, maintype="application", subtype="pdf",
        filename="invitation-presse.pdf",
    )  # fmt: skip
    message.add_attachment(
        calendar_entry(event, declaration, link, declaration.rsvp),
        maintype="text", subtype="calendar", filename="invitation.ics",
        params={"method": "PUBLISH"},
    )  # fmt: skip
    return message
