"""The web app's routers, one per area; each `router(web)` closes over the app's `Web` context."""
