"""The thin service between the database and the pure scheduler (jumelage.meetings).

`start_run` queues a run; the task `run_scheduler` maps the rows to a `Problem`, solves it within the
run's time limit and stores the answer as a draft (`ScheduleRun.assignment`) — nothing in the published
schedule changes. `publish` applies a draft in one transaction, under the database constraints that
forbid a double booking, and tells the participants whose agenda changed.

Rescheduling after late acceptances or cancellations is one optimisation with the meetings already
placed as the previous schedule: the most meetings placed (weighted by priority), then the fewest placed
meetings that change slot, then table, then the fewest breaks. The draft stores how many it moves and
`moves(run)` lists them, old → new.
"""

from __future__ import annotations

import time
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jumelage.brokerage.models import Brokerage, Meeting, MeetingSeat, Participant, ScheduleRun
from jumelage.core.audit import log_action
from jumelage.meetings import scheduler
from jumelage.meetings.scheduling.model import InvalidProblem

FAIRNESS = 2  # break counts of two participants differ by at most this (as in the literature)


def schedulable(brokerage: Brokerage):
    return (
        Meeting.objects.filter(brokerage=brokerage, request__status="accepted")
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("request", "slot", "table")
        .order_by("pk")
    )


def build_problem(brokerage: Brokerage, meetings: list[Meeting]) -> scheduler.Problem:
    """Rows → the pure scheduler's input. A locked meeting is fixed to its slot; every meeting already
    placed brings its slot and table as ``previous_slot``/``previous_table`` (the table's 1-based rank
    in the brokerage's table order), so that the scheduler moves as few of them as it can."""
    slots = list(brokerage.slots.order_by("number"))
    number_of = {s.pk: s.number for s in slots}
    rank = {pk: i for i, pk in enumerate(_table_pks(brokerage), start=1)}
    people = sorted({m.request.requester_id for m in meetings} | {m.request.recipient_id for m in meetings})
    return scheduler.Problem(
        participants=people,
        n_slots=len(slots),
        n_tables=len(rank),
        meetings=[
            scheduler.Meeting(
                a=m.request.requester_id,
                b=m.request.recipient_id,
                fixed_slot=number_of[m.slot_id] if m.slot_id and m.locked else None,
                weight=m.request.priority,
                previous_slot=number_of[m.slot_id] if m.slot_id else None,
                previous_table=rank.get(m.table_id) if m.slot_id else None,
            )
            for m in meetings
        ],
        forbidden={p: frozenset(number_of[s] for s in off) for p, off in unavailable_slots(people).items()},
        fairness=FAIRNESS,
        name=str(brokerage),
    )


def _table_pks(brokerage: Brokerage) -> list[int]:
    return list(brokerage.tables.order_by("position", "pk").values_list("pk", flat=True))


def unavailable_slots(participant_ids) -> dict[int, set[int]]:
    """Participant id → the ids of the slots they cannot attend (empty set for the others)."""
    out: dict[int, set[int]] = defaultdict(set)
    through = Participant.unavailable.through
    for participant_id, slot_id in through.objects.filter(participant_id__in=participant_ids).values_list(
        "participant_id", "slot_id"
    ):
        out[participant_id].add(slot_id)
    return out


@transaction.atomic
def start_run(*, brokerage: Brokerage, actor, time_limit: int = 10) -> ScheduleRun:
    from jumelage.brokerage import tasks

    if not 1 <= time_limit <= 600:
        raise ValidationError(_("The time limit must be between 1 and 600 seconds."))
    if not schedulable(brokerage).exists():
        raise ValidationError(_("There is no accepted meeting to schedule yet."))
    if brokerage.runs.filter(status__in=[ScheduleRun.Status.QUEUED, ScheduleRun.Status.RUNNING]).exists():
        raise ValidationError(_("The scheduler is already running for this event; wait for its result."))
    run = ScheduleRun.objects.create(brokerage=brokerage, created_by=actor, time_limit=time_limit)
    log_action(actor=actor, action="brokerage.schedule_run", obj=run, time_limit=time_limit)
    transaction.on_commit(lambda: tasks.run_scheduler.enqueue(run.pk))
    return run


