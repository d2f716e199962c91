"""A table (header + rows) as a CSV or XLSX download, with spreadsheet formulas neutralised."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse

from jumelage.directory.exporting import CONTENT_TYPES, neutralise

FORMATS = ("csv", "xlsx")


def table_bytes(header: list[str], rows: list[list], fmt: str, *, sheet: str = "data") -> bytes:
    clean = [[neutralise(v) for v in row] for row in [header, *rows]]
    if fmt == "csv":
        out = io.StringIO()
        out.write("\ufeff")  # BOM: spreadsheets read the file as UTF-8
        csv.writer(out).writerows(clean)
        return out.getvalue().encode("utf-8")
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(sheet[:31])
    for row in clean:
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_response(header: list[str], rows: list[list], fmt: str, *, filename: str) -> HttpResponse:
    """`filename` without extension. Raises ValueError for an unknown format."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    response = HttpResponse(table_bytes(header, rows, fmt, sheet=filename), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
