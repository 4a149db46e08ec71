-- Tables des autres sources (DESIGN §5). Chacune garde import_id et line : on sait toujours de
-- quelle ligne de quel fichier vient une valeur, et remplacer un import retire exactement ses lignes.

-- Extrait du registre des demandeurs d'emploi : une ligne par personne et période d'inscription.
CREATE TABLE personnes (
    import_id INTEGER NOT NULL,
    line BIGINT NOT NULL,
    hash_personne VARCHAR NOT NULL,
    mois_naissance DATE,              -- premier jour du mois de naissance
    sexe VARCHAR,                     -- 'F' ou 'H'
    niveau VARCHAR,                   -- code dict-niveaux LHEO
    date_inscription DATE NOT NULL,
    date_fin_inscription DATE,        -- NULL : inscription en cours
    travailleur_handicape BOOLEAN,
    qpv BOOLEAN,
    departement VARCHAR
);

-- Dénominateur du taux d'accès : une ligne par année et région.
CREATE TABLE demandeurs (
    import_id INTEGER NOT NULL,
    line BIGINT NOT NULL,
    annee INTEGER NOT NULL,
    region VARCHAR NOT NULL,
    demandeurs INTEGER NOT NULL
);

-- Périodes d'emploi après formation : une ligne par période.
CREATE TABLE emplois (
    import_id INTEGER NOT NULL,
    line BIGINT NOT NULL,
    hash_personne VARCHAR NOT NULL,
    date_debut DATE NOT NULL,
    date_fin DATE,                    -- NULL : emploi en cours
    type_contrat VARCHAR NOT NULL     -- CDI, CDD, INTERIM, CREATION, AUTRE
);

-- Actions hors formations régionalisées, comptées à partir de fichiers agrégés.
CREATE TABLE actions_agregees (
    import_id INTEGER NOT NULL,
    line BIGINT NOT NULL,
    annee INTEGER NOT NULL,
    mois INTEGER NOT NULL,
    region VARCHAR NOT NULL,
    type_action VARCHAR NOT NULL,
    nombre INTEGER NOT NULL
);

-- Offre LHEO : formation > action > session ; places financées par financeur et par action.
CREATE TABLE offre_formations (
    import_id INTEGER NOT NULL,
    numero VARCHAR NOT NULL,
    intitule VARCHAR,
    formacode VARCHAR,
    nsf VARCHAR,
    certifiante BOOLEAN
);

CREATE TABLE offre_actions (
    import_id INTEGER NOT NULL,
    numero VARCHAR NOT NULL,
    formation VARCHAR NOT NULL,
    heures_centre INTEGER,
    heures_entreprise INTEGER,
    commune_lieu VARCHAR,
    departement VARCHAR,
    region VARCHAR
);

CREATE TABLE offre_sessions (
    import_id INTEGER NOT NULL,
    numero VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    debut DATE,
    fin DATE
);

CREATE TABLE places (
    import_id INTEGER NOT NULL,
    action VARCHAR NOT NULL,
    financeur UTINYINT NOT NULL,
    places INTEGER NOT NULL
);
