"""Personal data never reaches the store: names, e-mails, phones and raw ids are absent."""

from __future__ import annotations

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from jalon.ingest import import_file
from jalon.ingest.pseudonymise import hmac_sql, person_hash
from jalon.sources import builtin_profiles
from tests.conftest import DATA

FIXTURE = DATA / "pe-stagiaires" / "export-2016-occitanie.csv"
PERSONAL_COLUMNS = {
    "c_nomcorrespondance",
    "c_prenomcorrespondance",
    "c_adresseemail",
    "c_telephone1",
    "c_individulocal",
    "dn_individu_national",
}


def _personal_values() -> set[str]:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("|")
    values = set()
    for line in lines[1:]:
        fields = line.split("|")
        for name, value in zip(header, fields, strict=False):
            if name in PERSONAL_COLUMNS and value not in ("NULL", "") and len(value) >= 5:
                values.add(value)
    return values


def test_no_personal_value_in_the_database_file(db_path, plan, key) -> None:
    con = duckdb.connect(str(db_path))
    from jalon.store.database import migrate

    migrate(con)
    import_file(con, FIXTURE, builtin_profiles()["pe-stagiaires"], plan, key)
    con.execute("CHECKPOINT")
    con.close()
    content = db_path.read_bytes()
    values = _personal_values()
    assert len(values) >= 15, "the fixture must exercise names, e-mails, phones and ids"
    for value in values:
        for encoding in ("utf-8", "utf-16-le"):
            assert value.encode(encoding) not in content, f"{value!r} found in the database"
    hashed = person_hash(key, "1000001A")
    check = duckdb.connect(str(db_path), read_only=True)
    stored = {r[0] for r in check.execute("SELECT hash_personne FROM entrees").fetchall()}
    check.close()
    assert hashed in stored


@settings(max_examples=60, deadline=None)
@given(
    key=st.binary(min_size=16, max_size=100),
    value=st.text(min_size=0, max_size=40).filter(lambda s: "\x00" not in s),
)
def test_sql_hmac_matches_python_hmac(key: bytes, value: str) -> None:
    con = duckdb.connect()
    row = con.execute(f"SELECT {hmac_sql(key, '?')}", [value]).fetchone()
    assert row is not None and row[0] == person_hash(key, value)
