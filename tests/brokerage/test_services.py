"""Brokerage setup, requests and answers, quotas and deadlines, locks: what the services allow and refuse."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from jumelage.brokerage import services
from jumelage.brokerage.models import Meeting, MeetingRequest, MeetingSeat, Slot
from tests.brokerage.conftest import add_participant, day


def test_sessions_are_cut_into_slots_with_pauses(brokerage_world):
    brokerage, _, _ = brokerage_world
    slots = list(Slot.objects.filter(brokerage=brokerage).order_by("number"))
    assert [(s.number, s.starts_at.strftime("%H:%M"), s.ends_at.strftime("%H:%M")) for s in slots] == [
        (1, "09:00", "09:25"),
        (2, "09:30", "09:55"),
        (3, "14:00", "14:25"),
        (4, "14:30", "14:55"),
    ]
    assert [t.name for t in brokerage.tables.all()] == ["A1", "A2"]


@pytest.mark.parametrize(
    ("sessions", "tables", "message"),
    [
        ([], ["T"], "at least one session"),
        ([("M", 9, 10), ("N", 9, 11)], ["T"], "overlap"),
        ([("Short", 9, 9.25)], ["T"], "shorter than one 20-minute meeting"),
        ([("Night", 5, 6)], ["T"], "outside the event's dates"),
        ([("M", 9, 10)], [" "], "at least one table"),
        ([("M", 9, 10)], ["T", "T"], "same name"),
    ],
)
def test_a_bad_setup_is_refused_and_nothing_is_written(world, sessions, tables, message):
    from jumelage.brokerage.models import Brokerage
    from tests.factories import build_event

    event = build_event(world)

    def at(h):
        return event.starts_at.replace(hour=int(h), minute=round((h % 1) * 60))

    specs = [services.SessionSpec(n, at(a), at(b)) for n, a, b in sessions]
    with pytest.raises(ValidationError, match=message):
        services.configure(event=event, actor=world.users["ecosystem_staff"], sessions=specs, tables=tables)
    assert not Brokerage.objects.exists() and not Slot.objects.exists()


def test_a_request_accepted_becomes_a_meeting(brokerage_world):
    _, p, _ = brokerage_world
    request = services.send_request(requester=p["Anna"], recipient=p["Bruno"], message="Smart parking?")
    assert request.status == "pending"
    services.answer(request=request, by=p["Bruno"], accept=True)
    request.refresh_from_db()
    assert request.status == "accepted" and request.meeting.slot is None


def test_asking_someone_who_asked_you_is_mutual_and_accepts_at_once(brokerage_world):
    _, p, _ = brokerage_world
    first = services.send_request(requester=p["Anna"], recipient=p["Bruno"])
    result = services.send_request(requester=p["Bruno"], recipient=p["Anna"])
    first.refresh_from_db()
    assert result.pk == first.pk and first.status == "accepted" and first.mutual and first.priority == 2
    assert MeetingRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "to", "message"),
    [
        ("Anna", "Anna", "with yourself"),
    ],
)
def test_requests_to_oneself_are_refused(brokerage_world, who, to, message):
    _, p, _ = brokerage_world
    with pytest.raises(ValidationError, match=message):
        services.send_request(requester=p[who], recipient=p[to])


def test_twice_the_same_request_is_refused(brokerage_world):
    _, p, _ = brokerage_world
    services.send_request(requester=p["Anna"], recipient=p["Bruno"])
    with pytest.raises(ValidationError, match="already asked Bruno"):
        services.send_request(requester=p["Anna"], recipient=p["Bruno"])


def test_the_request_quota_is_enforced_and_withdrawing_frees_one(brokerage_world):
    brokerage, p, _ = brokerage_world
    brokerage.max_requests = 2
    brokerage.save()
    services.send_request(requester=p["Anna"], recipient=p["Bruno"])
    second = services.send_request(requester=p["Anna"], recipient=p["Chloé"])
    with pytest.raises(ValidationError, match="sent 2 requests, the most allowed"):
        services.send_request(requester=p["Anna"], recipient=p["Dirk"])
    services.withdraw(request=second, by=p["Anna"])
    services.send_request(requester=p["Anna"], recipient=p["Dirk"])


def test_only_the_recipient_answers_and_only_once(brokerage_world):
    _, p, _ = brokerage_world
    request = services.send_request(requester=p["Anna"], recipient=p["Bruno"])
    with pytest.raises(ValidationError, match="Only the person asked"):
        services.answer(request=request, by=p["Anna"], accept=True)
    services.answer(request=request, by=p["Bruno"], accept=False, reason="Not our market")
    with pytest.raises(ValidationError, match="already answered"):
        services.answer(request=request, by=p["Bruno"], accept=True)
    request.refresh_from_db()
    assert request.status == "declined" and request.reason == "Not our market"


def test_the_meeting_limit_refuses_one_more_acceptance(brokerage_world):
    brokerage, p, _ = brokerage_world
    brokerage.max_meetings = 1
    brokerage.save()
    services.answer(
        request=services.send_request(requester=p["Anna"], recipient=p["Bruno"]), by=p["Bruno"], accept=True
    )
    late = services.send_request(requester=p["Chloé"], recipient=p["Bruno"])
    with pytest.raises(ValidationError, match="Bruno already has 1 meetings"):
        services.answer(request=late, by=p["Bruno"], accept=True)
    assert Meeting.objects.count() == 1


def test_requests_after_the_deadline_are_refused(brokerage_world):
    brokerage, p, _ = brokerage_world
    brokerage.requests_close_at = timezone.now() - dt.timedelta(minutes=1)
    brokerage.save()
    with pytest.raises(ValidationError, match="deadline for meeting requests has passed"):
        services.send_request(requester=p["Anna"], recipient=p["Bruno"])
    assert not MeetingRequest.objects.exists()


def test_only_confirmed_attendees_join(brokerage_world):
    brokerage, _, _ = brokerage_world
    from tests.factories import UserFactory

    with pytest.raises(ValidationError, match="Register for the event first"):
        services.join(brokerage=brokerage, user=UserFactory())


def test_an_organiser_meeting_locked_to_a_slot_and_the_database_refuses_a_double_booking(brokerage_world):
    brokerage, p, staff = brokerage_world
    slot1 = brokerage.slots.get(number=1)
    a1, a2 = brokerage.tables.all()
    meeting = services.organiser_meeting(
        brokerage=brokerage, a=p["Anna"], b=p["Bruno"], actor=staff, slot=slot1, table=a1
    )
    assert meeting.locked and meeting.slot == slot1 and meeting.request.priority == 3
    other = services.organiser_meeting(brokerage=brokerage, a=p["Anna"], b=p["Chloé"], actor=staff)
    with pytest.raises(ValidationError, match="already in another meeting"):
        services.lock(meeting=other, slot=slot1, table=a2, actor=staff)  # Anna is busy at 9:00
    other.refresh_from_db()
    assert other.slot is None and not other.seats.exists()
    # Below the services, the database itself refuses the second seat.
    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingSeat.objects.create(meeting=other, participant=p["Anna"], slot=slot1)


def test_an_unavailable_slot_cannot_be_locked_to(brokerage_world):
    brokerage, p, staff = brokerage_world
    slot2 = brokerage.slots.get(number=2)
    services.set_availability(participant=p["Dirk"], unavailable=[slot2.pk], actor=p["Dirk"].user)
    meeting = services.organiser_meeting(brokerage=brokerage, a=p["Anna"], b=p["Dirk"], actor=staff)
    with pytest.raises(ValidationError, match="Dirk is not available"):
        services.lock(meeting=meeting, slot=slot2, table=None, actor=staff)


def test_withdrawing_an_accepted_meeting_frees_its_seats(brokerage_world):
    brokerage, p, staff = brokerage_world
    slot1 = brokerage.slots.get(number=1)
    meeting = services.organiser_meeting(
        brokerage=brokerage, a=p["Anna"], b=p["Bruno"], actor=staff, slot=slot1
    )
    services.withdraw(request=meeting.request, by=p["Bruno"])
    meeting.refresh_from_db()
    assert meeting.status == "cancelled" and meeting.slot is None and not MeetingSeat.objects.exists()


def test_both_sides_confirm_a_held_meeting_and_rate_it(brokerage_world):
    brokerage, p, staff = brokerage_world
    slot1 = brokerage.slots.get(number=1)
    meeting = services.organiser_meeting(
        brokerage=brokerage, a=p["Anna"], b=p["Bruno"], actor=staff, slot=slot1
    )
    with pytest.raises(ValidationError, match="once its time has come"):
        services.confirm(meeting=meeting, by=p["Anna"], held=True, rating=5)
    Slot.objects.filter(pk=slot1.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=30))
    meeting.refresh_from_db()
    services.confirm(meeting=meeting, by=p["Anna"], held=True, rating=5)
    meeting.refresh_from_db()
    assert meeting.status == "planned"  # one side only
    services.confirm(meeting=meeting, by=p["Bruno"], held=True, rating=4)
    meeting.refresh_from_db()
    assert meeting.status == "held"
    assert sorted(meeting.seats.values_list("rating", flat=True)) == [4, 5]
    with pytest.raises(ValidationError, match="not in this meeting"):
        services.confirm(meeting=meeting, by=p["Chloé"], held=True)


def test_day_helper(brokerage_world):
    brokerage, _, _ = brokerage_world
    assert day(brokerage.event, 9).hour == 9


def test_a_held_meeting_moves_the_partnership_of_the_two_organisations_to_met(brokerage_world, world):
    from jumelage.opportunities import services as partnerships
    from jumelage.opportunities.models import Introduction
    from tests.opportunities.helpers import make_opportunity

    brokerage, p, staff = brokerage_world
    anna_org, bruno_org = p["Anna"].organisation, p["Bruno"].organisation
    for org, eco in ((anna_org, world.wallonia), (bruno_org, world.frenchtech)):
        org.memberships.create(ecosystem=eco)
    opportunity = make_opportunity(world, organisation=bruno_org)
    interest = partnerships.express_interest(
        actor=world.users["admin"], opportunity=opportunity, organisation=anna_org, message="Interested"
    )
    partnerships.decide_interest(actor=world.users["admin"], interest=interest, accept=True)
    introduction = Introduction.objects.get()
    assert introduction.stage == "introduced"

    slot = brokerage.slots.get(number=1)
    meeting = services.organiser_meeting(
        brokerage=brokerage, a=p["Anna"], b=p["Bruno"], actor=staff, slot=slot
    )
    Slot.objects.filter(pk=slot.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=30))
    meeting.refresh_from_db()
    services.confirm(meeting=meeting, by=p["Anna"], held=True, rating=4)
    introduction.refresh_from_db()
    assert introduction.stage == "introduced"  # one side only
    services.confirm(meeting=meeting, by=p["Bruno"], held=True, rating=5)
    introduction.refresh_from_db()
    step = introduction.steps.get(stage="met")
    assert introduction.stage == "met" and step.ecosystem == world.wallonia  # the event's lead
    assert "B2B meeting at Smart City Day" in step.note


def _hold(meeting, people):
    """Both sides confirm the meeting took place, half an hour after it started."""
    Slot.objects.filter(pk=meeting.slot_id).update(starts_at=timezone.now() - dt.timedelta(minutes=30))
    meeting.refresh_from_db()
    for person in people:
        services.confirm(meeting=meeting, by=person, held=True, rating=4)


def test_a_held_meeting_between_organisations_not_yet_introduced_starts_a_partnership(brokerage_world, world):
    from django.test import Client

    from jumelage.directory.models import Representative
    from jumelage.opportunities.models import Introduction

    brokerage, p, staff = brokerage_world
    anna_org, bruno_org = p["Anna"].organisation, p["Bruno"].organisation
    request = services.send_request(requester=p["Anna"], recipient=p["Bruno"], message="Hi")
    services.answer(request=request, by=p["Bruno"], accept=True)
    meeting = services.lock(
        meeting=request.meeting, slot=brokerage.slots.get(number=1), table=None, actor=staff
    )
    _hold(meeting, [p["Anna"]])
    assert not Introduction.objects.exists()  # one side only
    _hold(meeting, [p["Bruno"]])

    introduction = Introduction.objects.get()
    assert (introduction.first_organisation, introduction.second_organisation) == (anna_org, bruno_org)
    assert introduction.interest is None and introduction.event == brokerage.event
    assert introduction.stage == "met"
    steps = list(introduction.steps.order_by("happened_on", "id"))
    assert [s.stage for s in steps] == ["introduced", "met"]
    assert all(s.ecosystem == world.wallonia for s in steps)  # the event's lead
    assert steps[1].happened_on == timezone.localdate(meeting.slot.starts_at)

    # a second meeting of the same two organisations (a colleague of Anna's) adds no second partnership
    colleague = add_participant(brokerage, "Emma", "BE", organisation=anna_org)
    other = services.organiser_meeting(
        brokerage=brokerage, a=p["Bruno"], b=colleague, actor=staff, slot=brokerage.slots.get(number=2)
    )
    _hold(other, [colleague, p["Bruno"]])
    assert Introduction.objects.count() == 1

    # Anna's organisation follows it in the pipeline, where it says where it started
    user = p["Anna"].user
    Representative.objects.create(user=user, organisation=anna_org)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    page = client.get("/pipeline/").content.decode()
    assert f"{bruno_org.name} – {anna_org.name}" in page
    assert "B2B meeting at" in page and brokerage.event.title in page
    detail = client.get(f"/introductions/{introduction.pk}/").content.decode()
    assert f"Partnership of {bruno_org.name} and {anna_org.name}" in detail
    assert "Record the next step" in detail
    listed = client.get("/api/v1/introductions").json()["items"]
    assert listed == [
        {
            "id": introduction.pk,
            "organisations": [anna_org.slug, bruno_org.slug],
            "opportunity": None,
            "publisher": None,
            "interested": None,
            "event": brokerage.event.pk,
            "stage": "met",
            "steps": [
                {
                    "stage": s.stage,
                    "happened_on": s.happened_on.isoformat(),
                    "ecosystem": world.wallonia.slug,
                    "node": None,
                }
                for s in steps
            ],
        }
    ]
    # Chloé's organisation is not a party: the partnership is not hers to see
    client.force_login(p["Chloé"].user)
    assert client.get(f"/introductions/{introduction.pk}/").status_code == 404


def test_a_meeting_between_two_people_of_one_organisation_starts_no_partnership(brokerage_world, world):
    from jumelage.opportunities.models import Introduction

    brokerage, p, staff = brokerage_world
    colleague = add_participant(brokerage, "Emma", "BE", organisation=p["Anna"].organisation)
    meeting = services.organiser_meeting(
        brokerage=brokerage, a=p["Anna"], b=colleague, actor=staff, slot=brokerage.slots.get(number=1)
    )
    _hold(meeting, [p["Anna"], colleague])
    assert meeting.status == "held" and not Introduction.objects.exists()
