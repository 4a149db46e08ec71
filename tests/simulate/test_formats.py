"""The files follow docs/formats.md: headers, delimiters, encodings, line counts, realism."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from jalon.simulate import (
    LAYOUT_34,
    LAYOUT_35,
    LAYOUT_35_COFINANCEMENT,
    LAYOUT_2015,
    LAYOUT_2016,
    LAYOUTS,
    REGION_STAGIAIRES_COLUMNS,
    REGION_STAGIAIRES_LOCAL_COLUMNS,
    Manifest,
)
from jalon.simulate import calibration as cal
from jalon.simulate.geo import REGIONS_2016
from jalon.simulate.pools import MAIL_DOMAINS
from jalon.sources import builtin_profiles
from jalon.sources.header import match_header
from tests.simulate.conftest import Files

ROOT = Path(__file__).resolve().parents[2]
FORMATS = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
NS = {"l": "http://www.lheo.org/2.2"}


PE_SECTION = FORMATS.split("## `pe-stagiaires`", 1)[1].split("\n## ", 1)[0]


def _doc_bullet(title: str) -> str:
    return PE_SECTION.split(f"**{title}**", 1)[1].split("\n  - ", 1)[0]


def test_pe_layouts_are_the_documented_ones() -> None:
    """The simulator writes DESIGN §5's layouts, as the format doc describes them."""
    listed = re.findall(r"`([^`]*)`", _doc_bullet("38 colonnes, dates de module"))
    assert list(LAYOUT_2016) == " ".join(listed).split()
    sessions = _doc_bullet("38 colonnes, dates de session")
    assert "`dd_datedebutsession`" in sessions and "`dd_datefinsession`" in sessions
    renamed = {"dd_datedebutmodule": "dd_datedebutsession", "dd_datefinmodule": "dd_datefinsession"}
    assert list(LAYOUT_2015) == [renamed.get(c, c) for c in LAYOUT_2016]
    plan = _doc_bullet("34 colonnes, dates du plan de formation")
    without = set(re.findall(r"`([^`]*)`", plan.split("sans niveaux ni durées", 1)[1]))
    levels_and_durations = LAYOUT_2016[
        LAYOUT_2016.index("dc_niveauformation_entree_id") : LAYOUT_2016.index(
            "dn_nombreheurescentre"
        )
        + 1
    ]
    expected: list[str] = []
    for name in LAYOUT_2016:
        if name in without or name in levels_and_durations:
            continue
        expected.append(name.replace("module", "planformation"))
        if name == "dc_formacode_ppal_id":
            expected += [f"dc_formacode_secondaire{i}_id" for i in range(1, 5)]
        if name == "dn_certifinfo_1_id":
            expected += [f"dn_certifinfo_{i}_id" for i in range(2, 6)]
    assert list(LAYOUT_34) == expected and len(LAYOUT_34) == 34
    assert "`c_dispositifformation`" in _doc_bullet("35 colonnes")
    assert list(LAYOUT_35) == [*LAYOUT_34, "c_dispositifformation"]
    assert LAYOUT_35_COFINANCEMENT[:35] == LAYOUT_35
    assert not any(c in FORMATS for c in LAYOUT_35_COFINANCEMENT[35:])


def test_the_importer_reads_every_simulated_layout() -> None:
    """Each layout is read by meaning; only the co-financing columns are unknown to the profile;
    the local regional layout has no national id, only the trainee's regional id."""
    profiles = builtin_profiles()
    for name, columns in LAYOUTS.items():
        match = match_header(profiles["pe-stagiaires"], list(columns))
        assert match.usable, name
        assert match.ignored == list(columns[35:] if name == "2017-35-cofinancement" else []), name
    national = match_header(profiles["region-stagiaires"], list(REGION_STAGIAIRES_COLUMNS))
    assert national.usable and national.ignored == [] and national.local_id is None
    local = match_header(profiles["region-stagiaires"], list(REGION_STAGIAIRES_LOCAL_COLUMNS))
    assert local.usable and local.ignored == []
    assert "hash_personne" not in local.positions
    assert local.local_id == REGION_STAGIAIRES_LOCAL_COLUMNS.index("Identifiant Stagiaire")
    assert "date_fin_reelle" in local.positions and "code_postal_lieu" in local.positions


def test_every_region_has_every_kind_of_file(manifest: Manifest) -> None:
    assert {f.region for f in manifest.files} == set(REGIONS_2016)
    for region in REGIONS_2016:
        kinds = {f.profile for f in manifest.files if f.region == region}
        expected = {
            "lheo",
            "personnes",
            "pe-stagiaires",
            "emplois",
            "demandeurs",
            "actions-agregees",
        }
        assert expected <= kinds, region
    months = {f.period for f in manifest.profile("pe-stagiaires") if f.region == "76"}
    assert len(months) == 30
    layouts: dict[str, set[str | None]] = {}
    for f in manifest.profile("pe-stagiaires"):
        layouts.setdefault(f.period, set()).add(f.layout)
    assert all(layouts[m] == {"2015"} for m in layouts if m < "2016")
    assert all(layouts[m] == {"2016"} for m in layouts if "2016" <= m < "2017")
    assert layouts["2017-01"] == {"2017-34"} and layouts["2017-05"] == {"2017-35"}
    assert layouts["2017-06"] == {"2017-35-cofinancement"}
    regional = {(f.region, f.period, f.layout) for f in manifest.profile("region-stagiaires")}
    local = {(r, p) for r, p, layout in regional if layout == "local"}
    assert local == {("11", "2017-T1"), ("11", "2017-T2")}


