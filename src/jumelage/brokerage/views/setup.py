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
from jumelage.brokerage.forms import OrganiserMeetingForm, SessionFormSet, SetupForm
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
        day = timezone.localtime(brokerage.event.starts_at).date()
        sessions = [
            {"name": _("Morning"), "date": day, "start": dt.time(9, 30), "end": dt.time(12, 30)},
            {"name": _("Afternoon"), "date": day, "start": dt.time(14, 0), "end": dt.time(17, 0)},
        ]
    return sessions + [{}] * (3 - len(sessions))


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
        {"form": form, "sessions": sessions},
        status=form_status(request),
    )


@brokerage_view("brokerage.setup")
def meetings(request, brokerage):
    """All meetings: organisers arrange new ones, lock or unlock them."""
    form = OrganiserMeetingForm(request.POST or None, brokerage=brokerage)
    if request.method == "POST":
        try:
            if "unlock" in request.POST:
                meeting = get_object_or_404(Meeting, pk=request.POST["unlock"], brokerage=brokerage)
                services.unlock(meeting=meeting, actor=request.user)
                messages.success(request, _("Unlocked."))
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
        {"form": form, "page": page},
        status=form_status(request),
    )


urlpatterns = [
    path("events/<slug:slug>/b2b/setup/", setup, name="setup"),
    path("events/<slug:slug>/b2b/meetings/", meetings, name="meetings"),
]
