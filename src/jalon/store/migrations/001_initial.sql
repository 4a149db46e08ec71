-- Schéma initial de la base Jalon.
-- Couches : imports et rejets (traçabilité) ; entree_lignes (staging : une ligne par ligne de
-- fichier acceptée) ; entrees (canonique : une ligne par entrée en formation, personne × session,
-- reconstruite après chaque import).

CREATE TABLE meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE SEQUENCE import_id_seq START 1;

CREATE TABLE imports (
    import_id INTEGER PRIMARY KEY,
    profile VARCHAR NOT NULL,
    layout VARCHAR,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    encoding VARCHAR,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    lines_read BIGINT NOT NULL,
    accepted BIGINT NOT NULL,
    rejected BIGINT NOT NULL,
    duplicates BIGINT NOT NULL,
    status VARCHAR NOT NULL,
    replaces INTEGER,
    imported_by VARCHAR,
    CHECK (lines_read = accepted + rejected + duplicates),
    CHECK (status IN ('actif', 'remplace'))
);

CREATE TABLE rejets (
    import_id INTEGER NOT NULL,
    line BIGINT NOT NULL,
    column_name VARCHAR,
    reason VARCHAR NOT NULL,
    message VARCHAR NOT NULL,
    value VARCHAR
);

CREATE TABLE entree_lignes (
    import_id INTEGER NOT NULL,
    line BIGINT NOT NULL,
    hash_personne VARCHAR NOT NULL,
    numero_session VARCHAR,
    numero_action VARCHAR,
    date_entree DATE NOT NULL,
    date_fin_prevue DATE,
    financeurs UTINYINT[] NOT NULL,
    formacode VARCHAR,
    certifinfo VARCHAR,
    siret VARCHAR,
    departement VARCHAR,
    commune_lieu VARCHAR,
    niveau_sortie VARCHAR,
    heures_centre INTEGER,
    heures_entreprise INTEGER,
    dispositif VARCHAR
);

CREATE TABLE entrees (
    hash_personne VARCHAR NOT NULL,
    cle_session VARCHAR NOT NULL,
    date_entree DATE NOT NULL,
    date_sortie DATE,
    financeurs UTINYINT[] NOT NULL,
    financeur_principal UTINYINT,
    formacode VARCHAR,
    certifiante BOOLEAN NOT NULL,
    siret VARCHAR,
    departement VARCHAR,
    region VARCHAR,
    duree_heures INTEGER,
    imports INTEGER[] NOT NULL
);
