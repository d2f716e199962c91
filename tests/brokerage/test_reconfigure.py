"""Saving the B2B setup again: what participants and placed meetings keep."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone, translation

from jumelage.brokerage import services
from jumelage.brokerage.models import Meeting

from .conftest import day


def reconfigure(brokerage, staff, *, sessions=None, meeting_minutes=25, tables=("A1", "A2"), **changes):
    event = brokerage.event
    return services.configure(
        event=event,
        actor=staff,
        sessions=sessions
        or [
            services.SessionSpec("Morning", day(event, 9), day(event, 10)),
            services.SessionSpec("Afternoon", day(event, 14), day(event, 15)),
        ],
        tables=list(tables),
        meeting_minutes=meeting_minutes,
        pause_minutes=5,
        max_meetings=changes.pop("max_meetings", 3),
        max_requests=3,
        **changes,
    )


def client(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


def agree(a, b):
    return services.answer(request=services.send_request(requester=a, recipient=b), by=b, accept=True)


def when(slot) -> str:
    return f"{timezone.localtime(slot.starts_at):%d/%m/%Y %H:%M}"


def unavailable(participant):
    return sorted(participant.unavailable.values_list("starts_at", flat=True))


def test_changing_a_deadline_or_a_quota_keeps_availability_slots_and_placed_meetings(
    brokerage_world, publish_schedule
):
    brokerage, p, staff = brokerage_world
    first = brokerage.slots.order_by("number").first()
    services.set_availability(participant=p["Anna"], unavailable=[first], actor=p["Anna"].user)
    agree(p["Bruno"], p["Chloé"])
    publish_schedule(brokerage, client(staff))
    meeting = Meeting.objects.get(brokerage=brokerage)
    assert meeting.slot_id is not None
    slot_ids = sorted(brokerage.slots.values_list("pk", flat=True))

    deadline = day(brokerage.event, 8)
    reconfigure(
        brokerage,
        staff,
        max_meetings=5,
        answers_close_at=deadline,
        sessions=[
            services.SessionSpec("Matin", day(brokerage.event, 9), day(brokerage.event, 10)),
            services.SessionSpec("Après-midi", day(brokerage.event, 14), day(brokerage.event, 15)),
        ],
    )

    brokerage.refresh_from_db()
    assert brokerage.max_meetings == 5 and brokerage.answers_close_at == deadline
    assert sorted(brokerage.slots.values_list("pk", flat=True)) == slot_ids
    assert list(brokerage.sessions.order_by("starts_at").values_list("name", flat=True)) == [
        "Matin",
        "Après-midi",
    ]
    assert unavailable(p["Anna"]) == [first.starts_at]
    meeting.refresh_from_db()
    assert meeting.slot_id is not None and meeting.table_id is not None


def test_new_slots_keep_the_availability_of_those_at_the_same_times(brokerage_world):
    brokerage, p, staff = brokerage_world
    morning = list(brokerage.slots.order_by("number"))[:2]
    services.set_availability(participant=p["Dirk"], unavailable=morning, actor=p["Dirk"].user)
    event = brokerage.event

    # the morning stays 9:00–10:00 (same two slots), the afternoon moves to 16:00–17:00
    reconfigure(
        brokerage,
        staff,
        sessions=[
            services.SessionSpec("Morning", day(event, 9), day(event, 10)),
            services.SessionSpec("Afternoon", day(event, 16), day(event, 17)),
        ],
    )

    assert unavailable(p["Dirk"]) == [s.starts_at for s in morning]
    assert [s.starts_at.hour for s in brokerage.slots.order_by("number")] == [9, 9, 16, 16]


def test_once_meetings_are_placed_the_slots_cannot_change_and_nothing_is_written(
    brokerage_world, publish_schedule
):
    brokerage, p, staff = brokerage_world
    agree(p["Anna"], p["Dirk"])
    publish_schedule(brokerage, client(staff))
    before = list(brokerage.slots.order_by("number").values_list("pk", "starts_at"))

    with translation.override("en"):  # the organiser's page left its own language active
        with pytest.raises(ValidationError, match="the meeting length and the tables can no longer change"):
            reconfigure(brokerage, staff, meeting_minutes=20, max_meetings=6)
        with pytest.raises(ValidationError, match="can no longer change"):
            reconfigure(brokerage, staff, tables=("A1", "A2", "A3"))

    brokerage.refresh_from_db()
    assert brokerage.meeting_minutes == 25 and brokerage.max_meetings == 3
    assert list(brokerage.slots.order_by("number").values_list("pk", "starts_at")) == before
    assert brokerage.tables.count() == 2


def test_an_organiser_lock_that_moves_a_published_meeting_tells_both_sides(
    brokerage_world, publish_schedule, smtp, django_capture_on_commit_callbacks
):
    brokerage, p, staff = brokerage_world
    agree(p["Anna"], p["Bruno"])
    publish_schedule(brokerage, client(staff))
    meeting = Meeting.objects.get(brokerage=brokerage)
    old, old_table = meeting.slot, meeting.table
    new = brokerage.slots.exclude(pk=old.pk).order_by("-number").first()
    seen = {address: len(smtp.to(address)) for address in ("anna@example.org", "bruno@example.org")}

    with django_capture_on_commit_callbacks(execute=True):
        services.lock(meeting=meeting, slot=new, table=None, actor=staff)

    for address, before in seen.items():
        [mail] = smtp.to(address)[before:]
        body = mail.text()
        # where it is now, and where it was (English dates the European way: "27/12/2026 15:30")
        assert f"moved from {when(old)}, table {old_table.name} to {when(new)}, table" in body


def test_someone_declined_cannot_ask_again_but_the_other_side_still_can(brokerage_world):
    brokerage, p, _staff = brokerage_world
    services.answer(
        request=services.send_request(requester=p["Anna"], recipient=p["Chloé"]), by=p["Chloé"], accept=False
    )
    with pytest.raises(ValidationError, match="Chloé has declined your request: you cannot ask again"):
        services.send_request(requester=p["Anna"], recipient=p["Chloé"])
    assert brokerage.requests.filter(requester=p["Anna"]).count() == 1
    # Chloé changing her mind may still ask Anna
    assert services.send_request(requester=p["Chloé"], recipient=p["Anna"]).status == "pending"


def test_e_mails_follow_the_language_chosen_when_registering_for_the_event(brokerage_world):
    from jumelage.events.models import Registration

    from .conftest import add_participant

    brokerage, _p, _staff = brokerage_world
    eva = add_participant(brokerage, "Eva", "BE", offers="x", seeks="y")
    assert eva.language == "en"
    # an account in French, registered for this event with Dutch e-mails
    Registration.objects.filter(event=brokerage.event, email="eva@example.org").update(language="nl")
    eva.user.language = "fr"
    eva.user.save()
    services.leave(participant=eva, actor=eva.user)
    again = services.join(brokerage=brokerage, user=eva.user, offers="x", seeks="y")
    assert again.language == "nl"


def test_the_agenda_says_agreed_meetings_are_waiting_to_be_placed(brokerage_world, publish_schedule):
    brokerage, p, staff = brokerage_world
    agree(p["Anna"], p["Bruno"])
    publish_schedule(brokerage, client(staff))
    # agreed after the schedule was published: not placed until the organisers run it again
    agree(p["Chloé"], p["Dirk"])

    def agenda_of(name):
        return " ".join(
            client(p[name].user).get(f"/events/{brokerage.event.slug}/b2b/agenda/").content.decode().split()
        )

    dirk = agenda_of("Dirk")
    assert "No meeting is scheduled for you." in dirk
    assert "One agreed meeting is waiting for the organisers to place it in a slot" in dirk
    anna = agenda_of("Anna")
    assert "Bruno" in anna and "waiting for the organisers" not in anna


def test_a_two_day_mission_sets_up_four_sessions_and_gets_room_for_more(brokerage_world):
    import datetime as dt
    import re

    brokerage, _p, staff = brokerage_world
    event = brokerage.event
    event.ends_at = event.starts_at.replace(hour=18) + dt.timedelta(days=1)
    event.save()
    organiser = client(staff)
    url = f"/events/{event.slug}/b2b/setup/"
    page = organiser.get(url).content.decode()
    assert page.count('class="session-fieldset"') == 4  # the two sessions and two empty ones
    assert "Each save adds two empty sessions" in page

    form = {
        name: (re.search(r'value="([^"]*)"', tag) or [None, ""])[1]
        for tag, name in re.findall(r'(<input[^>]*name="([^"]+)"[^>]*>)', page)
        if name != "csrfmiddlewaretoken" and "checkbox" not in tag
    }
    form["tables"] = "A1\nA2"
    second = f"{timezone.localtime(event.starts_at).date() + dt.timedelta(days=1):%Y-%m-%d}"
    form |= {
        "session-2-name": "Day 2 morning",
        "session-2-date": second,
        "session-2-start": "09:00",
        "session-2-end": "10:00",
        "session-3-name": "Day 2 afternoon",
        "session-3-date": second,
        "session-3-start": "14:00",
        "session-3-end": "15:00",
    }
    response = organiser.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(brokerage.sessions.order_by("starts_at").values_list("name", flat=True)) == [
        "Morning",
        "Afternoon",
        "Day 2 morning",
        "Day 2 afternoon",
    ]
    assert brokerage.slots.count() == 8
    assert organiser.get(url).content.decode().count('class="session-fieldset"') == 6


def test_the_sent_requests_show_the_message_and_when_it_was_sent(brokerage_world):
    brokerage, p, _staff = brokerage_world
    sent = services.send_request(
        requester=p["Anna"], recipient=p["Bruno"], message="About smart parking pilots"
    )
    anna = client(p["Anna"].user)
    page = " ".join(anna.get(f"/events/{brokerage.event.slug}/b2b/requests/").content.decode().split())
    when = f"{timezone.localtime(sent.created_at):%d/%m/%Y %H:%M}"
    assert f'About smart parking pilots <span class="help">(sent {when})</span>' in page
