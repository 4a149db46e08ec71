"""Every indicator of the 2016 bilan on the hand-made store of tests/data/indicateurs.

The store (see the comments of the files): E1–E10 are pe-stagiaires lines. Occitanie 2016
counts E1, E2 (P1's second training), E3 (P2, same session as E2), E4 (no Carif number), E6
(starts 19 Dec 2016); E5 starts in Nov 2015 and ends in Mar 2016; E7, E10 are 2015 entries;
E8 is funded by a company only; E9 is in Bretagne. Each expected value below is worked out by
hand from those lines.
"""

from __future__ import annotations

import pytest

from jalon.indicators import compute_all_bilans, compute_bilan
from jalon.indicators.bilan import Bilan

S1, S2, S3 = "31234567800014", "34123456700012", "34999999900015"


def _rows(bilan: Bilan, code: str, column: str = "entrees") -> dict[str, object]:
    return {row.key: row.values[column] for row in bilan.breakdown(code).rows}


def test_counts_of_occitanie(store, plan) -> None:
    b = compute_bilan(store, plan, "2016", "76")
    assert b.value("entrees") == 5
    assert b.value("personnes") == 4  # P1 trained twice
    assert b.value("entrees_reference") == 3  # E5 (starts 16 Nov 2015), E7, E10
    assert b.value("entrees_supplementaires") == 2
    assert b.value("entrees_supplementaires_base_declaree") == 5 - 60_000
    assert b.value("taux_realisation") == pytest.approx(5 / 90_000)


def test_durations_certification_and_publics(store, plan) -> None:
    b = compute_bilan(store, plan, "2016", "76")
    assert b.value("duree_moyenne") == pytest.approx((470 + 300 + 300 + 450 + 500) / 5)
    assert b.value("part_certifiante") == pytest.approx(2 / 5)  # E1, E4
    # All five entries have a person: P1 (level 3, 24 then 25, registered since 2014),
    # P2 (46, level 5, re-registered Jan 2016, disabled on the current spell only),
    # P3 (exactly 26 on entry, level 4, registered exactly 12 months), P5 (56, level 6).
    assert b.value("part_peu_qualifies") == pytest.approx(3 / 5)
    assert b.value("part_jeunes") == pytest.approx(2 / 5)
    assert b.value("part_seniors") == pytest.approx(2 / 5)
    assert b.value("part_deld") == pytest.approx(3 / 5)
    assert b.value("part_handicapes") == pytest.approx(1 / 5)
    assert _rows(b, "public") == {
        "peu_qualifies": 3,
        "jeunes": 2,
        "seniors": 2,
        "deld": 3,
        "handicapes": 1,
    }
    assert _rows(b, "tranche_age") == {"jeunes": 2, "intermediaire": 1, "seniors": 2}
    assert _rows(b, "niveau") == {"3": 2, "4": 1, "5": 1, "6": 1}


def test_employment_window_is_six_months_inclusive(store, plan) -> None:
    b = compute_bilan(store, plan, "2016", "76")
    # Leavers in 2016: P1 (E1 May, E2 Dec), P2 (E3 Dec), P3 (E4 Jun), P4 (E5 Mar 2016).
    # P1: a 20-day job (too short), then temp work from 16 Jun 2017 = 6 months after E2's end,
    # 7 months long: durable. P2: a CDI during training (not after the end), a CDD starting
    # 6 months + 1 day after: none. P3: CDI. P4: 5-month CDD: a job, not durable.
    assert b.value("acces_emploi") == pytest.approx(3 / 4)
    assert b.value("emploi_durable") == pytest.approx(2 / 4)


def test_stock_and_months(store, plan) -> None:
    b = compute_bilan(store, plan, "2016", "76")
    months = b.breakdown("mois")
    assert [r.key for r in months.rows][:2] == ["2016-01", "2016-02"]
    assert months.rows[0].label == "janvier 2016"
    assert [r.values["entrees"] for r in months.rows] == [0, 1, 1, 0, 0, 0, 0, 0, 2, 0, 0, 1]
    assert [r.values["entrees_reference"] for r in months.rows] == [
        0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0,
    ]  # fmt: skip
    # E5 until 18 Mar; E1 Feb–27 May; E4 Mar–24 Jun; E2, E3 Sep–16 Dec; E6 from 19 Dec.
    assert [r.values["stock"] for r in months.rows] == [1, 2, 2, 2, 1, 0, 0, 0, 2, 2, 2, 1]
    assert b.value("stock_fin") == 1
    # The target (90 000) spread along the reference profile (March, September, November).
    pace = [r.values["rythme_objectif"] for r in months.rows]
    assert pace[:3] == [0, 0, 30_000] and pace[8] == 60_000 and pace[10:] == [90_000, 90_000]


