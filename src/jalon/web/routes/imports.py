"""The import screen: upload, preview, confirm or abandon; the history of imports, as a page and
as JSON."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from jalon.ingest import IngestError, SecretError
from jalon.ingest.history import count_rejections
from jalon.ingest.reasons import reason_label
from jalon.sources import builtin_profiles
from jalon.web import uploads
from jalon.web.accounts import User
from jalon.web.context import Web
from jalon.web.schemas import ERREURS, Erreur, ImportDetail, ImportLigne, RejetLigne
from jalon.web.security import check_csrf, current_user, require_user
from jalon.web.uploads import Rejet

HISTORY_SHOWN = 25
REJECTS_PAGE = 200


def router(web: Web) -> APIRouter:
    store = web.store
    settings = web.settings
    page = web.page
    pending = web.pending
    upload_dir = web.upload_dir
    router = APIRouter()

    def history(user: User, limit: int | None = 200) -> list[dict[str, Any]]:
        scope = (
            ""
            if user.role == "national"
            else (
                "WHERE i.import_id IN (SELECT CAST(regexp_extract(detail, 'import n° (\\d+)', 1) "
                "AS INTEGER) FROM audit WHERE action = 'import' AND region = ?)"
            )
        )
        rows = store.query(
            "SELECT i.import_id, i.profile, i.file_name, i.finished_at, i.lines_read, "
            "i.accepted, i.rejected, i.duplicates, i.status, i.imported_by "
            f"FROM imports i {scope} ORDER BY i.import_id DESC LIMIT ?",
            ([] if user.role == "national" else [user.region]) + [limit or 2**62],
        )
        keys = (
            "import_id", "profil", "fichier", "termine_le", "lues", "acceptees", "rejetees",
            "doublons", "statut", "importe_par",
        )  # fmt: skip
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def visible(user: User, import_id: int) -> dict[str, Any]:
        """One import of the account's history; 404 for one it may not see (nor tell apart)."""
        found = [i for i in history(user, None) if i["import_id"] == import_id]
        if not found:
            raise HTTPException(404, f"Aucun import n° {import_id} visible pour votre compte.")
        return found[0]

    def rejections(import_id: int, start: int) -> tuple[int, list[Rejet]]:
        with store.lock:
            total = count_rejections(store.con, import_id)
            rows = store.con.execute(
                "SELECT line, column_name, reason, message, value FROM rejets "
                "WHERE import_id = ? ORDER BY line, column_name NULLS FIRST, reason "
                "LIMIT ? OFFSET ?",
                [import_id, REJECTS_PAGE, start],
            ).fetchall()
        return total, [Rejet(*row) for row in rows]

    @router.get(
        "/imports/{import_id:int}",
        response_class=HTMLResponse,
        summary="Un import et ses lignes rejetées (page)",
    )
    def import_detail_page(request: Request, import_id: int, debut: int = 0) -> HTMLResponse:
        user = require_user(current_user(request, store))
        record = visible(user, import_id)
        start = max(debut, 0)
        total, rows = rejections(import_id, start)
        return page(
            request,
            "import.html",
            user,
            imp=record,
            rejets=rows,
            total=total,
            debut=start,
            taille=REJECTS_PAGE,
        )

    @router.get(
        "/imports/{import_id:int}.json",
        response_model=ImportDetail,
        include_in_schema=False,  # the same answer as /api/imports/{import_id}
    )
    @router.get(
        "/api/imports/{import_id:int}",
        summary="Un import et ses lignes rejetées",
        description=(
            "Les lignes rejetées d'un import, par pages de 200 à partir du rang « debut » : "
            "ligne, colonne, motif, valeur refusée (jamais pour une donnée personnelle) et "
            "explication. Un compte régional ne voit que les imports de sa région."
        ),
        response_model=ImportDetail,
        responses=ERREURS,
    )
    def import_detail_json(request: Request, import_id: int, debut: int = 0) -> ImportDetail:
        user = require_user(current_user(request, store))
        record = visible(user, import_id)
        start = max(debut, 0)
        total, rows = rejections(import_id, start)
        return ImportDetail.model_validate(
            {
                "import": record,
                "rejets_total": total,
                "debut": start,
                "rejets": [
                    RejetLigne(
                        ligne=r.line,
                        colonne=r.column,
                        motif=r.reason,
                        libelle_motif=reason_label(r.reason),
                        message=r.message,
                        valeur=r.value,
                    )
                    for r in rows
                ],
            }
        )

    def import_page(
        request: Request, user: User, status: int = 200, **context: Any
    ) -> HTMLResponse:
        response = page(
            request,
            "imports.html",
            user,
            historique=history(user, HISTORY_SHOWN),
            profils=builtin_profiles(),
            formats=uploads.accepted_formats(builtin_profiles()),
            limite=settings.max_upload_bytes // (1 << 20),
            envois_desactives=uploads.disabled_reason(),
            **context,
        )
        response.status_code = status
        return response

    def receive(upload: UploadFile, user: User, profil: str) -> uploads.Pending:
        path = uploads.save_upload(
            upload.file, upload.filename or "fichier", upload_dir, settings.max_upload_bytes
        )
        try:
            found = uploads.preview(store, user, path, profil)
        except BaseException:
            uploads.discard_path(path)
            raise
        pending[found.token] = found
        return found

    @router.get("/imports", response_class=HTMLResponse, summary="Imports (page)")
    def imports_page(request: Request) -> HTMLResponse:
        return import_page(request, require_user(current_user(request, store)))

    @router.post("/imports", response_class=HTMLResponse, summary="Envoyer un fichier (aperçu)")
    def imports_upload(
        request: Request,
        fichier: Annotated[UploadFile, File()],
        profil: Annotated[str, Form()] = "auto",
        csrf: Annotated[str | None, Form()] = None,
    ) -> HTMLResponse:
        user = require_user(current_user(request, store))
        check_csrf(request, csrf)
        try:
            found = receive(fichier, user, profil)
        except (IngestError, SecretError) as exc:
            return import_page(request, user, 422, erreur=str(exc))
        return import_page(request, user, apercu=found)

    @router.post(
        "/imports/{token}/confirmer", response_class=HTMLResponse, summary="Confirmer un import"
    )
    def imports_confirm(
        request: Request, token: str, csrf: Annotated[str | None, Form()] = None
    ) -> HTMLResponse:
        user = require_user(current_user(request, store))
        check_csrf(request, csrf)
        found = pending.get(token)
        if found is None or found.owner != user.identifiant:
            raise HTTPException(404, "Aucun fichier en attente sous cette référence.")
        try:
            summary = uploads.confirm(store, user, found)
        except (IngestError, SecretError) as exc:
            return import_page(request, user, 422, erreur=str(exc))
        finally:
            pending.pop(token, None)
        rejets = store.query(
            "SELECT line, column_name, reason, message, value FROM rejets WHERE import_id = ? "
            "ORDER BY line, column_name LIMIT ?",
            [summary.import_id, uploads.MAX_REJECTS_SHOWN],
        )
        return import_page(
            request,
            user,
            importe=summary,
            rejets_importes=[Rejet(int(r[0]), *r[1:]) for r in rejets],
        )

    @router.post("/imports/{token}/abandonner", summary="Abandonner un fichier en attente")
    def imports_cancel(
        request: Request, token: str, csrf: Annotated[str | None, Form()] = None
    ) -> RedirectResponse:
        user = require_user(current_user(request, store))
        check_csrf(request, csrf)
        found = pending.get(token)
        if found is not None and found.owner == user.identifiant:
            uploads.discard(pending.pop(token))
        return RedirectResponse("/imports", status_code=303)

    @router.get(
        "/api/imports",
        summary="Historique des imports",
        description=(
            "Les imports visibles pour le compte, du plus récent au plus ancien (un compte "
            "régional : ceux de sa région)."
        ),
        response_model=list[ImportLigne],
        responses={401: ERREURS[401]},
    )
    def imports_json(request: Request) -> list[dict[str, Any]]:
        return history(require_user(current_user(request, store)))

    @router.post(
        "/api/imports",
        summary="Contrôler (essai) ou importer un fichier",
        description=(
            "Envoie un fichier (champ « fichier ») lu selon un profil (« profil », « auto » pour "
            "le reconnaître d'après l'en-tête). Avec « essai » (par défaut), rien n'est écrit : "
            "la réponse donne la comptabilité des lignes, les rejets et les régions touchées ; "
            "sans essai, le fichier est importé et la réponse donne aussi l'import enregistré."
        ),
        responses={
            401: ERREURS[401],
            422: ERREURS[422],
            503: {"model": Erreur, "description": "Envoi de fichiers désactivé sur ce serveur."},
        },
    )
    def imports_api(
        request: Request,
        fichier: Annotated[UploadFile, File()],
        profil: Annotated[str, Form()] = "auto",
        essai: Annotated[bool, Form()] = True,
        csrf: Annotated[str | None, Form()] = None,
    ) -> dict[str, Any]:
        user = require_user(current_user(request, store))
        check_csrf(request, csrf)
        try:
            found = receive(fichier, user, profil)
        except (IngestError, SecretError) as exc:
            raise HTTPException(422, str(exc)) from None
        pending.pop(found.token, None)
        result: dict[str, Any] = {
            "essai": found.summary.as_dict(),
            "rejets": [asdict(r) for r in found.rejets],
            "regions": found.regions,
            "refus": found.refused,
        }
        if essai:
            uploads.discard(found)
            return result
        try:
            result["import"] = uploads.confirm(store, user, found).as_dict()
        except (IngestError, SecretError) as exc:
            uploads.discard(found)
            raise HTTPException(422, str(exc)) from None
        return result

    return router
