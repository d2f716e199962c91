"""A participant's agenda: the rows, an iCalendar file and a printable PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as ICalEvent

from jumelage.brokerage.models import Brokerage, Meeting, MeetingSeat, Participant
from jumelage.core.pdf import FAMILY, Document


@dataclass
class Entry:
    meeting: Meeting
    seat: MeetingSeat
    other: Participant
    me: Participant

    @property
    def slot(self):
        return self.seat.slot

    @property
    def video_link(self) -> str:
        """The table's video link when one side takes part online (both then use it), else ""."""
        return self.meeting.table.video_link if (self.me.online or self.other.online) else ""

    @property
    def place(self) -> str:
        """Where this participant goes: the table, or online for who takes part online."""
        if self.me.online:
            return _("online (table %(table)s)") % {"table": self.meeting.table.name}
        if self.other.online:
            return _("table %(table)s, %(name)s joins online") % {
                "table": self.meeting.table.name,
                "name": self.other.name,
            }
        return self.meeting.table.name


def entries(participant: Participant) -> list[Entry]:
    seats = (
        MeetingSeat.objects.filter(participant=participant)
        .select_related(
            "slot",
            "meeting__table",
            "meeting__request__requester__organisation",
            "meeting__request__recipient__organisation",
        )
        .order_by("slot__number")
    )
    out = []
    for seat in seats:
        r = seat.meeting.request
        other = r.recipient if r.requester_id == participant.pk else r.requester
        out.append(Entry(seat.meeting, seat, other, participant))
    return out


def _who(p: Participant) -> str:
    return f"{p.name} ({p.organisation.name})" if p.organisation_id else p.name


def ics(brokerage: Brokerage, participant: Participant) -> bytes:
    event = brokerage.event
    cal = Calendar()
    cal.add("prodid", "-//Jumelage//B2B meetings//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{event.title} — B2B")
    for e in entries(participant):
        item = ICalEvent()
        item.add("uid", f"b2b-{e.meeting.pk}-{participant.pk}@jumelage")
        item.add("dtstamp", timezone.now().astimezone(UTC))
        item.add("dtstart", e.slot.starts_at.astimezone(UTC))
        item.add("dtend", e.slot.ends_at.astimezone(UTC))
        item.add("summary", _("B2B meeting with %(who)s") % {"who": _who(e.other)})
        if participant.online:
            item.add("location", e.video_link or _("online"))
        else:
            item.add(
                "location",
                ", ".join(
                    x for x in (event.venue, event.city, _("table %(t)s") % {"t": e.meeting.table}) if x
                ),
            )
        if e.video_link:
            item.add("url", e.video_link)
        item.add("description", "\n".join(x for x in (event.title, e.place, e.video_link) if x))
        cal.add_component(item)
    return cal.to_ical()


def pdf(brokerage: Brokerage, participant: Participant) -> bytes:
    event = brokerage.event
    doc = Document()
    doc.set_title(f"{event.title} - B2B")
    doc.add_page()
    doc.set_font(FAMILY, "B", 16)
    doc.multi_cell(
        0, 9, _("B2B meetings — %(event)s") % {"event": event.title}, new_x="LMARGIN", new_y="NEXT"
    )
    doc.set_font(FAMILY, "", 11)
    partners = " | ".join(p.brand_name for p in event.partners.select_related("ecosystem", "node"))
    doc.multi_cell(
        0, 6, _("Organised by: %(partners)s") % {"partners": partners}, new_x="LMARGIN", new_y="NEXT"
    )
    doc.multi_cell(0, 6, _("Agenda of %(name)s") % {"name": _who(participant)}, new_x="LMARGIN", new_y="NEXT")
    town = " ".join(x for x in (event.postcode, event.city) if x)
    place = ", ".join(x for x in (event.venue, event.street, town) if x)
    if place and not participant.online:  # where to go: the printed agenda is what people carry on site
        doc.multi_cell(0, 6, _("Where: %(place)s") % {"place": place}, new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    rows = entries(participant)
    if not rows:
        doc.multi_cell(0, 6, _("No meeting is scheduled for you."), new_x="LMARGIN", new_y="NEXT")
    else:
        with doc.table(col_widths=(35, 60, 95), text_align="LEFT") as table:
            header = table.row()
            for title in (_("Time"), _("Where"), _("With")):
                header.cell(title)
            for e in rows:
                row = table.row()
                row.cell(e.slot.with_day())  # when it starts and ends, as on the agenda page
                row.cell(e.place)
                row.cell("\n".join(x for x in (_who(e.other), e.video_link) if x))
    doc.ln(4)
    doc.set_font(FAMILY, "I", 9)
    doc.multi_cell(0, 5, settings.SITE_URL, new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())
