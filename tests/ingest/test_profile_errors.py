"""A data officer's own profile with a mistake in it: a French message naming the key, what was
expected and what was read (never Pydantic's or tomllib's English)."""

from __future__ import annotations

import pytest

from jalon.sources import ProfileError, load_profile

HEAD = 'name = "x"\nlabel = "x"\nformat = "delimited"\ntarget = "entree_lignes"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            HEAD + '[fields.hash_personne]\nlabel = "Id"\nnames = ["id"]\nrequired = "oui"\n',
            "fields.hash_personne.required : attendu : un booléen (true ou false), lu : 'oui'",
        ),
        (
            HEAD + '[fields.siret]\nlabel = "S"\nnames = ["s"]\nformatt = "x"\n',
            "fields.siret.formatt : attendu : aucune clé de ce nom (clé inconnue)",
        ),
        ('name = "x\n', "TOML invalide, ligne 1, colonne 10 :"),
        (
            HEAD + '[columns.id]\nlabel = "Id"\nto = "hash_personne"\n',
            "ce profil suit l'ancien format",
        ),
    ],
)
def test_profile_mistakes_are_told_in_french(tmp_path, text, message) -> None:
    path = tmp_path / "mon-profil.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert message in str(info.value)
    for english in ("Input should", "Extra inputs", "Field required", "Illegal character"):
        assert english not in str(info.value)
