"""Importing organisations and people from CSV or XLSX: reading, row validation, duplicate detection,
and the all-or-nothing commit. No HTTP here: the web page (through a task), the CLI and the benchmark
all call `plan_import` (the dry run) and `commit_import`.

Policies (documented in docs/import-format.md):
- CSV must be UTF-8 (a BOM is fine; UTF-16 with a BOM too). Any other encoding is refused with the line
  where decoding fails and the advice to save as "CSV UTF-8": guessing Windows-1252 would silently
  turn some names into mojibake.
- The delimiter is the one of , ; tab | that occurs most often in the header line.
- Unknown columns are an error (a typo such as "sirne" would otherwise drop data silently); the error
  suggests the closest known column.
- A cell starting with = + - or @ (what a spreadsheet runs as a formula) makes its row bad: nothing
  is stored that could run when the directory is exported and opened in a spreadsheet.
- Duplicates (same enterprise number or SIREN, same website domain, near-identical name) of an
  organisation already in the directory are skipped, or updated when asked (identifier and domain
  matches only); duplicates within the file are skipped after their first row.
- Commit re-validates everything inside one transaction and writes nothing if any row is bad.
"""

from __future__ import annotations

import codecs
import copy
import csv
import datetime as dt
import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from jumelage.core.audit import log_action
from jumelage.directory import identifiers, search, services
from jumelage.directory.models import (
    Affiliation,
    Membership,
    Organisation,
    OrganisationKind,
    Person,
    SizeBand,
    Stage,
    Theme,
)
from jumelage.ecosystems.models import Ecosystem, NetworkNode
from jumelage.ecosystems.rules import staff_ecosystem_ids, staff_node_ids

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
# Two names are "near-identical" when, once accents, case, punctuation and legal forms are removed,
# they have the same numbers and a similarity ratio of at least this (rapidfuzz, 0-100).
NAME_SIMILARITY = 92
# Domains many organisations share (hosted pages): a common domain there says nothing.
SHARED_DOMAINS = {
    "facebook.com",
    "linkedin.com",
    "google.com",
    "sites.google.com",
    "twitter.com",
    "x.com",
    "instagram.com",
    "wixsite.com",
    "wordpress.com",
    "github.io",
    "europa.eu",
}
_LEGAL_FORMS = {
    "sa", "sas", "sasu", "sarl", "eurl", "srl", "sprl", "sc", "scrl", "scs", "snc", "sca", "sci",
    "nv", "bv", "bvba", "cvba", "vzw", "asbl", "aisbl", "gmbh", "ag", "ltd", "limited", "inc", "llc",
    "plc", "se",
}  # fmt: skip
_BATCH = 1000
_PROGRESS_EVERY = 500

ProgressCallback = Callable[[str, int, int], None]


class ImportFileError(Exception):
    """The file as a whole cannot be read (size, format, encoding, columns). Message is for users."""


class ImportRejected(Exception):
    """Commit refused because the (re-validated) file has bad rows; nothing was written."""

    def __init__(self, plan: ImportPlan):
        super().__init__(_("%(count)d bad rows: nothing was imported.") % {"count": len(plan.errors)})
        self.plan = plan


# --- Reading ---------------------------------------------------------------------------------------


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
            _("Missing required column(s): %(cols)s.") % {"cols": ", ".join(f"“{c}”" for c in missing)}
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


# --- Planning (the dry run) -----------------------------------------------------------------------


@dataclass
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("line %(line)d, column %(column)s: %(message)s") % vars(self)
        return _("line %(line)d: %(message)s") % vars(self)


@dataclass
class PlannedRow:
    line: int
    action: str  # "create", "update" or "skip"
    label: str
    reason: str = ""
    obj: Any = None  # the unsaved Organisation / Person to create, or the Organisation to update
    data: dict = field(default_factory=dict)  # fields to change (updates)
    theme_ids: list[int] = field(default_factory=list)
    memberships: list[tuple[int, int | None]] = field(default_factory=list)
    organisation_id: int | None = None  # people: the organisation they are affiliated with
    role: str = ""


