"""Event commands: `jalon evenement creer|lister|invites|figer|envoyer|reponses|repondre|
presence|synthese|emargement|dossier|supprimer`; EVENEMENT is a number or the event's file.

Thin wrappers over `jalon.evenements`: the carnet beside the base holds the events and their
invitees; the base itself is only read (to freeze the figures). Commands run as the base's
owner, with national scope.
"""

from __future__ import annotations

import csv
import datetime as dt
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from jalon.cli.common import (
    DbOption,
    PlanOption,
    app,
    console,
    fail,
    plan_for,
    plan_phase,
    region_code,
    store,
    user_errors,
)
from jalon.formatting import date_longue, effectif, nombre
from jalon.store import default_db_path

if TYPE_CHECKING:
    from jalon.evenements import Carnet
    from jalon.evenements.carnet import EvenementEnregistre
    from jalon.report.presse import Evenement

evenement_app = typer.Typer(
    help="Événement presse : invités, invitations envoyées, réponses, émargement, dossier.",
    no_args_is_help=True,
)
app.add_typer(evenement_app, name="evenement")

EventArgument = Annotated[
    str,
    typer.Argument(
        metavar="EVENEMENT", help="Numéro de l'événement, ou son fichier TOML (enregistré s'il ne "
        "l'est pas encore)."
    ),
]  # fmt: skip
LOCAL_SERVER = "http://127.0.0.1:8000"
SortiePdf = Annotated[Path, typer.Option("--sortie", help="Fichier PDF à écrire.")]


def _carnet(db: Path | None) -> Carnet:
    from jalon.evenements import open_carnet

    path = db or default_db_path()
    if not path.exists():
        fail(f"base introuvable : {path} (« jalon init » la crée).")
    return open_carnet(path)


def _declaration(event: EvenementEnregistre) -> Evenement:
    from jalon.report.presse import Evenement

    return Evenement.model_validate(tomllib.loads(event.declaration))


def _load(path: Path) -> tuple[Evenement, str]:
    from jalon.report.presse import EvenementError, load_evenement

    try:
        declaration = load_evenement(path)
    except EvenementError as exc:
        fail(str(exc))
    return declaration, path.read_text(encoding="utf-8")


def _register(fichier: Path, region: str | None, db: Path | None, plan: Path | None) -> int:
    declaration, text = _load(fichier)
    declared = region_code(declaration.region) if declaration.region else None
    if declared and region and declared != region:
        fail(f"{fichier.name} déclare la région {declared}, et --region donne {region}.")
    chosen = declared or region
    if chosen is None:
        fail(f"{fichier.name} ne dit pas la région de l'événement : ajoutez region = \"76\" "
             "(ou son nom) au fichier, ou --region.")  # fmt: skip
    with user_errors():
        phase = plan_phase(plan_for(db, plan), declaration.phase)
    kept = declaration.date + dt.timedelta(days=declaration.conservation_jours)
    event_id = _carnet(db).add_event(
        region=chosen, phase=phase, titre=declaration.titre,
        debut=dt.datetime.combine(declaration.date, declaration.heure),
        date_limite=declaration.rsvp_avant, conserver_jusqu_au=kept,
        declaration=text, cree_par=None,
    )  # fmt: skip
    console.print(
        f"Événement n° {event_id} enregistré : {declaration.titre}. Ses invités et leurs "
        f"réponses seront effacés le {date_longue(kept + dt.timedelta(days=1))}."
    )
    return event_id


def _event(
    carnet: Carnet, text: str, db: Path | None = None, plan: Path | None = None
) -> EvenementEnregistre:
    """The event a command names: its number, or its file (registered on first use)."""
    from jalon.evenements import CarnetError

    try:
        if text.strip().isdigit():
            return carnet.event(int(text), None)
        path = Path(text)
        if not path.is_file():
            fail(f"« {text} » n'est ni un numéro d'événement ni un fichier d'événement.")
        found = carnet.event_by_declaration(path.read_text(encoding="utf-8"))
        return found or carnet.event(_register(path, None, db, plan), None)
    except CarnetError as exc:
        fail(str(exc))


