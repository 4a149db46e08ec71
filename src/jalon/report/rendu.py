"""Render report view data to HTML (Jinja2) and PDF (WeasyPrint).

The templates and style sheets live in `jalon/report/templates/`; autoescaping is on. Rendering is
pure: the same view data give the same HTML bytes, and the PDF's dates are taken from the HTML's
`dcterms` metadata (the data version's date), never from the clock. WeasyPrint is given no base
URL and a fetcher that refuses every URL but inline `data:` ones, so a document cannot reach the
network or the file system.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from weasyprint import HTML, URLFetcher

from jalon.formatting import date_longue, nombre, pourcentage
from jalon.report.document import NON_DISPONIBLE, Document
from jalon.report.presse import Contact, Invitation, Note, mention_interne, wrap
from jalon.report.typographie import exposants, typographie

_CODE = re.compile(r"`([^`]+)`")


def _prose(text: str) -> Markup:
    """Prose for HTML: French typography, escaped, ordinals in superscript, `code` spans set in
    a monospace font."""
    html = exposants(str(escape(typographie(text))))
    return Markup(_CODE.sub(r"<code>\1</code>", html))


def _w3c(moment: dt.datetime) -> str:
    """The W3C date-time that WeasyPrint copies into the PDF's dates."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("jalon.report", "templates"),
        autoescape=select_autoescape(["html", "html.j2"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        typo=typographie,
        nombre=nombre,
        pourcentage=pourcentage,
        date_longue=date_longue,
        w3c=_w3c,
        prose=_prose,
    )
    env.globals["non_disponible"] = NON_DISPONIBLE
    return env


def stylesheet(name: str) -> str:
    return (resources.files("jalon.report") / "templates" / name).read_text(encoding="utf-8")


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def bilan_html(doc: Document) -> str:
    return render("bilan.html.j2", doc=doc, css=stylesheet("bilan.css"))


def pdf(html: str) -> bytes:
    """The PDF of an HTML document (A4 and page furniture come from its style sheet), tagged so
    that screen readers follow its structure (headings, tables, image alternatives)."""
    fetcher = URLFetcher(allowed_protocols={"data"})
    return bytes(HTML(string=html, url_fetcher=fetcher).write_pdf(pdf_tags=True))


def _fin(text: str) -> str:
    """A plain-text document in French typography, ending with exactly one newline."""
    return typographie(text).rstrip("\n") + "\n"


def _contact(c: Contact) -> str:
    details = [d for d in (c.telephone, c.courriel) if d]
    return " – ".join([f"{typographie(c.organisme)}\u202f: {c.nom}", *details])


def note_html(note: Note) -> str:
    return render(
        "note.html.j2",
        note=note,
        css=stylesheet("presse.css"),
        contacts=[_contact(c) for c in note.contacts],
        interne=mention_interne(note.chiffres.version) if note.interne else None,
    )


def note_text(note: Note) -> str:
    paragraphs = [*note.contexte, *note.chiffres.phrases]
    text = wrap([typographie(p) for p in paragraphs])
    # French typography over the whole text: the template's own words need it too.
    return _fin(
        render(
            "note.txt.j2",
            note=note,
            paragraphes=text,
            contacts=[_contact(c) for c in note.contacts],
            interne=wrap([mention_interne(note.chiffres.version)]) if note.interne else None,
        )
    )


def _invitation_paragraphs(inv: Invitation) -> list[str]:
    event = inv.evenement
    return [
        *event.introduction,
        *event.protocole,
        *inv.chiffres.phrases,
        *event.suite,
        inv.visite,
        *([event.participation] if event.participation else []),
    ]


def invitation_html(inv: Invitation) -> str:
    return render(
        "invitation.html.j2",
        inv=inv,
        css=stylesheet("presse.css"),
        contacts=[_contact(c) for c in inv.evenement.contacts],
        interne=mention_interne(inv.chiffres.version) if inv.interne else None,
    )


def invitation_text(inv: Invitation) -> str:
    text = wrap([typographie(p) for p in _invitation_paragraphs(inv)])
    return _fin(
        render(
            "invitation.txt.j2",
            inv=inv,
            paragraphes=text,
            rsvp=wrap([typographie(inv.rsvp)]),
            contacts=[_contact(c) for c in inv.evenement.contacts],
            interne=wrap([mention_interne(inv.chiffres.version)]) if inv.interne else None,
        )
    )
