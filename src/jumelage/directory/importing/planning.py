"""The dry run: read the file and decide, row by row, what a commit would do."""

from __future__ import annotations

import os
from pathlib import Path

from django.utils.translation import gettext as _

from jumelage.directory.importing.duplicates import organisation_state
from jumelage.directory.importing.people import people_state, plan_person_row
from jumelage.directory.importing.reading import (
    FORMULA_TRIGGERS,
    ImportFileError,
    check_columns,
    read_table,
)
from jumelage.directory.importing.report import (
    PROGRESS_EVERY,
    ImportPlan,
    ProgressCallback,
    RowError,
)
from jumelage.directory.importing.rows import RowContext, plan_organisation_row
from jumelage.ecosystems.models import Ecosystem, NetworkNode


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
        ctx = RowContext(
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
    planner = plan_organisation_row if kind == "organisations" else plan_person_row
    state = organisation_state() if kind == "organisations" else people_state(table)
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
        if progress and (i % PROGRESS_EVERY == 0 or i == total):
            progress("validate", i, total)
    return plan
