-- Application web : sessions tenues côté serveur. Le cookie porte un jeton aléatoire ; la base
-- n'en garde que l'empreinte SHA-256, si bien qu'une copie de la base n'ouvre aucune session.
-- La déconnexion supprime la ligne : une copie du cookie cesse aussitôt de fonctionner.
CREATE TABLE sessions_web (
    empreinte VARCHAR PRIMARY KEY,    -- SHA-256 (hexadécimal) du jeton du cookie
    identifiant VARCHAR NOT NULL,     -- compte de `utilisateurs`
    ouverte_le TIMESTAMP NOT NULL,
    expire_le TIMESTAMP NOT NULL
);
