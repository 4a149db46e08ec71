"""The data version: stable for the same imports and plan, changed by any import."""

from __future__ import annotations

from pathlib import Path

from jalon.plan import Plan
from jalon.report import rendu
from jalon.report.document import build_document
from jalon.report.version import data_version
from jalon.store import open_store
from tests.report.conftest import build_store


def _code(path: Path, plan: Plan) -> str:
    con = open_store(path, read_only=True)
    try:
        return data_version(con, plan).code
    finally:
        con.close()


def test_same_imports_same_version_and_any_import_changes_it(
    tmp_path: Path, module_plan: Plan
) -> None:
    one, two, three = (tmp_path / f"{n}.duckdb" for n in ("un", "deux", "trois"))
    build_store(one, module_plan, ("indicateurs-2016.csv",))
    build_store(two, module_plan, ("indicateurs-2016.csv",))
    build_store(three, module_plan, ("indicateurs-2016.csv", "indicateurs-2016-region.csv"))
    assert _code(one, module_plan) == _code(two, module_plan)
    assert _code(three, module_plan) != _code(one, module_plan)
    for path in (one, three):
        con = open_store(path, read_only=True)
        try:
            html = rendu.bilan_html(build_document(con, module_plan, "2016", "53"))
        finally:
            con.close()
        assert f"Version des données {_code(path, module_plan)}" in html.replace("\u202f", " ")
    other_plan = module_plan.model_copy(update={"sha256": "0" * 64})
    assert _code(one, other_plan) != _code(one, module_plan)


def test_version_lists_imports_and_dates_from_the_data(ro, module_plan: Plan) -> None:
    version = data_version(ro, module_plan)
    assert [i.file_name for i in version.imports] == [
        "export-2016-occitanie.csv",
        "indicateurs-2016.csv",
    ]
    assert all(i.lines_read == i.accepted + i.rejected + i.duplicates for i in version.imports)
    assert version.as_of == max(i.finished_at for i in version.imports)
    assert len(version.code) == 12
