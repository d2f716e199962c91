"""Pages of the B2B brokerage of an event, under /events/<slug>/b2b/."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jumelage.brokerage import agenda, dashboard, notify, scheduling, services
from jumelage.brokerage.forms import (
    ConfirmForm,
    DeclineForm,
    JoinForm,
    OrganiserMeetingForm,
    RequestForm,
    RunForm,
    SessionFormSet,
    SetupForm,
)
from jumelage.brokerage.models import Brokerage, Meeting, MeetingRequest, Participant, ScheduleRun
from jumelage.core.tabular import FORMATS, table_response
from jumelage.events.views.common import get_event

PER_PAGE = 30


def brokerage_view(perm: str, *, create: bool = False):
    """Resolve the event's brokerage (404 when the event is not visible or has none, unless `create`)
    and check `perm` on it: anonymous callers go to the login page, others get a 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, slug, *args, **kwargs):
            try:
                event = get_event(request, slug)
            except Http404:
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                raise
            brokerage = Brokerage.objects.filter(event=event).first()
            if brokerage is None:
                if not create:
                    raise Http404(_("This event has no B2B meetings."))
                brokerage = Brokerage(event=event)
            if not request.user.has_perm(perm, brokerage):
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                raise PermissionDenied
            if perm == "brokerage.take_part" and me(request, brokerage) is None:
                raise PermissionDenied  # an admin passes every permission check but takes part in nothing
            return view(request, brokerage, *args, **kwargs)

        return wrapper

    return decorator


def render_page(request, brokerage, template: str, context: dict, status: int = 200):
    """Render a brokerage page with what its sub-navigation needs."""
    context = {
        "brokerage": brokerage,
        "event": brokerage.event,
        "participant": context.get("participant", me(request, brokerage)),
        "perms_setup": request.user.has_perm("brokerage.setup", brokerage),
        "perms_dashboard": brokerage.pk and request.user.has_perm("brokerage.view_dashboard", brokerage),
        **context,
    }
    return render(request, template, context, status=status)


def me(request, brokerage) -> Participant | None:
    """The caller's participant row in this brokerage (looked up once per request)."""
    if not request.user.is_authenticated or brokerage.pk is None:
        return None
    cache = request.__dict__.setdefault("_b2b_participant", {})
    if brokerage.pk not in cache:
        cache[brokerage.pk] = brokerage.participants.filter(user=request.user).first()
    return cache[brokerage.pk]


