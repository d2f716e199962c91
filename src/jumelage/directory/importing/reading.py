"""Reading an import file: size limit, CSV (encodings, delimiter) or XLSX, into a header and rows;
and checking the header against the known columns."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rapidfuzz import fuzz, process

ORGANISATION_COLUMNS = [
    "name",
    "kind",
    "aliases",
    "tagline_fr",
    "description_fr",
    "description_nl",
    "description_en",
    "website",
    "street",
    "postcode",
    "city",
    "region",
    "country",
    "founding_year",
    "size_band",
    "stage",
    "themes",
    "enterprise_number",
    "siren",
    "vat_number",
    "ecosystem",
    "node",
]
ORGANISATION_REQUIRED = ["name", "kind", "country"]
PEOPLE_COLUMNS = ["name", "organisation", "role", "languages", "expertise", "public_profile"]
PEOPLE_REQUIRED = ["name"]
COLUMNS = {"organisations": ORGANISATION_COLUMNS, "people": PEOPLE_COLUMNS}
REQUIRED = {"organisations": ORGANISATION_REQUIRED, "people": PEOPLE_REQUIRED}

FORMULA_TRIGGERS = ("=", "+", "-", "@")
LIST_SEPARATOR = "|"
DELIMITERS = [",", ";", "\t", "|"]
MAX_ROWS = 1_000_000


class ImportFileError(Exception):
    """The file as a whole cannot be read (size, format, encoding, columns). Message is for users."""


@dataclass
class Table:
    columns: list[str]
    rows: list[tuple[int, list[str]]]  # (line number in the file, cell values)
    file_format: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""
    # Rows whose cell count differs from the header's: (line, found) — reported as row errors.
    ragged: dict[int, int] = field(default_factory=dict)


def normalise_header(value: str) -> str:
    return re.sub(r"[\s\-]+", "_", (value or "").strip().lstrip("\ufeff").lower())


def check_size(size: int) -> None:
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise ImportFileError(
            _("The file is %(size)s; the largest file accepted is %(limit)s. Split it into smaller files.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )


def read_table(path: str | os.PathLike, *, filename: str | None = None) -> Table:
    """Read a CSV or XLSX file into a header and rows. Raises ImportFileError with a clear message."""
    path = Path(path)
    try:
        check_size(path.stat().st_size)
    except FileNotFoundError as exc:
        raise ImportFileError(_("File not found: %(name)s") % {"name": str(path)}) from exc
    name = (filename or path.name).lower()
    with path.open("rb") as fh:
        magic = fh.read(4)
    if name.endswith(".xls") and not magic.startswith(b"PK"):
        raise ImportFileError(
            _("Old Excel files (.xls) are not supported: save the file as .xlsx or CSV UTF-8.")
        )
    if name.endswith((".xlsx", ".xlsm")) or magic == b"PK\x03\x04":
        return _read_xlsx(path)
    return _read_csv(path)


def _decode(raw: bytes) -> tuple[str, str]:
    if raw.startswith(codecs.BOM_UTF8):
        raw, encoding = raw[len(codecs.BOM_UTF8) :], "UTF-8 (BOM)"
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            raise ImportFileError(_("The file announces UTF-16 but is not valid UTF-16.")) from exc
    else:
        encoding = "UTF-8"
    try:
        return raw.decode("utf-8"), encoding
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ImportFileError(
            _(
                "Line %(line)d is not valid UTF-8 (byte 0x%(byte)02X): the file is probably in another "
                "encoding, such as Windows-1252 or Latin-1. Save it as “CSV UTF-8” and upload it again."
            )
            % {"line": line, "byte": raw[exc.start]}
        ) from exc


def _read_csv(path: Path) -> Table:
    text, encoding = _decode(path.read_bytes())
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportFileError(
            _("Line %(line)d holds a NUL character: this is not a text (CSV) file.") % {"line": line}
        )
    first_line = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first_line.count) if any(d in first_line for d in DELIMITERS) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    previous_end = 0
    try:
        for record in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if header is None:
                header = record
                continue
            if not any(cell.strip() for cell in record):
                continue
            rows.append((start, record))
            if len(rows) > MAX_ROWS:
                raise ImportFileError(_("The file has more than %(max)d rows.") % {"max": MAX_ROWS})
    except csv.Error as exc:
        raise ImportFileError(
            _("Line %(line)d cannot be read as CSV: %(error)s") % {"line": reader.line_num, "error": exc}
        ) from exc
    return _table(header, rows, "csv", encoding=encoding, delimiter=delimiter)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    text = getattr(value, "text", None)  # openpyxl ArrayFormula / DataTableFormula
    if isinstance(text, str):
        return text if text.startswith("=") else "=" + text
    return str(value)


def _read_xlsx(path: Path) -> Table:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(
            _("This is not a readable XLSX file (%(error)s). Save it again as .xlsx or as CSV UTF-8.")
            % {"error": exc}
        ) from exc
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("The workbook has no sheet."))
        header: list[str] | None = None
        rows: list[tuple[int, list[str]]] = []
        for line, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in values]
            if header is None:
                if any(c.strip() for c in cells):
                    header = cells
                continue
            if not any(c.strip() for c in cells):
                continue
            rows.append((line, cells))
            if len(rows) > MAX_ROWS:
                raise ImportFileError(_("The file has more than %(max)d rows.") % {"max": MAX_ROWS})
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ImportFileError(_("This XLSX file is damaged (%(error)s).") % {"error": exc}) from exc
    finally:
        workbook.close()
    return _table(header, rows, "xlsx")


def _table(header, rows, file_format, **kw) -> Table:
    if header is None or not any(h.strip() for h in header):
        raise ImportFileError(_("The file is empty: the first line must name the columns."))
    width = len(header)
    while width and not header[width - 1].strip():
        width -= 1  # trailing empty header cells (spreadsheets add them) are not columns
    columns = [normalise_header(h) for h in header[:width]]
    for i, col in enumerate(columns, start=1):
        if not col:
            raise ImportFileError(_("Column %(n)d has no name in the first line.") % {"n": i})
    seen = set()
    for col in columns:
        if col in seen:
            raise ImportFileError(_("Column “%(col)s” appears twice.") % {"col": col})
        seen.add(col)
    table = Table(columns=columns, rows=[], file_format=file_format, **kw)
    for line, cells in rows:
        extra = cells[width:]
        if file_format == "csv" and (len(cells) < width or any(c.strip() for c in extra)):
            table.ragged[line] = len(cells)
        cells = (cells + [""] * width)[:width]
        table.rows.append((line, cells))
    if file_format == "xlsx":
        for line, cells in rows:
            if any(c.strip() for c in cells[width:]):
                table.ragged[line] = len([c for c in cells if c.strip()])
    return table


def check_columns(columns: list[str], kind: str) -> None:
    known, required = COLUMNS[kind], REQUIRED[kind]
    missing = [c for c in required if c not in columns]
    unknown = [c for c in columns if c not in known]
    problems = []
    if missing:
        problems.append(
            ngettext(
                "Missing required column: %(cols)s.", "Missing required columns: %(cols)s.", len(missing)
            )
            % {"cols": ", ".join(f"“{c}”" for c in missing)}
        )
    for col in unknown:
        match = process.extractOne(col, known, scorer=fuzz.ratio, score_cutoff=70)
        if match:
            problems.append(
                _("Unknown column “%(col)s” (did you mean “%(guess)s”?).") % {"col": col, "guess": match[0]}
            )
        else:
            problems.append(_("Unknown column “%(col)s”.") % {"col": col})
    if problems:
        problems.append(_("Known columns: %(cols)s.") % {"cols": ", ".join(known)})
        raise ImportFileError(" ".join(problems))


def split_list(value: str) -> list[str]:
    return [p.strip() for p in value.split(LIST_SEPARATOR) if p.strip()]
