"""The registrant's own pages, reached by the secret link of the confirmation e-mail (the registration, its
QR code, its badge, cancelling it), and the staff's sheet of every confirmed badge."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jumelage.events import qr
from jumelage.events.models import Registration
from jumelage.events.queries import partners_in_order
from jumelage.events.services import registration as services
from jumelage.events.views.common import event_view

Status = Registration.Status


def _by_token(token: str) -> Registration:
    return get_object_or_404(Registration.objects.select_related("event"), token=token)


def registration_detail(request, token):
    registration = _by_token(token)
    position = None
    if registration.status == Status.WAITLISTED:
        position = (
            Registration.objects.filter(event=registration.event, status=Status.WAITLISTED)
            .filter(
                Q(created_at__lt=registration.created_at)
                | Q(created_at=registration.created_at, pk__lt=registration.pk)
            )
            .count()
            + 1
        )
    return render(
        request,
        "events/registration_detail.html",
        {
            "registration": registration,
            "event": registration.event,
            "partners": partners_in_order(registration.event),
            "position": position,
            "can_cancel": registration.status != Status.CANCELLED
            and registration.event.ends_at > timezone.now(),
        },
    )


def registration_qr(request, token):
    registration = _by_token(token)
    if registration.status != Status.CONFIRMED:
        return HttpResponse(
            _("Only a confirmed registration has a QR code."), status=404, content_type="text/plain"
        )
    response = HttpResponse(qr.svg(registration), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


def registration_badge(request, token):
    """The registrant's own name badge (PDF), co-branded, with the check-in QR code."""
    registration = _by_token(token)
    if registration.status != Status.CONFIRMED:
        return HttpResponse(
            _("Only a confirmed registration has a badge."), status=404, content_type="text/plain"
        )
    return _badges_response(registration.event, [registration], f"badge-{registration.event.slug}.pdf")


@event_view("events.check_in")
def badges(request, event):
    """Every confirmed registrant's badge, four to an A4 sheet, in name order, for the welcome desk."""
    confirmed = (
        event.registrations.filter(status=Status.CONFIRMED).select_related("organisation").order_by("name")
    )
    return _badges_response(event, confirmed, f"badges-{event.slug}.pdf")


def _badges_response(event, registrations, filename: str) -> HttpResponse:
    from jumelage.events.badges import badges_pdf

    response = HttpResponse(badges_pdf(event, registrations), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def registration_cancel(request, token):
    """Ask first (GET), then cancel (POST). Nothing happens on a GET."""
    registration = _by_token(token)
    if request.method == "POST":
        try:
            result = services.cancel(registration=registration, actor=request.user)
        except services.RegistrationRefused as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(
                request,
                _("Your registration is cancelled. A confirmation is on its way to %(email)s.")
                % {"email": result.registration.email},
            )
        return redirect("events:registration-detail", token=token)
    return render(
        request,
        "events/registration_cancel.html",
        {"registration": registration, "event": registration.event},
    )


urlpatterns = [
    path("events/registration/<str:token>/", registration_detail, name="registration-detail"),
    path("events/registration/<str:token>/qr.svg", registration_qr, name="registration-qr"),
    path("events/registration/<str:token>/badge.pdf", registration_badge, name="registration-badge"),
    path("events/<slug:slug>/badges.pdf", badges, name="badges"),
    path("events/registration/<str:token>/cancel/", registration_cancel, name="registration-cancel"),
]
