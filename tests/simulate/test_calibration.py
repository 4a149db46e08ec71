"""Calibration on the public record, checked on the generated files at a small scale.

Counts are exact by construction (the scale times the calibrated count); shares are drawn, so
their tolerance is four binomial standard errors at the number of entries generated.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import xml.etree.ElementTree as ET
from collections import Counter

import numpy as np

from jalon.simulate import Manifest
from jalon.simulate import calibration as cal
from jalon.simulate.geo import REGIONS_2016
from jalon.simulate.region import generate_region
from tests.simulate.conftest import COUNTED, SCALE, SEED, Entry, Files


def _counted(files: Files, year: int, region: str | None = None) -> list[Entry]:
    return [
        e
        for e in files.entries.values()
        if e.start.year == year and e.financeurs & COUNTED and region in (None, e.region)
    ]


def _tolerance(p: float, n: int) -> float:
    return 4 * math.sqrt(p * (1 - p) / n)


def test_entries_from_files_equal_the_truth(manifest: Manifest, files: Files) -> None:
    """Also in 2017, when Île-de-France's export has no national id: its entries are not
    reported by Pôle emploi too (they could not be merged by person)."""
    truth = manifest.truth["regions"]
    for region, figures in truth.items():
        for year, period in ((2015, "2015"), (2016, "2016"), (2017, "2017S1")):
            assert len(_counted(files, year, region)) == figures["entrees_comptees"][period]
    local = [k for k in files.entries if k[0].startswith("11/")]
    assert len(local) == manifest.truth["entrees_identifiant_local"] > 0


def test_occitanie(files: Files, manifest: Manifest) -> None:
    e2015 = len(_counted(files, 2015, "76"))
    e2016 = len(_counted(files, 2016, "76"))
    assert e2015 == round(60_000 * SCALE)
    assert e2016 == round(92_000 * SCALE)
    additional = {
        r: len(_counted(files, 2016, r)) - len(_counted(files, 2015, r))
        for r in manifest.truth["regions"]
    }
    assert max(additional, key=lambda r: additional[r]) == "76"
    assert manifest.truth["regions"]["76"]["places"]["2016"] > 90_000 * SCALE


def test_national_volumes(files: Files) -> None:
    n2015 = len([e for e in files.entries.values() if e.start.year == 2015])
    n2016 = len([e for e in files.entries.values() if e.start.year == 2016])
    assert abs(len(_counted(files, 2016)) - 975_000 * SCALE) <= 18
    assert abs(n2016 - 1_013_000 * SCALE) < 0.01 * 1_013_000 * SCALE
    assert abs(n2016 / n2015 - 1.48) < 0.01


def test_publics_hours_certifying(manifest: Manifest, files: Files) -> None:
    entries = _counted(files, 2016)
    n = len(entries)
    persons: dict[str, dict[str, str]] = {}
    for item in manifest.profile("personnes"):
        with item.path.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                current = persons.get(row["identifiant_national"])
                if current is None or row["date_inscription"] > current["date_inscription"]:
                    persons[row["identifiant_national"]] = row
    counts: Counter[str] = Counter()
    for e in entries:
        person = persons[e.person]
        birth = dt.date.fromisoformat(person["mois_naissance"] + "-01")
        age = e.start.year - birth.year - ((e.start.month, e.start.day) < (birth.month, 1))
        seniority = (e.start - dt.date.fromisoformat(person["date_inscription"])).days
        counts["peu_qualifies"] += int(person["niveau"]) in (1, 2, 3, 4)
        counts["jeunes"] += age < 26
        counts["seniors"] += age >= 45
        counts["deld"] += seniority >= 365
        counts["handicapes"] += person["travailleur_handicape"] == "1"
        counts["certifiantes"] += e.certifying
    targets = {
        "peu_qualifies": 0.28,
        "jeunes": 0.29,
        "seniors": 0.22,
        "deld": 0.20,
        "handicapes": 0.11,
        "certifiantes": cal.CERTIFYING_SHARE,
    }
    for key, share in targets.items():
        assert abs(counts[key] / n - share) < _tolerance(share, n), key
    assert counts["seniors"] / n > 0.20
    assert counts["certifiantes"] / n > 1 / 3
    hours = [e.hours for e in entries if e.hours is not None]
    # Hours are scaled so that every region's mean is exact: only rounding to 7 h remains.
    assert abs(sum(hours) / len(hours) - cal.MEAN_HOURS) < 2


def test_access_rate_and_employment(manifest: Manifest, files: Files) -> None:
    demandeurs: Counter[int] = Counter()
    for item in manifest.profile("demandeurs"):
        with item.path.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                demandeurs[int(row["annee"])] += int(row["demandeurs"])
    for year, rate in ((2015, 0.105), (2016, 0.154)):
        persons = {e.person for e in files.entries.values() if e.start.year == year}
        assert abs(len(persons) / demandeurs[year] - rate) < 0.001
    spells: dict[str, list[tuple[dt.date, dt.date | None, str]]] = {}
    for item in manifest.profile("emplois"):
        with item.path.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                end = dt.date.fromisoformat(row["date_fin"]) if row["date_fin"] else None
                spells.setdefault(row["identifiant_national"], []).append(
                    (dt.date.fromisoformat(row["date_debut"]), end, row["type_contrat"])
                )
    leavers: dict[str, list[dt.date]] = {}
    for e in files.entries.values():
        if e.financeurs & COUNTED and e.end is not None and e.end.year == 2016:
            leavers.setdefault(e.person, []).append(e.end)
    employed = durable = 0
    for person, ends in leavers.items():
        ok = dur = False
        for start, end, kind in spells.get(person, []):
            days = (end - start).days if end else None
            if any(0 < (start - x).days <= 182 for x in ends) and (days is None or days >= 30):
                ok = True
                dur = dur or kind in ("CDI", "CREATION") or days is None or days >= 182
        employed += ok
        durable += dur
    n = len(leavers)
    assert abs(employed / n - cal.EXPECTED.emploi) < _tolerance(0.512, n) + 0.01
    assert abs(durable / n - cal.EXPECTED.durable) < _tolerance(0.25, n) + 0.01


def test_monthly_profile(files: Files) -> None:
    months = Counter(
        (e.start.year, e.start.month) for e in files.entries.values() if e.financeurs & COUNTED
    )
    for year in (2015, 2016):
        assert months[(year, 9)] == max(months[(year, m)] for m in range(1, 13))
        assert months[(year, 8)] == min(months[(year, m)] for m in range(1, 13))
    assert months[(2016, 10)] > 1.4 * months[(2015, 10)]
    assert months[(2016, 1)] < 1.1 * months[(2015, 1)]


def test_actions_agregees(manifest: Manifest) -> None:
    totals: Counter[tuple[int, str]] = Counter()
    for item in manifest.profile("actions-agregees"):
        with item.path.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                totals[(int(row["annee"]), row["type_action"])] += int(row["nombre"])
    assert totals[(2016, "accompagnement-creation")] == round(68_000 * SCALE)
    assert totals[(2016, "contrat-professionnalisation")] == round(76_000 * SCALE)
    assert totals[(2016, "vae-collective")] == round(7_000 * SCALE)


def test_places_launched_in_occitanie(manifest: Manifest) -> None:
    item = next(f for f in manifest.profile("lheo") if f.region == "76")
    ns = {"l": "http://www.lheo.org/2.2"}
    places: Counter[str] = Counter()
    for action in ET.parse(item.path).getroot().iterfind(".//l:action", ns):
        years = {d.text[:4] for d in action.iterfind("l:session/l:periode/l:debut", ns) if d.text}
        assert len(years) == 1
        year = years.pop()
        for financeur in action.iterfind("l:organisme-financeur", ns):
            places[year] += int(financeur.findtext("l:nb-places-financees", "0", ns))
    assert places["2016"] == manifest.truth["regions"]["76"]["places"]["2016"]
    assert places["2016"] > 90_000 * SCALE
    assert places["2016"] - places["2015"] > 25_000 * SCALE


def _stock_end_2016(entries: list[Entry]) -> int:
    """Counted entries started on or before 31 December 2016 and not ended that day."""
    day = dt.date(2016, 12, 31)
    return sum(e.start <= day and (e.end is None or e.end > day) for e in entries)


def test_stock_end_2016_from_the_files(manifest: Manifest, files: Files) -> None:
    counted = [e for e in files.entries.values() if e.financeurs & COUNTED]
    stock = _stock_end_2016(counted)
    assert stock == manifest.truth["stock_2016_12_31"]
    # Durations are drawn: the stock's standard deviation over seeds is about 0.45 % / √scale.
    target = cal.EXPECTED.stock_end_2016 * SCALE
    assert abs(stock - target) < 4 * 0.0045 / math.sqrt(SCALE) * target


def test_stock_end_2016_at_full_scale() -> None:
    """Issue 5's criterion (1 %) on the drawn tables of every region at scale 1, without files."""
    day = np.datetime64("2016-12-31")
    stock = 0
    for index, region in enumerate(REGIONS_2016):
        data = generate_region(region, index, 1.0, SEED)
        start = data.sessions.start[data.entrees.session]
        end = data.sessions.end[data.entrees.session]
        stock += int((data.counted & (start <= day) & (end > day)).sum())
    assert abs(stock - cal.EXPECTED.stock_end_2016) < 0.01 * cal.EXPECTED.stock_end_2016
