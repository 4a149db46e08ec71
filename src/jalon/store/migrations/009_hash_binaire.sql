-- Empreinte des personnes en binaire : les 16 premiers octets du HMAC-SHA-256 (128 bits) au
-- lieu des 64 caractères hexadécimaux du HMAC entier. Deux personnes distinctes ne partagent une
-- empreinte qu'avec une probabilité de l'ordre de n² / 2¹²⁹ (moins de 10⁻²⁴ pour 10 millions de
-- personnes) ; chaque table qui la porte s'écrit, se lit et se joint deux fois plus vite
-- (mesures : bench/RESULTS.md, « Import pe-stagiaires »). La table des indicateurs, dérivée,
-- est supprimée : le rafraîchissement suivant la reconstruit.
ALTER TABLE entree_lignes ALTER hash_personne TYPE BLOB USING unhex(left(hash_personne, 32));
ALTER TABLE entrees ALTER hash_personne TYPE BLOB USING unhex(left(hash_personne, 32));
ALTER TABLE personnes ALTER hash_personne TYPE BLOB USING unhex(left(hash_personne, 32));
ALTER TABLE emplois ALTER hash_personne TYPE BLOB USING unhex(left(hash_personne, 32));
ALTER TABLE lignes_retirees ALTER hash_personne TYPE BLOB USING unhex(left(hash_personne, 32));
DROP TABLE IF EXISTS entrees_marts;
