"""The steering web app: `jalon serveur` serves DSFR pages, their JSON twins and the import screen.

`create_app` (in `jalon.web.app`) builds the FastAPI app over one store from the routers of
`jalon.web.routes`; `jalon.web.client` tells other processes whether a server holds a base. DSFR
and axe-core assets are copied into `static/dsfr/` and `static/axe/` by `make assets` (never
committed).
"""
