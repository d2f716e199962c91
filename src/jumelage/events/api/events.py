"""Events and sessions through the API, under the same permissions and services as the pages.

Reads are open (anonymous callers see published public events, as on the pages); writes need the
organiser's rights. POST accepts an Idempotency-Key header."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from ninja import Field as NinjaField
from ninja import Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from jumelage.api import OptionalSession
from jumelage.core.api_auth import idempotent
from jumelage.directory.models import Person, Theme
from jumelage.ecosystems.models import Ecosystem, NetworkNode
from jumelage.events import calendar, queries
from jumelage.events.models import Event, EventKind, EventPartner, Room, Session
from jumelage.events.services import events as event_services
from jumelage.events.services import schedule as schedule_services

router = Router(tags=["events"])


# --- Schemas -------------------------------------------------------------------------------------------


class PartnerOut(Schema):
    kind: str = NinjaField(description="ecosystem or node")
    slug: str
    name: str
    role: str
    position: int
    url: str = NinjaField(description="The partner's own link: its website, else its Jumelage page.")
    logo: str | None

    @staticmethod
    def resolve_kind(obj):
        return "ecosystem" if obj.ecosystem_id else "node"

    @staticmethod
    def resolve_slug(obj):
        return obj.brand.slug

    @staticmethod
    def resolve_name(obj):
        return obj.brand_name

    @staticmethod
    def resolve_url(obj):
        return calendar.brand_url(obj, True)

    @staticmethod
    def resolve_logo(obj):
        return calendar.absolute(obj.brand.logo.url) if obj.brand.logo else None


class EventOut(Schema):
    slug: str
    title: str
    summary: str
    kind: str
    status: str
    visibility: str
    starts_at: datetime
    ends_at: datetime
    online: bool
    venue: str
    city: str
    country: str
    languages: list[str]
    capacity: int | None
    seats_left: int | None
    url: str
    partners: list[PartnerOut]

    @staticmethod
    def resolve_seats_left(obj):
        return None if obj.capacity is None else max(obj.capacity - obj.confirmed_count, 0)

    @staticmethod
    def resolve_url(obj):
        return calendar.event_url(obj)

    @staticmethod
    def resolve_partners(obj):
        return calendar.partners_of(obj)


class EventDetailOut(EventOut):
    description_fr: str
    description_nl: str
    description_en: str
    timezone: str
    online_url: str
    street: str
    postcode: str
    waitlist: bool
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    themes: list[str]
    ics: str

    @staticmethod
    def resolve_themes(obj):
        return sorted(t.code for t in obj.themes.all())

    @staticmethod
    def resolve_ics(obj):
        from django.urls import reverse

        return calendar.absolute(reverse("events:event-ics", args=[obj.slug]))


class EventFilters(Schema):
    ecosystem: str | None = NinjaField(
        None, description="Ecosystem slug: events it or one of its nodes takes part in."
    )
    node: str | None = NinjaField(None, description="Network node slug.")
    kind: str | None = NinjaField(None, description="Kind of event, e.g. conference.")
    when: str | None = NinjaField(
        None, description="upcoming (default, soonest first) or past (latest first)."
    )


class PartnerIn(Schema):
    ecosystem: str | None = NinjaField(None, description="Ecosystem slug (give this or node).")
    node: str | None = NinjaField(None, description="Network node slug (give this or ecosystem).")
    role: EventPartner.Role


class EventChange(Schema):
    """Fields a caller may change; omitted fields stay as they are."""

    title: str | None = Field(None, min_length=1, max_length=200)
    summary: str | None = Field(None, max_length=300)
    description_fr: str | None = Field(None, max_length=50000)
    description_nl: str | None = Field(None, max_length=50000)
    description_en: str | None = Field(None, max_length=50000)
    kind: EventKind | None = None
    visibility: Event.Visibility | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    online: bool | None = None
    online_url: str | None = None
    venue: str | None = None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str | None = Field(None, max_length=2)
    languages: list[str] | None = None
    capacity: int | None = Field(None, ge=0)
    waitlist: bool | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    themes: list[str] | None = None


class EventCreate(EventChange):
    title: str = Field(..., min_length=1, max_length=200)
    kind: EventKind
    starts_at: datetime
    ends_at: datetime
    slug: str | None = Field(None, max_length=120)
    partners: list[PartnerIn] = Field(..., description="In the agreed order; exactly one lead.")


class SessionOut(Schema):
    id: int
    title: str
    description: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    room: str | None
    language: str
    speakers: list[str]

    @staticmethod
    def resolve_room(obj):
        return obj.room.name if obj.room_id else None

    @staticmethod
    def resolve_speakers(obj):
        return list(getattr(obj, "public_speaker_names", None) or [])


class SessionCreate(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=20000)
    kind: Session.Kind = Session.Kind.TALK
    starts_at: datetime
    ends_at: datetime
    room: str | None = Field(
        None, max_length=120, description="Room name; created if the event has none by that name."
    )
    language: str = Field("", max_length=5)
    speakers: list[int] = Field(default_factory=list, description="Ids of people in the directory.")


# --- Helpers -------------------------------------------------------------------------------------------


def _aware(value):
    if isinstance(value, datetime) and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


NULLABLE = {"capacity", "registration_opens_at", "registration_closes_at"}
TEXT = {
    "summary",
    "description_fr",
    "description_nl",
    "description_en",
    "online_url",
    "venue",
    "street",
    "postcode",
    "city",
    "country",
}


def _data(payload: EventChange, exclude: set[str]) -> dict:
    """The fields the caller sent; null clears a text field or an optional one, and is refused elsewhere."""
    data = payload.model_dump(exclude_unset=True, exclude=exclude)
    for key, value in list(data.items()):
        if value is None and key in TEXT:
            data[key] = ""
        elif value is None and key not in NULLABLE:
            raise ValidationError({key: [f"{key} cannot be null"]})
        else:
            data[key] = _aware(value)
    if data.get("country"):
        data["country"] = data["country"].upper()
    return data


def _themes(codes):
    if codes is None:
        return None
    found = list(Theme.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {t.code for t in found})
    if unknown:
        raise ValidationError({"themes": [f"unknown theme code(s): {', '.join(unknown)}"]})
    return found


def _partners(items: list[PartnerIn]):
    result = []
    for item in items:
        if bool(item.ecosystem) == bool(item.node):
            raise ValidationError(
                {"partners": ["each partner names an ecosystem or a node (one of the two)"]}
            )
        if item.ecosystem:
            brand = Ecosystem.objects.filter(slug=item.ecosystem).first()
        else:
            brand = NetworkNode.objects.filter(slug=item.node).first()
        if brand is None:
            raise ValidationError(
                {"partners": [f"unknown partner {item.ecosystem or item.node!r}: no such ecosystem or node"]}
            )
        result.append((brand, item.role.value))
    return result


def _visible(request, slug: str) -> Event:
    event = queries.visible_to(request.user).filter(slug=slug).first()
    if event is None:
        raise Http404("No such event.")
    return event


def _detail(user, pk) -> Event:
    return queries.with_partners(Event.objects.filter(pk=pk)).prefetch_related("themes").get()


# --- Operations ----------------------------------------------------------------------------------------


@router.get("/events", response=list[EventOut], auth=OptionalSession())
@paginate
def list_events(request, filters: Query[EventFilters]):
    """Events the caller may see, as on the events page: upcoming by default, filtered by ecosystem,
    node and kind. An unknown filter value is a 422 problem naming the parameter."""
    params = filters.model_dump(exclude_none=True)
    try:
        qs, _active = queries.filter_events(request.user, params)
    except queries.FilterError as exc:
        raise NinjaValidationError([{"loc": ["query", exc.param], "msg": exc.message}]) from exc
    return qs


@router.get("/events/{slug}", response=EventDetailOut, auth=OptionalSession())
def get_event(request, slug: str):
    return _detail(request.user, _visible(request, slug).pk)


@router.post("/events", response={201: EventDetailOut})
@decorate_view(idempotent)
def create_event(request, payload: EventCreate):
    """Create a draft event with its partners in the agreed order (exactly one lead). The caller must be
    staff of the lead or of a co-organiser."""
    if not request.user.has_perm("events.add_event"):
        raise PermissionDenied("Only ecosystem and node staff may create events.")
    data = _data(payload, exclude={"themes", "partners", "slug"})
    event = event_services.create_event(
        actor=request.user,
        data=data,
        partners=_partners(payload.partners),
        themes=_themes(payload.themes),
        slug=payload.slug,
    )
    return Status(201, _detail(request.user, event.pk))


@router.patch("/events/{slug}", response=EventDetailOut)
def change_event(request, slug: str, payload: EventChange):
    event = _visible(request, slug)
    if not request.user.has_perm("events.change_event", event):
        raise PermissionDenied(
            "Only the staff of the lead organiser or of a co-organiser may change this event."
        )
    event_services.update_event(
        actor=request.user,
        event=event,
        data=_data(payload, exclude={"themes"}),
        themes=_themes(payload.themes),
    )
    return _detail(request.user, event.pk)


@router.get("/events/{slug}/sessions", response=list[SessionOut], auth=OptionalSession())
@paginate
def list_sessions(request, slug: str):
    """The event's agenda: sessions by time, then room. Speakers appear with their public-profile
    consent (the partners' staff see every speaker)."""
    event = _visible(request, slug)
    staff = request.user.has_perm("events.view_registrations", event)
    sessions = list(
        event.sessions.select_related("room")
        .prefetch_related("speakers")
        .order_by("starts_at", "room__name", "pk")
    )
    for s in sessions:
        s.public_speaker_names = calendar.public_speakers(s, everyone=staff)
    return sessions


@router.post("/events/{slug}/sessions", response={201: SessionOut})
@decorate_view(idempotent)
def create_session(request, slug: str, payload: SessionCreate):
    """Add a session. Refused (422) when its room is taken at that time or it falls outside the event."""
    event = _visible(request, slug)
    if not request.user.has_perm("events.change_event", event):
        raise PermissionDenied(
            "Only the staff of the lead organiser or of a co-organiser may change this schedule."
        )
    speakers = list(Person.objects.filter(pk__in=payload.speakers))
    missing = sorted(set(payload.speakers) - {p.pk for p in speakers})
    if missing:
        raise ValidationError({"speakers": [f"unknown person id(s): {', '.join(map(str, missing))}"]})
    with transaction.atomic():
        room = None
        if payload.room:
            room = Room.objects.filter(event=event, name__iexact=payload.room.strip()).first()
            if room is None:
                room = schedule_services.create_room(actor=request.user, event=event, name=payload.room)
        session = schedule_services.create_session(
            actor=request.user,
            event=event,
            data={
                "title": payload.title,
                "description": payload.description,
                "kind": payload.kind.value,
                "starts_at": _aware(payload.starts_at),
                "ends_at": _aware(payload.ends_at),
                "room": room,
                "language": payload.language,
            },
            speakers=speakers,
        )
    session.public_speaker_names = [p.name for p in speakers]
    return Status(201, session)