@evenement_app.command("creer")
def creer(
    fichier: Annotated[Path, typer.Argument(help="Fichier TOML de l'événement.")],
    region: Annotated[
        str | None,
        typer.Option(
            "--region",
            help="Région de l'événement, si le fichier ne la donne pas.",
            callback=region_code,
        ),
    ] = None,
    db: DbOption = None,
    plan: PlanOption = None,
) -> None:
    """Enregistre un événement déclaré dans un fichier TOML (lieu, date, programme, contacts)."""
    _register(fichier, region, db, plan)


@evenement_app.command("lister")
def lister(db: DbOption = None) -> None:
    """Liste les événements enregistrés."""
    from jalon.reference import region as region_of

    events = _carnet(db).events(None)
    if not events:
        console.print("Aucun événement (« jalon evenement creer FICHIER.toml »).")
        return
    table = Table("N°", "Date", "Région", "Titre", "Chiffres", box=None)
    for e in events:
        table.add_row(
            str(e.id), e.debut.strftime("%d/%m/%Y %H:%M"), region_of(e.region).nom, e.titre,
            f"figés (version {e.version_donnees})" if e.fige else "non figés",
        )  # fmt: skip
    console.print(table)


@evenement_app.command("invites")
def invites(
    evenement: EventArgument,
    liste: Annotated[Path, typer.Argument(help="Liste des invités (.csv ou .xlsx).")],
    db: DbOption = None,
    plan: PlanOption = None,
) -> None:
    """Ajoute les invités d'une liste (nom, organisation, courriel, catégorie)."""
    from jalon.evenements.invites import ListeError, read_invitees
    from jalon.evenements.jetons import new_token

    carnet = _carnet(db)
    event = _event(carnet, evenement, db, plan)
    try:
        people = read_invitees(liste)
    except ListeError as exc:
        fail(str(exc))
    added, present = carnet.add_invitees(
        event.id, [p.as_row() for p in people], [new_token() for _ in people]
    )
    console.print(
        f"{effectif(added, 'invité ajouté', 'invités ajoutés')}"
        + (f", {effectif(present, 'déjà présent')} (même adresse)" if present else "")
        + f" à l'événement n° {event.id}."
    )


def _freeze(carnet: Carnet, event: EvenementEnregistre, db: Path | None, plan: Path | None) -> str:
    from jalon.evenements.documents import freeze

    with user_errors():
        the_plan = plan_for(db, plan)
        with store(db, read_only=True) as con:
            return freeze(carnet, con, the_plan, event, _declaration(event))


@evenement_app.command("figer")
def figer(evenement: EventArgument, db: DbOption = None, plan: PlanOption = None) -> None:
    """Fige les chiffres de l'événement (invitation, communiqué, dossier) à la version actuelle."""
    carnet = _carnet(db)
    event = _event(carnet, evenement, db, plan)
    if event.fige:
        console.print(f"Chiffres déjà figés le {event.fige_le:%d/%m/%Y à %H:%M}, version "
                      f"{event.version_donnees} : ils ne changent plus.")  # fmt: skip
        return
    console.print(f"Chiffres figés : version des données {_freeze(carnet, event, db, plan)}.")


