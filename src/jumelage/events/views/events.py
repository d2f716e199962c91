"""Events core pages: the list, the public event page, staff create/edit/publish/cancel, partners and
their agreed order; calendar files and feeds (built in jumelage.events.calendar)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jumelage.core.forms import apply_service_errors
from jumelage.ecosystems.models import Ecosystem, NetworkNode
from jumelage.events import agenda as agendas
from jumelage.events import calendar, queries
from jumelage.events.core_forms import AddPartnerForm, EventForm, NewEventForm, brand_from_choice
from jumelage.events.models import Call, Event, EventKind, EventPartner, Session, Submission
from jumelage.events.queries import partners_in_order
from jumelage.events.services import events as services
from jumelage.events.views.common import event_view

EVENTS_PER_PAGE = 20


# --- The list ------------------------------------------------------------------------------------------


def event_list(request):
    """Events the caller may see, upcoming (soonest first) or past (latest first), filtered by
    ecosystem, node and kind, 20 a page."""
    context = {
        "ecosystems": Ecosystem.objects.order_by("name"),
        "nodes": NetworkNode.objects.select_related("ecosystem").order_by("name"),
        "kinds": EventKind.choices,
        "params": request.GET,
        "can_add": request.user.has_perm("events.add_event"),
    }
    status = 200
    try:
        qs, active = queries.filter_events(request.user, request.GET)
    except queries.FilterError as exc:
        context["error"] = str(exc)
        active, status = {"when": "upcoming"}, 400
        qs = Event.objects.none()
    page = Paginator(qs, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = {k: v for k, v in active.items() if not (k == "when" and v == "upcoming")}
    context.update(
        {
            "page": page,
            "active": active,
            "querystring": "&".join(f"{k}={v}" for k, v in query.items()),
            "filtered": bool({"ecosystem", "node", "kind"} & active.keys()),
        }
    )
    scope = (
        ("ecosystem", active.get("ecosystem")) if active.get("ecosystem") else ("node", active.get("node"))
    )
    if scope[1] and status == 200:
        context["feeds"] = [
            (label, reverse(f"events:{scope[0]}-events-feed", args=[scope[1], fmt]))
            for fmt, label in (("rss", "RSS"), ("atom", "Atom"), ("ics", "iCalendar"))
        ]
    if request.user.is_authenticated:
        context["personal_calendar_url"] = calendar.personal_url(request.user)
    return render(request, "events/event_list.html", context, status=status)


# --- The public event page --------------------------------------------------------------------------


def register_url(event: Event) -> str:
    try:
        return reverse("events:register", args=[event.slug])
    except NoReverseMatch:
        return f"/events/{event.slug}/register/"


def registration_state(event: Event, now=None) -> str:
    """open, not_yet, closed, over, cancelled, draft."""
    now = now or timezone.now()
    if event.status == Event.Status.DRAFT:
        return "draft"
    if event.status == Event.Status.CANCELLED:
        return "cancelled"
    if event.ends_at <= now:
        return "over"
    if event.registration_opens_at and now < event.registration_opens_at:
        return "not_yet"
    if event.registration_closes_at and now >= event.registration_closes_at:
        return "closed"
    return "open"


def _link(name: str, event: Event) -> str | None:
    """The address of another area's page for this event, or None while that area has no such page."""
    try:
        return reverse(f"events:{name}", args=[event.slug])
    except NoReverseMatch:
        return None


def _b2b_link(event: Event, can_manage: bool) -> str | None:
    """The B2B meetings of the event: for everyone once requests are open, for organisers always (to
    set them up)."""
    from jumelage.brokerage.models import Brokerage

    brokerage = Brokerage.objects.filter(event=event).only("status").first()
    if can_manage and brokerage is None:
        return reverse("brokerage:setup", args=[event.slug])
    if brokerage is not None and (can_manage or brokerage.status != Brokerage.Status.SETUP):
        return reverse("brokerage:home", args=[event.slug])
    return None


def _programme(event: Event) -> list:
    """The programme the partners agreed and published (the programme area's; empty without it)."""
    try:
        from jumelage.events.services.programme import published_programme
    except ImportError:
        return []
    return published_programme(event)


def _delegation(event: Event) -> list:
    """The organisations that confirmed they join the event's delegation (its calls for companies),
    by name: the shared pavilion shown on the event page."""
    return list(
        Submission.objects.filter(
            call__event=event, call__kind=Call.Kind.DELEGATION, status=Submission.Status.CONFIRMED
        )
        .exclude(organisation=None)
        .select_related("organisation")
        .order_by("organisation__name")
    )


@event_view()
def event_detail(request, event: Event):
    return _detail_response(request, event)