def execute(run: ScheduleRun) -> ScheduleRun:
    """Solve and store the draft. Never raises: the run ends ready or failed, with the reasons."""
    started = time.monotonic()
    ScheduleRun.objects.filter(pk=run.pk).update(status=ScheduleRun.Status.RUNNING)
    brokerage = run.brokerage
    meetings = list(schedulable(brokerage))
    fields: dict = {"requested": len(meetings)}
    try:
        schedule, moved = _solve(brokerage, meetings, run.time_limit)
    except InvalidProblem as exc:
        schedule, moved = None, 0
        fields |= {"status": ScheduleRun.Status.FAILED, "conflicts": _conflicts(exc.conflicts, meetings)}
    if schedule is not None:
        placed = [(m, s, t) for m, s, t in zip(meetings, schedule.slots, schedule.tables, strict=True) if s]
        unplaced = [m for m, s in zip(meetings, schedule.slots, strict=True) if not s]
        conflicts = _conflicts(schedule.conflicts, meetings) + _unplaced_reasons(brokerage, unplaced)
        if not placed:
            fields |= {"status": ScheduleRun.Status.FAILED, "conflicts": conflicts}
        else:
            fields |= {
                "status": ScheduleRun.Status.READY,
                "assignment": _tables(brokerage, placed),
                "placed": len(placed),
                # the solver's bounds are weighted by priority: in meetings, proven means no more fit
                "placed_bound": len(placed)
                if schedule.proven
                else min(len(meetings), brokerage.slots.count() * brokerage.tables.count()),
                "breaks": schedule.breaks,
                "breaks_bound": schedule.bound,
                "proven": schedule.proven,
                "moved": moved,
                "conflicts": conflicts,
            }
    fields |= {"seconds": round(time.monotonic() - started, 2), "finished_at": timezone.now()}
    ScheduleRun.objects.filter(pk=run.pk).update(**fields)
    run.refresh_from_db()
    return run


def _solve(brokerage, meetings, time_limit):
    """One run of the scheduler; with meetings already placed it is a rescheduling: the most meetings
    placed first, then the fewest placed meetings moved, then the fewest breaks (see jumelage.meetings).
    Returns (schedule, number of placed meetings whose slot or table changes)."""
    workers = getattr(settings, "SCHEDULER_WORKERS", 2)
    schedule = scheduler.solve(
        build_problem(brokerage, meetings), time_limit=time_limit, workers=workers, allow_unplaced=True
    )
    return schedule, len(schedule.moves)


def _tables(brokerage, placed) -> dict:
    """{meeting_id: [slot_number, table_id]}. The scheduler's tables are ranks in the table order; it
    already keeps a placed meeting's table when it keeps its slot (and its table when free in a new
    slot)."""
    pks = _table_pks(brokerage)
    return {str(meeting.pk): [number, pks[index - 1]] for meeting, number, index in placed}


def _placements(run: ScheduleRun):
    """Each schedulable meeting with its place in the draft: (meeting, slot, table, unchanged); slot and
    table None when the draft leaves it out. Read against the current rows, which only publishing changes
    (a newer run blocks older drafts)."""
    brokerage = run.brokerage
    slots = {s.number: s for s in brokerage.slots.all()}
    tables = {t.pk: t for t in brokerage.tables.all()}
    for m in schedulable(brokerage).select_related("request__requester", "request__recipient"):
        new = run.assignment.get(str(m.pk))
        slot, table = (slots[new[0]], tables.get(new[1])) if new else (None, None)
        unchanged = slot is not None and (m.slot_id, m.table_id) == (slot.pk, table.pk if table else None)
        yield m, slot, table, unchanged


def moves(run: ScheduleRun) -> list[dict]:
    """What publishing this draft changes for the meetings already placed, old → new: one dict per
    meeting whose slot or table changes or that is left out (``new_slot`` None), in slot order."""
    if run.status != ScheduleRun.Status.READY:
        return []
    out = [
        {
            "meeting": m,
            "a": m.request.requester.name,
            "b": m.request.recipient.name,
            "old_slot": m.slot,
            "old_table": m.table,
            "new_slot": slot,
            "new_table": table,
        }
        for m, slot, table, unchanged in _placements(run)
        if m.slot_id is not None and not unchanged
    ]
    out.sort(key=lambda d: (d["old_slot"].number, d["meeting"].pk))
    return out


def draft(run: ScheduleRun) -> list[dict]:
    """The draft's meetings in time and table order: when, where, who meets whom, and what it changes
    for that meeting ("new": not yet in the published schedule, "moved", "same"), so that organisers
    see the whole schedule before they publish it."""
    if run.status != ScheduleRun.Status.READY:
        return []
    rows = [
        {
            "slot": slot,
            "table": table,
            "a": m.request.requester,
            "b": m.request.recipient,
            "change": "new" if m.slot_id is None else "same" if unchanged else "moved",
        }
        for m, slot, table, unchanged in _placements(run)
        if slot is not None
    ]
    rows.sort(
        key=lambda r: (r["slot"].number, *((r["table"].position, r["table"].name) if r["table"] else (0, "")))
    )
    return rows


