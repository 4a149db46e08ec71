"""Build the canonical `entrees` table (une ligne par entrée en formation) from `entree_lignes`.

Runs inside the caller's transaction after each import: rows of active imports are grouped by
(person, session) — the same training reported by two sources becomes one entry whose
financeurs are merged, and the imports it came from are kept as lineage. The session key follows
the plan's rule: the Intercarif session number when present, else the declared fallback fields.
"""

from __future__ import annotations

import duckdb

from jalon.plan import Rules
from jalon.reference import departements

_FALLBACK_SQL = {
    "siret": "coalesce(l.siret, '?')",
    "formacode": "coalesce(l.formacode, '?')",
    "date_entree": "strftime(l.date_entree, '%Y-%m-%d')",
}


def load_reference(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)load the département → région table the canonical layer joins on."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS ref_departements "
        "(departement VARCHAR PRIMARY KEY, region VARCHAR NOT NULL)"
    )
    con.execute("DELETE FROM ref_departements")
    con.executemany(
        "INSERT INTO ref_departements VALUES (?, ?)", [(d.code, d.region) for d in departements()]
    )


def session_key_sql(rules: Rules) -> str:
    fallback = " || '|' || ".join(_FALLBACK_SQL[field] for field in rules.session_key_fallback)
    return f"coalesce('IC:' || l.numero_session, 'SK:' || {fallback})"


def rebuild_entrees(con: duckdb.DuckDBPyConnection, rules: Rules) -> None:
    load_reference(con)
    con.execute("DELETE FROM entrees")
    con.execute(
        f"""
        INSERT INTO entrees
        WITH lines AS (
            SELECT l.*, {session_key_sql(rules)} AS cle_session
            FROM entree_lignes l
            JOIN imports i USING (import_id)
            WHERE i.status = 'actif'
        )
        SELECT
            hash_personne,
            cle_session,
            min(date_entree) AS date_entree,
            max(date_fin_prevue) AS date_sortie,
            list_sort(list_distinct(flatten(list(financeurs)))) AS financeurs,
            first(financeurs[1] ORDER BY import_id, line) AS financeur_principal,
            first(formacode ORDER BY import_id, line) AS formacode,
            bool_or(certifinfo IS NOT NULL) AS certifiante,
            first(siret ORDER BY import_id, line) AS siret,
            first(lines.departement ORDER BY import_id, line) AS departement,
            first(r.region ORDER BY import_id, line) AS region,
            max(coalesce(heures_centre, 0) + coalesce(heures_entreprise, 0))
                FILTER (WHERE heures_centre IS NOT NULL OR heures_entreprise IS NOT NULL)
                AS duree_heures,
            list_sort(list_distinct(list(import_id))) AS imports
        FROM lines
        LEFT JOIN ref_departements r ON r.departement = lines.departement
        GROUP BY hash_personne, cle_session
        """
    )