def _refused(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- Participants' side ----------------------------------------------------------------------------------


@brokerage_view("brokerage.view_brokerage")
def home(request, brokerage):
    """The brokerage's page: how it works, the caller's place in it, and the participants' catalogue."""
    participant = me(request, brokerage)
    can_join = (
        participant is None
        and request.user.is_authenticated
        and brokerage.status == Brokerage.Status.OPEN
        and brokerage.event.registrations.filter(user=request.user, status="confirmed").exists()
    )
    context = {
        "brokerage": brokerage,
        "event": brokerage.event,
        "participant": participant,
        "can_join": can_join,
        "is_organiser": request.user.has_perm("brokerage.setup", brokerage),
    }
    if request.user.has_perm("brokerage.view_catalogue", brokerage):
        context |= _catalogue(request, brokerage, participant)
    return render_page(request, brokerage, "brokerage/home.html", context)


def _catalogue(request, brokerage, participant) -> dict:
    q = request.GET.get("q", "").strip()
    country = request.GET.get("country", "").strip().upper()
    people = brokerage.participants.select_related("organisation").prefetch_related("themes")
    if participant is not None:
        people = people.exclude(pk=participant.pk)
    if q:
        people = people.filter(
            Q(name__icontains=q)
            | Q(organisation__name__icontains=q)
            | Q(offers__icontains=q)
            | Q(seeks__icontains=q)
        )
    if country:
        people = people.filter(organisation__country=country)
    page = Paginator(people.order_by("name"), PER_PAGE).get_page(request.GET.get("page"))
    asked = set()
    suggestions = []
    if participant is not None:
        asked = set(
            MeetingRequest.objects.filter(requester=participant, status__in=services.LIVE).values_list(
                "recipient_id", flat=True
            )
        ) | set(
            MeetingRequest.objects.filter(recipient=participant, status__in=services.LIVE).values_list(
                "requester_id", flat=True
            )
        )
        suggestions = suggested(brokerage, participant, exclude=asked)
    countries = sorted(
        c for c in brokerage.participants.values_list("organisation__country", flat=True).distinct() if c
    )
    return {
        "page": page,
        "q": q,
        "country": country,
        "countries": countries,
        "asked": asked,
        "suggestions": suggestions,
        "request_form": RequestForm(),
    }


def suggested(brokerage, participant, *, exclude=(), limit: int = 5) -> list[tuple[Participant, list[str]]]:
    """People to meet: plain theme overlap, people from the other country first (the partnership is
    cross-border), then by name. Each with the shared themes as its reason."""
    mine = set(participant.themes.values_list("pk", flat=True))
    if not mine:
        return []
    home = participant.organisation.country if participant.organisation_id else ""
    scored = []
    for other in (
        brokerage.participants.exclude(pk=participant.pk)
        .exclude(pk__in=exclude)
        .select_related("organisation")
        .prefetch_related("themes")
    ):
        shared = [t for t in other.themes.all() if t.pk in mine]
        if shared:
            abroad = bool(home and other.organisation_id and other.organisation.country != home)
            scored.append((-len(shared), not abroad, other.name, other, [str(t) for t in shared]))
    scored.sort(key=lambda x: x[:3])
    return [(other, shared) for *_, other, shared in scored[:limit]]


@brokerage_view("brokerage.view_brokerage")
def join(request, brokerage):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if me(request, brokerage) is not None:
        return redirect("brokerage:home", brokerage.event.slug)
    form = JoinForm(request.POST or None, brokerage=brokerage)
    if request.method == "POST" and form.is_valid():
        try:
            services.join(
                brokerage=brokerage,
                user=request.user,
                offers=form.cleaned_data["offers"],
                seeks=form.cleaned_data["seeks"],
                themes=form.cleaned_data["themes"],
                unavailable=[s.pk for s in form.cleaned_data["unavailable"]],
            )
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("You take part in the B2B meetings. Find people to meet below."))
            return redirect("brokerage:home", brokerage.event.slug)
    status = 400 if request.method == "POST" else 200
    return render_page(
        request,
        brokerage,
        "brokerage/join.html",
        {"brokerage": brokerage, "event": brokerage.event, "form": form},
        status=status,
    )


@require_POST
@brokerage_view("brokerage.take_part")
def send(request, brokerage, pk):
    participant = me(request, brokerage)
    recipient = get_object_or_404(Participant, pk=pk, brokerage=brokerage)
    form = RequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("message", [])))
        return redirect("brokerage:home", brokerage.event.slug)
    try:
        request_obj = services.send_request(
            requester=participant, recipient=recipient, message=form.cleaned_data["message"]
        )
    except ValidationError as exc:
        _refused(request, exc)
        return redirect("brokerage:home", brokerage.event.slug)
    if request_obj.status == MeetingRequest.Status.ACCEPTED:
        messages.success(
            request, _("%(name)s had asked you too: the meeting is agreed.") % {"name": recipient.name}
        )
        notify.request_answered(request_obj)
    else:
        messages.success(request, _("Your request was sent to %(name)s.") % {"name": recipient.name})
        notify.request_received(request_obj)
    return redirect("brokerage:requests", brokerage.event.slug)


@brokerage_view("brokerage.take_part")
def requests(request, brokerage):
    participant = me(request, brokerage)
    base = MeetingRequest.objects.select_related("requester__organisation", "recipient__organisation")
    return render_page(
        request,
        brokerage,
        "brokerage/requests.html",
        {
            "brokerage": brokerage,
            "event": brokerage.event,
            "participant": participant,
            "received": base.filter(recipient=participant).order_by("status", "-created_at"),
            "sent": base.filter(requester=participant).order_by("status", "-created_at"),
            "decline_form": DeclineForm(),
        },
    )


