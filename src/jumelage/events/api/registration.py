"""Registrations through the API: register (with an Idempotency-Key), read and cancel one's own
registration by its secret token, and for partner staff the list and check-in. Same services, same
permissions as the pages."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from jumelage.api import OptionalSession, problem
from jumelage.core.api_auth import idempotent
from jumelage.directory.models import Organisation
from jumelage.events import qr
from jumelage.events.models import Event, Registration
from jumelage.events.services import registration as services
from jumelage.events.views.checkin import search_registrations
from jumelage.events.views.registration import interest_choices

router = Router(tags=["events"])

# What a refusal answers: a state of the event or of the registration (409), or a missing right (403).
REFUSAL_STATUS = {"not_allowed": 403}


def _event(request, slug: str, perm: str) -> Event:
    event = Event.objects.filter(slug=slug).first()
    if event is None or not request.user.has_perm("events.view_event", event):
        raise Http404("No such event.")
    if not request.user.has_perm(perm, event):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("You may not do this for this event.")
    return event


def _refused(request, exc: services.RegistrationRefused):
    return problem(request, REFUSAL_STATUS.get(exc.code, 409), exc.messages[0], code=exc.code)


class RegistrationIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    email: str = Field(..., min_length=3, max_length=254)
    language: str = Field("fr", max_length=5)
    organisation: str | None = Field(None, description="Slug of your organisation in the directory.")
    organisation_name: str = Field("", max_length=255)
    organisation_kind: str = Field("", max_length=20)
    country: str = Field("", max_length=2)
    role: str = Field("", max_length=120)
    interests: list[str] = Field(default_factory=list, description="Theme codes.")
    answers: dict[str, str] = Field(default_factory=dict, description="Question id → answer.")
    via: str | None = Field(None, description="The partner whose link brought you (id or slug).")


class RegistrationOut(Schema):
    """What the registrant sees of their own registration."""

    token: str
    event: str
    name: str
    email: str
    status: str
    created_at: datetime
    promoted_at: datetime | None
    cancelled_at: datetime | None
    checked_in_at: datetime | None
    manage_url: str
    qr_url: str | None

    @staticmethod
    def resolve_event(obj):
        return obj.event.slug

    @staticmethod
    def resolve_manage_url(obj):
        from django.conf import settings
        from django.urls import reverse

        return settings.SITE_URL + reverse("events:registration-detail", args=[obj.token])

    @staticmethod
    def resolve_qr_url(obj):
        from django.conf import settings
        from django.urls import reverse

        if obj.status != Registration.Status.CONFIRMED:
            return None
        return settings.SITE_URL + reverse("events:registration-qr", args=[obj.token])


class StaffRegistrationOut(Schema):
    """A registration as the event's partner staff see it (no token: that is the registrant's key)."""

    id: int
    name: str
    email: str
    language: str
    organisation_name: str
    organisation_kind: str
    country: str
    role: str
    interests: list[str]
    answers: dict
    via_partner: str | None
    status: str
    created_at: datetime
    checked_in_at: datetime | None

    @staticmethod
    def resolve_interests(obj):
        return sorted(t.code for t in obj.interests.all())

    @staticmethod
    def resolve_via_partner(obj):
        return obj.via_partner.brand_name if obj.via_partner_id else None


class RegistrationFilters(Schema):
    q: str | None = None
    status: Registration.Status | None = None


@router.post(
    "/events/{slug}/registrations",
    response={201: RegistrationOut},
    auth=OptionalSession(),
    summary="Register for an event",
)
@decorate_view(idempotent)
def register(request, slug: str, payload: RegistrationIn):
    """Confirmed when a seat is free, else on the waiting list (`status`). Refusals (closed, full,
    already registered) are 409 problems with a `code`; invalid fields or answers are 422."""
    event = _event(request, slug, "events.register")
    user = request.user if request.user.is_authenticated else None
    organisation = None
    if payload.organisation:
        organisation = (
            Organisation.objects.filter(slug=payload.organisation, representatives__user=user).first()
            if user
            else None
        )
        if organisation is None:
            raise ValidationError(
                {"organisation": [f"{payload.organisation!r} is not an organisation you represent."]}
            )
    allowed = {t.code: t for t in interest_choices(event)}
    unknown = sorted(set(payload.interests) - set(allowed))
    if unknown:
        raise ValidationError({"interests": [f"unknown theme(s) for this event: {', '.join(unknown)}"]})
    try:
        registration = services.register(
            event=event,
            name=payload.name,
            email=payload.email,
            language=payload.language,
            user=user,
            organisation=organisation,
            organisation_name=payload.organisation_name,
            organisation_kind=payload.organisation_kind,
            country=payload.country,
            role=payload.role,
            interests=[allowed[c] for c in payload.interests],
            answers=payload.answers,
            via=payload.via,
        )
    except services.RegistrationRefused as exc:
        return _refused(request, exc)
    return Status(201, registration)


@router.get(
    "/registrations/{token}", response=RegistrationOut, auth=OptionalSession(), summary="Your registration"
)
def get_registration(request, token: str):
    """The token (from the confirmation e-mail) is the key: no account needed."""
    return get_object_or_404(Registration.objects.select_related("event"), token=token)


@router.post(
    "/registrations/{token}/cancel",
    response=RegistrationOut,
    auth=OptionalSession(),
    summary="Cancel your registration",
)
def cancel_registration(request, token: str):
    """Frees the seat for the first person on the waiting list. Cancelling twice is a 409."""
    registration = get_object_or_404(Registration.objects.select_related("event"), token=token)
    try:
        result = services.cancel(registration=registration, actor=request.user)
    except services.RegistrationRefused as exc:
        return _refused(request, exc)
    return result.registration


@router.get(
    "/events/{slug}/registrations",
    response=list[StaffRegistrationOut],
    summary="Registrations of an event (partner staff)",
)
@paginate
def list_registrations(request, slug: str, filters: Query[RegistrationFilters]):
    event = _event(request, slug, "events.view_registrations")
    return search_registrations(event, filters.q or "", filters.status or "").prefetch_related("interests")


class CheckInIn(Schema):
    code: str | None = Field(None, description="The QR code's content (its address, or the bare code).")
    registration: int | None = Field(None, description="A registration id (from the list).")


class CheckInOut(Schema):
    outcome: str = Field(..., description="checked_in, already or not_confirmed")
    message: str
    registration: StaffRegistrationOut


@router.post(
    "/events/{slug}/check-in",
    response={200: CheckInOut, 409: CheckInOut},
    summary="Check someone in (partner staff)",
)
def check_in(request, slug: str, payload: CheckInIn):
    """`already` when they were checked in before (the time and who did it are in the message);
    `not_confirmed` (409) for a waiting-list or cancelled registration; 404 for a code that is not a
    registration of this event."""
    from jumelage.events.views.checkin import _result_message

    event = _event(request, slug, "events.check_in")
    reg_id = payload.registration
    if reg_id is None:
        if not payload.code:
            raise ValidationError({"code": ["Give the scanned code or a registration id."]})
        reg_id = qr.registration_id_from_scan(payload.code)
    registration = Registration.objects.filter(event=event, pk=reg_id).first() if reg_id else None
    if registration is None:
        raise Http404("This code is not a registration for this event.")
    result = services.check_in(registration=registration, actor=request.user)
    body = {
        "outcome": result.outcome,
        "message": _result_message(result),
        "registration": result.registration,
    }
    return Status(409 if result.outcome == "not_confirmed" else 200, body)
