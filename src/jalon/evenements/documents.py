"""The documents of an event: the frozen invitation and note, the press kit, the sign-in sheet.

`freeze` reads the store (read-only) once: it writes the invitation (HTML, text, PDF), the note
(HTML, text) and the press kit (note, public bilan with its charts, map and definitions, press
contacts) from the same data version, and keeps them in the carnet; every later message and
download uses these bytes, whatever is imported afterwards. The sign-in sheet is drawn from the
carnet on the day (confirmed invitees, alphabetical, by category). Rendering goes through
`jalon.report.rendu` (WeasyPrint without network or file access).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import duckdb
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from jalon.evenements.carnet import Carnet, DocumentsFiges, EvenementEnregistre, Invite
from jalon.evenements.invites import CATEGORIES
from jalon.formatting import date_longue
from jalon.plan import Plan
from jalon.report.presse import Evenement, build_invitation, build_note, heure
from jalon.report.typographie import typographie

FREE_LINES = 5


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("jalon.evenements", "templates"),
        autoescape=select_autoescape(["html", "html.j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["typo"] = typographie
    env.filters["capitalize_first"] = lambda text: text[:1].upper() + text[1:]
    return env


def _css() -> str:
    from importlib import resources

    return (resources.files("jalon.evenements") / "templates" / "evenement.css").read_text(
        encoding="utf-8"
    )


def when(event: EvenementEnregistre) -> str:
    return f"le {date_longue(event.debut.date())} à {heure(event.debut.time())}"


def _place(declaration: Evenement) -> str:
    return f"{declaration.lieu[:1].upper()}{declaration.lieu[1:]}, {declaration.adresse}"


def freeze(
    carnet: Carnet,
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    event: EvenementEnregistre,
    declaration: Evenement,
) -> str:
    """Write and keep the event's documents at today's data version; return that version. An
    event already frozen keeps its documents."""
    from jalon.report import rendu
    from jalon.report.document import build_document

    if event.fige:
        return event.version_donnees or ""
    invitation = build_invitation(con, plan, event.region, declaration)
    note = build_note(
        con, plan, declaration.phase, event.region, date=declaration.date_envoi,
        lieu=declaration.ville, evenement=declaration,
    )  # fmt: skip
    bilan = build_document(con, plan, declaration.phase, event.region, interne=False)
    version = invitation.chiffres.version.code
    invitation_html = rendu.invitation_html(invitation)
    note_html = rendu.note_html(note)
    documents = DocumentsFiges(
        invitation_html=invitation_html,
        invitation_texte=rendu.invitation_text(invitation),
        invitation_pdf=rendu.pdf(invitation_html),
        note_html=note_html,
        note_texte=rendu.note_text(note),
    )
    contacts = _environment().get_template("contacts.html.j2").render(
        titre=event.titre, quand=when(event), lieu=_place(declaration),
        contacts=declaration.contacts, version=version, css=_css(),
    )  # fmt: skip
    kit = _merged([note_html, rendu.bilan_html(bilan), contacts])
    carnet.freeze(event.id, version, documents, kit)
    return version


def _merged(htmls: list[str]) -> bytes:
    """One PDF of several HTML documents, each keeping its own style sheet and page furniture."""
    from weasyprint import HTML, URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    rendered = [HTML(string=html, url_fetcher=fetcher).render() for html in htmls]
    pages = [page for document in rendered for page in document.pages]
    return bytes(rendered[0].copy(pages).write_pdf(pdf_tags=True))


@dataclass(frozen=True)
class Groupe:
    libelle: str
    lignes: list[Invite]


def sign_in_sheet(carnet: Carnet, event: EvenementEnregistre, declaration: Evenement) -> bytes:
    """The *liste d'émargement*: confirmed invitees, alphabetical within each category, and
    free lines for those who come without having answered."""
    from jalon.report import rendu

    confirmed = [i for i in carnet.invitees(event.id) if i.presence]
    groups = [
        Groupe(label, sorted((i for i in confirmed if i.categorie == code), key=_alphabetical))
        for code, label in CATEGORIES.items()
    ]
    html = _environment().get_template("emargement.html.j2").render(
        titre=event.titre, quand=when(event), lieu=_place(declaration), groupes=groups,
        lignes_libres=FREE_LINES, css=_css(),
    )  # fmt: skip
    return rendu.pdf(html)


def _alphabetical(invite: Invite) -> tuple[str, str]:
    import unicodedata

    last = invite.nom.split()[-1] if invite.nom.split() else invite.nom
    folded = unicodedata.normalize("NFKD", last).encode("ascii", "ignore").decode().casefold()
    return folded, invite.nom.casefold()
