-- Application web : comptes (mots de passe hachés par argon2, jamais en clair) et journal d'audit
-- des actions qui écrivent ou publient (imports, générations de bilans, connexions).

CREATE TABLE utilisateurs (
    identifiant VARCHAR PRIMARY KEY,
    hash_mot_de_passe VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    region VARCHAR,                   -- code INSEE de la région, rôle « regional » seulement
    cree_le TIMESTAMP NOT NULL,
    CHECK (role IN ('national', 'regional')),
    CHECK ((role = 'regional') = (region IS NOT NULL))
);

CREATE SEQUENCE audit_id_seq START 1;

CREATE TABLE audit (
    audit_id BIGINT PRIMARY KEY DEFAULT nextval('audit_id_seq'),
    horodatage TIMESTAMP NOT NULL,
    identifiant VARCHAR,              -- NULL : visiteur anonyme
    action VARCHAR NOT NULL,          -- import, import_essai, bilan_pdf, connexion, ...
    region VARCHAR,
    detail VARCHAR
);
