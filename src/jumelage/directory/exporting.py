"""Exporting (a filtered view of) the directory to CSV or XLSX, in the import's column layout, so an
export can be edited and imported again.

Cells a spreadsheet would execute (starting with = + - @, tab or carriage return) get a leading single
quote, in CSV and XLSX alike (OWASP's advice against CSV injection).
"""

import csv
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from jumelage.directory.importing import LIST_SEPARATOR, ORGANISATION_COLUMNS
from jumelage.directory.models import Organisation

FORMATS = {"csv", "xlsx"}
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def neutralise(value):
    """'=HYPERLINK(…)' → "'=HYPERLINK(…)": shown as text by spreadsheets, never run."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def _prepared(qs: QuerySet[Organisation]) -> QuerySet[Organisation]:
    if not qs.ordered:
        qs = qs.order_by("name", "pk")
    return qs.prefetch_related("themes", "memberships__ecosystem", "memberships__node")


def organisation_row(org: Organisation) -> list:
    memberships = list(org.memberships.all())
    ecosystems = sorted({m.ecosystem.slug for m in memberships})
    nodes = sorted({m.node.slug for m in memberships if m.node is not None})
    values = {
        "aliases": LIST_SEPARATOR.join(org.aliases or []),
        "themes": LIST_SEPARATOR.join(sorted(t.code for t in org.themes.all())),
        "ecosystem": LIST_SEPARATOR.join(ecosystems),
        "node": LIST_SEPARATOR.join(nodes),
        "founding_year": org.founding_year if org.founding_year is not None else "",
    }
    return [neutralise(values[c] if c in values else getattr(org, c)) for c in ORGANISATION_COLUMNS]


def rows(qs: QuerySet[Organisation]) -> Iterator[list]:
    yield list(ORGANISATION_COLUMNS)
    for org in _prepared(qs).iterator(chunk_size=1000):
        yield organisation_row(org)


class _Echo:
    """A file-like object whose write() returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_lines(qs: QuerySet[Organisation]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM: spreadsheets then read the file as UTF-8 (the import accepts it)
    for row in rows(qs):
        yield writer.writerow(row)


def write_xlsx(qs: QuerySet[Organisation], fh) -> None:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("organisations")
    for row in rows(qs):
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    workbook.save(fh)


def write_export(qs: QuerySet[Organisation], path: str | Path, fmt: str | None = None) -> int:
    """Write the export to a file (the CLI). Returns the number of organisations written."""
    path = Path(path)
    fmt = fmt or path.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: use .csv or .xlsx")
    if fmt == "csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            fh.writelines(csv_lines(qs))
    else:
        with path.open("wb") as fh:
            write_xlsx(qs, fh)
    return qs.count()


def _filename(fmt: str) -> str:
    return f"jumelage-directory-{timezone.localdate():%Y-%m-%d}.{fmt}"


def export_response(qs: QuerySet[Organisation], fmt: str):
    """CSV is streamed row by row; XLSX (a zip) is built in a spooled temporary file, then sent."""
    if fmt == "csv":
        response = StreamingHttpResponse(csv_lines(qs), content_type=CONTENT_TYPES["csv"])
        response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
        return response
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    write_xlsx(qs, spool)
    spool.seek(0)
    return FileResponse(
        spool, as_attachment=True, filename=_filename("xlsx"), content_type=CONTENT_TYPES["xlsx"]
    )
