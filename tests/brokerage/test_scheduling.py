"""The scheduler run through the database: a draft changes nothing, publishing applies it under the
double-booking constraints, rescheduling moves as few meetings as possible, impossible input is explained."""

import pytest
from django.core.exceptions import ValidationError

from jumelage.brokerage import scheduling, services
from jumelage.brokerage.models import Meeting, MeetingSeat, ScheduleRun
from jumelage.core.models import AuditLog


def accept(a, b):
    return services.answer(request=services.send_request(requester=a, recipient=b), by=b, accept=True)


def agenda(participant):
    return sorted(MeetingSeat.objects.filter(participant=participant).values_list("slot__number", flat=True))


def test_a_run_is_a_draft_until_published(brokerage_world, smtp, django_capture_on_commit_callbacks):
    brokerage, p, staff = brokerage_world
    accept(p["Anna"], p["Bruno"])
    accept(p["Anna"], p["Chloé"])
    accept(p["Dirk"], p["Bruno"])
    with django_capture_on_commit_callbacks(execute=True):
        run = scheduling.start_run(brokerage=brokerage, actor=staff, time_limit=5)
    run.refresh_from_db()
    assert run.status == "ready" and run.requested == 3 and run.placed == 3
    assert run.breaks == 0 and run.breaks_bound == 0 and run.proven
    assert not Meeting.objects.filter(slot__isnull=False).exists()  # nothing changes before publishing

    with django_capture_on_commit_callbacks(execute=True):
        changed = scheduling.publish(run=run, actor=staff)
    assert len(changed) == 4
    assert Meeting.objects.filter(slot__isnull=False).count() == 3
    anna = agenda(p["Anna"])
    assert len(anna) == 2 and anna[1] - anna[0] == 1  # back to back: no break
    brokerage.refresh_from_db()
    assert brokerage.status == "scheduled"
    # every participant whose agenda changed got an e-mail listing their meetings
    mails = smtp.to("anna@example.org")
    assert len(mails) == 1 and "Your B2B meetings at Smart City Day" in mails[0].subject
    body = mails[0].text()
    assert "Bruno" in body and "Chloé" in body and "table A" in body


def test_rescheduling_after_a_late_acceptance_moves_nobody(
    brokerage_world, django_capture_on_commit_callbacks
):
    brokerage, p, staff = brokerage_world
    accept(p["Anna"], p["Bruno"])
    accept(p["Chloé"], p["Dirk"])
    with django_capture_on_commit_callbacks(execute=True):
        run = scheduling.start_run(brokerage=brokerage, actor=staff)
    run.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.publish(run=run, actor=staff)
    before = {m.pk: (m.slot_id, m.table_id) for m in Meeting.objects.all()}

    late = accept(p["Anna"], p["Dirk"])
    with django_capture_on_commit_callbacks(execute=True):
        run2 = scheduling.start_run(brokerage=brokerage, actor=staff)
    run2.refresh_from_db()
    assert run2.status == "ready" and run2.placed == 3 and run2.moved == 0
    assert scheduling.moves(run2) == []
    with django_capture_on_commit_callbacks(execute=True):
        changed = scheduling.publish(run=run2, actor=staff)
    after = {m.pk: (m.slot_id, m.table_id) for m in Meeting.objects.all()}
    assert all(after[pk] == before[pk] for pk in before)
    assert sorted(changed) == sorted([p["Anna"].pk, p["Dirk"].pk])
    assert Meeting.objects.get(request=late).slot is not None


def test_more_meetings_than_places_keeps_the_priorities(brokerage_world, django_capture_on_commit_callbacks):
    """Four slots × one table hold four meetings: the organiser's and the mutual ones come first."""
    brokerage, p, staff = brokerage_world
    brokerage.tables.exclude(name="A1").delete()
    brokerage.max_meetings = 4
    brokerage.save()
    organised = services.organiser_meeting(brokerage=brokerage, a=p["Chloé"], b=p["Dirk"], actor=staff)
    pairs = [("Anna", "Bruno"), ("Anna", "Chloé"), ("Anna", "Dirk"), ("Bruno", "Chloé"), ("Bruno", "Dirk")]
    for a, b in pairs:
        accept(p[a], p[b])
    with django_capture_on_commit_callbacks(execute=True):
        run = scheduling.start_run(brokerage=brokerage, actor=staff, time_limit=5)
    run.refresh_from_db()
    assert run.requested == 6 and run.placed == 4 and run.placed_bound == 4
    assert str(organised.pk) in run.assignment


def test_a_participant_available_nowhere_is_named(brokerage_world, django_capture_on_commit_callbacks):
    brokerage, p, staff = brokerage_world
    services.set_availability(participant=p["Bruno"], unavailable=list(brokerage.slots.all()), actor=staff)
    accept(p["Anna"], p["Bruno"])
    with django_capture_on_commit_callbacks(execute=True):
        run = scheduling.start_run(brokerage=brokerage, actor=staff)
    run.refresh_from_db()
    assert run.status == "failed" and run.placed == 0
    text = " ".join(c["message"] + " " + " ".join(c["participants"]) for c in run.conflicts)
    assert "Bruno" in text, run.conflicts
    assert not Meeting.objects.filter(slot__isnull=False).exists()


