-- Lecture tolérante des fichiers réels (DESIGN §5, « Real exports ») :
-- * anomalies : une valeur d'une ligne (ou d'un élément LHEO) acceptée qui a échoué à un contrôle
--   non bloquant. La ligne compte, le champ est mis à « manquant », l'anomalie est gardée pour le
--   financeur (même forme que `rejets`).
-- * imports.with_anomalies : nombre de lignes acceptées portant au moins une anomalie.
-- * imports.ignored_columns : colonnes du fichier qu'aucun profil ne déclare, jamais lues (elles
--   peuvent être personnelles) ; seuls leurs noms sont gardés, pour le résumé de l'import.
-- * entree_lignes.personne_source : NULL quand la personne est identifiée par son identifiant
--   national ; sinon l'espace de noms de l'identifiant local qui a servi à la pseudonymiser
--   (ces entrées ne peuvent pas être rapprochées d'une autre source par la personne).
CREATE TABLE anomalies (
    import_id INTEGER NOT NULL,
    line BIGINT NOT NULL,
    column_name VARCHAR,
    reason VARCHAR NOT NULL,
    message VARCHAR NOT NULL,
    value VARCHAR
);
ALTER TABLE imports ADD COLUMN with_anomalies BIGINT DEFAULT 0;
ALTER TABLE imports ADD COLUMN ignored_columns VARCHAR[];
ALTER TABLE entree_lignes ADD COLUMN personne_source VARCHAR;
-- Raison sociale de l'organisme de formation, quand le fichier la donne (affichée à côté du SIRET).
ALTER TABLE entree_lignes ADD COLUMN organisme VARCHAR;
-- Date de sortie réelle, quand l'export la donne (exports régionaux) : la sortie est la réelle,
-- à défaut la prévue (DESIGN §2).
ALTER TABLE entree_lignes ADD COLUMN date_fin_reelle DATE;
-- L'entrée n'est connue que sous un identifiant local à sa source : elle ne peut pas être
-- rapprochée des autres sources (ni des périodes d'emploi) par la personne.
ALTER TABLE entrees ADD COLUMN personne_locale BOOLEAN;
