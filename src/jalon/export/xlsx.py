"""Excel workbooks (openpyxl): one sheet per `Table`, then « Définitions » and « Source ».

Numbers are written as numbers with a number format (thousands grouped, percentages, signed
differences, hours), never as text, so that a user can compute on them; Excel shows them with
the separators of the reader's locale. A cell hidden by statistical secrecy reads « secret »; an
unavailable figure is an empty cell. The header row is bold and frozen, with an autofilter. The
same tables give the same bytes: nothing in the archive records when it was written.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from jalon.export.tables import (
    Kind,
    Provenance,
    Table,
    bilan_tables,
    classement_table,
    definitions_table,
    source_table,
)
from jalon.indicators.bilan import Bilan
from jalon.indicators.classement import Classement
from jalon.plan import Plan
from jalon.reference import region as region_of

SECRET_TEXT = "secret"
NUMBER_FORMATS: dict[Kind, str] = {
    "entier": "#,##0",
    "ecart": "+#,##0;-#,##0;0",
    "taux": "0.0 %",
    "decimal": "#,##0.0",
    "heures": '#,##0 "h"',
    "date": "dd/mm/yyyy",
}
WIDTH_MAX = 60
# A fixed creation date: Excel shows it, and the file should not tell when it was rendered.
_CREATED = dt.datetime(2016, 1, 1)


def _width(table: Table, column: int) -> int:
    if column < len(table.widths):
        return table.widths[column]
    texts = [table.headers[column]]
    texts += [str(r[column].value) for r in table.rows if r[column].value is not None]
    return min(WIDTH_MAX, max(10, *(len(t) + 2 for t in texts)))


def _sheet(book: Workbook, table: Table) -> None:
    sheet = book.create_sheet(table.name)
    sheet.append(list(table.headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    right = Alignment(horizontal="right")
    for row_number, row in enumerate(table.rows, start=2):
        for column, cell in enumerate(row, start=1):
            target = sheet.cell(row=row_number, column=column)
            if cell.masked:
                target.value = SECRET_TEXT
                target.alignment = right
                continue
            target.value = cell.value
            if cell.kind in NUMBER_FORMATS:
                target.number_format = NUMBER_FORMATS[cell.kind]
    for column in range(len(table.headers)):
        sheet.column_dimensions[get_column_letter(column + 1)].width = _width(table, column)
    sheet.freeze_panes = "A2"
    if table.rows:
        sheet.auto_filter.ref = sheet.dimensions


def workbook(tables: list[Table], provenance: Provenance) -> bytes:
    """The workbook of `tables`, with the definitions of what they show and their source."""
    book = Workbook()
    book.remove(book.active)
    for table in [*tables, definitions_table(tables), source_table(provenance)]:
        _sheet(book, table)
    book.properties.creator = "Jalon"
    book.properties.title = provenance.plan
    book.properties.created = book.properties.modified = _CREATED
    out = io.BytesIO()
    # `openpyxl.Workbook.save` stamps the time of writing, and its writer dates each worksheet
    # by its temporary file: this archive dates every member `_CREATED`.
    with _UndatedZip(out, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
    return out.getvalue()


class _UndatedZip(zipfile.ZipFile):
    def writestr(  # type: ignore[override]
        self, name: str | zipfile.ZipInfo, data: str | bytes, *args: object, **kwargs: object
    ) -> None:
        if isinstance(name, str):
            name = zipfile.ZipInfo(name, date_time=_CREATED.timetuple()[:6])
            name.compress_type = zipfile.ZIP_DEFLATED
        super().writestr(name, data)

    def write(  # type: ignore[override]
        self, filename: str, arcname: str | None = None, *args: object, **kwargs: object
    ) -> None:
        self.writestr(arcname or filename, Path(filename).read_bytes())


def _provenance(
    plan: Plan,
    phase: str,
    region: str | None,
    version: str,
    last_import: dt.datetime | None,
    public: bool,
    cutoff: dt.date | None = None,
) -> Provenance:
    return Provenance(
        plan=plan.name,
        plan_sha256=plan.sha256,
        phase=plan.phase(phase).label,
        territory="France entière" if region is None else region_of(region).nom,
        data_version=version,
        last_import=last_import,
        secret_threshold=plan.secret.threshold if public else None,
        cutoff=cutoff,
    )


def bilan_workbook(
    bilan: Bilan,
    plan: Plan,
    version: str,
    last_import: dt.datetime | None,
    public: bool,
    classement: Classement | None = None,
) -> bytes:
    """The bilan's workbook (and the ranking's sheet, for the national page). `public`: the
    bilan (and ranking) went through secrecy, which the « Source » sheet says."""
    tables = bilan_tables(bilan)
    if classement is not None:
        tables.insert(1, classement_table(classement))
    arret = bilan.arret
    cutoff = arret.date if arret is not None and arret.data_date is not None else None
    source = _provenance(plan, bilan.phase, bilan.region, version, last_import, public, cutoff)
    return workbook(tables, source)


def classement_workbook(
    classement: Classement,
    plan: Plan,
    version: str,
    last_import: dt.datetime | None,
    public: bool,
) -> bytes:
    source = _provenance(plan, classement.phase, None, version, last_import, public)
    return workbook([classement_table(classement)], source)