@dataclass
class ImportPlan:
    kind: str
    filename: str
    file_format: str = ""
    encoding: str = ""
    delimiter: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_error: str = ""
    total_rows: int = 0

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.errors

    @property
    def bad_lines(self) -> int:
        return len({e.line for e in self.errors})

    def to_report(self, limit: int = 500) -> dict:
        """A JSON-able summary for ImportJob.report (lists capped at `limit`)."""
        delimiter = {"\t": "tab"}.get(self.delimiter, self.delimiter)
        skipped = [r for r in self.rows if r.action in ("skip", "update")]
        return {
            "kind": self.kind,
            "filename": self.filename,
            "format": self.file_format,
            "encoding": self.encoding,
            "delimiter": delimiter,
            "columns": self.columns,
            "file_error": self.file_error,
            "total_rows": self.total_rows,
            "create": self.count("create"),
            "update": self.count("update"),
            "skip": self.count("skip"),
            "bad_rows": self.bad_lines,
            "errors": [vars(e) | {"text": str(e)} for e in self.errors[:limit]],
            "errors_truncated": max(0, len(self.errors) - limit),
            "duplicates": [
                {"line": r.line, "label": r.label, "action": r.action, "reason": r.reason}
                for r in skipped[:limit]
            ],
            "duplicates_truncated": max(0, len(skipped) - limit),
            "sample": [{"line": r.line, "label": r.label} for r in self.rows if r.action == "create"][:20],
        }


@dataclass
class Scope:
    """Where the importer may put organisations: everywhere (platform admin, CLI operator), or the
    ecosystems and nodes they are staff of."""

    everything: bool
    ecosystem_ids: set[int] = field(default_factory=set)
    node_ids: set[int] = field(default_factory=set)

    @classmethod
    def for_actor(cls, actor) -> Scope:
        if actor is None or (actor.is_authenticated and actor.is_superuser):
            return cls(everything=True)
        return cls(False, set(staff_ecosystem_ids(actor)), set(staff_node_ids(actor)))

    def allows(self, ecosystem_id: int, node_id: int | None) -> bool:
        if self.everything or ecosystem_id in self.ecosystem_ids:
            return True
        return node_id is not None and node_id in self.node_ids

    def allows_any(self, pairs) -> bool:
        return self.everything or any(self.allows(e, n) for e, n in pairs)


def default_memberships(actor, ecosystem: Ecosystem | None, node: NetworkNode | None) -> list:
    """The membership given to rows that name no ecosystem or node. Raises ImportFileError when the
    importer may not import there."""
    scope = Scope.for_actor(actor)
    if node is not None:
        if ecosystem is not None and node.ecosystem_id != ecosystem.pk:
            raise ImportFileError(
                _("Node “%(node)s” does not belong to ecosystem “%(eco)s”.")
                % {"node": node, "eco": ecosystem}
            )
        if not scope.allows(node.ecosystem_id, node.pk):
            raise ImportFileError(_("You are not staff of node “%(node)s”.") % {"node": node})
        return [(node.ecosystem_id, node.pk)]
    if ecosystem is not None:
        if scope.allows(ecosystem.pk, None):
            return [(ecosystem.pk, None)]
        own = list(
            NetworkNode.objects.filter(ecosystem=ecosystem, pk__in=scope.node_ids).values_list(
                "pk", flat=True
            )
        )
        if len(own) == 1:
            return [(ecosystem.pk, own[0])]
        raise ImportFileError(_("You are not staff of ecosystem “%(eco)s”.") % {"eco": ecosystem})
    if not scope.everything:
        pairs = [(e, None) for e in scope.ecosystem_ids]
        pairs += list(NetworkNode.objects.filter(pk__in=scope.node_ids).values_list("ecosystem_id", "pk"))
        if len(pairs) == 1:
            return pairs
    return []


