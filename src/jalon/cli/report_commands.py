"""Report commands: `jalon rapport` (the bilan as PDF or HTML) and `jalon presse note|invitation`.

Each opens the store read-only, builds the view data once (`jalon.report.document`,
`jalon.report.presse`) and writes the file named by `--sortie`, whose extension chooses the
format. Nothing is written to the store.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from jalon.cli.bilan_commands import AuOption, au_date
from jalon.cli.common import (
    DbOption,
    PhaseOption,
    PlanOption,
    RegionOption,
    RequiredRegionOption,
    app,
    console,
    fail,
    plan_for,
    plan_phase,
    store,
    user_errors,
)

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


@presse_app.command("note")
def note(
    phase: PhaseOption,
    region: RequiredRegionOption,
    sortie: SortieOption,
    db: DbOption = None,
    plan: PlanOption = None,
    au: AuOption = None,
) -> None:
    """Écrit le communiqué de presse d'une région (une page PDF, HTML ou texte .txt)."""
    kind = _format(sortie, ("pdf", "html", "txt"))
    from jalon.report import rendu
    from jalon.report.presse import build_note

    with user_errors():
        the_plan = plan_for(db, plan)
        with store(db, read_only=True) as con:
            built = build_note(con, the_plan, plan_phase(the_plan, phase), region, au_date(au))
    _write_press(sortie, kind, lambda: rendu.note_text(built), lambda: rendu.note_html(built))


@presse_app.command("invitation")
def invitation(
    region: RequiredRegionOption,
    evenement: Annotated[
        Path,
        typer.Option("--evenement", help="Fichier TOML de l'événement (lieu, date, programme…)."),
    ],
    sortie: SortieOption,
    db: DbOption = None,
    plan: PlanOption = None,
) -> None:
    """Écrit l'invitation presse d'un événement (PDF, HTML ou texte .txt pour un courriel)."""
    kind = _format(sortie, ("pdf", "html", "txt"))
    from jalon.report import rendu
    from jalon.report.presse import EvenementError, build_invitation, load_evenement

    with user_errors():
        try:
            event = load_evenement(evenement)
        except EvenementError as exc:
            fail(str(exc))
        the_plan = plan_for(db, plan)
        with store(db, read_only=True) as con:
            built = build_invitation(con, the_plan, region, event)
    _write_press(
        sortie, kind, lambda: rendu.invitation_text(built), lambda: rendu.invitation_html(built)
    )
