-- Offre LHEO (tables de 002) : la ligne d'origine de chaque élément (pour le retrouver dans le
-- fichier), le SIRET de l'organisme responsable et le code ROME de la formation (clé de secours
-- des sessions, DESIGN §3), et des places inconnues : un organisme-financeur sans
-- nb-places-financees finance l'action sans en dire le nombre.
ALTER TABLE offre_formations ADD COLUMN line BIGINT;
ALTER TABLE offre_formations ADD COLUMN siret VARCHAR;
ALTER TABLE offre_formations ADD COLUMN rome VARCHAR;
ALTER TABLE offre_actions ADD COLUMN line BIGINT;
ALTER TABLE offre_sessions ADD COLUMN line BIGINT;
ALTER TABLE places ALTER COLUMN places DROP NOT NULL;
