"""The files follow docs/formats.md: headers, delimiters, encodings, line counts, realism."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from jalon.simulate import LAYOUT_2016, LAYOUT_2017, REGION_STAGIAIRES_COLUMNS, Manifest
from jalon.simulate.geo import REGIONS_2016
from jalon.simulate.pools import MAIL_DOMAINS
from tests.simulate.conftest import Files

ROOT = Path(__file__).resolve().parents[2]
FORMATS = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
NS = {"l": "http://www.lheo.org/2.2"}


def _doc_layout_2016() -> list[str]:
    block = FORMATS.split("**Disposition 2016 (38 colonnes)**", 1)[1].split("**Disposition", 1)[0]
    return " ".join(re.findall(r"`([^`]*)`", block)).split()


def test_pe_layouts_are_the_documented_ones() -> None:
    """The simulator writes the profile's layouts; the profile must be what the format doc says."""
    assert list(LAYOUT_2016) == _doc_layout_2016()
    assert len(LAYOUT_2016) == 38
    renamed = {
        "dd_datedebutmodule": "dd_datedebutplanformation",
        "dd_datefinmodule": "dd_datefinplanformation",
    }
    dropped = set(LAYOUT_2016[LAYOUT_2016.index("dc_niveauformation_entree_id") :][:7])
    expected: list[str] = []
    for name in LAYOUT_2016:
        if name in dropped:
            continue
        if name == "liste_financeur":
            expected.append("c_dispositifformation")
        expected.append(renamed.get(name, name))
        if name == "dc_formacode_ppal_id":
            expected += [f"dc_formacode_secondaire{i}_id" for i in range(1, 5)]
        if name == "dn_certifinfo_1_id":
            expected += [f"dn_certifinfo_{i}_id" for i in range(2, 6)]
    assert list(LAYOUT_2017) == expected
    assert len(LAYOUT_2017) == 40


def test_region_columns_are_the_documented_ones() -> None:
    assert ";".join(REGION_STAGIAIRES_COLUMNS) in FORMATS


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
    assert {f.layout for f in manifest.profile("pe-stagiaires") if f.period >= "2017"} == {"2017"}
    assert {f.layout for f in manifest.profile("pe-stagiaires") if f.period < "2017"} == {"2016"}


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
            layout = LAYOUT_2016 if item.layout == "2016" else LAYOUT_2017
            assert lines[0] == "|".join(layout)
            assert "\r" not in text and '"' not in text
        elif item.profile == "region-stagiaires":
            assert lines[0] == ";".join(REGION_STAGIAIRES_COLUMNS)


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
