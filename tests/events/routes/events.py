"""Role × route rows of the events core: the list, the public event page, staff create/edit/publish/
cancel and partners, calendar files and feeds, and the events API.

world.event (Smart City Day, published, public, in 30 days) is led by Digital Wallonia (ecosystem_staff)
with French Tech Brussels (node_staff) as co-organiser. world.draft_event is a draft led by French Tech
Brussels alone; world.members_event a published members-only event led by Digital Wallonia alone (the
representative's organisation is a Digital Wallonia member); world.cancel_me is an event of the same
partnership as Smart City Day that the cancel rows cancel."""

from datetime import timedelta

from django.utils import timezone

from tests.core.route_matrix import LOGIN, REDIRECT, Row, every, roles

DETAIL = "events/<slug:slug>/"
EDIT = "events/<slug:slug>/edit/"
PARTNERS = "events/<slug:slug>/partners/"
ECO_FEED = "ecosystems/<slug:slug>/events.<str:fmt>"
NODE_FEED = "nodes/<slug:slug>/events.<str:fmt>"
API_EVENT = "api/v1/events/<slug>"
API_SESSIONS = "api/v1/events/<slug>/sessions"


def _organisers(answer):
    """Staff of the lead or of a co-organiser (and admins) get `answer`; the others are refused."""
    return roles(
        visitor=LOGIN, member=403, representative=403, node_staff=answer, ecosystem_staff=answer, admin=answer
    )


def _api_organisers(answer):
    return roles(
        visitor=401, member=403, representative=403, node_staff=answer, ecosystem_staff=answer, admin=answer
    )


_SOON = timezone.now() + timedelta(days=60)
# The API rows' bodies are built at import: a new event in 60 days, a session on Smart City Day's
# date (build_event: in 30 days, 09:00–17:00 UTC).
NEW_EVENT = {
    "title": "Matrix Day",
    "kind": "conference",
    "starts_at": _SOON.replace(hour=9, minute=0, second=0, microsecond=0).isoformat(),
    "ends_at": _SOON.replace(hour=17, minute=0, second=0, microsecond=0).isoformat(),
    "city": "Namur",
    "country": "BE",
    "partners": [
        {"ecosystem": "digital-wallonia", "role": "lead"},
        {"node": "french-tech-brussels", "role": "co_organiser"},
    ],
}
_DAY = (timezone.now() + timedelta(days=30)).date().isoformat()
NEW_SESSION = {
    "title": "Matrix session",
    "starts_at": f"{_DAY}T13:00:00+00:00",
    "ends_at": f"{_DAY}T14:00:00+00:00",
    "room": "Matrix room",
}

