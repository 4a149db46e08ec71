"""Renderings of the views' data for people: terminal text (`text`), the bilan as HTML and PDF
(`document` builds its view data, `rendu` renders it, `graphiques` draws charts and maps), and the
press kit (`presse`), with the shared French wording (`redaction`, `typographie`) and the data
version that makes every document reproducible (`version`). All read the store read-only.
"""
