"""Renderings of the views' data for people: terminal text now; HTML and PDF bilans beside it."""