@require_POST
@brokerage_view("brokerage.take_part")
def act(request, brokerage, pk, action):
    participant = me(request, brokerage)
    request_obj = get_object_or_404(MeetingRequest, pk=pk, brokerage=brokerage)
    if participant.pk not in (request_obj.requester_id, request_obj.recipient_id):
        raise Http404
    try:
        if action == "accept":
            request_obj = services.answer(request=request_obj, by=participant, accept=True)
            notify.request_answered(request_obj)
            messages.success(request, _("Meeting accepted."))
        elif action == "decline":
            form = DeclineForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            request_obj = services.answer(request=request_obj, by=participant, accept=False, reason=reason)
            notify.request_answered(request_obj)
            messages.success(request, _("Request declined."))
        elif action == "withdraw":
            services.withdraw(request=request_obj, by=participant)
            messages.success(request, _("Withdrawn."))
        else:
            raise Http404
    except ValidationError as exc:
        _refused(request, exc)
    return redirect("brokerage:requests", brokerage.event.slug)


@brokerage_view("brokerage.take_part")
def my_agenda(request, brokerage):
    participant = me(request, brokerage)
    return render_page(
        request,
        brokerage,
        "brokerage/agenda.html",
        {
            "brokerage": brokerage,
            "event": brokerage.event,
            "participant": participant,
            "entries": agenda.entries(participant) if brokerage.published_at else [],
            "confirm_form": ConfirmForm(),
            "now": timezone.now(),
        },
    )


@brokerage_view("brokerage.take_part")
def agenda_file(request, brokerage, fmt):
    participant = me(request, brokerage)
    slug = brokerage.event.slug
    if fmt == "ics":
        response = HttpResponse(
            agenda.ics(brokerage, participant), content_type="text/calendar; charset=utf-8"
        )
    elif fmt == "pdf":
        response = HttpResponse(agenda.pdf(brokerage, participant), content_type="application/pdf")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{slug}-b2b-agenda.{fmt}"'
    return response


@require_POST
@brokerage_view("brokerage.take_part")
def confirm(request, brokerage, pk):
    participant = me(request, brokerage)
    meeting = get_object_or_404(Meeting, pk=pk, brokerage=brokerage)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say whether the meeting took place, and give a rating from 1 to 5."))
    else:
        try:
            services.confirm(
                meeting=meeting,
                by=participant,
                held=form.cleaned_data["held"],
                rating=form.cleaned_data["rating"],
            )
            messages.success(request, _("Thank you: your answer is recorded."))
        except ValidationError as exc:
            _refused(request, exc)
    return redirect("brokerage:agenda", brokerage.event.slug)


# --- Organisers' side ------------------------------------------------------------------------------------


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
        initial = {
            f: getattr(brokerage, f)
            for f in (
                "meeting_minutes",
                "pause_minutes",
                "max_meetings",
                "max_requests",
                "requests_close_at",
                "answers_close_at",
                "online_allowed",
            )
        } | {"tables": "\n".join(t.name for t in brokerage.tables.all())}
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
            _refused(request, exc)
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
                meeting_minutes=data["meeting_minutes"],
                pause_minutes=data["pause_minutes"],
                max_meetings=data["max_meetings"],
                max_requests=data["max_requests"],
                requests_close_at=data["requests_close_at"],
                answers_close_at=data["answers_close_at"],
                online_allowed=data["online_allowed"],
            )
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("The B2B meetings are set up."))
            return redirect("brokerage:setup", brokerage.event.slug)
    status = 400 if request.method == "POST" else 200
    return render_page(
        request,
        brokerage,
        "brokerage/setup.html",
        {"brokerage": brokerage, "event": brokerage.event, "form": form, "sessions": sessions},
        status=status,
    )


