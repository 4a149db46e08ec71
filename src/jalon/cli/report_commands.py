"""Report commands: `jalon rapport` (the bilan as PDF or HTML) and `jalon presse note|invitation`.

Each opens the store read-only, builds the view data once (`jalon.report.document`,
`jalon.report.presse`) and writes the file named by `--sortie`, whose extension chooses the
format; the press documents are printed as plain text when no `--sortie` is given. Nothing is
written to the store.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from jalon.cli.bilan_commands import AuOption, au_date
from jalon.cli.common import (
    DbOption,
    PhaseOption,
    PlanOption,
    RegionOption,
    app,
    console,
    fail,
    plan_for,
    plan_phase,
    store,
    user_errors,
)

if TYPE_CHECKING:
    from jalon.report.presse import Evenement

presse_app = typer.Typer(
    help="Dossier de presse : communiqué et invitation, écrits à partir des données.",
    no_args_is_help=True,
)
app.add_typer(presse_app, name="presse")

SortieOption = Annotated[
    Path,
    typer.Option(
        "--sortie", "-o", help="Fichier à écrire ; son extension choisit le format (.pdf, .html…)."
    ),
]


def _format(sortie: Path, allowed: tuple[str, ...]) -> str:
    """The output format named by the file's extension; checked before any computation."""
    suffix = sortie.suffix.lower().lstrip(".")
    if suffix not in allowed:
        fail(
            f"{sortie} : extension « .{suffix} » non prise en charge "
            f"(attendu : {', '.join('.' + a for a in allowed)})."
        )
    if not sortie.parent.is_dir():
        fail(f"impossible d'écrire {sortie} : le dossier {sortie.parent} n'existe pas.")
    return suffix


def _write(sortie: Path, content: str | bytes) -> None:
    try:
        if isinstance(content, bytes):
            sortie.write_bytes(content)
        else:
            sortie.write_text(content, encoding="utf-8")
    except OSError as exc:
        fail(f"impossible d'écrire {sortie} : {exc.strerror}")
    console.print(f"Écrit : {sortie}")


def _write_press(sortie: Path, kind: str, text: Callable[[], str], html: Callable[[], str]) -> None:
    """A press document as plain text (`txt`), or its HTML, printed to PDF for `pdf`."""
    from jalon.report import rendu

    if kind == "txt":
        _write(sortie, text())
    else:
        page = html()
        _write(sortie, rendu.pdf(page) if kind == "pdf" else page)


@app.command("rapport")
def rapport(
    phase: PhaseOption,
    sortie: SortieOption,
    region: RegionOption = None,
    national: Annotated[bool, typer.Option("--national", help="Bilan national.")] = False,
    interne: Annotated[
        bool,
        typer.Option(
            "--interne",
            help="Pour le comité de pilotage : sans secret statistique, « Diffusion restreinte ».",
        ),
    ] = False,
    db: DbOption = None,
    plan: PlanOption = None,
    au: AuOption = None,
) -> None:
    """Écrit le bilan d'une phase (PDF ou HTML) pour une région ou pour la France entière."""
    if (region is None) == (not national):
        fail("indiquez soit --region CODE, soit --national.")
    kind = _format(sortie, ("pdf", "html"))
    day = au_date(au)
    # WeasyPrint and vl-convert take a while to import: only the report commands pay for it.
    from jalon.report import rendu
    from jalon.report.document import build_document

    with user_errors():
        the_plan = plan_for(db, plan)
        with store(db, read_only=True) as con:
            doc = build_document(
                con, the_plan, plan_phase(the_plan, phase), region, interne=interne, au=day
            )
    html = rendu.bilan_html(doc)
    _write(sortie, rendu.pdf(html) if kind == "pdf" else html)
    console.print(f"Version des données : {doc.version.code}")


PresseSortieOption = Annotated[
    Path | None,
    typer.Option(
        "--sortie",
        "-o",
        help="Fichier à écrire (.pdf, .html ou .txt) ; sans --sortie, le texte est imprimé.",
    ),
]
LieuOption = Annotated[
    str | None,
    typer.Option("--lieu", help="Lieu d'émission (défaut : « ville » du fichier d'événement)."),
]
DateOption = Annotated[
    str | None,
    typer.Option(
        "--date",
        help="Date d'émission, AAAA-MM-JJ (défaut : « date_envoi » du fichier d'événement).",
    ),
]
InterneOption = Annotated[
    bool,
    typer.Option(
        "--interne",
        help="Version interne : dit qu'elle l'est et donne la version des données.",
    ),
]


