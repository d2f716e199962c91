"""Schedule management: rooms, sessions with times, rooms and speakers; overlapping sessions in one
room and sessions outside the event are refused with a clear message, nothing written."""

import sqlite3
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SqliteWrapper
from django.utils import timezone, translation

from jumelage.core.models import AuditLog
from jumelage.directory.models import Person
from jumelage.events.models import Call, Event, Room, Session, Submission
from jumelage.events.services import schedule as services
from tests.factories import build_event, build_world

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read English messages: English is the language of requests without a preference
    (and of the services called directly), whatever catalogs are compiled."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def event(world):
    return build_event(world)


@pytest.fixture
def hall(event):
    return Room.objects.create(event=event, name="Main hall")


def _post_session(client, event, room, start, end, title="Keynote", **extra):
    data = {"title": title, "kind": "talk", "starts_at": _local(start), "ends_at": _local(end), **extra}
    data["room"] = room.pk if room else ""
    return client.post(f"/events/{event.slug}/schedule/sessions/new/", data, **EN)


def test_organisers_add_rooms_and_sessions_with_speakers(world, event, client_factory):
    client = client_factory(world.users["node_staff"])
    response = client.post(
        f"/events/{event.slug}/schedule/rooms/", {"name": "Main hall", "capacity": "120"}, **EN
    )
    assert response.status_code == 302
    room = Room.objects.get(event=event)
    assert (room.name, room.capacity) == ("Main hall", 120)
    ada = Person.objects.create(name="Ada Lovelace", public_profile=True)
    start = event.starts_at + timedelta(hours=1)
    response = _post_session(
        client, event, room, start, start + timedelta(minutes=45), speakers=[ada.pk], language="fr"
    )
    assert response.status_code == 302
    session = Session.objects.get(event=event)
    assert (session.title, session.room, session.starts_at, session.language) == (
        "Keynote",
        room,
        start,
        "fr",
    )
    assert list(session.speakers.all()) == [ada]
    page = client.get(f"/events/{event.slug}/schedule/", **EN).content.decode()
    assert "The session Keynote was added." in page and "Ada Lovelace" in page
    assert AuditLog.objects.filter(action="event.session_create").count() == 1