def name_key(name: str) -> str:
    """'Société Générale S.A.' → 'societe generale': what near-identical names are compared on."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(t for t in re.findall(r"[a-z0-9]+", text) if t not in _LEGAL_FORMS)


class DuplicateIndex:
    """Organisations seen so far (in the database, then earlier rows of the file), looked up by
    enterprise number, SIREN, website domain and near-identical name."""

    def __init__(self):
        self.by_bce: dict[str, Any] = {}
        self.by_siren: dict[str, Any] = {}
        self.by_domain: dict[str, Any] = {}
        self.by_name: dict[str, Any] = {}
        self.blocks: dict[tuple, tuple[list[str], list[Any]]] = {}

    @staticmethod
    def _block(key: str) -> tuple:
        return key[:3], tuple(re.findall(r"\d+", key))

    def add(self, ref, *, name: str, enterprise_number: str, siren: str, domain: str) -> None:
        if enterprise_number:
            self.by_bce.setdefault(enterprise_number, ref)
        if siren:
            self.by_siren.setdefault(siren, ref)
        if domain and domain not in SHARED_DOMAINS:
            self.by_domain.setdefault(domain, ref)
        key = name_key(name)
        if key and key not in self.by_name:
            self.by_name[key] = ref
            keys, refs = self.blocks.setdefault(self._block(key), ([], []))
            keys.append(key)
            refs.append(ref)

    def find(self, *, name: str, enterprise_number: str, siren: str, domain: str) -> tuple[Any, str] | None:
        """(ref, why) of the first match, strongest evidence first; None if none."""
        if enterprise_number and enterprise_number in self.by_bce:
            return self.by_bce[enterprise_number], "enterprise_number"
        if siren and siren in self.by_siren:
            return self.by_siren[siren], "siren"
        if domain and domain in self.by_domain:
            return self.by_domain[domain], "website"
        key = name_key(name)
        if not key:
            return None
        if key in self.by_name:
            return self.by_name[key], "name"
        if len(key) >= 5 and (block := self.blocks.get(self._block(key))):
            match = process.extractOne(key, block[0], scorer=fuzz.ratio, score_cutoff=NAME_SIMILARITY)
            if match:
                return block[1][match[2]], "name"
        return None


def _reason(why: str, target: str) -> str:
    """Why a row is a duplicate, as a sentence a translator can reorder."""
    return {
        "enterprise_number": _("same enterprise number as %(target)s"),
        "siren": _("same SIREN as %(target)s"),
        "website": _("same website domain as %(target)s"),
        "name": _("name nearly identical to %(target)s"),
    }[why] % {"target": target}


def _choice_lookup(choices) -> dict[str, str]:
    lookup = {}
    for value, label in choices.choices:
        lookup[_loose(value)] = value
        with translation.override("en"):
            lookup[_loose(str(label))] = value
    return lookup


def _loose(value: str) -> str:
    return re.sub(r"[\s\-_–]+", "", value.strip().lower())


def _split(value: str) -> list[str]:
    return [p.strip() for p in value.split(LIST_SEPARATOR) if p.strip()]


class _Context:
    """What every row is checked against, loaded once per file."""

    def __init__(self, *, kind, actor, filename, ecosystem, node, update_existing):
        self.kind, self.actor, self.filename = kind, actor, filename
        self.update_existing = update_existing
        self.scope = Scope.for_actor(actor)
        self.defaults = default_memberships(actor, ecosystem, node)
        self.theme_ids = dict(Theme.objects.values_list("code", "pk"))
        self.ecosystems = {e.slug: e for e in Ecosystem.objects.all()}
        self.nodes = {n.slug: n for n in NetworkNode.objects.select_related("ecosystem")}
        self.eco_by_id = {e.pk: e for e in self.ecosystems.values()}
        self.kinds = _choice_lookup(OrganisationKind)
        self.sizes = _choice_lookup(SizeBand)
        self.stages = _choice_lookup(Stage)


def plan_import(
    path: str | os.PathLike,
    *,
    kind: str,
    actor=None,
    filename: str | None = None,
    ecosystem: Ecosystem | None = None,
    node: NetworkNode | None = None,
    update_existing: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportPlan:
    """The dry run: read the file and decide, row by row, what a commit would do. Writes nothing.
    `actor` None means the command-line operator (full rights). File-level problems end up in
    plan.file_error, row problems in plan.errors."""
    filename = filename or Path(path).name
    plan = ImportPlan(kind=kind, filename=filename)
    try:
        table = read_table(path, filename=filename)
        plan.file_format, plan.encoding, plan.delimiter = table.file_format, table.encoding, table.delimiter
        plan.columns = table.columns
        plan.total_rows = len(table.rows)
        check_columns(table.columns, kind)
        ctx = _Context(
            kind=kind,
            actor=actor,
            filename=filename,
            ecosystem=ecosystem,
            node=node,
            update_existing=update_existing,
        )
    except ImportFileError as exc:
        plan.file_error = str(exc)
        return plan
    planner = _plan_organisation_row if kind == "organisations" else _plan_person_row
    state = _organisation_state() if kind == "organisations" else _people_state(table)
    total = len(table.rows)
    for i, (line, cells) in enumerate(table.rows, start=1):
        values = dict(zip(table.columns, cells, strict=True))
        errors: list[RowError] = []
        if line in table.ragged:
            errors.append(
                RowError(
                    line,
                    "",
                    _("expected %(expected)d columns, found %(found)d (check the delimiter and quotes)")
                    % {"expected": len(table.columns), "found": table.ragged[line]},
                )
            )
        for col, value in values.items():
            values[col] = value = value.strip()
            if value.startswith(FORMULA_TRIGGERS):
                errors.append(
                    RowError(
                        line,
                        col,
                        _(
                            "“%(value)s” starts with “%(char)s”, which a spreadsheet would run as a formula; "
                            "remove that character"
                        )
                        % {"value": value[:40], "char": value[0]},
                    )
                )
        row = planner(line, values, ctx, state, errors)
        if errors:
            plan.errors.extend(errors)
        elif row is not None:
            plan.rows.append(row)
        if progress and (i % _PROGRESS_EVERY == 0 or i == total):
            progress("validate", i, total)
    return plan


def _organisation_state() -> dict:
    index = DuplicateIndex()
    rows = Organisation.objects.values_list("pk", "name", "enterprise_number", "siren", "website_domain")
    for pk, name, bce, siren, domain in rows.iterator(chunk_size=5000):
        index.add(("db", pk, name), name=name, enterprise_number=bce, siren=siren, domain=domain)
    return {"index": index, "slugs": set(Organisation.objects.values_list("slug", flat=True))}


def _slug(name: str, taken: set[str]) -> str:
    base = slugify(name)[:100] or "organisation"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _validation_errors(line: int, exc: ValidationError) -> list[RowError]:
    out = []
    for fieldname, messages in exc.message_dict.items():
        column = "" if fieldname == "__all__" else fieldname
        out.extend(RowError(line, column, str(m)) for m in messages)
    return out


def _row_memberships(line, values, ctx: _Context, errors: list[RowError]) -> list[tuple[int, int | None]]:
    pairs: list[tuple[int, int | None]] = []
    eco_slugs, node_slugs = _split(values.get("ecosystem", "")), _split(values.get("node", ""))
    for slug in node_slugs:
        node = ctx.nodes.get(slug)
        if node is None:
            errors.append(RowError(line, "node", _("no node has the slug “%(slug)s”") % {"slug": slug}))
        elif eco_slugs and node.ecosystem.slug not in eco_slugs:
            errors.append(
                RowError(
                    line, "node", _("node “%(node)s” is not in the ecosystem(s) of this row") % {"node": slug}
                )
            )
        elif not ctx.scope.allows(node.ecosystem_id, node.pk):
            errors.append(RowError(line, "node", _("you are not staff of node “%(node)s”") % {"node": slug}))
        else:
            pairs.append((node.ecosystem_id, node.pk))
    for slug in eco_slugs:
        eco = ctx.ecosystems.get(slug)
        if eco is None:
            errors.append(
                RowError(line, "ecosystem", _("no ecosystem has the slug “%(slug)s”") % {"slug": slug})
            )
            continue
        if any(e == eco.pk for e, _n in pairs):
            continue
        if ctx.scope.allows(eco.pk, None):
            pairs.append((eco.pk, None))
            continue
        own = [n for n in ctx.nodes.values() if n.ecosystem_id == eco.pk and n.pk in ctx.scope.node_ids]
        if len(own) == 1:
            pairs.append((eco.pk, own[0].pk))
        else:
            errors.append(
                RowError(line, "ecosystem", _("you are not staff of ecosystem “%(eco)s”") % {"eco": slug})
            )
    if not eco_slugs and not node_slugs:
        pairs = list(ctx.defaults)
        if not pairs and not ctx.scope.everything:
            errors.append(
                RowError(
                    line,
                    "ecosystem",
                    _("no ecosystem or node: choose one for the import or fill the ecosystem/node columns"),
                )
            )
    return pairs


def _organisation_data(line, values, ctx: _Context, errors: list[RowError]) -> tuple[dict, list[int]]:
    """Row cells → model field values (only the columns present in the file)."""
    data: dict[str, Any] = {}
    for col, value in values.items():
        if col in ("themes", "ecosystem", "node"):
            continue
        if col == "aliases":
            data[col] = _split(value)
        elif col in ("kind", "size_band", "stage"):
            lookup = {"kind": ctx.kinds, "size_band": ctx.sizes, "stage": ctx.stages}[col]
            if value and _loose(value) not in lookup:
                allowed = ", ".join(sorted(set(lookup.values())))
                errors.append(
                    RowError(
                        line,
                        col,
                        _("“%(value)s” is not one of: %(allowed)s") % {"value": value, "allowed": allowed},
                    )
                )
            data[col] = lookup.get(_loose(value), "")
        elif col == "country":
            data[col] = value.upper()
            if value and not re.fullmatch(r"[A-Za-z]{2}", value):
                errors.append(
                    RowError(
                        line,
                        col,
                        _("“%(value)s” must be a two-letter ISO 3166 code such as BE or FR")
                        % {"value": value},
                    )
                )
        elif col == "founding_year":
            data[col] = None
            if value:
                try:
                    data[col] = int(value)
                except ValueError:
                    errors.append(RowError(line, col, _("“%(value)s” is not a year") % {"value": value}))
        elif col == "website":
            data[col] = value if not value or "://" in value else "https://" + value
        else:
            data[col] = value
    theme_ids = []
    for code in _split(values.get("themes", "")):
        if code in ctx.theme_ids:
            theme_ids.append(ctx.theme_ids[code])
        else:
            errors.append(RowError(line, "themes", _("unknown theme code “%(code)s”") % {"code": code}))
    return data, theme_ids


def _plan_organisation_row(line, values, ctx: _Context, state, errors) -> PlannedRow | None:
    data, theme_ids = _organisation_data(line, values, ctx, errors)
    memberships = _row_memberships(line, values, ctx, errors)
    org = Organisation(**data)
    org.slug = "pending"  # real slug chosen once the row is known to be created
    if not org.source:
        org.source = (_("import: %(file)s") % {"file": ctx.filename})[:255]
    try:
        services.clean_organisation(org, check_unique=False)
    except ValidationError as exc:
        reported = {e.column for e in errors}  # one message per cell: ours is the more precise
        errors.extend(e for e in _validation_errors(line, exc) if e.column not in reported)
    if errors:
        return None
    index: DuplicateIndex = state["index"]
    keys = {
        "name": org.name,
        "enterprise_number": org.enterprise_number,
        "siren": org.siren,
        "domain": org.website_domain,
    }
    found = index.find(**keys)
    if found is None:
        org.slug = _slug(org.name, state["slugs"])
        index.add(("file", line, org.name), **keys)
        return PlannedRow(line, "create", org.name, obj=org, theme_ids=theme_ids, memberships=memberships)
    (where, ref, label), why = found
    if where == "file":
        reason = _reason(why, _("line %(ref)d (%(name)s)") % {"ref": ref, "name": label})
        return PlannedRow(line, "skip", org.name, reason=reason)
    reason = _reason(why, _("“%(name)s”, already in the directory") % {"name": label})
    if not ctx.update_existing or why == "name":
        return PlannedRow(line, "skip", org.name, reason=reason)
    existing = Organisation.objects.get(pk=ref)
    current = set(existing.memberships.values_list("ecosystem_id", "node_id"))
    if not ctx.scope.allows_any(current):
        return PlannedRow(line, "skip", org.name, reason=reason + " — " + _("you may not change it"))
    changes = {k: v for k, v in data.items() if v not in ("", None, [])}
    candidate = copy.copy(existing)  # validate the changed copy; update_organisation applies them
    for key, value in changes.items():
        setattr(candidate, key, value)
    try:
        services.clean_organisation(candidate, check_unique=False)
    except ValidationError as exc:
        errors.extend(_validation_errors(line, exc))
        return None
    return PlannedRow(
        line,
        "update",
        org.name,
        reason=reason,
        obj=existing,
        data={k: getattr(candidate, k) for k in changes},
        theme_ids=theme_ids,
        memberships=[m for m in memberships if m not in current],
    )


_TRUE = {"yes", "y", "true", "1", "oui", "o", "ja", "j", "x"}
_FALSE = {"no", "n", "false", "0", "non", "nee", ""}


def _people_state(table: Table) -> dict:
    refs = {
        v.strip()
        for line, cells in table.rows
        for c, v in zip(table.columns, cells, strict=True)
        if c == "organisation"
    }
    refs.discard("")
    orgs: dict[str, list[int]] = {}
    names = {name_key(r) for r in refs}
    for pk, slug, name, bce, siren in Organisation.objects.values_list(
        "pk", "slug", "name", "enterprise_number", "siren"
    ):
        for key in (slug, bce, siren):
            if key and key in refs:
                orgs.setdefault(key, [pk])
        if name_key(name) in names:
            orgs.setdefault("name:" + name_key(name), []).append(pk)
    org_ids = {pk for pks in orgs.values() for pk in pks}
    memberships: dict[int, set] = {}
    for org_id, eco_id, node_id in Membership.objects.filter(organisation_id__in=org_ids).values_list(
        "organisation_id", "ecosystem_id", "node_id"
    ):
        memberships.setdefault(org_id, set()).add((eco_id, node_id))
    existing = set()
    for person_name, org_id in Affiliation.objects.filter(organisation_id__in=org_ids).values_list(
        "person__name", "organisation_id"
    ):
        existing.add((name_key(person_name), org_id))
    return {"orgs": orgs, "memberships": memberships, "existing": existing, "seen": {}}


def _resolve_organisation(ref: str, state) -> list[int]:
    if ref in state["orgs"]:
        return state["orgs"][ref]
    for fn in (identifiers.normalise_be_enterprise_number, identifiers.normalise_siren):
        try:
            canonical = fn(ref)
        except ValueError:
            continue
        if canonical in state["orgs"]:
            return state["orgs"][canonical]
    return state["orgs"].get("name:" + name_key(ref), [])


def _plan_person_row(line, values, ctx: _Context, state, errors) -> PlannedRow | None:
    name = values.get("name", "")
    languages = [p.strip().lower() for p in re.split(r"[|,;\s]+", values.get("languages", "")) if p.strip()]
    for code in languages:
        if not re.fullmatch(r"[a-z]{2}", code):
            errors.append(
                RowError(
                    line,
                    "languages",
                    _("“%(code)s” is not a two-letter language code such as fr") % {"code": code},
                )
            )
    consent = values.get("public_profile", "").lower()
    if consent not in _TRUE | _FALSE:
        errors.append(
            RowError(
                line,
                "public_profile",
                _("“%(value)s” must be yes or no") % {"value": values["public_profile"]},
            )
        )
    expertise = []
    for code in _split(values.get("expertise", "")):
        if code in ctx.theme_ids:
            expertise.append(ctx.theme_ids[code])
        else:
            errors.append(RowError(line, "expertise", _("unknown theme code “%(code)s”") % {"code": code}))
    org_id = None
    ref = values.get("organisation", "")
    if ref:
        found = _resolve_organisation(ref, state)
        if not found:
            errors.append(
                RowError(line, "organisation", _("no organisation “%(ref)s” in the directory") % {"ref": ref})
            )
        elif len(found) > 1:
            errors.append(
                RowError(
                    line,
                    "organisation",
                    _("%(n)d organisations are named “%(ref)s”: use the slug or an identifier")
                    % {"n": len(found), "ref": ref},
                )
            )
        else:
            org_id = found[0]
            if not ctx.scope.allows_any(state["memberships"].get(org_id, set())):
                errors.append(
                    RowError(
                        line,
                        "organisation",
                        _("you are not staff of an ecosystem or node “%(ref)s” belongs to") % {"ref": ref},
                    )
                )
    elif not ctx.scope.everything:
        errors.append(
            RowError(line, "organisation", _("required: you may only add people to your organisations"))
        )
    person = Person(name=name, languages=languages, public_profile=consent in _TRUE)
    affiliation = Affiliation(person=person, organisation_id=org_id, role=values.get("role", ""))
    try:
        person.full_clean()
    except ValidationError as exc:
        errors.extend(_validation_errors(line, exc))
    try:
        affiliation.full_clean(
            exclude=["person", "organisation"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        errors.extend(_validation_errors(line, exc))
    if errors:
        return None
    key = (name_key(name), org_id)
    if key in state["existing"]:
        return PlannedRow(line, "skip", name, reason=_("already in the directory with this organisation"))
    if key in state["seen"]:
        return PlannedRow(
            line, "skip", name, reason=_("same person as line %(ref)d") % {"ref": state["seen"][key]}
        )
    state["seen"][key] = line
    return PlannedRow(
        line, "create", name, obj=person, theme_ids=expertise, organisation_id=org_id, role=affiliation.role
    )


# --- Commit ---------------------------------------------------------------------------------------


def commit_import(
    path: str | os.PathLike,
    *,
    kind: str,
    actor=None,
    filename: str | None = None,
    ecosystem: Ecosystem | None = None,
    node: NetworkNode | None = None,
    update_existing: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportPlan:
    """Validate the file again and write it in one transaction: every row or none. Raises
    ImportRejected (nothing written) when the file or any row is bad. Logs one audit entry."""
    filename = filename or Path(path).name
    with transaction.atomic():
        plan = plan_import(
            path,
            kind=kind,
            actor=actor,
            filename=filename,
            ecosystem=ecosystem,
            node=node,
            update_existing=update_existing,
            progress=progress,
        )
        if not plan.ok:
            raise ImportRejected(plan)
        try:
            if kind == "organisations":
                _write_organisations(plan, actor, progress)
            else:
                _write_people(plan, progress)
        except IntegrityError as exc:
            # A constraint the dry run could not see (a concurrent change): the transaction is undone.
            plan.file_error = _(
                "The database refused the import (%(error)s), probably because of a change made at the "
                "same time. Nothing was imported: run it again."
            ) % {"error": str(exc).splitlines()[0][:200]}
            raise ImportRejected(plan) from exc
        log_action(
            actor=actor,
            action="directory.import",
            kind=kind,
            file=filename,
            rows=plan.total_rows,
            created=plan.count("create"),
            updated=plan.count("update"),
            skipped=plan.count("skip"),
            via="cli" if actor is None else "web",
        )
    return plan


def _batches(items: list, size: int = _BATCH):
    for start in range(0, len(items), size):
        yield start, items[start : start + size]


def _write_organisations(plan: ImportPlan, actor, progress: ProgressCallback | None) -> None:
    creates = [r for r in plan.rows if r.action == "create"]
    updates = [r for r in plan.rows if r.action == "update"]
    total = len(creates) + len(updates)
    through = Organisation.themes.through
    terms: dict[str, None] = {}
    name_words: set[str] = set()
    for start, batch in _batches(creates):
        for row in batch:
            # The search columns go in with the INSERT (the search index follows them), instead of
            # one UPDATE per organisation afterwards.
            row.obj.search_names, row.obj.search_document, words, row_terms = search.index_fields(row.obj)
            terms.update(dict.fromkeys(row_terms))
            name_words.update(words)
        Organisation.objects.bulk_create([r.obj for r in batch])
        through.objects.bulk_create(
            [through(organisation_id=r.obj.pk, theme_id=t) for r in batch for t in r.theme_ids]
        )
        Membership.objects.bulk_create(
            [
                Membership(organisation=r.obj, ecosystem_id=e, node_id=n)
                for r in batch
                for e, n in r.memberships
            ]
        )
        if progress:
            progress("write", start + len(batch), total)
    if creates:
        # The search vocabulary (typo candidates); search.py has no public bulk entry point for it yet.
        search.add_terms(Organisation.objects.db, terms, name_words)
        # bulk_create sends no signals: drop the cached directory results ourselves.
        search.bump_index_version(Organisation.objects.db)
    for i, row in enumerate(updates, start=len(creates) + 1):
        org = services.update_organisation(actor=actor, organisation=row.obj, data=row.data, themes=None)
        if row.theme_ids:
            org.themes.add(*row.theme_ids)
        for eco_id, node_id in row.memberships:
            Membership.objects.get_or_create(organisation=org, ecosystem_id=eco_id, node_id=node_id)
        if progress and (i % _PROGRESS_EVERY == 0 or i == total):
            progress("write", i, total)


def _write_people(plan: ImportPlan, progress: ProgressCallback | None) -> None:
    creates = [r for r in plan.rows if r.action == "create"]
    through = Person.expertise.through
    for start, batch in _batches(creates):
        Person.objects.bulk_create([r.obj for r in batch])
        through.objects.bulk_create(
            [through(person_id=r.obj.pk, theme_id=t) for r in batch for t in r.theme_ids]
        )
        Affiliation.objects.bulk_create(
            [
                Affiliation(person=r.obj, organisation_id=r.organisation_id, role=r.role)
                for r in batch
                if r.organisation_id
            ]
        )
        if progress:
            progress("write", start + len(batch), len(creates))