@evenement_app.command("envoyer")
def envoyer(
    evenement: EventArgument,
    adresse_publique: Annotated[
        str,
        typer.Option(
            "--adresse-publique",
            envvar="JALON_ADRESSE_PUBLIQUE",
            help="Adresse du site Jalon vue des invités, pour les liens de réponse "
            "(ex. https://jalon.region.fr ; défaut : $JALON_ADRESSE_PUBLIQUE, sinon ce poste).",
        ),
    ] = LOCAL_SERVER,
    par_minute: Annotated[
        int, typer.Option("--par-minute", min=1, max=600, help="Courriels par minute au plus.")
    ] = 30,
    db: DbOption = None,
    plan: PlanOption = None,
) -> None:
    """Envoie les invitations par courriel ; relancée, n'écrit qu'à ceux qui ne l'ont pas reçue."""
    from jalon.evenements.envoi import EnvoiError, SmtpSettings, send_invitations
    from jalon.ingest.pseudonymise import key_from_env

    if not adresse_publique.startswith(("https://", "http://")):
        fail(f"--adresse-publique « {adresse_publique} » : attendu une adresse web en https://.")
    carnet = _carnet(db)
    with user_errors():
        secret = key_from_env()
    try:
        settings = SmtpSettings.from_env()
    except EnvoiError as exc:
        fail(str(exc))
    event = _event(carnet, evenement, db, plan)
    if not carnet.invitees(event.id):
        fail(f"l'événement n° {event.id} n'a pas d'invités (« jalon evenement invites »).")
    if dt.datetime.now() >= event.debut:
        fail("l'événement a commencé : il est trop tard pour inviter.")
    if adresse_publique == LOCAL_SERVER:
        console.print(
            f"[yellow]Attention : les liens de réponse mènent à {LOCAL_SERVER}, qui ne répond que "
            "sur ce poste. Donnez l'adresse publique du site (--adresse-publique ou "
            "JALON_ADRESSE_PUBLIQUE) pour que les invités puissent répondre en ligne.[/]"
        )
    if not event.fige:
        console.print(f"Chiffres figés : version des données {_freeze(carnet, event, db, plan)}.")
        event = carnet.event(event.id, None)
    documents = carnet.documents(event.id)
    assert documents is not None
    try:
        result = send_invitations(
            carnet, event, _declaration(event), documents, settings,
            public_url=adresse_publique, secret=secret, per_minute=par_minute,
            progress=lambda invite, outcome: console.print(f"  {invite.courriel} : {outcome}"),
        )  # fmt: skip
    except EnvoiError as exc:
        fail(str(exc))
    console.print(
        f"{effectif(result.envoyes, 'invitation envoyée', 'invitations envoyées')}, "
        f"{effectif(result.deja_envoyes, 'déjà envoyée')}, {effectif(result.refuses, 'refusée')} "
        f"par le serveur, {effectif(result.erreurs, 'erreur')}."
    )
    if result.a_verifier:
        console.print(
            f"{effectif(result.a_verifier, 'envoi interrompu')} lors d'une exécution précédente : "
            "le message a pu partir, il n'est pas renvoyé (« jalon evenement reponses » les liste)."
        )


CSV_COLUMNS = [
    "Nom", "Organisation", "Courriel", "Catégorie", "Invitation", "Réponse", "Personnes",
    "Réponse reçue par", "Venu",
]  # fmt: skip
COUNT_COLUMNS = [
    "Catégorie", "Invités", "Invitations envoyées", "Présents", "Personnes", "Absents",
    "Sans réponse", "Venus",
]  # fmt: skip
SOURCES = {"lien": "lien personnel", "organisateur": "organisateur"}


def _sent_label(status: str | None) -> str:
    return {
        "envoye": "envoyée", "refuse": "refusée par le serveur", "erreur": "erreur d'envoi",
        "en_cours": "interrompue, à vérifier",
    }.get(status or "", "non envoyée")  # fmt: skip


def _reply_label(presence: bool | None) -> str:
    return "présent" if presence else ("absent" if presence is False else "sans réponse")


def _came_label(venu: bool | None) -> str:
    return "oui" if venu else ("non" if venu is False else "")