def test_breakdowns_of_counts(store, plan) -> None:
    b = compute_bilan(store, plan, "2016", "76")
    assert _rows(b, "financeur_principal") == {"2": 2, "4": 3}
    # co-financed entries count once in the total, once for each of their financeurs here
    assert _rows(b, "financeur") == {"2": 2, "4": 4, "7": 1}
    assert _rows(b, "departement") == {"31": 3, "34": 1, "66": 1}
    assert b.breakdown("departement").rows[0].label == "31 Haute-Garonne"
    assert _rows(b, "domaine") == {"22": 3, "31": 2}
    assert _rows(b, "organisme") == {S1: 2, S2: 2, S3: 1}


def test_session_without_carif_number_is_keyed_by_siret_formacode_date(store) -> None:
    keys = store.execute(
        "SELECT cle_session FROM entrees WHERE date_entree = DATE '2016-03-07'"
    ).fetchall()
    assert keys == [(f"SK:{S3}|22854|2016-03-07",)]


def test_places_access_rate_and_actions(store, plan) -> None:
    b = compute_bilan(store, plan, "2016", "76")
    # AF_1 (sessions in Feb and Sep: counted once, 8 + 6), AF_2 (10); AF_3 starts in 2015.
    assert b.value("places_lancees") == 24
    assert _rows(b, "places_financeur", "places") == {"2": 8, "4": 16}
    # all trainees count, E8 (company-funded, P7) included: P1, P2, P3, P5, P7
    assert b.value("taux_acces") == pytest.approx(5 / 1000)
    assert b.value("entrees_pour_1000_demandeurs") == pytest.approx(5.0)
    assert _rows(b, "type_action", "actions") == {
        "accompagnement-creation": 5,
        "contrat-professionnalisation": 12,
    }
    assert b.value("actions_agregees") == 17
    assert b.value("total_actions_plan") == 22


def test_national_bilan_adds_regions_and_counts_persons_once(store, plan) -> None:
    bilans = compute_all_bilans(store, plan, "2016")
    national = bilans[None]
    assert national == compute_bilan(store, plan, "2016", None)
    assert national.value("entrees") == 6
    assert national.value("personnes") == 5
    assert national.value("entrees_reference") == 3
    assert national.value("part_peu_qualifies") == pytest.approx(3 / 5)  # P8 unknown
    assert national.value("acces_emploi") == pytest.approx(3 / 5)  # P8 left without a job
    assert national.value("taux_acces") == pytest.approx(6 / 1500)  # P7 and P8 too
    assert national.value("actions_agregees") == 19
    assert bilans["53"].value("entrees") == 1
    assert bilans["76"] == compute_bilan(store, plan, "2016", "76")
    assert bilans["11"].value("entrees") == 0
    assert bilans["11"].value("taux_acces") is None  # no demandeurs for Île-de-France


def test_realisation_rule_supplementaires(store, plan) -> None:
    rules = plan.rules.model_copy(update={"realisation": "supplementaires"})
    other = plan.model_copy(update={"rules": rules})
    assert compute_bilan(store, other, "2016", "76").value("taux_realisation") == pytest.approx(
        2 / 30_000
    )


def test_senior_age_is_a_plan_setting(store, plan) -> None:
    publics = plan.rules.publics.model_copy(update={"senior_min_age": 50})
    rules = plan.rules.model_copy(update={"publics": publics})
    other = plan.model_copy(update={"rules": rules})
    b = compute_bilan(store, other, "2016", "76")
    assert b.value("part_seniors") == pytest.approx(1 / 5)  # P5 (56) only
    assert b.breakdown("tranche_age").rows[1].label == "26 à 49 ans"


def test_json_is_serialisable(store, plan) -> None:
    import json

    data = json.loads(json.dumps(compute_bilan(store, plan, "2016", "76").as_dict()))
    assert data["ventilations"]["financeur"]["lignes"][0]["cle"] == "2"
    assert data["indicateurs"]["places_lancees"]["valeur"] == 24