def test_an_overlapping_session_in_the_same_room_is_refused_naming_the_clash(
    world, event, hall, client_factory
):
    client = client_factory(world.users["ecosystem_staff"])
    start = event.starts_at
    assert _post_session(client, event, hall, start, start + timedelta(hours=1)).status_code == 302
    response = _post_session(
        client, event, hall, start + timedelta(minutes=30), start + timedelta(hours=2), title="Panel"
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was saved" in body
    assert "Main hall is already taken by “Keynote” from" in body
    assert list(Session.objects.values_list("title", flat=True)) == ["Keynote"]
    # Right after it, in another room, or without a room: fine.
    assert (
        _post_session(
            client, event, hall, start + timedelta(hours=1), start + timedelta(hours=2), title="B"
        ).status_code
        == 302
    )
    other = Room.objects.create(event=event, name="Atelier")
    assert (
        _post_session(client, event, other, start, start + timedelta(hours=1), title="C").status_code == 302
    )
    assert _post_session(client, event, None, start, start + timedelta(hours=1), title="D").status_code == 302
    assert Session.objects.count() == 4


@pytest.mark.parametrize(
    ("shift", "message"),
    [
        ((-2, -1), "The session must lie within the event"),
        ((7, 9), "The session must lie within the event"),
        ((2, 1), "The session must end after it starts."),
    ],
)
def test_sessions_outside_the_event_or_ending_before_they_start_are_refused(
    world, event, hall, client_factory, shift, message
):
    client = client_factory(world.users["ecosystem_staff"])
    start, end = (event.starts_at + timedelta(hours=h) for h in shift)
    response = _post_session(client, event, hall, start, end)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Session.objects.exists()


def test_moving_a_session_onto_another_is_refused(world, event, hall, client_factory):
    staff = world.users["ecosystem_staff"]
    start = event.starts_at
    first = services.create_session(
        actor=staff,
        event=event,
        data={"title": "A", "starts_at": start, "ends_at": start + timedelta(hours=1), "room": hall},
    )
    second = services.create_session(
        actor=staff,
        event=event,
        data={
            "title": "B",
            "starts_at": start + timedelta(hours=1),
            "ends_at": start + timedelta(hours=2),
            "room": hall,
        },
    )
    client = client_factory(staff)
    data = {
        "title": "B",
        "kind": "talk",
        "starts_at": _local(start + timedelta(minutes=30)),
        "ends_at": _local(start + timedelta(hours=2)),
        "room": hall.pk,
    }
    response = client.post(f"/events/{event.slug}/schedule/sessions/{second.pk}/", data, **EN)
    assert response.status_code == 400
    assert "Main hall is already taken by “A”" in response.content.decode()
    second.refresh_from_db()
    assert second.starts_at == start + timedelta(hours=1)
    # Editing a session without moving it does not clash with itself.
    data["starts_at"], data["title"] = _local(start + timedelta(hours=1)), "B renamed"
    assert client.post(f"/events/{event.slug}/schedule/sessions/{second.pk}/", data).status_code == 302
    assert Session.objects.get(pk=second.pk).title == "B renamed"
    assert Session.objects.get(pk=first.pk).title == "A"


def test_a_room_name_is_unique_within_its_event(world, event, hall, client_factory):
    response = client_factory(world.users["ecosystem_staff"]).post(
        f"/events/{event.slug}/schedule/rooms/", {"name": "main HALL"}, **EN
    )
    assert response.status_code == 400
    assert "This event already has a room named main HALL." in response.content.decode()
    assert Room.objects.count() == 1


def test_deleting_sessions_and_rooms(world, event, hall, client_factory):
    staff = world.users["ecosystem_staff"]
    start = event.starts_at
    session = services.create_session(
        actor=staff,
        event=event,
        data={"title": "A", "starts_at": start, "ends_at": start + timedelta(hours=1), "room": hall},
    )
    client = client_factory(staff)
    assert client.post(f"/events/{event.slug}/schedule/rooms/{hall.pk}/delete/").status_code == 302
    session.refresh_from_db()
    assert session.room is None  # the session stays, without a room
    assert client.post(f"/events/{event.slug}/schedule/sessions/{session.pk}/delete/").status_code == 302
    assert not Session.objects.exists()


def test_members_cannot_change_the_schedule(world, event, hall, client_factory):
    start = event.starts_at
    response = _post_session(
        client_factory(world.users["representative"]), event, hall, start, start + timedelta(hours=1)
    )
    assert response.status_code == 403
    assert not Session.objects.exists()


def test_selected_pitches_are_placed_in_sessions(world, event, client_factory):
    staff = world.users["ecosystem_staff"]
    start = event.starts_at
    session = services.create_session(
        actor=staff,
        event=event,
        data={
            "title": "Pitches",
            "kind": "pitches",
            "starts_at": start,
            "ends_at": start + timedelta(hours=1),
        },
    )
    call = Call.objects.create(
        event=event,
        kind="pitch",
        title="Call",
        opens_at=timezone.now() - timedelta(days=3),
        closes_at=timezone.now(),
    )
    common = {"call": call, "abstract": "x", "speaker_name": "S", "speaker_email": "s@example.org"}
    chosen = Submission.objects.create(
        title="Urban sensors", status="selected", organisation=world.be_org, **common
    )
    pending = Submission.objects.create(title="Pending idea", status="submitted", **common)
    client = client_factory(staff)
    response = client.post(
        f"/events/{event.slug}/schedule/place/", {"submission": chosen.pk, "session": session.pk}, **EN
    )
    assert response.status_code == 302
    assert Submission.objects.get(pk=chosen.pk).session == session
    assert "Urban sensors — Wallonie Startup" in client.get(f"/events/{event.slug}/", **EN).content.decode()
    # A submission that was not selected cannot be placed.
    with pytest.raises(ValidationError) as exc:
        services.place_submission(actor=staff, submission=pending, session=session)
    assert "Only selected or confirmed proposals" in str(exc.value)
    response = client.post(
        f"/events/{event.slug}/schedule/place/", {"submission": pending.pk, "session": session.pk}, **EN
    )
    assert response.status_code == 400 and "Only selected or confirmed proposals" in response.content.decode()
    assert Submission.objects.get(pk=pending.pk).session is None


def _thread_settings(tmp_path):
    """The threads' connection settings: the test database itself (PostgreSQL) or, for SQLite, a file
    copy of the in-memory test database used with the production settings (WAL, IMMEDIATE, busy
    timeout): in-memory shared-cache connections lock whole tables instead of waiting."""
    if connection.vendor != "sqlite":
        return None
    path = tmp_path / "schedule.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    return {**connection.settings_dict, "NAME": str(path)}


@pytest.mark.django_db(transaction=True)
def test_two_organisers_booking_one_room_at_once_get_one_session(tmp_path):
    """Both requests pass the Python check only if they don't see each other: the lock on the event
    row makes the second wait for the first and then see its session."""
    world = build_world()
    event = build_event(world)
    room = Room.objects.create(event=event, name="Main hall")
    start = event.starts_at
    users = [world.users["ecosystem_staff"].pk, world.users["node_staff"].pk]
    settings_dict = _thread_settings(tmp_path)
    barrier = threading.Barrier(2)
    results, lock = [], threading.Lock()

    def book(user_pk, title):
        from django.contrib.auth import get_user_model

        if settings_dict is not None:
            connections["default"] = SqliteWrapper(settings_dict, "default")
        try:
            user = get_user_model().objects.get(pk=user_pk)
            fresh_event, fresh_room = Event.objects.get(pk=event.pk), Room.objects.get(pk=room.pk)
            barrier.wait(timeout=10)
            services.create_session(
                actor=user,
                event=fresh_event,
                data={
                    "title": title,
                    "starts_at": start,
                    "ends_at": start + timedelta(hours=1),
                    "room": fresh_room,
                },
            )
            outcome = "ok"
        except ValidationError as exc:
            outcome = " ".join(exc.messages)
        except Exception as exc:  # reported by the assertions below
            outcome = f"error: {exc!r}"
        finally:
            connections["default"].close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=book, args=(pk, f"Talk {i}")) for i, pk in enumerate(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert results.count("ok") == 1, results
    assert any("Main hall is already taken by" in r for r in results), results
    if settings_dict is not None:
        check = sqlite3.connect(settings_dict["NAME"])
        count = check.execute("SELECT COUNT(*) FROM events_session WHERE room_id = ?", [room.pk]).fetchone()[
            0
        ]
        check.close()
    else:
        count = Session.objects.filter(room=room).count()
    assert count == 1


def test_the_event_cannot_move_away_from_its_sessions(world, event, hall):
    from jumelage.events.services import events as event_services

    staff = world.users["ecosystem_staff"]
    start = event.starts_at
    services.create_session(
        actor=staff,
        event=event,
        data={
            "title": "Closing drinks",
            "starts_at": start + timedelta(hours=7),
            "ends_at": start + timedelta(hours=8),
        },
    )
    with pytest.raises(ValidationError) as exc:
        event_services.update_event(actor=staff, event=event, data={"ends_at": start + timedelta(hours=4)})
    assert "These sessions would fall outside the event's new dates: Closing drinks. Move them first." in str(
        exc.value
    )
    assert Event.objects.get(pk=event.pk).ends_at == start + timedelta(hours=8)


def test_the_lead_cannot_step_down_without_a_successor(world, event):
    from jumelage.events.models import EventPartner
    from jumelage.events.services import events as event_services

    lead = EventPartner.objects.get(event=event, role="lead")
    with pytest.raises(ValidationError) as exc:
        event_services.set_partner_role(
            actor=world.users["ecosystem_staff"], partner=lead, role="co_organiser"
        )
    assert "An event needs a lead organiser" in str(exc.value)
    assert EventPartner.objects.get(pk=lead.pk).role == "lead"
