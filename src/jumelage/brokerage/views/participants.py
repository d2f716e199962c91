"""The participants' side: the brokerage's page with the catalogue and suggestions, joining, and meeting
requests (send, accept, decline, withdraw)."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jumelage.brokerage import notify, queries, services
from jumelage.brokerage.forms import DeclineForm, JoinForm, RequestForm
from jumelage.brokerage.models import Brokerage, MeetingRequest, Participant
from jumelage.brokerage.suggestions import suggested
from jumelage.brokerage.views.common import PER_PAGE, brokerage_view, form_status, me, refused, render_page
from jumelage.core.countries import by_name
from jumelage.directory.models import Theme
from jumelage.opportunities.models import Opportunity
from jumelage.opportunities.queries import visible_to as opportunities_visible_to

# --- The brokerage's page and its catalogue ------------------------------------------------------------


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
    theme = request.GET.get("theme", "").strip()
    people = queries.catalogue(brokerage, q=q, country=country, theme=theme).prefetch_related("themes")
    if participant is not None:
        people = people.exclude(pk=participant.pk)
    page = Paginator(people, PER_PAGE).get_page(request.GET.get("page"))
    _attach_opportunities(request.user, page.object_list)
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
    countries = by_name(brokerage.participants.values_list("organisation__country", flat=True).distinct())
    themes = sorted(
        Theme.objects.filter(
            pk__in=Participant.themes.through.objects.filter(participant__brokerage=brokerage).values(
                "theme_id"
            )
        ),
        key=lambda t: t.label.casefold(),
    )
    return {
        "page": page,
        "q": q,
        "country": country,
        "countries": countries,
        "theme": theme,
        "themes": themes,
        "asked": asked,
        "suggestions": suggestions,
        "request_form": RequestForm(),
    }


def _attach_opportunities(user, people) -> None:
    """Give each participant on the page the published opportunities of their organisation that the
    viewer may see (what they offer and seek, in the directory's own terms)."""
    org_ids = {p.organisation_id for p in people if p.organisation_id}
    found = defaultdict(list)
    for opportunity in (
        opportunities_visible_to(user)
        .filter(organisation_id__in=org_ids, status=Opportunity.Status.PUBLISHED)
        .order_by("title")
        .only("pk", "title", "organisation_id")
    ):
        found[opportunity.organisation_id].append(opportunity)
    for p in people:
        p.opportunities = found.get(p.organisation_id, [])


@brokerage_view("brokerage.view_brokerage")
def join(request, brokerage):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if me(request, brokerage) is not None:
        return redirect("brokerage:home", brokerage.event.slug)
    if services.confirmed_registration(brokerage.event, request.user) is None:
        # Say so before the form, not after it has been filled in: only confirmed attendees take part.
        return render_page(request, brokerage, "brokerage/join.html", {"form": None}, status=403)
    form = JoinForm(request.POST or None, brokerage=brokerage)
    if request.method == "POST" and form.is_valid():
        try:
            services.join(
                brokerage=brokerage,
                user=request.user,
                offers=form.cleaned_data["offers"],
                seeks=form.cleaned_data["seeks"],
                themes=form.cleaned_data["themes"],
                unavailable=form.unavailable_slots(),
                online=form.cleaned_data.get("online", False),
            )
        except ValidationError as exc:
            refused(request, exc)
        else:
            messages.success(request, _("You take part in the B2B meetings. Find people to meet below."))
            return redirect("brokerage:home", brokerage.event.slug)
    return render_page(request, brokerage, "brokerage/join.html", {"form": form}, status=form_status(request))


@brokerage_view("brokerage.take_part")
def participation(request, brokerage):
    """A participant changes what they offer and seek, their themes, availability and attendance."""
    participant = me(request, brokerage)
    form = JoinForm(request.POST or None, brokerage=brokerage, initial=JoinForm.initial_for(participant))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_participation(
                participant=participant,
                actor=request.user,
                offers=data["offers"],
                seeks=data["seeks"],
                themes=data["themes"],
                unavailable=form.unavailable_slots(),
                online=data.get("online", False),
            )
        except ValidationError as exc:
            refused(request, exc)
        else:
            messages.success(request, _("Your participation is updated."))
            return redirect("brokerage:home", brokerage.event.slug)
    return render_page(
        request, brokerage, "brokerage/participation.html", {"form": form}, status=form_status(request)
    )


@brokerage_view("brokerage.take_part")
def leave(request, brokerage):
    """Leave the B2B meetings (after a confirmation page): requests and agreed meetings end, the other
    sides of those meetings are told by e-mail, and the participation is erased."""
    participant = me(request, brokerage)
    if request.method == "POST":
        name = participant.name
        ended = services.leave(participant=participant, actor=request.user)
        notify.participant_left(ended=ended, by_name=name, event=brokerage.event)
        messages.success(
            request, _("You no longer take part in the B2B meetings; your participation is erased.")
        )
        return redirect("brokerage:home", brokerage.event.slug)
    agreed = MeetingRequest.objects.filter(
        Q(requester=participant) | Q(recipient=participant), status=MeetingRequest.Status.ACCEPTED
    ).count()
    return render_page(request, brokerage, "brokerage/leave.html", {"agreed": agreed})


# --- Meeting requests ----------------------------------------------------------------------------------


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
        refused(request, exc)
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
    # A sought-after participant receives many requests: each list has its own pages.
    received = Paginator(base.filter(recipient=participant).order_by("status", "-created_at", "pk"), PER_PAGE)
    sent = Paginator(base.filter(requester=participant).order_by("status", "-created_at", "pk"), PER_PAGE)
    return render_page(
        request,
        brokerage,
        "brokerage/requests.html",
        {
            "received": received.get_page(request.GET.get("received")),
            "sent": sent.get_page(request.GET.get("sent")),
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
            meeting = getattr(request_obj, "meeting", None)
            slot, table = (meeting.slot, meeting.table) if meeting is not None else (None, None)
            request_obj = services.withdraw(request=request_obj, by=participant)
            if request_obj.status == MeetingRequest.Status.CANCELLED:
                other = (
                    request_obj.recipient
                    if request_obj.requester_id == participant.pk
                    else request_obj.requester
                )
                notify.meeting_cancelled(
                    to=other, by_name=participant.name, event=brokerage.event, slot=slot, table=table
                )
                messages.success(
                    request, _("Meeting cancelled; %(name)s was told by e-mail.") % {"name": other.name}
                )
            else:
                messages.success(
                    request,
                    _("Your request to %(name)s is withdrawn.") % {"name": request_obj.recipient.name},
                )
        else:
            raise Http404
    except ValidationError as exc:
        refused(request, exc)
    return redirect("brokerage:requests", brokerage.event.slug)


urlpatterns = [
    path("events/<slug:slug>/b2b/", home, name="home"),
    path("events/<slug:slug>/b2b/join/", join, name="join"),
    path("events/<slug:slug>/b2b/participation/", participation, name="participation"),
    path("events/<slug:slug>/b2b/participation/leave/", leave, name="leave"),
    path("events/<slug:slug>/b2b/ask/<int:pk>/", send, name="send"),
    path("events/<slug:slug>/b2b/requests/", requests, name="requests"),
    path("events/<slug:slug>/b2b/requests/<int:pk>/<str:action>/", act, name="act"),
]
