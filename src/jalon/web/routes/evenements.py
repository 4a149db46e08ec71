"""Press events on the web: the organisers' pages (events of their region, invitees, replies,
counts by category kept live, CSV, sign-in sheet, press kit) and the invitees' reply page.

Organisers sign in; a regional account sees only the events of its region (another region's
event is « introuvable », as in the CLI). The reply page needs no account: its signed, single-use
link is the invitee's only credential, and it shows nothing but the event and the invitee's own
name. Contact data come from the carnet (`jalon.evenements`), never from the statistics store.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
import tomllib
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from jalon.evenements import Carnet, CarnetError, open_carnet
from jalon.evenements.carnet import EvenementEnregistre
from jalon.evenements.invites import CATEGORIES
from jalon.evenements.reponses import (
    LienError,
    counts,
    invitee_of_link,
    reply_by_link,
    summary_sentence,
)
from jalon.ingest.pseudonymise import SecretError, key_from_env
from jalon.reference import region as region_of
from jalon.report.presse import Evenement, EvenementError, load_evenement
from jalon.web.accounts import User
from jalon.web.context import Web
from jalon.web.security import check_csrf, current_user, require_user

MAX_LIST_BYTES = 5 << 20


def router(web: Web) -> APIRouter:
    store = web.store
    page = web.page
    router = APIRouter()

    def carnet() -> Carnet:
        return open_carnet(web.settings.db_path)

    def scope(user: User) -> str | None:
        return None if user.role == "national" else user.region

    def organiser_event(
        request: Request, event_id: int
    ) -> tuple[User, Carnet, EvenementEnregistre]:
        user = require_user(current_user(request, store))
        book = carnet()
        try:
            return user, book, book.event(event_id, scope(user))
        except CarnetError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from None

    def summary(book: Carnet, event: EvenementEnregistre) -> dict[str, Any]:
        people = book.invitees(event.id)
        return {
            "evenement": {
                "id": event.id, "titre": event.titre, "region": event.region,
                "debut": event.debut.isoformat(), "date_limite_reponse": event.date_limite,
                "version_donnees": event.version_donnees,
            },
            "comptes": [vars(c) for c in counts(people)],
            "invites": [
                {"id": i.id, "nom": i.nom, "organisation": i.organisation,
                 "categorie": CATEGORIES[i.categorie], "invitation": i.envoi,
                 "presence": i.presence, "personnes": i.personnes, "venu": i.venu}
                for i in people
            ],
        }  # fmt: skip

    @router.get("/evenements", response_class=HTMLResponse, summary="Événements presse (page)")
    def events_page(request: Request) -> HTMLResponse:
        user = require_user(current_user(request, store))
        return page(
            request, "evenements.html", user, evenements=carnet().events(scope(user)),
            nom_region=lambda code: region_of(code).nom,
        )  # fmt: skip

    @router.post("/evenements", summary="Enregistrer un événement (fichier TOML)")
    def create_event(
        request: Request,
        fichier: Annotated[UploadFile, File()],
        csrf: Annotated[str | None, Form()] = None,
    ) -> Response:
        user = require_user(current_user(request, store))
        check_csrf(request, csrf)
        raw = fichier.file.read(64 << 10)
        name = Path(fichier.filename or "evenement.toml").name
        with tempfile.TemporaryDirectory(prefix="jalon-evenement-") as folder:
            path = Path(folder) / "evenement.toml"
            path.write_bytes(raw)
            try:
                declaration = load_evenement(path)
            except EvenementError as exc:
                raise HTTPException(400, str(exc).replace(str(path), name)) from None
        region = declaration.region and region_of(declaration.region).code
        if region is None:
            region = user.region
        if region is None:
            raise HTTPException(400, "Le fichier ne dit pas la région de l'événement (region = …).")
        if user.role == "regional" and region != user.region:
            raise HTTPException(
                403, f"Votre compte donne accès à la région {user.region} seulement."
            )
        event_id = carnet().add_event(
            region=region, phase=web.phase_of(declaration.phase), titre=declaration.titre,
            debut=dt.datetime.combine(declaration.date, declaration.heure),
            date_limite=declaration.rsvp_avant,
            conserver_jusqu_au=declaration.date + dt.timedelta(days=declaration.conservation_jours),
            declaration=raw.decode("utf-8"), cree_par=user.identifiant,
        )  # fmt: skip
        return RedirectResponse(f"/evenements/{event_id}", status_code=303)

    @router.get("/evenements/{event_id}", response_class=HTMLResponse, summary="Un événement")
    def event_page(request: Request, event_id: int) -> HTMLResponse:
        user, book, event = organiser_event(request, event_id)
        return page(
            request, "evenement.html", user, evenement=event, donnees=summary(book, event),
            nom_region=region_of(event.region).nom, categories=CATEGORIES,
            synthese=summary_sentence(counts(book.invitees(event.id))),
        )  # fmt: skip

    @router.get("/api/evenements/{event_id}", summary="Un événement : comptes et invités")
    def event_json(request: Request, event_id: int) -> dict[str, Any]:
        _user, book, event = organiser_event(request, event_id)
        return summary(book, event)

    @router.get("/evenements/{event_id}/invites.csv", summary="Invités et réponses (CSV)")
    def event_csv(request: Request, event_id: int) -> Response:
        _user, book, event = organiser_event(request, event_id)
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["Nom", "Organisation", "Courriel", "Catégorie", "Invitation", "Présence",
                         "Personnes"])  # fmt: skip
        for i in book.invitees(event.id):
            writer.writerow([
                i.nom, i.organisation or "", i.courriel, CATEGORIES[i.categorie], i.envoi or "",
                "" if i.presence is None else ("oui" if i.presence else "non"), i.personnes or "",
            ])  # fmt: skip
        return Response(
            "\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="invites-{event.id}.csv"'},
        )  # fmt: skip

    @router.post("/evenements/{event_id}/invites", summary="Ajouter des invités (CSV, XLSX)")
    def add_invitees(
        request: Request,
        event_id: int,
        liste: Annotated[UploadFile, File()],
        csrf: Annotated[str | None, Form()] = None,
    ) -> Response:
        from jalon.evenements.invites import ListeError, read_invitees
        from jalon.evenements.jetons import new_token

        _user, book, event = organiser_event(request, event_id)
        check_csrf(request, csrf)
        suffix = Path(liste.filename or "liste.csv").suffix.lower()
        with tempfile.TemporaryDirectory(prefix="jalon-invites-") as folder:
            path = Path(folder) / f"liste{suffix}"
            path.write_bytes(liste.file.read(MAX_LIST_BYTES + 1))
            try:
                people = read_invitees(path)
            except ListeError as exc:
                shown = str(exc).replace(path.name, liste.filename or path.name)
                raise HTTPException(400, shown) from None
        book.add_invitees(event.id, [p.as_row() for p in people], [new_token() for _ in people])
        return RedirectResponse(f"/evenements/{event.id}", status_code=303)

    @router.post("/evenements/{event_id}/reponses", summary="Saisir une réponse reçue")
    def organiser_reply(
        request: Request,
        event_id: int,
        courriel: Annotated[str, Form(max_length=254)],
        presence: Annotated[str, Form()],
        personnes: Annotated[int, Form(ge=0, le=20)] = 1,
        csrf: Annotated[str | None, Form()] = None,
    ) -> Response:
        from jalon.evenements.reponses import check_personnes

        _user, book, event = organiser_event(request, event_id)
        check_csrf(request, csrf)
        try:
            invite = book.invitee_by_address(event.id, courriel)
            count = check_personnes(presence == "oui", personnes)
        except CarnetError as exc:
            raise HTTPException(400, str(exc)) from None
        book.record_reply(invite.id, presence == "oui", count, "organisateur")
        return RedirectResponse(f"/evenements/{event.id}", status_code=303)

    @router.post("/evenements/{event_id}/figer", summary="Figer les chiffres de l'événement")
    def freeze_event(
        request: Request, event_id: int, csrf: Annotated[str | None, Form()] = None
    ) -> Response:
        from jalon.evenements.documents import freeze

        _user, book, event = organiser_event(request, event_id)
        check_csrf(request, csrf)
        declaration = Evenement.model_validate(tomllib.loads(event.declaration))
        with store.lock:
            freeze(book, store.con, web.plan, event, declaration)
        return RedirectResponse(f"/evenements/{event.id}", status_code=303)

    @router.get("/evenements/{event_id}/dossier.pdf", summary="Dossier de presse (PDF)")
    def press_kit(request: Request, event_id: int) -> Response:
        _user, book, event = organiser_event(request, event_id)
        kit = book.press_kit(event.id)
        if kit is None:
            raise HTTPException(409, "Figez d'abord les chiffres de l'événement.")
        return Response(
            kit, media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="dossier-{event.id}.pdf"'},
        )  # fmt: skip

    @router.get("/evenements/{event_id}/emargement.pdf", summary="Liste d'émargement (PDF)")
    def sign_in(request: Request, event_id: int) -> Response:
        from jalon.evenements.documents import sign_in_sheet

        _user, book, event = organiser_event(request, event_id)
        declaration = Evenement.model_validate(tomllib.loads(event.declaration))
        return Response(
            sign_in_sheet(book, event, declaration), media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="emargement-{event.id}.pdf"'},
        )  # fmt: skip

    @router.post("/evenements/{event_id}/presences", summary="Noter qui est venu")
    async def attendance(request: Request, event_id: int) -> Response:
        form = await request.form()
        _user, book, event = organiser_event(request, event_id)
        check_csrf(request, str(form.get("csrf") or ""))
        came = {str(v) for v in form.getlist("venu")}
        for invite in book.invitees(event.id):
            book.record_attendance(invite.id, str(invite.id) in came)
        return RedirectResponse(f"/evenements/{event.id}#invites", status_code=303)

    def reply_secret() -> bytes:
        try:
            return key_from_env()
        except SecretError:
            raise HTTPException(
                503, "Les réponses en ligne sont indisponibles : répondez à l'adresse indiquée "
                "dans l'invitation."
            ) from None  # fmt: skip

    @router.get("/reponse/{jeton}", response_class=HTMLResponse, include_in_schema=False)
    def reply_page(request: Request, jeton: str) -> HTMLResponse:
        try:
            event, invite = invitee_of_link(carnet(), reply_secret(), jeton, dt.datetime.now())
        except LienError as exc:
            response = page(request, "reponse.html", None, erreur=str(exc), evenement=None)
            response.status_code = 410 if "commencé" in str(exc) or "déjà" in str(exc) else 404
            return response
        declaration = Evenement.model_validate(tomllib.loads(event.declaration))
        return page(
            request, "reponse.html", None, evenement=event, declaration=declaration,
            invite=invite, jeton=jeton, erreur=None, fait=None,
        )  # fmt: skip

    @router.post("/reponse/{jeton}", response_class=HTMLResponse, include_in_schema=False)
    def reply(
        request: Request,
        jeton: str,
        presence: Annotated[str, Form()],
        personnes: Annotated[int, Form(ge=0, le=20)] = 1,
    ) -> HTMLResponse:
        if presence not in ("oui", "non"):
            raise HTTPException(400, "Réponse attendue : oui ou non.")
        try:
            event, invite = reply_by_link(
                carnet(), reply_secret(), jeton, presence == "oui", personnes, dt.datetime.now()
            )
        except CarnetError as exc:
            response = page(request, "reponse.html", None, erreur=str(exc), evenement=None)
            response.status_code = 410 if isinstance(exc, LienError) else 400
            return response
        return page(
            request, "reponse.html", None, evenement=event, invite=invite, erreur=None,
            fait="oui" if presence == "oui" else "non", declaration=None, jeton=None,
        )  # fmt: skip

    return router
