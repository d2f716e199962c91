"""Organisers: setting the brokerage up (sessions, tables, quotas, deadlines), opening the requests, and
arranging, locking and unlocking meetings."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from jumelage.brokerage import services
from jumelage.brokerage.forms import MAX_SESSIONS, OrganiserMeetingForm, SessionFormSet, SetupForm
from jumelage.brokerage.models import Meeting
from jumelage.brokerage.views.common import brokerage_view, form_status, refused, render_page

SETUP_FIELDS = (
    "meeting_minutes",
    "pause_minutes",
    "max_meetings",
    "max_requests",
    "requests_close_at",
    "answers_close_at",
    "online_allowed",
)


def _session_initial(brokerage) -> list[dict]:
    if brokerage.pk:
        sessions = [
            {
                "name": s.name,
                "date": timezone.localtime(s.starts_at).date(),
                "start": timezone.localtime(s.starts_at).time(),
                "end": timezone.localtime(s.ends_at).time(),
            }
            for s in brokerage.sessions.all()
        ]
    else:
        # A morning and an afternoon on the event's first day, where they fit in the event's hours;
        # otherwise (an evening event, say) one session over the event's own hours of that day.
        starts, ends = (
            timezone.localtime(brokerage.event.starts_at),
            timezone.localtime(brokerage.event.ends_at),
        )
        day = starts.date()
        sessions = [
            {"name": name, "date": day, "start": start, "end": end}
            for name, start, end in (
                (_("Morning"), dt.time(9, 30), dt.time(12, 30)),
                (_("Afternoon"), dt.time(14, 0), dt.time(17, 0)),
            )
            if starts <= dt.datetime.combine(day, start, tzinfo=starts.tzinfo)
            and dt.datetime.combine(day, end, tzinfo=starts.tzinfo) <= ends
        ]
        if not sessions:
            last = ends.time() if ends.date() == day else dt.time(23, 59)
            sessions = [{"name": _("Meetings"), "date": day, "start": starts.time(), "end": last}]
    # two empty sessions to add more (at least three rows in all): saving shows two more again
    rows = min(MAX_SESSIONS, max(3, len(sessions) + 2))
    return sessions + [{}] * (rows - len(sessions))


@brokerage_view("brokerage.setup", create=True)
def setup(request, brokerage):
    if brokerage.pk:
        initial = {f: getattr(brokerage, f) for f in SETUP_FIELDS} | {
            "tables": "\n".join(
                f"{t.name} | {t.video_link}" if t.video_link else t.name for t in brokerage.tables.all()
            )
        }
    else:
        initial = {"tables": "\n".join(f"{_('Table')} {i}" for i in range(1, 11))}
    form = SetupForm(request.POST or None, initial=initial)
    sessions = SessionFormSet(request.POST or None, initial=_session_initial(brokerage), prefix="session")
    if request.method == "POST" and "open" in request.POST and brokerage.pk:
        try:
            services.open_requests(brokerage=brokerage, actor=request.user)
            messages.success(request, _("Meeting requests are open: participants can now ask each other."))
            return redirect("brokerage:home", brokerage.event.slug)
        except ValidationError as exc:
            refused(request, exc)
    elif request.method == "POST" and form.is_valid() and sessions.is_valid():
        tz = timezone.get_current_timezone()
        specs = [
            services.SessionSpec(
                s["name"],
                dt.datetime.combine(s["date"], s["start"], tzinfo=tz),
                dt.datetime.combine(s["date"], s["end"], tzinfo=tz),
            )
            for s in sessions.cleaned_data
            if s.get("name")
        ]
        data = form.cleaned_data
        try:
            services.configure(
                event=brokerage.event,
                actor=request.user,
                sessions=specs,
                tables=data["tables"].splitlines(),
                **{f: data[f] for f in SETUP_FIELDS},
            )
        except ValidationError as exc:
            refused(request, exc)
        else:
            messages.success(request, _("The B2B meetings are set up."))
            return redirect("brokerage:setup", brokerage.event.slug)
    return render_page(
        request,
        brokerage,
        "brokerage/setup.html",
        {"form": form, "sessions": sessions, "max_sessions": MAX_SESSIONS},
        status=form_status(request),
    )


@brokerage_view("brokerage.setup")
def meetings(request, brokerage):
    """All meetings: organisers arrange new ones, lock or unlock them."""
    form = OrganiserMeetingForm(request.POST or None, brokerage=brokerage)
    if request.method == "POST":
        try:
            if "unlock" in request.POST:
                meeting = _meeting(brokerage, request.POST["unlock"])
                services.unlock(meeting=meeting, actor=request.user)
                messages.success(request, _("Unlocked."))
                return redirect("brokerage:meetings", brokerage.event.slug)
            if "lock" in request.POST:
                meeting = _meeting(brokerage, request.POST["lock"])
                slot = brokerage.slots.filter(pk=_number(request.POST.get("slot"))).first()
                if slot is None:
                    raise ValidationError(_("Choose the slot to lock the meeting to."))
                table = None
                if request.POST.get("table"):
                    table = get_object_or_404(brokerage.tables, pk=_number(request.POST["table"]))
                meeting = services.lock(meeting=meeting, slot=slot, table=table, actor=request.user)
                messages.success(
                    request,
                    _("Locked: %(meeting)s, %(time)s at %(table)s.")
                    % {"meeting": meeting, "time": meeting.slot.with_day(), "table": meeting.table},
                )
                return redirect("brokerage:meetings", brokerage.event.slug)
            if form.is_valid():
                d = form.cleaned_data
                services.organiser_meeting(
                    brokerage=brokerage,
                    a=d["a"],
                    b=d["b"],
                    actor=request.user,
                    slot=d["slot"],
                    table=d["table"],
                )
                messages.success(request, _("Meeting arranged."))
                return redirect("brokerage:meetings", brokerage.event.slug)
        except ValidationError as exc:
            refused(request, exc)
    qs = (
        Meeting.objects.filter(brokerage=brokerage)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("slot", "table", "request__requester", "request__recipient")
        .order_by("slot__number", "pk")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render_page(
        request,
        brokerage,
        "brokerage/meetings.html",
        {
            "form": form,
            "page": page,
            "slots": [(slot.pk, slot.with_day()) for slot in brokerage.slots.all()],
            "tables": list(brokerage.tables.all()),
        },
        status=form_status(request),
    )


def _number(value) -> int | None:
    """A posted id as a number (None when it is not one: a tampered form finds nothing, no error 500)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _meeting(brokerage, pk) -> Meeting:
    return get_object_or_404(Meeting, pk=_number(pk), brokerage=brokerage)


urlpatterns = [
    path("events/<slug:slug>/b2b/setup/", setup, name="setup"),
    path("events/<slug:slug>/b2b/meetings/", meetings, name="meetings"),
]
