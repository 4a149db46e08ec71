"""The bilan's view data on a store built from real-format files: secrecy, absences, ranking."""

from __future__ import annotations

from jalon.indicators import Bilan
from jalon.plan import Plan
from jalon.report.document import SECRET, Document, SectionSpec, section, texte_valeur


def _table(doc, code):
    return next(t for s in doc.sections for t in s.tableaux if t.code == code)


def _cover(doc, code):
    return next(v for v in doc.cles if v.code == code)


def test_public_document_hides_small_counts(public_doc: Document) -> None:
    doc = public_doc
    assert not doc.interne and doc.diffusion == "Document public"
    departements = _table(doc, "departement")
    # 4, 4 and 1 entries: all under the threshold of 11
    assert [row[1] for row in departements.lignes] == [SECRET, SECRET, SECRET]
    assert departements.masque
    entries = _cover(doc, "entrees")
    assert entries.texte is None and entries.note == "secret statistique"
    assert entries.affiche == "secret statistique" and entries.precision is None


def test_internal_document_shows_every_count(internal_doc: Document) -> None:
    doc = internal_doc
    assert doc.diffusion == "Diffusion restreinte"
    departements = _table(doc, "departement")
    assert [row[:2] for row in departements.lignes] == [
        ("31 Haute-Garonne", "4"),
        ("34 Hérault", "4"),
        ("66 Pyrénées-Orientales", "1"),
    ]
    assert departements.total == ("Total", "9")
    assert _cover(doc, "entrees").texte == "9"


def test_ranking_and_forecast_sections(internal_doc: Document) -> None:
    doc = internal_doc
    codes = [s.code for s in doc.sections]
    assert codes[-2:] == ["prevision", "classement"]
    ranking = _table(doc, "classement")
    assert ranking.lignes[0][:2] == ("1", "Occitanie ◀")
    assert any("(sans données)" in row[1] for row in ranking.lignes)
    assert _cover(doc, "rang").texte == "1re"
    forecast = next(s for s in doc.sections if s.code == "prevision")
    assert {v.code for v in forecast.valeurs} >= {"prevision_mois", "prevision_observe"}


def test_absent_figures_and_tables_are_said_not_available(module_plan: Plan) -> None:
    empty = Bilan(module_plan.code, module_plan.sha256, "2016", "76")
    spec = SectionSpec("x", "Essai", "Intro.", ("acces_emploi",), ("departement",), "carte")
    built = section(spec, empty, {})
    assert built.valeurs[0].affiche == "donnée non disponible"
    assert built.manquants == ("Entrées par département",)
    assert built.graphiques == () and built.tableaux == ()


def test_figures_are_written_by_unit() -> None:
    assert texte_valeur("taux_realisation", 0.9412) == "94,1\u202f%"
    assert texte_valeur("entrees_supplementaires", 30123) == "+30\u202f123"
    assert texte_valeur("duree_moyenne", 487.4) == "487\u00a0h"
    assert texte_valeur("entrees", None) is None


def test_no_public_figure_gives_back_a_hidden_count(public_doc: Document) -> None:
    doc = public_doc
    shown = {v.code: v for s in doc.sections for v in s.valeurs} | {v.code: v for v in doc.cles}
    for code in ("entrees_reference", "entrees_supplementaires", "taux_realisation"):
        assert shown[code].texte is None and shown[code].note == "secret statistique"
    forecast = next(s for s in doc.sections if s.code == "prevision")
    assert [v.texte for v in forecast.valeurs] == [None]
    assert shown["objectif_entrees"].texte == "90\u202f000"  # targets are public