def _detail_response(request, event: Event, status: int = 200):
    partners = calendar.partners_of(
        Event.objects.prefetch_related("partners__ecosystem", "partners__node__ecosystem").get(pk=event.pk)
    )
    lang = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    description, description_lang = calendar.description_in(event, lang)
    can_manage = request.user.has_perm("events.change_event", event)
    staff = can_manage or request.user.has_perm("events.view_registrations", event)
    agenda = agendas.agenda_for(event, staff=staff)
    seats_left = None if event.capacity is None else max(event.capacity - event.confirmed_count, 0)
    lang_names = dict(services.EVENT_LANGUAGES)
    call_kinds = set(event.calls.values_list("kind", flat=True))  # one query: the link, and a delegation
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "partners": partners,
            "description": description,
            "description_lang": description_lang,
            "description_fallback": bool(description) and description_lang != lang,
            "description_lang_name": translation.get_language_info(description_lang)["name_translated"],
            "languages": [str(lang_names.get(c, c)) for c in event.languages],
            "agenda_html": agenda.html,
            "seats_left": seats_left,
            "registration": registration_state(event),
            "register_url": register_url(event),
            "can_manage": can_manage,
            "programme": _programme(event),
            "calls_url": _link("call-list", event) if call_kinds else None,
            "delegation": _delegation(event) if Call.Kind.DELEGATION in call_kinds else [],
            "b2b_url": _b2b_link(event, can_manage),
            "staff_links": [
                (label, url)
                for name, label in (
                    ("programme-board", _("Co-programming board")),
                    ("call-list", _("Calls for proposals")),
                    ("registration-list", _("Registrations")),
                    ("check-in", _("Check-in")),
                    ("report", _("Report")),
                )
                if staff and (url := _link(name, event))
            ],
            "json_ld": calendar.event_json_ld(event, partners, agenda.sessions, description=description),
        },
        status=status,
    )


# --- Staff: create, edit, publish, cancel ------------------------------------------------------------


def event_new(request):
    if not request.user.has_perm("events.add_event"):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied(_("Only ecosystem and node staff may create events."))
    status = 200
    if request.method == "POST":
        form = NewEventForm(request.POST)
        if form.is_valid():
            try:
                event = services.create_event(
                    actor=request.user,
                    data=form.service_data(),
                    partners=form.partners(),
                    themes=form.cleaned_data["themes"],
                )
            except PermissionDenied as exc:
                form.add_error("lead", str(exc))
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The event %(title)s was created as a draft: add its schedule, then publish it.")
                    % {"title": event.title},
                )
                return redirect("events:event-detail", slug=event.slug)
        status = 400
    else:
        form = NewEventForm(initial={"languages": ["fr"], "country": "BE", "waitlist": True})
    return render(request, "events/event_form.html", {"form": form, "event": None}, status=status)