@evenement_app.command("reponses")
def reponses(
    evenement: EventArgument,
    csv_path: Annotated[
        Path | None, typer.Option("--csv", help="Écrire la liste des invités dans ce fichier CSV.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Réponses des invités : comptes par catégorie, puis la liste."""
    from jalon.evenements.invites import CATEGORIES
    from jalon.evenements.reponses import counts

    carnet = _carnet(db)
    event = _event(carnet, evenement, db)
    people = carnet.invitees(event.id)
    if csv_path is not None:
        with csv_path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(CSV_COLUMNS)
            for i in people:
                writer.writerow(
                    [
                        i.nom,
                        i.organisation or "",
                        i.courriel,
                        CATEGORIES[i.categorie],
                        _sent_label(i.envoi),
                        _reply_label(i.presence),
                        i.personnes or "",
                        SOURCES.get(i.source or "", ""),
                        _came_label(i.venu),
                    ]
                )
        console.print(f"{effectif(len(people), 'invité écrit', 'invités écrits')} dans {csv_path}.")
        return
    table = Table(*COUNT_COLUMNS, title=event.titre, title_justify="left", box=None)
    for c in counts(people):
        figures = (c.invites, c.envoyes, c.presents, c.personnes, c.absents, c.sans_reponse,
                   c.venus)  # fmt: skip
        table.add_row(c.libelle, *(nombre(v) for v in figures))
    console.print(table)
    listing = Table("Nom", "Organisation", "Catégorie", "Invitation", "Réponse", box=None)
    for i in people:
        reply = _reply_label(i.presence)
        if i.presence:
            reply += f" ({i.personnes})"
        listing.add_row(i.nom, i.organisation or "", CATEGORIES[i.categorie][:-1],
                        _sent_label(i.envoi), reply)  # fmt: skip
    console.print(listing)


def _yes_no(option: str, text: str) -> bool:
    answer = text.strip().casefold()
    if answer not in ("oui", "non"):
        fail(f"{option} « {text} » : attendu oui ou non.")
    return answer == "oui"


@evenement_app.command("repondre")
def repondre(
    evenement: EventArgument,
    courriel: Annotated[str, typer.Argument(help="Adresse de l'invité.")],
    presence: Annotated[str, typer.Option("--presence", help="oui ou non.")],
    personnes: Annotated[int, typer.Option("--personnes", help="Nombre de personnes.")] = 1,
    db: DbOption = None,
) -> None:
    """Saisit une réponse reçue par courriel ou par téléphone."""
    from jalon.evenements import CarnetError
    from jalon.evenements.reponses import check_personnes

    coming = _yes_no("--presence", presence)
    carnet = _carnet(db)
    event = _event(carnet, evenement, db)
    try:
        invite = carnet.invitee_by_address(event.id, courriel)
        count = check_personnes(coming, personnes)
    except CarnetError as exc:
        fail(str(exc))
    carnet.record_reply(invite.id, coming, count, "organisateur")
    console.print(f"Réponse de {invite.nom} enregistrée : {_reply_label(coming)}"
                  + (f", {effectif(count, 'personne')}." if count else "."))  # fmt: skip


@evenement_app.command("presence")
def presence(
    evenement: EventArgument,
    courriel: Annotated[str, typer.Argument(help="Adresse de l'invité.")],
    venu: Annotated[str, typer.Option("--venu", help="oui ou non.")] = "oui",
    db: DbOption = None,
) -> None:
    """Note, d'après la liste d'émargement, qu'un invité est venu (ou non)."""
    from jalon.evenements import CarnetError

    came = _yes_no("--venu", venu)
    carnet = _carnet(db)
    event = _event(carnet, evenement, db)
    try:
        invite = carnet.invitee_by_address(event.id, courriel)
    except CarnetError as exc:
        fail(str(exc))
    carnet.record_attendance(invite.id, came)
    console.print(f"{invite.nom} : {'venu' if came else 'pas venu'}.")


@evenement_app.command("synthese")
def synthese(evenement: EventArgument, db: DbOption = None) -> None:
    """Bilan de l'événement : invités, réponses, venus, par catégorie."""
    from jalon.evenements.reponses import counts, summary_sentence

    carnet = _carnet(db)
    event = _event(carnet, evenement, db)
    console.print(f"{event.titre} : {summary_sentence(counts(carnet.invitees(event.id)))}")


@evenement_app.command("emargement")
def emargement(evenement: EventArgument, sortie: SortiePdf, db: DbOption = None) -> None:
    """Écrit la liste d'émargement (PDF) : présents confirmés, par catégorie et par nom."""
    from jalon.evenements.documents import sign_in_sheet

    carnet = _carnet(db)
    event = _event(carnet, evenement, db)
    sortie.write_bytes(sign_in_sheet(carnet, event, _declaration(event)))
    console.print(f"Liste d'émargement écrite dans {sortie} (document interne).")


@evenement_app.command("dossier")
def dossier(
    evenement: EventArgument, sortie: SortiePdf, db: DbOption = None, plan: PlanOption = None
) -> None:
    """Écrit le dossier de presse (PDF) : communiqué, bilan public, contacts (chiffres figés)."""
    carnet = _carnet(db)
    event = _event(carnet, evenement, db, plan)
    if not event.fige:
        console.print(f"Chiffres figés : version des données {_freeze(carnet, event, db, plan)}.")
    kit = carnet.press_kit(event.id)
    assert kit is not None
    sortie.write_bytes(kit)
    console.print(f"Dossier de presse écrit dans {sortie}.")


@evenement_app.command("supprimer")
def supprimer(evenement: EventArgument, db: DbOption = None) -> None:
    """Supprime un événement avec ses invités, ses envois et ses réponses."""
    carnet = _carnet(db)
    event = _event(carnet, evenement, db)
    carnet.delete_event(event.id, None)
    console.print(f"Événement n° {event.id} supprimé, avec ses invités et leurs réponses.")