def test_nothing_to_schedule_and_a_second_concurrent_run_are_refused(brokerage_world):
    brokerage, p, staff = brokerage_world
    with pytest.raises(ValidationError, match="no accepted meeting"):
        scheduling.start_run(brokerage=brokerage, actor=staff)
    accept(p["Anna"], p["Bruno"])
    scheduling.start_run(brokerage=brokerage, actor=staff)  # queued: on_commit never ran here
    with pytest.raises(ValidationError, match="already running"):
        scheduling.start_run(brokerage=brokerage, actor=staff)
    assert ScheduleRun.objects.count() == 1


def test_an_older_draft_cannot_be_published_over_a_newer_one(
    brokerage_world, django_capture_on_commit_callbacks
):
    brokerage, p, staff = brokerage_world
    accept(p["Anna"], p["Bruno"])
    with django_capture_on_commit_callbacks(execute=True):
        first = scheduling.start_run(brokerage=brokerage, actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.start_run(brokerage=brokerage, actor=staff)
    first.refresh_from_db()
    with pytest.raises(ValidationError, match="A newer run exists"):
        scheduling.publish(run=first, actor=staff)
    assert not Meeting.objects.filter(slot__isnull=False).exists()


def place(brokerage, staff, meeting, number, table):
    """A meeting as published earlier: in slot `number` at `table` (locked then unlocked: movable)."""
    services.lock(
        meeting=meeting,
        slot=brokerage.slots.get(number=number),
        table=brokerage.tables.get(name=table),
        actor=staff,
    )
    services.unlock(meeting=meeting, actor=staff)


@pytest.fixture
def published(brokerage_world):
    """Anna–Bruno in slot 1, Anna–Chloé in slot 2, Dirk–Bruno in slot 3 (of 4), Dirk away in slot 4."""
    brokerage, p, staff = brokerage_world
    services.set_availability(participant=p["Dirk"], unavailable=[brokerage.slots.get(number=4)], actor=staff)
    rows = {}
    for (a, b), number, table in (
        (("Anna", "Bruno"), 1, "A1"),
        (("Anna", "Chloé"), 2, "A1"),
        (("Dirk", "Bruno"), 3, "A2"),
    ):
        rows[a, b] = accept(p[a], p[b]).meeting
        place(brokerage, staff, rows[a, b], number, table)
    return brokerage, p, staff, rows


def run_and_read(brokerage, staff, capture):
    with capture(execute=True):
        run = scheduling.start_run(brokerage=brokerage, actor=staff, time_limit=5)
    run.refresh_from_db()
    return run


def positions():
    return {
        m.pk: (m.slot.number if m.slot else None, m.table.name if m.table else None)
        for m in Meeting.objects.all()
    }


def test_rescheduling_an_unchanged_event_moves_nothing(published, django_capture_on_commit_callbacks, smtp):
    brokerage, _p, staff, _rows = published
    before = positions()
    run = run_and_read(brokerage, staff, django_capture_on_commit_callbacks)
    assert run.status == "ready" and run.placed == 3 and run.moved == 0 and run.proven
    assert scheduling.moves(run) == []
    with django_capture_on_commit_callbacks(execute=True):
        changed = scheduling.publish(run=run, actor=staff)
    assert changed == [] and positions() == before
    assert smtp.to("anna@example.org") == []


def test_a_cancellation_moves_no_other_meeting(published, django_capture_on_commit_callbacks):
    brokerage, p, staff, rows = published
    services.withdraw(request=rows["Anna", "Chloé"].request, by=p["Anna"])
    before = positions()
    run = run_and_read(brokerage, staff, django_capture_on_commit_callbacks)
    assert run.placed == 2 and run.moved == 0 and scheduling.moves(run) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert scheduling.publish(run=run, actor=staff) == []
    assert positions() == before  # Bruno keeps his break between slots 1 and 3: moves cost more


def test_a_late_acceptance_that_needs_a_move_moves_exactly_one_meeting(
    published, django_capture_on_commit_callbacks, smtp
):
    """Anna–Dirk: Anna is busy in slots 1 and 2, Dirk in 3 and away in 4 — one meeting must move."""
    brokerage, p, staff, rows = published
    before = positions()
    late = accept(p["Anna"], p["Dirk"]).meeting
    run = run_and_read(brokerage, staff, django_capture_on_commit_callbacks)
    assert run.status == "ready" and run.placed == 4 and run.moved == 1 and run.proven
    (move,) = scheduling.moves(run)
    m = move["meeting"]
    assert m.pk in {r.pk for r in rows.values()}
    assert move["old_slot"].number == before[m.pk][0] and move["old_table"].name == before[m.pk][1]
    assert move["new_slot"].number != move["old_slot"].number and move["new_table"] is not None
    with django_capture_on_commit_callbacks(execute=True):
        changed = scheduling.publish(run=run, actor=staff)
    after = positions()
    assert [pk for pk in before if after[pk] != before[pk]] == [m.pk]
    assert after[m.pk] == (move["new_slot"].number, move["new_table"].name)
    assert after[late.pk][0] is not None
    # the people of the moved meeting and of the new one are told, with their new agenda
    told = {m.request.requester_id, m.request.recipient_id, p["Anna"].pk, p["Dirk"].pk}
    assert sorted(changed) == sorted(told)
    for who in told:
        participant = next(x for x in p.values() if x.pk == who)
        assert len(smtp.to(participant.email)) == 1
    entry = AuditLog.objects.get(action="brokerage.publish")
    assert entry.data["moved"] == [m.pk]