ROWS: list[Row] = [
    Row("events/", "/events/", every(200), shows="Smart City Day"),
    Row("events/", "/events/?when=past", every(200), shows="?when=past"),
    Row("events/", "/events/?ecosystem=no-such-ecosystem", every(400), note="an unknown filter value"),
    Row(
        "events/new/",
        "/events/new/",
        roles(visitor=LOGIN, member=403, representative=403, node_staff=200, ecosystem_staff=200, admin=200),
        shows="id_lead",
    ),
    Row(
        "events/new/",
        "/events/new/",
        roles(visitor=LOGIN, member=403, representative=403, node_staff=400, ecosystem_staff=400, admin=400),
        method="POST",
        note="an empty form: refused with its errors, nothing written",
    ),
    Row(
        "events/calendar/<str:token>.ics",
        "/events/calendar/{w.calendar_token}.ics",
        every(200),
        shows="BEGIN:VCALENDAR",
        note="the secret address works without logging in",
    ),
    Row("events/calendar/<str:token>.ics", "/events/calendar/1.forged.ics", every(404)),
    Row(DETAIL, "/events/{w.event.slug}/", every(200), shows="French Tech Brussels"),
    Row(DETAIL, "/events/no-such-event/", every(404)),
    Row(
        DETAIL,
        "/events/{w.draft_event.slug}/",
        roles(visitor=LOGIN, member=404, representative=404, node_staff=200, ecosystem_staff=404, admin=200),
        shows="Draft Matrix Event",
        hides="Draft Matrix Event",
    ),
    Row(
        DETAIL,
        "/events/{w.members_event.slug}/",
        roles(visitor=LOGIN, member=404, representative=200, node_staff=404, ecosystem_staff=200, admin=200),
        shows="Members Matrix Evening",
        hides="Members Matrix Evening",
    ),
    Row(EDIT, "/events/{w.event.slug}/edit/", _organisers(200), shows="Smart City Day"),
    Row(EDIT, "/events/{w.event.slug}/edit/", _organisers(400), method="POST"),
    Row(
        EDIT,
        "/events/{w.draft_event.slug}/edit/",
        roles(visitor=LOGIN, member=404, representative=404, node_staff=200, ecosystem_staff=404, admin=200),
        hides="Draft Matrix Event",
    ),
    Row("events/<slug:slug>/publish/", "/events/{w.event.slug}/publish/", every(405)),
    Row(
        "events/<slug:slug>/publish/",
        "/events/{w.event.slug}/publish/",
        _organisers(409),
        method="POST",
        shows="Smart City Day",
        note="already published: the page again with the reason",
    ),
    Row(
        "events/<slug:slug>/cancel/",
        "/events/{w.cancel_me.slug}/cancel/",
        _organisers(200),
        shows='class="danger"',  # the confirmation button (the page is in French here)
        note="GET asks first; nothing is cancelled",
    ),
    Row(
        "events/<slug:slug>/cancel/",
        "/events/{w.cancel_me.slug}/cancel/",
        _organisers(REDIRECT),
        method="POST",
        isolated=True,
    ),
    Row(PARTNERS, "/events/{w.event.slug}/partners/", _organisers(200), shows="French Tech Brussels"),
    Row(
        PARTNERS,
        "/events/{w.event.slug}/partners/",
        _organisers(400),
        method="POST",
        note="no action: refused with the reason",
    ),
    Row("events/<slug:slug>/event.ics", "/events/{w.event.slug}/event.ics", every(200), shows="BEGIN:VEVENT"),
    Row(
        "events/<slug:slug>/event.ics",
        "/events/{w.draft_event.slug}/event.ics",
        roles(visitor=LOGIN, member=404, representative=404, node_staff=200, ecosystem_staff=404, admin=200),
        hides="Draft Matrix Event",
    ),
    Row(
        "events/<slug:slug>/sessions/<int:pk>.ics",
        "/events/{w.event.slug}/sessions/{w.matrix_session.pk}.ics",
        every(200),
        shows="Opening keynote",
    ),
    Row(ECO_FEED, "/ecosystems/{w.wallonia.slug}/events.rss", every(200), shows="Smart City Day"),
    Row(ECO_FEED, "/ecosystems/{w.frenchtech.slug}/events.atom", every(200), shows="Smart City Day"),
    Row(ECO_FEED, "/ecosystems/{w.wallonia.slug}/events.ics", every(200), shows="Smart City Day"),
    Row(ECO_FEED, "/ecosystems/{w.wallonia.slug}/events.pdf", every(404)),
    Row(ECO_FEED, "/ecosystems/no-such-ecosystem/events.rss", every(404)),
    Row(NODE_FEED, "/nodes/{w.ftbxl.slug}/events.ics", every(200), shows="Smart City Day"),
    Row(NODE_FEED, "/nodes/{w.awex.slug}/events.rss", every(200), shows="AWEX"),
    # --- API ----------------------------------------------------------------------------------------------
    Row("api/v1/events", "/api/v1/events", every(200), shows="smart-city-day"),
    Row(
        "api/v1/events",
        "/api/v1/events",
        _api_organisers(201),
        method="POST",
        json=True,
        data=NEW_EVENT,
        shows="matrix-day",
    ),
    Row(API_EVENT, "/api/v1/events/{w.event.slug}", every(200), shows="French Tech Brussels"),
    Row(
        API_EVENT,
        "/api/v1/events/{w.draft_event.slug}",
        roles(visitor=404, member=404, representative=404, node_staff=200, ecosystem_staff=404, admin=200),
        hides="Draft Matrix Event",
    ),
    Row(
        API_EVENT,
        "/api/v1/events/{w.event.slug}",
        _api_organisers(200),
        method="PATCH",
        json=True,
        data={"summary": "Changed by the matrix"},
        shows="Changed by the matrix",
    ),
    Row(API_SESSIONS, "/api/v1/events/{w.event.slug}/sessions", every(200), shows="Opening keynote"),
    Row(
        API_SESSIONS,
        "/api/v1/events/{w.event.slug}/sessions",
        _api_organisers(201),
        method="POST",
        json=True,
        data=NEW_SESSION,
        shows="Matrix room",
    ),
]


def extend(world):
    from jumelage.events.calendar import personal_token
    from jumelage.events.models import EventPartner, Room, Session
    from tests.factories import EventFactory

    world.calendar_token = personal_token(world.users["member"])
    world.draft_event = EventFactory(slug="draft-matrix-event", title="Draft Matrix Event", status="draft")
    EventPartner.objects.create(event=world.draft_event, node=world.ftbxl, role="lead", position=0)
    world.members_event = EventFactory(
        slug="members-matrix-evening", title="Members Matrix Evening", visibility="members"
    )
    EventPartner.objects.create(event=world.members_event, ecosystem=world.wallonia, role="lead", position=0)
    world.cancel_me = EventFactory(slug="cancel-me", title="Cancel Me")
    EventPartner.objects.create(event=world.cancel_me, ecosystem=world.wallonia, role="lead", position=0)
    EventPartner.objects.create(event=world.cancel_me, node=world.ftbxl, role="co_organiser", position=1)
    world.awex_event = EventFactory(slug="awex-export-morning", title="AWEX export morning")
    EventPartner.objects.create(event=world.awex_event, node=world.awex, role="lead", position=0)
    world.matrix_room = Room.objects.create(event=world.event, name="Main hall")
    world.matrix_session = Session.objects.create(
        event=world.event,
        title="Opening keynote",
        starts_at=world.event.starts_at,
        ends_at=world.event.starts_at + timedelta(hours=1),
        room=world.matrix_room,
    )
    return world