@event_view("events.change_event")
def event_edit(request, event: Event):
    status = 200
    if request.method == "POST":
        form = EventForm(request.POST, instance=Event.objects.get(pk=event.pk))
        if form.is_valid():
            try:
                services.update_event(
                    actor=request.user,
                    event=event,
                    data=form.service_data(),
                    themes=form.cleaned_data["themes"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The event %(title)s was saved.") % {"title": event.title})
                return redirect("events:event-detail", slug=event.slug)
        status = 400
    else:
        form = EventForm(instance=event)
    return render(request, "events/event_form.html", {"form": form, "event": event}, status=status)


def _status_change(request, event: Event, service, done: str):
    try:
        service(actor=request.user, event=event)
    except ValidationError as exc:
        # Nothing changed: the event page again, with the reason, and a 409 (the event's state conflicts).
        messages.error(request, " ".join(exc.messages))
        return _detail_response(request, event, status=409)
    messages.success(request, done % {"title": event.title})
    return redirect("events:event-detail", slug=event.slug)


@require_POST
@event_view("events.change_event")
def event_publish(request, event: Event):
    return _status_change(request, event, services.publish_event, _("The event %(title)s is published."))


@require_http_methods(["GET", "POST"])
@event_view("events.change_event")
def event_cancel(request, event: Event):
    """Ask first (GET), then cancel (POST): the button sits among the event's everyday tools."""
    if request.method != "POST":
        return render(request, "events/event_cancel.html", {"event": event})
    return _status_change(request, event, services.cancel_event, _("The event %(title)s is cancelled."))


# --- Partners and their order ----------------------------------------------------------------------


def _partners_page(request, event, form, status=200, error=None):
    return render(
        request,
        "events/event_partners.html",
        {"event": event, "partners": partners_in_order(event), "form": form, "error": error},
        status=status,
    )


@event_view("events.change_event")
def event_partners(request, event: Event):
    """The partners in their agreed order. POST `action` = add (partner, role), up, down, remove,
    lead (with `partner_id`)."""
    if request.method != "POST":
        return _partners_page(request, event, AddPartnerForm())
    action = request.POST.get("action", "")
    form = AddPartnerForm()
    try:
        if action == "add":
            form = AddPartnerForm(request.POST)
            if not form.is_valid():
                return _partners_page(request, event, form, status=400)
            brand = brand_from_choice(form.cleaned_data["partner"])
            services.add_partner(actor=request.user, event=event, brand=brand, role=form.cleaned_data["role"])
            messages.success(request, _("%(name)s was added to the partners.") % {"name": brand.name})
        elif action in ("up", "down", "remove", "lead"):
            pid = request.POST.get("partner_id", "")
            partner = EventPartner.objects.filter(event=event, pk=pid if pid.isdigit() else None).first()
            if partner is None:
                raise ValidationError(_("This partner is not part of this event."))
            if action == "remove":
                services.remove_partner(actor=request.user, partner=partner)
                messages.success(
                    request, _("%(name)s is no longer a partner.") % {"name": partner.brand_name}
                )
            elif action == "lead":
                services.set_partner_role(actor=request.user, partner=partner, role=EventPartner.Role.LEAD)
                messages.success(request, _("%(name)s now leads the event.") % {"name": partner.brand_name})
            else:
                services.move_partner(actor=request.user, partner=partner, direction=action)
                messages.success(request, _("The order of the partners was changed."))
        else:
            raise ValidationError(
                _("Unknown action: add, move up or down, remove a partner or make it the lead.")
            )
    except ValidationError as exc:
        if action == "add":
            apply_service_errors(form, exc)
            return _partners_page(request, event, form, status=400)
        return _partners_page(request, event, form, status=400, error=" ".join(exc.messages))
    return redirect("events:event-partners", slug=event.slug)


# --- Calendar files and feeds ---------------------------------------------------------------------------


@event_view()
def event_ics(request, event: Event):
    event = queries.with_partners(Event.objects.filter(pk=event.pk)).get()
    return calendar.ics_response(calendar.event_calendar(event), f"{event.slug}.ics")


@event_view()
def session_ics(request, event: Event, pk: int):
    session = get_object_or_404(
        Session.objects.select_related("event", "room").prefetch_related(
            "speakers", "event__partners__ecosystem", "event__partners__node__ecosystem"
        ),
        event=event,
        pk=pk,
    )
    staff = request.user.has_perm("events.view_registrations", event)
    return calendar.ics_response(
        calendar.session_calendar(session, everyone=staff), f"{event.slug}-session-{session.pk}.ics"
    )


def personal_ics(request, token: str):
    """The personal feed: a secret address (shown on the events page to its owner) for calendar apps."""
    user = calendar.user_from_token(token)
    if user is None:
        raise Http404(_("This calendar address is not valid."))
    return calendar.ics_response(calendar.personal_calendar(user), "jumelage.ics")


def scope_events(request, kind: str, slug: str, fmt: str):
    """Upcoming public events of an ecosystem or node as RSS, Atom or iCalendar."""
    if fmt == "rss":
        return calendar.ScopeEventsFeed()(request, kind=kind, slug=slug)
    if fmt == "atom":
        return calendar.ScopeEventsAtom()(request, kind=kind, slug=slug)
    if fmt == "ics":
        scope = calendar.scope_of(kind, slug)
        return calendar.ics_response(calendar.scope_calendar(scope), f"{scope.slug}-events.ics")
    raise Http404(_("Feeds come as .rss, .atom or .ics."))


def _scope(kind):
    def view(request, slug, fmt):
        return scope_events(request, kind, slug, fmt)

    view.__name__ = f"{kind}_events_feed"
    return view


urlpatterns = [
    path("events/", event_list, name="event-list"),
    path("events/new/", event_new, name="event-new"),
    path("events/calendar/<str:token>.ics", personal_ics, name="personal-calendar"),
    path("events/<slug:slug>/", event_detail, name="event-detail"),
    path("events/<slug:slug>/edit/", event_edit, name="event-edit"),
    path("events/<slug:slug>/publish/", event_publish, name="event-publish"),
    path("events/<slug:slug>/cancel/", event_cancel, name="event-cancel"),
    path("events/<slug:slug>/partners/", event_partners, name="event-partners"),
    path("events/<slug:slug>/event.ics", event_ics, name="event-ics"),
    path("events/<slug:slug>/sessions/<int:pk>.ics", session_ics, name="session-ics"),
    path("ecosystems/<slug:slug>/events.<str:fmt>", _scope("ecosystem"), name="ecosystem-events-feed"),
    path("nodes/<slug:slug>/events.<str:fmt>", _scope("node"), name="node-events-feed"),
]