@brokerage_view("brokerage.schedule")
def schedule(request, brokerage):
    form = RunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = scheduling.start_run(
                brokerage=brokerage, actor=request.user, time_limit=form.cleaned_data["time_limit"]
            )
        except ValidationError as exc:
            _refused(request, exc)
        else:
            return redirect("brokerage:run", brokerage.event.slug, run.pk)
    runs = brokerage.runs.all()[:10]
    return render_page(
        request,
        brokerage,
        "brokerage/schedule.html",
        {
            "brokerage": brokerage,
            "event": brokerage.event,
            "form": form,
            "runs": runs,
            "figures": dashboard.figures(brokerage),
        },
    )


@brokerage_view("brokerage.schedule")
def run_detail(request, brokerage, pk):
    run = get_object_or_404(ScheduleRun, pk=pk, brokerage=brokerage)
    if request.method == "POST":
        try:
            if "publish" in request.POST:
                changed = scheduling.publish(run=run, actor=request.user)
                messages.success(
                    request,
                    _("The schedule is published; %(n)s participants were told of their new agenda.")
                    % {"n": len(changed)},
                )
                return redirect("brokerage:tables", brokerage.event.slug)
            if "discard" in request.POST:
                scheduling.discard(run=run, actor=request.user)
                messages.success(request, _("Draft discarded."))
                return redirect("brokerage:schedule", brokerage.event.slug)
        except ValidationError as exc:
            _refused(request, exc)
    running = run.status in (ScheduleRun.Status.QUEUED, ScheduleRun.Status.RUNNING)
    template = "brokerage/_run.html" if request.htmx else "brokerage/run.html"
    return render_page(
        request,
        brokerage,
        template,
        {"brokerage": brokerage, "event": brokerage.event, "run": run, "running": running},
    )


@brokerage_view("brokerage.view_dashboard")
def tables(request, brokerage):
    """The table plan: for each slot, who sits at which table."""
    meetings = (
        Meeting.objects.filter(brokerage=brokerage, slot__isnull=False)
        .select_related(
            "slot", "table", "request__requester__organisation", "request__recipient__organisation"
        )
        .order_by("slot__number", "table__position")
    )
    plan: dict = {}
    for m in meetings:
        plan.setdefault(m.slot, []).append(m)
    return render_page(
        request,
        brokerage,
        "brokerage/tables.html",
        {"brokerage": brokerage, "event": brokerage.event, "plan": list(plan.items())},
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
            _refused(request, exc)
    qs = (
        Meeting.objects.filter(brokerage=brokerage)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("slot", "table", "request__requester", "request__recipient")
        .order_by("slot__number", "pk")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    status = 400 if request.method == "POST" else 200
    return render_page(
        request,
        brokerage,
        "brokerage/meetings.html",
        {"brokerage": brokerage, "event": brokerage.event, "form": form, "page": page},
        status=status,
    )


@brokerage_view("brokerage.view_dashboard")
def dashboard_page(request, brokerage):
    figures = dashboard.figures(brokerage)
    charts = []
    if figures.by_pair:
        charts.append(
            {
                "id": "b2b-pairs",
                "title": _("Meetings by ecosystem pair"),
                "description": _("Number of meetings between participants of each pair of ecosystems."),
                "series": [("meetings", _("Meetings"), "series-1")],
                "rows": [(label, [n]) for label, n in figures.by_pair],
            }
        )
    if figures.by_theme:
        charts.append(
            {
                "id": "b2b-themes",
                "title": _("Meetings by theme"),
                "description": _("Meetings whose participants work on each theme."),
                "series": [("meetings", _("Meetings"), "series-1")],
                "rows": [(label, [n]) for label, n in figures.by_theme],
            }
        )
    return render_page(
        request,
        brokerage,
        "brokerage/dashboard.html",
        {"brokerage": brokerage, "event": brokerage.event, "figures": figures, "charts": charts},
    )


@brokerage_view("brokerage.view_dashboard")
def export(request, brokerage, fmt):
    if fmt not in FORMATS:
        raise Http404(_("Export formats: CSV and XLSX."))
    header, rows = dashboard.export_rows(brokerage)
    return table_response(header, rows, fmt, filename=f"{brokerage.event.slug}-b2b-meetings")
