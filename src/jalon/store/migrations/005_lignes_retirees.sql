-- Lignes retirées par un remplacement (`--remplace`) que la table des indicateurs
-- (`entrees_marts`) ne reflète pas encore : une ligne par ligne retirée d'`entree_lignes`, de
-- `personnes` ou d'`emplois`, plus une ligne repère (source NULL) par import remplacé. Le
-- rafraîchissement suivant recalcule ces personnes seulement, puis vide la table.

CREATE TABLE lignes_retirees (
    import_id INTEGER NOT NULL,       -- l'import remplacé
    source VARCHAR,                   -- table d'où la ligne a été retirée ; NULL : repère
    hash_personne VARCHAR             -- empreinte de la personne de la ligne retirée
);
