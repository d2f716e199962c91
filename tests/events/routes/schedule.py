"""Role × route rows of schedule management (organisers only: staff of the lead or a co-organiser).
world.event (Smart City Day) is led by Digital Wallonia (ecosystem_staff) with French Tech Brussels
(node_staff) as co-organiser; world.spare_room and world.spare_session are there to be deleted."""

from datetime import timedelta

from tests.core.route_matrix import LOGIN, REDIRECT, Row, every, roles

BASE = "events/<slug:slug>/schedule/"


def _organisers(answer):
    return roles(
        visitor=LOGIN, member=403, representative=403, node_staff=answer, ecosystem_staff=answer, admin=answer
    )


ROWS: list[Row] = [
    Row(BASE, "/events/{w.event.slug}/schedule/", _organisers(200), shows="Spare room"),
    Row(
        BASE,
        "/events/{w.draft_event.slug}/schedule/",
        roles(visitor=LOGIN, member=404, representative=404, node_staff=200, ecosystem_staff=404, admin=200),
        hides="Draft Matrix Event",
    ),
    Row(BASE + "rooms/", "/events/{w.event.slug}/schedule/rooms/", every(405)),
    Row(
        BASE + "rooms/",
        "/events/{w.event.slug}/schedule/rooms/",
        _organisers(400),
        method="POST",
        note="a room without a name",
    ),
    Row(
        BASE + "rooms/<int:pk>/delete/",
        "/events/{w.event.slug}/schedule/rooms/{w.spare_room.pk}/delete/",
        every(405),
    ),
    Row(
        BASE + "rooms/<int:pk>/delete/",
        "/events/{w.event.slug}/schedule/rooms/{w.spare_room.pk}/delete/",
        _organisers(REDIRECT),
        method="POST",
        isolated=True,
    ),
    Row(BASE + "sessions/new/", "/events/{w.event.slug}/schedule/sessions/new/", _organisers(200)),
    Row(
        BASE + "sessions/new/",
        "/events/{w.event.slug}/schedule/sessions/new/",
        _organisers(400),
        method="POST",
    ),
    Row(
        BASE + "sessions/<int:pk>/",
        "/events/{w.event.slug}/schedule/sessions/{w.spare_session.pk}/",
        _organisers(200),
        shows="Spare session",
    ),
    Row(
        BASE + "sessions/<int:pk>/",
        "/events/{w.event.slug}/schedule/sessions/{w.spare_session.pk}/",
        _organisers(400),
        method="POST",
    ),
    Row(
        BASE + "sessions/<int:pk>/delete/",
        "/events/{w.event.slug}/schedule/sessions/{w.spare_session.pk}/delete/",
        every(405),
    ),
    Row(
        BASE + "sessions/<int:pk>/delete/",
        "/events/{w.event.slug}/schedule/sessions/{w.spare_session.pk}/delete/",
        _organisers(REDIRECT),
        method="POST",
        isolated=True,
    ),
    Row(BASE + "place/", "/events/{w.event.slug}/schedule/place/", every(405)),
    Row(
        BASE + "place/",
        "/events/{w.event.slug}/schedule/place/",
        _organisers(400),
        method="POST",
        note="nothing to place",
    ),
]


def extend(world):
    from jumelage.events.models import Room, Session

    world.spare_room = Room.objects.create(event=world.event, name="Spare room")
    world.spare_session = Session.objects.create(
        event=world.event,
        title="Spare session",
        starts_at=world.event.starts_at + timedelta(hours=5),
        ends_at=world.event.starts_at + timedelta(hours=6),
    )
    return world
