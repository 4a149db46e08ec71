"""The bilan document publishes through the one secrecy rule of `jalon.indicators.secret`, and
says "donnée non disponible" for figures whose source (LHEO offer, persons, jobs, aggregated
actions) was never imported: the report store holds funders' files only."""

from __future__ import annotations

from jalon.report.document import SECRET, Document


def _shown(doc: Document) -> dict[str, str]:
    return {v.code: v.affiche for s in doc.sections for v in s.valeurs}


def test_figures_of_sources_never_imported_are_not_available(
    public_doc: Document, internal_doc: Document
) -> None:
    for doc in (public_doc, internal_doc):
        shown = _shown(doc)
        for code in ("places_lancees", "part_jeunes", "acces_emploi", "actions_agregees"):
            assert shown[code] == "donnée non disponible", code
        assert shown["total_actions_plan"] == "donnée non disponible", doc.diffusion


def test_public_ranking_hides_small_regions_whole(public_doc: Document) -> None:
    ranking = next(t for s in public_doc.sections for t in s.tableaux if t.code == "classement")
    occitanie = next(row for row in ranking.lignes if row[1].startswith("Occitanie"))
    assert occitanie[0] == "–" and set(occitanie[2:]) == {SECRET}
    assert ranking.masque


def test_internal_document_keeps_the_forecast(internal_doc: Document) -> None:
    forecast = next(s for s in internal_doc.sections if s.code == "prevision")
    assert all(v.affiche != "secret statistique" for v in forecast.valeurs)
