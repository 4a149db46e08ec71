"""Ground-truth figures of a simulated data set, computed from the drawn tables (not from the
files) with the definitions of DESIGN §3, so that Jalon's indicators, computed after import, can
be compared with them. Pure numpy; the result is JSON-ready (ints, floats, strings).

Scope: "counted" entries have at least one financeur of the plan's counted set; publics, hours,
certifying share, stock and employment are on counted entries; access-rate persons on all
entries. Employment is computed per entry's own spells (a spell drawn after another training of
the same person is not credited), which is what the simulator intends.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jalon.simulate import calibration as cal
from jalon.simulate.region import RegionData, distinct
from jalon.simulate.registers import Emplois

_LOW = (1, 2, 3, 4)


def _period_counts(data: RegionData, mask: np.ndarray) -> dict[str, int]:
    return {p: int((mask & (data.period == k)).sum()) for k, p in enumerate(cal.PERIODS)}


def region_truth(data: RegionData, emplois: Emplois) -> dict[str, Any]:
    """Counts (not rates) of one region, summable into national figures."""
    s, e, p = data.sessions, data.entrees, data.persons
    start = s.start[e.session]
    end = s.end[e.session]
    counted = data.counted
    in_2016 = (start >= np.datetime64("2016-01-01")) & (start <= np.datetime64("2016-12-31"))
    c16 = counted & in_2016
    row = data.person_row
    age_months = (start.astype("datetime64[M]") - p.birth_month[row]).astype(np.int64)
    seniority = (start - p.inscription[row]).astype(np.int64)
    hours = (s.hours_centre + s.hours_entreprise)[e.session]
    day = np.datetime64("2016-12-31")
    in_lheo = s.carif_session >= 0
    s_year = s.start.astype("datetime64[Y]").astype(np.int64) + 1970
    places = {
        period: int(s.places[in_lheo & (s_year == int(period[:4]))].sum()) for period in cal.PERIODS
    }

    # Employment of 2016 leavers (persons whose counted entry ends in 2016).
    leaving = counted & (end >= np.datetime64("2016-01-01")) & (end <= day)
    sp_end = end[emplois.entree]
    delay = (emplois.debut - sp_end).astype(np.int64)
    length = (emplois.fin - emplois.debut).astype(np.int64)
    ongoing = np.isnat(emplois.fin)
    month_plus = ongoing | (length >= 30)
    within = (delay > 0) & (delay <= 182)
    ok = within & month_plus
    durable = ok & ((emplois.contrat == 0) | (emplois.contrat == 3) | ongoing | (length >= 182))
    leaver_persons = distinct(e.person[leaving])
    spell_leaving = leaving[emplois.entree]
    with_job = distinct(e.person[emplois.entree[ok & spell_leaving]])
    with_durable = distinct(e.person[emplois.entree[durable & spell_leaving]])
    return {
        "entrees": _period_counts(data, np.ones(len(e), dtype=bool)),
        "entrees_comptees": _period_counts(data, counted),
        "places": places,
        "lignes_pe": int(data.in_pe.sum()),
        "lignes_region": int(data.in_region.sum()),
        "doublons_pe_region": int((data.in_pe & data.in_region).sum()),
        "n_2016": int(c16.sum()),
        "peu_qualifies_2016": int((c16 & np.isin(p.niveau[row], _LOW)).sum()),
        "jeunes_2016": int((c16 & (age_months < 26 * 12)).sum()),
        "seniors_2016": int((c16 & (age_months >= 45 * 12)).sum()),
        "deld_2016": int((c16 & (seniority >= 365)).sum()),
        "handicapes_2016": int((c16 & p.disabled[row]).sum()),
        "heures_2016": int(hours[c16].sum()),
        "certifiantes_2016": int((c16 & (s.certifinfo[e.session] > 0)).sum()),
        "stock_2016_12_31": int((counted & (start <= day) & (end > day)).sum()),
        "sortants_2016": len(leaver_persons),
        "sortants_2016_emploi": len(with_job),
        "sortants_2016_emploi_durable": len(with_durable),
    }


def national_truth(
    regions: dict[str, dict[str, Any]],
    demandeurs: dict[str, dict[int, int]],
    *,
    actions: dict[str, list[tuple[int, int, str, int]]],
    malformed: int,
    anomalies: int = 0,
) -> dict[str, Any]:
    """National figures and rates from the regions' counts, with the ranking of regions by
    measured additional entries in 2016 (counted entries 2016 − 2015)."""

    def total(key: str) -> int:
        return sum(int(r[key]) for r in regions.values())

    def total_period(key: str, period: str) -> int:
        return sum(int(r[key][period]) for r in regions.values())

    n16 = total("n_2016")
    persons = (
        {
            year: sum(int(r["personnes"][str(year)]) for r in regions.values())
            for year in (2015, 2016)
        }
        if all("personnes" in r for r in regions.values())
        else {}
    )
    dem = {year: sum(d[year] for d in demandeurs.values()) for year in (2015, 2016)}
    additional = {
        code: int(r["entrees_comptees"]["2016"]) - int(r["entrees_comptees"]["2015"])
        for code, r in regions.items()
    }
    ranking = sorted(additional, key=lambda c: (-additional[c], c))
    action_totals: dict[str, dict[str, int]] = {}
    for rows in actions.values():
        for year, _month, kind, n in rows:
            action_totals.setdefault(str(year), {}).setdefault(kind, 0)
            action_totals[str(year)][kind] += n
    leavers = total("sortants_2016")
    out: dict[str, Any] = {
        "regions": {
            code: {**r, "demandeurs": {str(y): n for y, n in demandeurs[code].items()}}
            for code, r in regions.items()
        },
        "entrees": {p: total_period("entrees", p) for p in cal.PERIODS},
        "entrees_comptees": {p: total_period("entrees_comptees", p) for p in cal.PERIODS},
        "croissance_2016": round(
            total_period("entrees", "2016") / max(total_period("entrees", "2015"), 1) - 1, 4
        ),
        "supplementaires_2016": additional,
        "classement_supplementaires_2016": ranking,
        "parts_publics_2016": {
            key: round(total(f"{key}_2016") / max(n16, 1), 4)
            for key in ("peu_qualifies", "jeunes", "seniors", "deld", "handicapes")
        },
        "duree_moyenne_2016": round(total("heures_2016") / max(n16, 1), 1),
        "part_certifiantes_2016": round(total("certifiantes_2016") / max(n16, 1), 4),
        "stock_2016_12_31": total("stock_2016_12_31"),
        "demandeurs": {str(y): n for y, n in dem.items()},
        "taux_emploi_sortants_2016": round(total("sortants_2016_emploi") / max(leavers, 1), 4),
        "taux_emploi_durable_sortants_2016": round(
            total("sortants_2016_emploi_durable") / max(leavers, 1), 4
        ),
        "actions_agregees": action_totals,
        "lignes_malformees": malformed,
        "lignes_anomalies": anomalies,
        "entrees_identifiant_local": sum(
            int(r.get("entrees_identifiant_local", 0)) for r in regions.values()
        ),
    }
    if persons:
        out["personnes_formees"] = {str(y): n for y, n in persons.items()}
        out["taux_acces"] = {str(y): round(persons[y] / max(dem[y], 1), 4) for y in persons}
    return out
