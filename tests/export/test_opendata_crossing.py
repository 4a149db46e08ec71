"""The open data table of entries by territory × month × financeur principal, on a small store
written here by hand (one Pôle emploi export whose lines are listed below): its cells checked by
hand, a small cell hidden with the secondary cells that keep it out of reach of every published
table (the pattern's null-space check, and an attacker's system built from the CSV files alone),
a Frictionless package that validates, the same bytes twice, and the page « Données »."""

from __future__ import annotations

import csv
import io
import itertools
import json
from pathlib import Path

import frictionless
import numpy as np
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from jalon.cli import app
from jalon.export.opendata import PUBLISHED, SECRET, month_financeur_table
from jalon.indicators import compute_all_bilans
from jalon.indicators.secret import plan_pattern
from jalon.indicators.secret_pattern import determined, linear_system
from jalon.ingest import import_file
from jalon.plan import Plan
from jalon.sources import builtin_profiles
from jalon.store import open_store
from jalon.web.app import Settings, create_app
from tests.conftest import TEST_KEY

runner = CliRunner()
CROSSING = "entrees-mois-financeur-principal"
HEADER = (
    "dn_individu_national|dd_datedebutmodule|dd_datefinmodule|departement|dc_formacode_ppal_id|"
    "dc_siret|dn_nombreheurescentre|dc_numeroicsession|liste_financeur"
)
DEPARTEMENTS = {"76": "31", "53": "35", "11": "75"}
MONTHS = ("2016-01", "2016-02")
FINANCEURS = ("2", "4")  # Conseil régional, Pôle emploi: both counted by the plan
# Entries by (region, month, financeur principal), chosen by hand: Occitanie's January entries
# financed by its Conseil régional (3) are under the plan's threshold (11).
ENTRIES = {
    ("76", "2016-01", "2"): 3,
    ("76", "2016-01", "4"): 30,
    ("76", "2016-02", "2"): 20,
    ("76", "2016-02", "4"): 25,
    ("53", "2016-01", "2"): 12,
    ("53", "2016-01", "4"): 15,
    ("53", "2016-02", "2"): 14,
    ("53", "2016-02", "4"): 18,
    ("11", "2016-01", "2"): 22,
    ("11", "2016-01", "4"): 40,
    ("11", "2016-02", "2"): 16,
    ("11", "2016-02", "4"): 35,
}
ENTRY_3 = ("76", "2016-01", "2")


def _export() -> str:
    """One line per entry: a person of their own entering the session of its group."""
    lines = [HEADER]
    person = itertools.count(1)
    for (region, month, financeur), count in ENTRIES.items():
        session = f"SE-{region}-{month}-{financeur}"
        for _ in range(count):
            lines.append(
                f"P{next(person):06d}|{month}-04 00:00:00.0|2016-06-30 00:00:00.0|"
                f"{DEPARTEMENTS[region]}|22854|31234567800014|300|{session}|{financeur}"
            )
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def crossing_store(tmp_path_factory: pytest.TempPathFactory, plan: Plan) -> Path:
    folder = tmp_path_factory.mktemp("croisement")
    source = folder / "pe-stagiaires-croisement.csv"
    source.write_text(_export(), encoding="utf-8")
    path = folder / "jalon.duckdb"
    con = open_store(path)
    try:
        profile = builtin_profiles()["pe-stagiaires"]
        summary = import_file(con, source, profile, plan, TEST_KEY.encode())
        assert summary.accepted == summary.lines_read == sum(ENTRIES.values())
    finally:
        con.close()
    return path