def test_a_few_anomalies_per_trainee_export(manifest: Manifest) -> None:
    for item in manifest.profile("pe-stagiaires") + manifest.profile("region-stagiaires"):
        assert item.anomalies <= cal.ANOMALIES_PER_FILE, item
        assert item.lines < 50 or item.anomalies == cal.ANOMALIES_PER_FILE, item
    pe = next(f for f in manifest.profile("pe-stagiaires") if f.lines > 100)
    columns = LAYOUTS[str(pe.layout)]
    rows = [line.split("|") for line in pe.path.read_text(encoding="utf-8").split("\n")[1:-1]]
    rows = [r for r in rows if len(r) == len(columns)]
    siret = [r[columns.index("dc_siret")] for r in rows]
    assert sum(len(s) == 15 for s in siret) == 1
    assert sum(r[columns.index("departement")] == "00" for r in rows) == 1
    assert sum(r[columns.index("dc_cp_lieuformation")] == "-" for r in rows) == 1


def test_line_counts_and_headers(manifest: Manifest) -> None:
    for item in manifest.files:
        if item.profile == "lheo":
            continue
        raw = item.path.read_bytes()
        text = raw.decode(item.encoding)
        lines = text.split("\n")
        assert lines[-1] == "", item.path
        assert len(lines) - 2 == item.lines, item.path
        if item.profile == "pe-stagiaires":
            assert lines[0] == "|".join(LAYOUTS[str(item.layout)])
            assert "\r" not in text and '"' not in text
        elif item.profile == "region-stagiaires":
            local = item.layout == "local"
            names = REGION_STAGIAIRES_LOCAL_COLUMNS if local else REGION_STAGIAIRES_COLUMNS
            assert lines[0] == ";".join(names)


def test_malformed_lines_are_counted(manifest: Manifest, files: Files) -> None:
    assert files.malformed == sum(
        f.malformed for f in manifest.files if f.path not in manifest.superseded()
    )
    share = files.malformed / files.lines_read
    assert 0.0005 < share < 0.005


def test_latin1_regional_files(manifest: Manifest) -> None:
    latin = [f for f in manifest.profile("region-stagiaires") if f.encoding == "latin-1"]
    assert latin
    raw = latin[0].path.read_bytes()
    assert "Prénom".encode("latin-1") in raw
    assert "Prénom".encode() not in raw


def test_correction_replaces_an_earlier_file(manifest: Manifest) -> None:
    order = [f.path for f in manifest.files]
    corrections = [f for f in manifest.files if f.replaces]
    assert len(corrections) == len(REGIONS_2016)
    for fix in corrections:
        assert fix.replaces in order
        assert order.index(fix.replaces) < order.index(fix.path)
        original = next(f for f in manifest.files if f.path == fix.replaces)
        assert original.sha256 != fix.sha256 or fix.lines == 0


def test_no_real_looking_email(files: Files) -> None:
    domains = {e.rsplit("@", 1)[1] for e in files.emails if "@" in e}
    assert domains and domains <= set(MAIL_DOMAINS)


def test_realism_of_trainee_exports(files: Files) -> None:
    combos = {frozenset(e.financeurs) for e in files.entries.values()}
    assert frozenset({4, 7}) in combos and frozenset({2, 4}) in combos
    assert files.duplicates > 0.005 * len(files.entries)
    per_person: dict[str, int] = {}
    for e in files.entries.values():
        per_person[e.person] = per_person.get(e.person, 0) + 1
    assert sum(n >= 2 for n in per_person.values()) > 0.01 * len(per_person)
    fallback = [k for k in files.entries if not k[1].startswith("SE_")]
    assert 0.01 * len(files.entries) < len(fallback) < 0.15 * len(files.entries)


def test_lheo_catalogue(manifest: Manifest) -> None:
    item = next(f for f in manifest.profile("lheo") if f.region == "76")
    root = ET.parse(item.path).getroot()
    sessions = root.findall(".//l:session", NS)
    assert len(sessions) == item.lines
    for action in root.iterfind(".//l:action", NS):
        assert (
            action.find("l:lieu-de-formation/l:coordonnees/l:adresse/l:code-INSEE-commune", NS)
            is not None
        )
        assert action.find("l:nombre-heures-centre", NS) is not None
    debut = sessions[0].find("l:periode/l:debut", NS)
    assert debut is not None and debut.text is not None
    dt.datetime.strptime(debut.text, "%Y%m%d")
