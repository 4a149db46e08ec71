"""Build the canonical `entrees` table (une ligne par entrée en formation) from `entree_lignes`.

Runs inside the caller's transaction after each import: rows of active imports are grouped by
(person, session) — the same training reported by two sources becomes one entry whose
financeurs are merged, and the imports it came from are kept as lineage. The session key follows
the plan's rule: the Intercarif session number when present, else the declared fallback fields.
An entry ends at its actual end when a source gives it, else at its planned end. An entry whose
person is known only by an identifier local to its source (`entree_lignes.personne_source`) is
marked `personne_locale`: it cannot be matched with other sources, nor with jobs, by the person.
"""

from __future__ import annotations

import duckdb

from jalon.plan import Rules
from jalon.reference import departements

#: Every table holding rows of an import (keyed by `import_id`): replacing an import empties them.
SOURCE_TABLES = (
    "entree_lignes",
    "personnes",
    "demandeurs",
    "emplois",
    "actions_agregees",
    "offre_formations",
    "offre_actions",
    "offre_sessions",
    "places",
)

_ENTRY_COLUMNS = (
    "import_id",
    "line",
    "hash_personne",
    "date_entree",
    "date_fin_prevue",
    "date_fin_reelle",
    "financeurs",
    "formacode",
    "certifinfo",
    "siret",
    "departement",
    "heures_centre",
    "heures_entreprise",
    "personne_source",
)
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
    rows = sorted((d.code, d.region) for d in departements())
    if con.execute("SELECT * FROM ref_departements ORDER BY 1").fetchall() == rows:
        return
    con.execute("DELETE FROM ref_departements")
    values = ", ".join(f"('{code}', '{region}')" for code, region in rows)
    con.execute(f"INSERT INTO ref_departements VALUES {values}")


def session_key_sql(rules: Rules) -> str:
    fallback = " || '|' || ".join(_FALLBACK_SQL[field] for field in rules.session_key_fallback)
    return f"coalesce('IC:' || l.numero_session, 'SK:' || {fallback})"


def rebuild_entrees(
    con: duckdb.DuckDBPyConnection, rules: Rules, *, new_import: int | None = None
) -> None:
    """Rebuild `entrees` from the lines of active imports.

    With `new_import`, only the (person, session) keys that import brings are recomputed (an
    import that only adds lines changes no other entry); without it, the whole table is.
    """
    load_reference(con)
    # Only the columns an entry is made of: the others (organisation name, scheme, level…) would
    # only weigh on every step below.
    columns = ", ".join(f"l.{c}" for c in _ENTRY_COLUMNS)
    lines = f"""
        SELECT {columns}, {session_key_sql(rules)} AS cle_session,
               (CAST(l.import_id AS BIGINT) << 40) | l.line AS rang
        FROM entree_lignes l JOIN imports i USING (import_id)
        WHERE i.status = 'actif'
    """
    keyed = f"SELECT *, hash(hash_personne, cle_session) AS k FROM ({lines})"
    if new_import is None:
        con.execute("DELETE FROM entrees")
    elif con.execute("SELECT count(*) FROM entrees").fetchone() != (0,):
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _touched AS
            SELECT DISTINCT l.hash_personne, {session_key_sql(rules)} AS cle_session
            FROM entree_lignes l WHERE l.import_id = {int(new_import)}
            """
        )
        con.execute(
            "DELETE FROM entrees USING _touched t WHERE entrees.hash_personne = t.hash_personne "
            "AND entrees.cle_session = t.cle_session"
        )
        # The lines of the touched keys, found once (the person filter, pushed into the scan,
        # reads one column of the store): the queries below then read these few rows instead of
        # keying every line of the store, which made a run of small imports quadratic.
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _scope AS
            SELECT * FROM ({keyed}) SEMI JOIN _touched t USING (hash_personne, cle_session)
            WHERE hash_personne IN (SELECT hash_personne FROM _touched)
            """
        )
        keyed = "SELECT * FROM _scope"
    # Most (person, session) keys have one line: those become entries without aggregation. A
    # 64-bit hash of the key finds the others; a collision only sends a few single lines through
    # the (exact) GROUP BY, which gives them the same entry.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _multi AS
        SELECT k FROM ({keyed}) GROUP BY k HAVING count(*) > 1
        """
    )
    con.execute(
        f"""
        INSERT INTO entrees
        WITH keyed AS ({keyed})
        SELECT
            hash_personne,
            cle_session,
            date_entree,
            coalesce(date_fin_reelle, date_fin_prevue),
            CASE WHEN len(financeurs) < 2 THEN financeurs
                 ELSE list_sort(list_distinct(financeurs)) END,
            financeurs[1],
            formacode,
            certifinfo IS NOT NULL,
            siret,
            keyed.departement,
            r.region,
            CASE WHEN heures_centre IS NOT NULL OR heures_entreprise IS NOT NULL
                 THEN TRY_CAST(coalesce(heures_centre, 0)::BIGINT + coalesce(heures_entreprise, 0)
                      AS INTEGER) END,
            [import_id],
            personne_source IS NOT NULL
        FROM keyed
        ANTI JOIN _multi USING (k)
        LEFT JOIN ref_departements r ON r.departement = keyed.departement
        """
    )
    # arg_min_null over (import, line): the value of the first line, NULL included, without the
    # sort an ordered aggregate would need for every group.
    con.execute(
        f"""
        INSERT INTO entrees
        WITH keyed AS ({keyed})
        SELECT
            hash_personne,
            cle_session,
            min(date_entree) AS date_entree,
            max(coalesce(date_fin_reelle, date_fin_prevue)) AS date_sortie,
            list_sort(list_distinct(flatten(list(financeurs)))) AS financeurs,
            arg_min_null(financeurs[1], rang) AS financeur_principal,
            arg_min_null(formacode, rang) AS formacode,
            bool_or(certifinfo IS NOT NULL) AS certifiante,
            arg_min_null(siret, rang) AS siret,
            arg_min_null(keyed.departement, rang) AS departement,
            arg_min_null(r.region, rang) AS region,
            TRY_CAST(
                max(coalesce(heures_centre, 0)::BIGINT + coalesce(heures_entreprise, 0))
                FILTER (WHERE heures_centre IS NOT NULL OR heures_entreprise IS NOT NULL)
                AS INTEGER
            ) AS duree_heures,
            list_sort(list_distinct(list(import_id))) AS imports,
            bool_or(personne_source IS NOT NULL) AS personne_locale
        FROM keyed
        SEMI JOIN _multi USING (k)
        LEFT JOIN ref_departements r ON r.departement = keyed.departement
        GROUP BY hash_personne, cle_session
        """
    )
    con.execute("DROP TABLE _multi")
    con.execute("DROP TABLE IF EXISTS _touched")
    con.execute("DROP TABLE IF EXISTS _scope")
