"""The profile guide of docs/import.md is true: its example profile loads, and imports the
example export the guide describes (written here by hand from the guide's header line)."""

from __future__ import annotations

import re
from pathlib import Path

from jalon.ingest import import_file
from jalon.sources import load_profile

GUIDE = Path(__file__).parents[2] / "docs" / "import.md"


def _guide_profile(tmp_path: Path) -> Path:
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("## Un nouveau format : écrire un profil") :]
    toml = re.findall(r"```toml\n(.*?)```", section, flags=re.S)[0]
    path = tmp_path / "ma-region.toml"
    path.write_text(toml, encoding="utf-8")
    return path


def test_the_guide_s_profile_reads_the_guide_s_export(con, plan, key, tmp_path) -> None:
    profile = load_profile(_guide_profile(tmp_path))
    assert profile.name == "ma-region"
    text = GUIDE.read_text(encoding="utf-8")
    header = re.search(r"```\n(N° Stagiaire;.*)\n```", text)
    assert header is not None
    export = tmp_path / "export-septembre.csv"
    lines = [
        header.group(1),
        "S-001;Essai;Léa;lea@exemple.test;0600000000;05/09/2016;16/12/2016;;31234567800014;"
        "Centre Exemple;31400;A-1",
        "S-002;Essai;Tom;;;12/09/2016 09:00;01/09/2016;;31234567800015;Centre Exemple;99999;A-2",
    ]
    export.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    summary = import_file(con, export, profile, plan, key)
    assert (summary.accepted, summary.rejected) == (1, 1)
    assert summary.ignored_columns == []
    # Line 3: no usable place (99999 designates no département); its SIRET and end date are
    # faulty too, but those would only have been anomalies.
    assert con.execute("SELECT line, reason FROM rejets").fetchall() == [(3, "lieu_inconnu")]
    row = con.execute(
        "SELECT departement, financeurs, personne_source FROM entree_lignes"
    ).fetchone()
    assert row == ("31", [2], "ma-region")