def _unplaced_reasons(brokerage, unplaced: list[Meeting]) -> list[dict]:
    """Why each meeting left out could not be placed, in words, naming both participants."""
    if not unplaced:
        return []
    n_slots = brokerage.slots.count()
    off = unavailable_slots(
        {m.request.requester_id for m in unplaced} | {m.request.recipient_id for m in unplaced}
    )
    out = []
    for m in unplaced:
        a, b = m.request.requester, m.request.recipient
        names = {"a": a.name, "b": b.name}
        if len(off[a.pk]) >= n_slots or len(off[b.pk]) >= n_slots:
            who = a if len(off[a.pk]) >= n_slots else b
            constraint = "availability"
            message = _(
                "%(name)s is unavailable for every slot, so the meeting %(a)s – %(b)s cannot be placed."
            ) % {
                "name": who.name,
                **names,
            }
        elif len(off[a.pk] | off[b.pk]) >= n_slots:
            constraint = "availability"
            message = _("%(a)s and %(b)s have no free slot in common.") % names
        else:
            constraint = "capacity"
            message = (
                _(
                    "No room was left for the meeting %(a)s – %(b)s: in the slots both can attend, the tables or "
                    "their other meetings were taken by meetings of higher priority."
                )
                % names
            )
        out.append({"constraint": constraint, "message": message, "participants": [a.name, b.name]})
    return out


def _conflicts(conflicts, meetings) -> list[dict]:
    names = {}
    for m in meetings:
        names[m.request.requester_id] = m.request.requester.name
        names[m.request.recipient_id] = m.request.recipient.name
    return [
        {
            "constraint": c.constraint,
            "message": c.message,
            "participants": [names.get(p, str(p)) for p in c.participants],
        }
        for c in conflicts
    ]


@transaction.atomic
def publish(*, run: ScheduleRun, actor) -> list[int]:
    """Apply a draft: every meeting takes its slot and table, seats are written (the database refuses a
    double booking), participants whose agenda changed are told. Returns their ids."""
    brokerage = Brokerage.objects.select_for_update().get(pk=run.brokerage_id)
    run = ScheduleRun.objects.select_for_update().get(pk=run.pk)
    if run.status != ScheduleRun.Status.READY:
        raise ValidationError(_("Only a draft that is ready can be published."))
    newer = brokerage.runs.filter(created_at__gt=run.created_at)
    if newer.filter(
        status__in=[ScheduleRun.Status.QUEUED, ScheduleRun.Status.RUNNING, ScheduleRun.Status.READY]
    ).exists():
        raise ValidationError(_("A newer run exists: publish that one or discard it first."))
    from jumelage.brokerage import notify

    moved_payload = notify.moves_payload(moves(run))  # read while the run is still the draft
    slots = {s.number: s for s in brokerage.slots.all()}
    meetings = {m.pk: m for m in schedulable(brokerage)}
    before = {m.pk: (m.slot_id, m.table_id) for m in meetings.values()}
    movable = [m for m in meetings.values() if not m.locked]
    MeetingSeat.objects.filter(meeting__in=movable).delete()
    Meeting.objects.filter(pk__in=[m.pk for m in movable]).update(slot=None, table=None)
    seats = []
    for key, (number, table_id) in run.assignment.items():
        meeting = meetings.get(int(key))
        if meeting is None or meeting.locked:  # cancelled since the run, or locked: left as it is
            continue
        meeting.slot, meeting.table_id = slots[number], table_id
        meeting.save(update_fields=["slot", "table", "updated_at"])
        seats += [
            MeetingSeat(meeting=meeting, participant_id=p, slot=meeting.slot)
            for p in (meeting.request.requester_id, meeting.request.recipient_id)
        ]
    MeetingSeat.objects.bulk_create(seats)
    changed: set[int] = set()
    moved = []
    for m in Meeting.objects.filter(pk__in=meetings).select_related("request"):
        if (m.slot_id, m.table_id) != before[m.pk]:
            changed |= {m.request.requester_id, m.request.recipient_id}
            if before[m.pk][0] is not None:
                moved.append(m.pk)
    run.status = ScheduleRun.Status.PUBLISHED
    run.save(update_fields=["status", "updated_at"])
    brokerage.runs.filter(status=ScheduleRun.Status.READY).update(status=ScheduleRun.Status.DISCARDED)
    brokerage.status, brokerage.published_at = Brokerage.Status.SCHEDULED, timezone.now()
    brokerage.save(update_fields=["status", "published_at", "updated_at"])
    log_action(
        actor=actor, action="brokerage.publish", obj=run, changed_agendas=len(changed), moved=sorted(moved)
    )
    ids = sorted(changed)
    transaction.on_commit(lambda: notify.agenda_changed(brokerage.pk, ids, moved=moved_payload))
    return ids


@transaction.atomic
def discard(*, run: ScheduleRun, actor) -> ScheduleRun:
    if run.status not in (ScheduleRun.Status.READY, ScheduleRun.Status.FAILED):
        raise ValidationError(_("Only a draft can be discarded."))
    run.status = ScheduleRun.Status.DISCARDED
    run.save(update_fields=["status", "updated_at"])
    log_action(actor=actor, action="brokerage.discard", obj=run)
    return run