def _evenement(path: Path | None) -> Evenement | None:
    from jalon.report.presse import EvenementError, load_evenement

    if path is None:
        return None
    try:
        return load_evenement(path)
    except EvenementError as exc:
        fail(str(exc))


def _issue_date(text: str | None, event: Evenement | None) -> date:
    from jalon.report.presse import parse_date

    if text is not None:
        try:
            return parse_date(text)
        except ValueError as exc:
            fail(f"--date : {exc}")
    if event is None:
        fail(
            "indiquez la date d'émission : --date AAAA-MM-JJ, ou un fichier d'événement "
            "(--evenement) qui la donne (date_envoi)."
        )
    return event.date_envoi


def _region(region: str | None, event: Evenement | None) -> str:
    chosen = region or (event.region if event else None)
    if chosen is None:
        fail("indiquez la région : --region CODE (ou « region » dans le fichier d'événement).")
    return chosen


def _press_output(
    sortie: Path | None, kind: str, text: Callable[[], str], html: Callable[[], str]
) -> None:
    """The document on standard output as plain text, or written to `sortie`."""
    if sortie is None:
        typer.echo(text(), nl=False)
    else:
        _write_press(sortie, kind, text, html)


@presse_app.command("note")
def note(
    region: RegionOption = None,
    phase: Annotated[
        str | None,
        typer.Option("--phase", help="Phase du plan (défaut : celle du fichier d'événement)."),
    ] = None,
    sortie: PresseSortieOption = None,
    evenement: Annotated[
        Path | None,
        typer.Option(
            "--evenement", help="Fichier TOML de l'événement : contacts presse, protocole, date."
        ),
    ] = None,
    lieu: LieuOption = None,
    date_emission: DateOption = None,
    interne: InterneOption = False,
    db: DbOption = None,
    plan: PlanOption = None,
    au: AuOption = None,
) -> None:
    """Le communiqué de presse d'une région : texte imprimé, ou une page PDF, HTML ou .txt."""
    kind = _format(sortie, ("pdf", "html", "txt")) if sortie else "txt"
    event = _evenement(evenement)
    issued = _issue_date(date_emission, event)
    code = _region(region, event)
    from jalon.report import rendu
    from jalon.report.presse import EvenementError, build_note

    with user_errors():
        the_plan = plan_for(db, plan)
        chosen = phase or (event.phase if event else None)
        if chosen is None:
            fail("indiquez la phase : --phase (ou un fichier d'événement qui la donne).")
        the_phase = plan_phase(the_plan, chosen)
        if (
            event is not None
            and phase is not None
            and plan_phase(the_plan, event.phase) != the_phase
        ):
            fail(f"--phase {phase} : le fichier d'événement porte sur la phase {event.phase}.")
        with store(db, read_only=True) as con:
            try:
                built = build_note(
                    con,
                    the_plan,
                    the_phase,
                    code,
                    date=issued,
                    lieu=lieu or (event.ville if event else None),
                    evenement=event,
                    interne=interne,
                    au=au_date(au),
                )
            except EvenementError as exc:
                fail(str(exc))
    _press_output(sortie, kind, lambda: rendu.note_text(built), lambda: rendu.note_html(built))


@presse_app.command("invitation")
def invitation(
    evenement: Annotated[
        Path,
        typer.Option("--evenement", help="Fichier TOML de l'événement (lieu, date, programme…)."),
    ],
    region: RegionOption = None,
    sortie: PresseSortieOption = None,
    lieu: LieuOption = None,
    date_emission: DateOption = None,
    interne: InterneOption = False,
    db: DbOption = None,
    plan: PlanOption = None,
) -> None:
    """L'invitation presse d'un événement : texte imprimé, ou PDF, HTML ou .txt."""
    kind = _format(sortie, ("pdf", "html", "txt")) if sortie else "txt"
    event = _evenement(evenement)
    assert event is not None
    issued = _issue_date(date_emission, event)
    code = _region(region, event)
    from jalon.report import rendu
    from jalon.report.presse import EvenementError, build_invitation

    with user_errors():
        the_plan = plan_for(db, plan)
        with store(db, read_only=True) as con:
            try:
                built = build_invitation(
                    con, the_plan, code, event, lieu=lieu, date=issued, interne=interne
                )
            except EvenementError as exc:
                fail(str(exc))
    _press_output(
        sortie, kind, lambda: rendu.invitation_text(built), lambda: rendu.invitation_html(built)
    )
