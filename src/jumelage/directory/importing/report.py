"""What a dry run decided (the plan), its row errors, and the JSON-able report kept on the import job."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from jumelage.ecosystems.models import Ecosystem, NetworkNode

PROGRESS_EVERY = 500

ProgressCallback = Callable[[str, int, int], None]


class ImportRejected(Exception):
    """Commit refused because the (re-validated) file has bad rows; nothing was written."""

    def __init__(self, plan: ImportPlan):
        super().__init__(_("%(count)d bad rows: nothing was imported.") % {"count": len(plan.errors)})
        self.plan = plan


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


class ImportOptions(TypedDict, total=False):
    """The keyword arguments plan_import and commit_import share besides `kind` (see plan_import)."""

    actor: Any
    filename: str | None
    ecosystem: Ecosystem | None
    node: NetworkNode | None
    update_existing: bool
    progress: ProgressCallback | None
