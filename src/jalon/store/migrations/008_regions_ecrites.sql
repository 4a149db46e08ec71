-- Portée des imports : les régions (codes INSEE) des lignes qu'un import a écrites, triées. Un
-- compte régional n'écrit que des lignes de sa région ; l'historique dit lesquelles chaque
-- import a touchées, quel que soit celui qui l'a fait. NULL : import antérieur à cette colonne.
ALTER TABLE imports ADD COLUMN regions_ecrites VARCHAR[];
