"""The report and the attendee list as tables, written to CSV or XLSX (report area).

Cells a spreadsheet would execute are neutralised as in the directory's export (OWASP's advice against
CSV injection); XLSX drops the control characters the format cannot hold.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jumelage.directory.exporting import neutralise
from jumelage.events.models import Event, Registration
from jumelage.events.queries import partners_in_order
from jumelage.events.services.reports import Report, kind_label

FORMATS = {"csv", "xlsx"}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class Table:
    name: str  # the XLSX sheet name (31 characters at most)
    title: str
    headers: list[str]
    rows: list[list]


def report_tables(report: Report) -> list[Table]:
    """The report as tables: one sheet each in XLSX, one section each in CSV."""
    event = report.event
    summary = Table(
        "summary",
        _("Summary"),
        [_("Figure"), _("Value")],
        [
            [_("Event"), event.title],
            [_("Starts"), timezone.localtime(event.starts_at).isoformat()],
            [_("Ends"), timezone.localtime(event.ends_at).isoformat()],
            [_("Partners"), " | ".join(f"{p.brand_name} ({p.get_role_display()})" for p in report.partners)],
            [_("Confirmed registrations"), report.confirmed],
            [_("On the waiting list"), report.waitlisted],
            [pgettext("registrations", "Cancelled"), report.cancelled],
            [_("Checked in"), report.came],
            [_("Feedback answers"), report.feedback_count],
            [_("Average rating"), report.feedback_average if report.feedback_average is not None else ""],
        ],
    )
    tables = [summary]
    for b in report.breakdowns:
        tables.append(
            Table(
                f"by_{b.id}", b.title, [b.column, _("Registered"), _("Checked in")], [list(r) for r in b.rows]
            )
        )
    tables.append(
        Table(
            "by_partner",
            _("Who came through which partner"),
            [
                _("Partner"),
                _("Role"),
                _("Registered"),
                _("Share of registrations (%)"),
                _("Checked in"),
                _("Share of attendees (%)"),
            ],
            [
                [s.name, s.role, s.registered, s.registered_percent, s.came, s.came_percent]
                for s in report.shares
            ],
        )
    )
    tables.append(
        Table(
            "pitches",
            _("Pitches"),
            [_("Startup"), _("Title"), _("Stage"), _("Status"), _("Session"), _("Outcome")],
            [
                [
                    s.organisation.name if s.organisation_id else "",
                    s.title,
                    s.get_stage_display() if s.stage else "",
                    s.get_status_display(),
                    s.session.title if s.session_id else "",
                    s.outcome,
                ]
                for s in report.pitches
            ],
        )
    )
    tables.append(
        Table("ratings", _("Ratings"), [_("Rating"), _("Answers")], [[r, n] for r, n in report.ratings])
    )
    tables.append(
        Table(
            "comments",
            _("Comments"),
            [_("Rating"), _("Comment")],
            [[f.rating, f.comment] for f in report.comments],
        )
    )
    return tables


def attendee_table(event: Event) -> Table:
    """Who registered (cancelled ones left out): only what the registrants gave, and what staff did."""
    partners = {p.pk: p.brand_name for p in partners_in_order(event)}
    statuses = {value: str(label) for value, label in Registration.Status.choices}
    kinds: dict[str, str] = {"": ""}
    zone = timezone.get_current_timezone()

    def when(moment) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""

    rows = []
    for values in (
        event.registrations.exclude(status=Registration.Status.CANCELLED)
        .order_by("name", "pk")
        .values_list(
            "name",
            "email",
            "organisation_name",
            "organisation__name",
            "organisation_kind",
            "organisation__kind",
            "country",
            "role",
            "via_partner_id",
            "status",
            "created_at",
            "checked_in_at",
        )
    ):
        name, email, org_name, dir_name, reg_kind, dir_kind, country, role, partner, status, at, came = values
        kind = reg_kind or dir_kind or ""
        if kind not in kinds:
            kinds[kind] = kind_label(kind)
        rows.append(
            [
                name,
                email,
                org_name or dir_name or "",
                kinds[kind],
                country,
                role,
                partners.get(partner, ""),
                statuses.get(status, status),
                when(at),
                when(came),
            ]
        )
    return Table(
        "attendees",
        _("Attendees"),
        [
            _("Name"),
            _("E-mail"),
            _("Organisation"),
            _("Kind of organisation"),
            _("Country"),
            _("Role"),
            _("Came through"),
            _("Status"),
            _("Registered"),
            _("Checked in"),
        ],
        rows,
    )


def _cell(value):
    return neutralise(str(value)) if isinstance(value, str) else value


def tables_csv(tables: list[Table]) -> str:
    """The tables one after another: a title row, the header row, the rows, an empty row between."""
    out = io.StringIO()
    writer = csv.writer(out)
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        if len(tables) > 1:
            writer.writerow([table.title])
        writer.writerow(table.headers)
        writer.writerows([[_cell(v) for v in row] for row in table.rows])
    return "\ufeff" + out.getvalue()  # BOM: spreadsheets then read the file as UTF-8


def tables_xlsx(tables: list[Table]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(table.name[:31])
        sheet.append(table.headers)
        for row in table.rows:
            sheet.append(
                [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in map(_cell, row)]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