def _write(store_path: Path, target: Path) -> None:
    args = ["opendata", "--phase", "2016", "--sortie", str(target), "--db", str(store_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def package(crossing_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("jeu-croisement") / "jeu"
    _write(crossing_store, target)
    return target


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


BY_HAND = {
    **ENTRIES,
    **{
        ("FR", m, f): sum(n for (_, mm, ff), n in ENTRIES.items() if (mm, ff) == (m, f))
        for m in MONTHS
        for f in FINANCEURS
    },
}


def test_crossing_cells_are_the_entries_by_month_and_financeur(
    crossing_store: Path, package: Path, plan: Plan
) -> None:
    con = open_store(crossing_store, read_only=True)
    try:
        table = month_financeur_table(compute_all_bilans(con, plan, "2016"))  # before secrecy
    finally:
        con.close()
    regions = ("FR", "11", "53", "76")  # the nation first, then the regions by code
    assert [(c[0], c[2], c[4]) for c, _ in table.rows] == [
        (t, m, f) for t in regions for m in MONTHS for f in FINANCEURS
    ]
    assert {(c[0], c[2], c[4]): c[6] for c, _ in table.rows} == BY_HAND
    assert BY_HAND[("FR", "2016-01", "2")] == 37
    assert table.rows[-4][0][:6] == (
        "76",
        "Occitanie",
        "2016-01",
        "janvier 2016",
        "2",
        "Conseil régional",
    )

    rows = _rows(package / f"{CROSSING}.csv")
    assert list(rows[0]) == [f.name for f in table.fields] + ["entrees_statut"]
    for r in rows:
        if r["entrees_statut"] == PUBLISHED:
            assert int(r["entrees"]) == BY_HAND[(r["territoire"], r["mois"], r["financeur"])]
        else:
            assert (r["entrees"], r["entrees_statut"]) == ("", SECRET)
    small = next(r for r in rows if (r["territoire"], r["mois"], r["financeur"]) == ENTRY_3)
    assert small["entrees_statut"] == SECRET
    # The crossing protects itself: its margins, the bilan's tables, are all published (by hand:
    # Occitanie's 3 + 30 entries in January, 20 + 25 in February; 3 + 20 and 30 + 25 by funder).
    months = [r for r in _rows(package / "entrees-mois.csv") if r["territoire"] == "76"]
    assert [(r["mois"], r["entrees"]) for r in months[:2]] == [("2016-01", "33"), ("2016-02", "45")]
    funders = _rows(package / "entrees-financeur-principal.csv")
    assert [(r["financeur"], r["entrees"]) for r in funders if r["territoire"] == "76"] == [
        ("2", "23"),
        ("4", "55"),
    ]


def test_the_small_cell_is_hidden_and_no_published_table_gives_it_back(
    crossing_store: Path, package: Path, plan: Plan
) -> None:
    con = open_store(crossing_store, read_only=True)
    try:
        bilans = compute_all_bilans(con, plan, "2016")
    finally:
        con.close()
    pattern = plan_pattern(bilans, plan)
    small = ("76", "mois_financeur", "entrees", "2016-01|2")
    assert small in pattern.primary
    assert len(pattern.hidden - pattern.primary) >= 3  # its row, its column and its nation
    system = linear_system(bilans, plan.actions_agregees.included)
    assert determined(system.equations, sorted(pattern.hidden | set(system.gaps), key=repr)) == []
    # The files show exactly the pattern's cells of the crossing as secret.
    secret = {
        (None if r["territoire"] == "FR" else r["territoire"], f"{r['mois']}|{r['financeur']}")
        for r in _rows(package / f"{CROSSING}.csv")
        if r["entrees_statut"] == SECRET
    }
    assert secret == {(c[0], c[3]) for c in pattern.hidden if c[1] == "mois_financeur"}
    _attacker_cannot_recompute(package)


def _attacker_cannot_recompute(package: Path) -> None:
    """From the CSV files alone: each published count of entries is a sum of the unknowns region
    × month × financeur (the only département and domain of each region are published too); no
    hidden count's sum may lie in the row space of the published ones."""
    atoms = list(itertools.product(DEPARTEMENTS, MONTHS, FINANCEURS))

    def vector(territory: str, month: str | None = None, financeur: str | None = None):
        return np.array(
            [
                float(territory in ("FR", r) and month in (None, m) and financeur in (None, f))
                for r, m, f in atoms
            ]
        )

    published: list[np.ndarray] = []
    hidden: list[tuple[str, np.ndarray]] = []

    def read(name: str, column: str, month: str | None, financeur: str | None) -> None:
        for r in _rows(package / f"{name}.csv"):
            cell = vector(
                r["territoire"],
                r[month] if month else None,
                r[financeur] if financeur else None,
            )
            if r[f"{column}_statut"] == PUBLISHED:
                published.append(cell)
            else:
                hidden.append((f"{name} {r['territoire']} {column}", cell))

    read("entrees-mois", "entrees", "mois", None)
    read("entrees-financeur-principal", "entrees", None, "financeur")
    read(CROSSING, "entrees", "mois", "financeur")
    read("entrees-departement", "entrees", None, None)
    read("entrees-domaine-formacode", "entrees", None, None)
    read("indicateurs", "entrees", None, None)
    # No reference period in the store: « entrées supplémentaires » are the entries themselves.
    read("indicateurs", "entrees_supplementaires", None, None)
    assert hidden
    _, singular, vt = np.linalg.svd(np.array(published), full_matrices=False)
    basis = vt[singular > 1e-9 * float(singular.max())]
    for name, cell in hidden:
        assert np.linalg.norm(cell - basis.T @ (basis @ cell)) > 1e-6, f"{name} se recalcule"


def test_package_validates_and_two_runs_write_the_same_bytes(
    crossing_store: Path, package: Path, tmp_path: Path
) -> None:
    report = frictionless.validate(package / "datapackage.json")
    assert report.valid, report.flatten(["type", "message"])
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in descriptor["resources"] if r["name"] == CROSSING)
    assert resource["schema"]["primaryKey"] == ["territoire", "mois", "financeur"]
    fields = {f["name"]: f for f in resource["schema"]["fields"]}
    assert fields["mois"]["type"] == "yearmonth" and fields["entrees"]["type"] == "integer"
    assert resource["title"] == "Entrées par mois et financeur principal, par territoire"
    _write(crossing_store, tmp_path / "encore")
    for path in sorted(package.iterdir()):
        assert (tmp_path / "encore" / path.name).read_bytes() == path.read_bytes(), path.name


def test_the_donnees_page_lists_the_crossing(crossing_store: Path, tmp_path: Path) -> None:
    settings = Settings(db_path=crossing_store, https_only=False, upload_dir=tmp_path / "envois")
    with TestClient(create_app(settings)) as client:
        listing = client.get("/donnees.json?phase=2016").json()
        table = next(t for t in listing["tables"] if t["nom"] == CROSSING)
        assert table["titre"] == "Entrées par mois et financeur principal, par territoire"
        assert table["lignes"] == 16  # 4 territories × 2 months × 2 financeurs
        page = client.get("/donnees?phase=2016").text
        assert "Entrées par mois et financeur principal, par territoire" in page
        assert f'href="/donnees/2016/{CROSSING}.csv"' in page
        served = client.get(f"/donnees/2016/{CROSSING}.csv")
        assert served.status_code == 200 and served.text.startswith("territoire,")
