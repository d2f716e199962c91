"""Importing organisations and people from CSV or XLSX: reading, row validation, duplicate detection,
and the all-or-nothing commit. No HTTP here: the web page (through a task), the CLI and the benchmark
all call `plan_import` (the dry run) and `commit_import`.

Modules: reading (files, encodings, columns), rows and people (row validation), scope (where an
importer may import), duplicates (duplicate detection), planning (the dry run), commit (the write),
report (the plan and its report).

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

from jumelage.directory.importing.commit import commit_import
from jumelage.directory.importing.duplicates import (
    NAME_SIMILARITY,
    SHARED_DOMAINS,
    DuplicateIndex,
    name_key,
)
from jumelage.directory.importing.planning import plan_import
from jumelage.directory.importing.reading import (
    COLUMNS,
    DELIMITERS,
    FORMULA_TRIGGERS,
    LIST_SEPARATOR,
    MAX_ROWS,
    ORGANISATION_COLUMNS,
    ORGANISATION_REQUIRED,
    PEOPLE_COLUMNS,
    PEOPLE_REQUIRED,
    REQUIRED,
    ImportFileError,
    Table,
    check_columns,
    check_size,
    normalise_header,
    read_table,
)
from jumelage.directory.importing.report import (
    ImportOptions,
    ImportPlan,
    ImportRejected,
    PlannedRow,
    ProgressCallback,
    RowError,
)
from jumelage.directory.importing.scope import Scope, default_memberships

__all__ = [
    "COLUMNS",
    "DELIMITERS",
    "FORMULA_TRIGGERS",
    "LIST_SEPARATOR",
    "MAX_ROWS",
    "NAME_SIMILARITY",
    "ORGANISATION_COLUMNS",
    "ORGANISATION_REQUIRED",
    "PEOPLE_COLUMNS",
    "PEOPLE_REQUIRED",
    "REQUIRED",
    "SHARED_DOMAINS",
    "DuplicateIndex",
    "ImportFileError",
    "ImportOptions",
    "ImportPlan",
    "ImportRejected",
    "PlannedRow",
    "ProgressCallback",
    "RowError",
    "Scope",
    "Table",
    "check_columns",
    "check_size",
    "commit_import",
    "default_memberships",
    "name_key",
    "normalise_header",
    "plan_import",
    "read_table",
]
