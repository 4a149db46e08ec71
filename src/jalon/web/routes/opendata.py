"""The public page « Données » (`/donnees`, its twin `/donnees.json`) and the files of the open data
set (`/donnees/{phase}/{fichier}`): CSV, Parquet and `datapackage.json`, the same bytes as
`jalon opendata` writes, built once per data version by `jalon.export.opendata`.

Everyone gets the public set (statistical secrecy applied), signed in or not. The files of a phase
sit in one folder, so the relative paths of its `datapackage.json` resolve on the server.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from jalon.export.opendata import (
    LICENCE,
    Release,
    national_cutoff,
    open_tables,
    package_files,
    secrecy_rule,
)
from jalon.indicators import compute_all_bilans
from jalon.report.version import data_version
from jalon.web.context import Web
from jalon.web.security import current_user

PACKAGE = "datapackage.json"
MEDIA_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".parquet": "application/vnd.apache.parquet",
    ".json": "application/json",
}


def router(web: Web) -> APIRouter:
    routes = APIRouter()
    store, plan, phase_of = web.store, web.plan, web.phase_of

    def files(phase: str) -> dict[str, bytes]:
        def build() -> dict[str, bytes]:
            every = store.cached(
                ("tous", phase), lambda: compute_all_bilans(store.con, plan, phase)
            )
            version = data_version(store.con, plan)
            last = version.as_of if version.imports else None
            release = Release(plan, phase, version.code, last, national_cutoff(every))
            return package_files(open_tables(every, plan, phase), release)

        return store.cached(("opendata", phase), build)

    def listing(phase: str) -> dict[str, Any]:
        return store.cached(("opendata-liste", phase), lambda: describe(phase))

    def describe(phase: str) -> dict[str, Any]:
        found = files(phase)
        descriptor = json.loads(found[PACKAGE])
        base = f"/donnees/{phase}"
        return {
            "phase": phase,
            "phases": [{"code": p.code, "libelle": p.label} for p in plan.phases],
            "titre": descriptor["title"],
            "licence": LICENCE,
            "version_donnees": descriptor["version"],
            "secret_statistique": secrecy_rule(plan.secret.threshold),
            "valeurs_manquantes": descriptor["jalon"]["secret_statistique"]["valeurs_manquantes"],
            "datapackage": f"{base}/{PACKAGE}",
            "tables": [
                {
                    "nom": r["name"],
                    "titre": r["title"],
                    "description": r["description"],
                    "colonnes": len(r["schema"]["fields"]),
                    "lignes": _rows(found[r["path"]]),
                    "csv": f"{base}/{r['path']}",
                    "csv_octets": r["bytes"],
                    "parquet": f"{base}/{r['parquet']['path']}",
                    "parquet_octets": r["parquet"]["bytes"],
                }
                for r in descriptor["resources"]
            ],
        }

    @routes.get("/donnees", response_class=HTMLResponse, summary="Données ouvertes (page)")
    def opendata_page(request: Request, phase: str | None = None) -> HTMLResponse:
        code = phase_of(phase)
        user = current_user(request, store)
        return web.shared_page(
            request, user, ("donnees", code), "donnees.html", donnees=listing(code)
        )

    @routes.get("/donnees.json", summary="Données ouvertes : tables et liens de téléchargement")
    def opendata_json(phase: str | None = None) -> dict[str, Any]:
        return listing(phase_of(phase))

    @routes.get(
        "/donnees/{phase}/{fichier}",
        summary="Fichier du jeu de données ouvertes (CSV, Parquet ou datapackage.json)",
    )
    def opendata_file(phase: str, fichier: str) -> Response:
        code = phase_of(phase)
        content = files(code).get(fichier)
        if content is None:
            raise HTTPException(404, f"Fichier inconnu dans le jeu de la phase {code} : {fichier}.")
        suffix = fichier[fichier.rfind(".") :]
        name = f"jalon-{code}-{fichier}"
        headers = (
            {} if fichier == PACKAGE else {"Content-Disposition": f'attachment; filename="{name}"'}
        )
        return Response(content, media_type=MEDIA_TYPES[suffix], headers=headers)

    return routes


def _rows(content: bytes) -> int:
    """The data rows of a CSV file (a quoted cell may hold a line break)."""
    return sum(1 for _ in csv.reader(io.StringIO(content.decode("utf-8")))) - 1
