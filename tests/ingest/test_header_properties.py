"""Property tests of reading by meaning: whatever the order of a layout's columns, whatever
columns nobody declared it carries, and whichever optional columns it lacks, a file imports the
same entries; and no value of an undeclared column reaches the database file."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jalon.ingest import import_file
from jalon.plan import Plan, load_plan
from jalon.sources import builtin_profiles
from jalon.store import open_store
from tests.conftest import TEST_KEY
from tests.ingest.layouts import PE_34

PROFILE = builtin_profiles()["pe-stagiaires"]
PLAN: Plan = load_plan()
#: What counting needs: the person, the start date, the financeurs and one place column.
REQUIRED = {"dn_individu_national", "dd_datedebutplanformation", "liste_financeur", "departement"}
OPTIONAL = [c for c in PE_34 if c not in REQUIRED]
ROWS = [
    {
        "dn_individu_national": "4012345678",
        "dd_datedebutplanformation": "2017-02-06 00:00:00.0",
        "dd_datefinplanformation": "2017-05-19 00:00:00.0",
        "departement": "31",
        "dc_insee_lieuformation": "31555",
        "dc_cp_lieuformation": "31400",
        "dc_formacode_ppal_id": "22854",
        "dc_siret": "31234567800014",
        "dc_numeroicsession": "SE_0000301",
        "liste_financeur": "4",
        "c_nomcorrespondance": "Fabre-Essai",
    },
    {
        "dn_individu_national": "4012345679",
        "dd_datedebutplanformation": "2017-03-13 00:00:00.0",
        "departement": "34",
        "dc_insee_lieuformation": "34172",
        "dc_formacode_ppal_id": "31812",
        "liste_financeur": "4;7",
        "c_adresseemail": "hugo.moreau@exemple.test",
    },
]
#: Columns only `departement`-derived or stored as such; compared across variants.
COMPARED = "line, date_entree, financeurs, departement"

unknown_name = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=4, max_size=14).map(
    lambda s: f"x_{s}"
)
unknown_value = st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=10, max_size=16).map(
    lambda s: f"INCONNU{s}"
)


def _import(folder: Path, columns: list[str], extra: dict[str, str]) -> list[tuple[object, ...]]:
    lines = ["|".join(columns + list(extra))]
    for row in ROWS:
        lines.append("|".join([row.get(c, "NULL") for c in columns] + list(extra.values())))
    path = folder / "export.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    con = open_store(folder / "jalon.duckdb")
    try:
        summary = import_file(con, path, PROFILE, PLAN, TEST_KEY.encode())
        assert summary.ignored_columns == list(extra)
        rows = con.execute(f"SELECT {COMPARED} FROM entree_lignes ORDER BY line").fetchall()
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return rows


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    order=st.permutations(PE_34),
    dropped=st.sets(st.sampled_from(OPTIONAL), max_size=len(OPTIONAL)),
    extra=st.dictionaries(unknown_name, unknown_value, max_size=4),
)
def test_any_order_extra_and_missing_optional_columns_give_the_same_entries(
    order: list[str], dropped: set[str], extra: dict[str, str]
) -> None:
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        expected = _import(Path(a), PE_34, {})
        columns = [c for c in order if c not in dropped]
        assert _import(Path(b), columns, extra) == expected
        content = b"".join(p.read_bytes() for p in Path(b).glob("jalon.duckdb*") if p.is_file())
        for value in extra.values():
            assert value.encode() not in content
