"""Staff pages of an event's registrations: the list (search, filter by status, counts) and the check-in
desk (scan or search). Check-in goes through jumelage.events.services.registration, as the API's does."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jumelage.events import qr
from jumelage.events.models import Registration
from jumelage.events.services import registration as services
from jumelage.events.views.common import event_view

Status = Registration.Status
PER_PAGE = 50


def search_registrations(event, q: str = "", status: str = ""):
    qs = Registration.objects.filter(event=event).select_related(
        "via_partner__ecosystem", "via_partner__node"
    )
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(email__icontains=q)
            | Q(organisation_name__icontains=q)
            | Q(organisation__name__icontains=q)
        )
    if status in Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("created_at", "pk")


@event_view("events.view_registrations")
def registration_list(request, event):
    q = request.GET.get("q", "")
    status = request.GET.get("status", "")
    page = Paginator(search_registrations(event, q, status), PER_PAGE).get_page(request.GET.get("page"))
    counts = dict(
        Registration.objects.filter(event=event)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    params = {k: v for k, v in {"q": q, "status": status}.items() if v}
    return render(
        request,
        "events/registration_list.html",
        {
            "event": event,
            "page": page,
            "q": q,
            "status": status,
            "statuses": Status.choices,
            "counts": [(value, label, counts.get(value, 0)) for value, label in Status.choices],
            "checked_in": Registration.objects.filter(event=event, checked_in_at__isnull=False).count(),
            "query": urlencode(params),
        },
    )


def _result_message(result: services.CheckIn) -> str:
    r = result.registration
    when = timezone.localtime(r.checked_in_at).strftime("%H:%M") if r.checked_in_at else ""
    by = r.checked_in_by.get_full_name() or r.checked_in_by.get_username() if r.checked_in_by else "?"
    if result.outcome == "checked_in":
        return _("%(name)s checked in at %(time)s by %(by)s.") % {"name": r.name, "time": when, "by": by}
    if result.outcome == "already":
        return _("%(name)s was already checked in at %(time)s by %(by)s.") % {
            "name": r.name,
            "time": when,
            "by": by,
        }
    return _("%(name)s is not confirmed (%(status)s): no seat on this registration.") % {
        "name": r.name,
        "status": r.get_status_display(),
    }


@event_view("events.check_in")
@require_http_methods(["GET", "POST"])
def check_in(request, event):
    """Search by name, e-mail or organisation, or scan: the field takes the QR code's content (a
    handheld scanner types it, then Enter). A scan checks the person in at once; a search lists who
    matches, each with a button. Works without JavaScript; with htmx only the result is swapped."""
    text = (request.POST.get("scan") or request.GET.get("q") or "").strip()
    result = error = None
    matches = None
    found = None
    status = 200
    if request.method == "POST":
        target = None
        if request.POST.get("registration", "").isdigit():
            target = Registration.objects.filter(event=event, pk=int(request.POST["registration"])).first()
            if target is None:
                error, status = _("No such registration for this event."), 404
        elif qr.looks_like_code(text):
            reg_id = qr.registration_id_from_scan(text)
            target = Registration.objects.filter(event=event, pk=reg_id).first() if reg_id else None
            if target is None:
                error, status = _("This code is not a registration for this event."), 404
        if target is not None:
            result = services.check_in(registration=target, actor=request.user)
            status = 200 if result.outcome != "not_confirmed" else 409
        elif error is None:
            matches = list(search_registrations(event, text)[:20]) if text else []
    elif request.GET.get("code"):
        reg_id = qr.registration_id_from_scan(request.GET["code"])
        found = Registration.objects.filter(event=event, pk=reg_id).first() if reg_id else None
        if found is None:
            error, status = _("This code is not a registration for this event."), 404
    elif text:
        matches = list(search_registrations(event, text)[:20])
    context = {
        "event": event,
        "text": "" if result is not None else text,
        "result": result,
        "message": _result_message(result) if result else "",
        "error": error,
        "matches": matches,
        "found": found,
        "checked_in": Registration.objects.filter(event=event, checked_in_at__isnull=False).count(),
        "confirmed": event.confirmed_count,
    }
    template = (
        "events/registration_checkin_result.html" if request.htmx else "events/registration_checkin.html"
    )
    return render(request, template, context, status=200 if request.htmx else status)


urlpatterns = [
    path("events/<slug:slug>/registrations/", registration_list, name="registration-list"),
    path("events/<slug:slug>/check-in/", check_in, name="check-in"),
]
