"""Property tests on generated `pe-stagiaires` files: a random mix of valid, malformed and duplicate
lines always satisfies lines read = accepted + rejected + duplicates, and no personal value (name,
e-mail, phone, raw national id) reaches the database — neither in any text column of any table
nor in the bytes of the database file."""

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
from tests.ingest.layouts import PE_38 as LAYOUT_2016

PROFILE = builtin_profiles()["pe-stagiaires"]
PLAN: Plan = load_plan()
INDEX = {name: i for i, name in enumerate(LAYOUT_2016)}
BASE = dict.fromkeys(LAYOUT_2016, "NULL") | {
    "dd_datedebutmodule": "2016-03-07 00:00:00.0",
    "dd_datefinmodule": "2016-06-24 00:00:00.0",
    "dc_insee_lieuformation": "31555",
    "dc_formacode_ppal_id": "22854",
    "dc_siret": "31234567800014",
    "departement": "31",
    "dn_nombreheurescentre": "420",
    "liste_financeur": "4",
}

person = st.tuples(
    st.integers(1_000_000, 9_999_999),
    st.sampled_from("ABCDEFGHJKLMNPRSTVWXYZ"),
    st.text("abcdefghijklmnopqrstuvwxyzéèç", min_size=6, max_size=12),
    st.integers(10_000_000, 99_999_999),
)
kind = st.sampled_from(
    ["valide", "valide", "valide", "tronquee", "champ_en_trop", "date", "doublon"]
)


def _line(p: tuple[int, str, str, int], session: int, k: str) -> str:
    number, letter, name, phone = p
    values = BASE | {
        "c_nomcorrespondance": f"Nom{name}",
        "c_prenomcorrespondance": f"Prenom{name}",
        "c_adresseemail": f"{name}.{number}@exemple.test",
        "c_telephone1": f"06{phone}",
        "c_individulocal": f"LOC{number}{letter}",
        "dn_individu_national": f"{number}{letter}",
        "dc_numeroicsession": f"SE_{session:07d}",
    }
    if k == "date":
        values["dd_datedebutmodule"] = "2016-02-31 00:00:00.0"
    fields = [values[c] for c in LAYOUT_2016]
    if k == "tronquee":
        fields = fields[: len(fields) // 2]
    if k == "champ_en_trop":
        fields.append("X")
    return "|".join(fields)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(rows=st.lists(st.tuples(person, st.integers(1, 40), kind), min_size=1, max_size=40))
def test_accounting_holds_and_nothing_personal_is_stored(rows) -> None:
    lines: list[str] = []
    for p, session, k in rows:
        if k == "doublon" and lines:
            lines.append(lines[-1])
        else:
            lines.append(_line(p, session, "valide" if k == "doublon" else k))
    personal = set()
    for (number, letter, name, phone), _session, _k in rows:
        personal |= {
            f"Nom{name}",
            f"{name}.{number}@exemple.test",
            f"06{phone}",
            f"{number}{letter}",
            f"LOC{number}{letter}",
        }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        path.write_text("|".join(LAYOUT_2016) + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
        db = Path(folder) / "jalon.duckdb"
        con = open_store(db)
        try:
            s = import_file(con, path, PROFILE, PLAN, TEST_KEY.encode())
            assert s.lines_read == len(lines)
            assert s.lines_read == s.accepted + s.rejected + s.duplicates
            assert s.duplicates == len(lines) - len(set(lines))
            stored = con.execute(
                "SELECT lines_read, accepted + rejected + duplicates FROM imports"
            ).fetchone()
            assert stored == (s.lines_read, s.lines_read)
            text_columns = con.execute(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE data_type = 'VARCHAR' AND table_schema = 'main'"
            ).fetchall()
            for table, column in text_columns:
                values = {
                    r[0] for r in con.execute(f'SELECT DISTINCT "{column}" FROM {table}').fetchall()
                }
                assert not (values & personal), (table, column)
        finally:
            con.close()
        content = b"".join(
            p.read_bytes() for p in Path(folder).glob("jalon.duckdb*") if p.is_file()
        )
        for value in personal:
            assert value.encode() not in content
