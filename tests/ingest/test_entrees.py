"""`entrees` (one row per person and session) equals the plain GROUP BY of DESIGN §3 over the
lines of active imports, whichever way the rebuild gets there (single-line keys bypass the
aggregation; incremental rebuilds touch only the new import's keys)."""

from __future__ import annotations

from jalon.ingest import import_file
from jalon.simulate.pe_stagiaires import write_pe_stagiaires
from jalon.sources import builtin_profiles
from jalon.store.canonical import session_key_sql
from tests.conftest import DATA

PROFILES = builtin_profiles()


def _reference(con, plan) -> list[tuple]:
    return con.execute(
        f"""
        WITH lines AS (
            SELECT l.*, {session_key_sql(plan.rules)} AS cle_session
            FROM entree_lignes l JOIN imports i USING (import_id) WHERE i.status = 'actif'
        )
        SELECT hash_personne, cle_session, min(date_entree),
               max(coalesce(date_fin_reelle, date_fin_prevue)),
               list_sort(list_distinct(flatten(list(financeurs)))),
               first(financeurs[1] ORDER BY import_id, line),
               first(formacode ORDER BY import_id, line),
               bool_or(certifinfo IS NOT NULL),
               first(siret ORDER BY import_id, line),
               first(lines.departement ORDER BY import_id, line),
               first(r.region ORDER BY import_id, line),
               max(coalesce(heures_centre, 0) + coalesce(heures_entreprise, 0))
                   FILTER (WHERE heures_centre IS NOT NULL OR heures_entreprise IS NOT NULL),
               list_sort(list_distinct(list(import_id))),
               bool_or(personne_source IS NOT NULL)
        FROM lines LEFT JOIN ref_departements r ON r.departement = lines.departement
        GROUP BY ALL ORDER BY 1, 2
        """
    ).fetchall()


def _entrees(con) -> list[tuple]:
    return con.execute("SELECT * FROM entrees ORDER BY 1, 2").fetchall()


def test_rebuilds_match_the_plain_aggregate(con, plan, key, tmp_path) -> None:
    first = tmp_path / "premier.csv"
    write_pe_stagiaires(first, 3_000, seed=11, region="76")
    lines = first.read_text(encoding="utf-8").splitlines()
    second = tmp_path / "second.csv"
    # Half of the first file's lines again, with another financeur: the same entries, merged.
    reported = [line.rsplit("|", 1)[0] + "|2;16" for line in lines[1:1500]]
    second.write_text("\n".join([lines[0], *reported]) + "\n", encoding="utf-8")
    import_file(con, first, PROFILES["pe-stagiaires"], plan, key)
    assert _entrees(con) == _reference(con, plan)
    import_file(con, second, PROFILES["pe-stagiaires"], plan, key)
    import_file(
        con,
        DATA / "region-stagiaires" / "export-occitanie-2016.csv",
        PROFILES["region-stagiaires"],
        plan,
        key,
    )
    rows = _entrees(con)
    assert rows == _reference(con, plan)
    assert sum(1 for r in rows if len(r[12]) == 2) >= 1400
    merged = [r for r in rows if len(r[12]) == 2]
    assert all(2 in r[4] and 16 in r[4] for r in merged)
