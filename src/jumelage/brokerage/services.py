"""Writing the brokerage. Pages, API and commands all come through these functions.

Each function is keyword-only, runs in one transaction, validates before writing and leaves an audit
entry. A refusal is a ValidationError whose message says what is wrong and for whom.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jumelage.brokerage.models import (
    Brokerage,
    Meeting,
    MeetingRequest,
    MeetingSeat,
    MeetingSession,
    Participant,
    Slot,
    Table,
)
from jumelage.core.audit import log_action

LIVE = (MeetingRequest.Status.PENDING, MeetingRequest.Status.ACCEPTED)


# --- Setup ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionSpec:
    name: str
    starts_at: dt.datetime
    ends_at: dt.datetime


def plan_slots(sessions: list[SessionSpec], *, meeting_minutes: int, pause_minutes: int) -> list[list[tuple]]:
    """The slots of each session: as many meetings of `meeting_minutes` (each followed by a pause) as
    fit between its start and end. Pure; raises ValidationError naming the session that is wrong."""
    if not sessions:
        raise ValidationError(_("Add at least one session (for example a morning from 9:00 to 12:30)."))
    ordered = sorted(sessions, key=lambda s: s.starts_at)
    for a, b in itertools.pairwise(ordered):
        if b.starts_at < a.ends_at:
            raise ValidationError(_("The sessions “%(a)s” and “%(b)s” overlap.") % {"a": a.name, "b": b.name})
    length, step = (
        dt.timedelta(minutes=meeting_minutes),
        dt.timedelta(minutes=meeting_minutes + pause_minutes),
    )
    plan = []
    for s in ordered:
        if s.ends_at <= s.starts_at:
            raise ValidationError(_("The session “%(name)s” ends before it starts.") % {"name": s.name})
        slots, start = [], s.starts_at
        while start + length <= s.ends_at:
            slots.append((start, start + length))
            start += step
        if not slots:
            raise ValidationError(
                _("The session “%(name)s” is shorter than one %(minutes)s-minute meeting.")
                % {"name": s.name, "minutes": meeting_minutes}
            )
        plan.append(slots)
    return plan


def parse_tables(lines: list[str]) -> list[tuple[str, str]]:
    """Table lines, "Name" or "Name | https://video-link", as (name, link) pairs; blank lines skipped.
    A link that is not a web address is refused, naming the table."""
    validate = URLValidator(schemes=["https", "http"])
    places = []
    for line in lines:
        name, _bar, link = (part.strip() for part in line.partition("|"))
        if not name and not link:
            continue
        if not name:
            raise ValidationError(
                _("The video link “%(link)s” has no table name before it.") % {"link": link}
            )
        if link:
            try:
                validate(link)
            except ValidationError:
                raise ValidationError(
                    _("The video link of table “%(name)s” is not a web address: %(link)s")
                    % {"name": name, "link": link}
                ) from None
        places.append((name, link))
    return places


@transaction.atomic
def configure(
    *,
    event,
    actor,
    sessions: list[SessionSpec],
    tables: list[str],
    meeting_minutes: int = 20,
    pause_minutes: int = 5,
    max_meetings: int = 8,
    max_requests: int = 15,
    requests_close_at=None,
    answers_close_at=None,
    online_allowed: bool = False,
) -> Brokerage:
    """Create or change the brokerage of an event: sessions cut into slots, named tables, quotas,
    deadlines.

    Saving the same sessions and tables keeps the slots and tables as they are, with the participants'
    availability and the meetings placed in them: changing a deadline, a quota or a table's video
    link touches nothing else. New sessions or tables replace the old ones (a participant's
    unavailable slot is kept where a new slot has the same times), which is refused once meetings are
    placed in them."""
    brokerage = Brokerage.objects.select_for_update().filter(event=event).first() or Brokerage(event=event)
    places = parse_tables(tables)
    names = [name for name, _link in places]
    if not names:
        raise ValidationError(_("Add at least one table."))
    if len(set(names)) != len(names):
        raise ValidationError(_("Two tables have the same name; give each table its own name."))
    if online_allowed:
        missing = [name for name, link in places if not link]
        if missing:
            raise ValidationError(
                _(
                    "Online meetings are allowed: give every table the video link where online participants "
                    "join it (“Table 1 | https://…”). Missing for: %(tables)s."
                )
                % {"tables": ", ".join(missing)}
            )
    elif brokerage.pk and (
        online := list(brokerage.participants.filter(online=True).values_list("name", flat=True))
    ):
        raise ValidationError(
            _("Online meetings cannot be turned off: %(names)s take part online.")
            % {"names": ", ".join(online)}
        )
    for s in sessions:
        if s.starts_at < event.starts_at or s.ends_at > event.ends_at:
            raise ValidationError(
                _("The session “%(name)s” lies outside the event's dates.") % {"name": s.name}
            )
    if requests_close_at and answers_close_at and answers_close_at < requests_close_at:
        raise ValidationError(_("Answers cannot close before requests do."))
    plan = plan_slots(sessions, meeting_minutes=meeting_minutes, pause_minutes=pause_minutes)
    ordered = sorted(sessions, key=lambda s: s.starts_at)
    old_sessions = list(brokerage.sessions.order_by("starts_at")) if brokerage.pk else []
    same_slots = brokerage.pk is not None and [[tuple(t) for t in slots] for slots in plan] == [
        list(session.slots.order_by("number").values_list("starts_at", "ends_at")) for session in old_sessions
    ]
    same_tables = brokerage.pk is not None and names == list(
        brokerage.tables.order_by("position").values_list("name", flat=True)
    )
    if (
        not (same_slots and same_tables)
        and brokerage.pk
        and brokerage.meetings.filter(slot__isnull=False).exists()
    ):
        raise ValidationError(
            _(
                "Meetings are already placed in these slots and tables: the sessions, the meeting length and "
                "the tables can no longer change (the deadlines, quotas and video links still can)."
            )
        )
    brokerage.meeting_minutes = meeting_minutes
    brokerage.pause_minutes = pause_minutes
    brokerage.max_meetings = max_meetings
    brokerage.max_requests = max_requests
    brokerage.requests_close_at = requests_close_at
    brokerage.answers_close_at = answers_close_at
    brokerage.online_allowed = online_allowed
    brokerage.full_clean(exclude=["event"])
    brokerage.save()
    if same_slots:
        # the same slots: only the sessions' names or bounds may have changed
        for session, spec in zip(old_sessions, ordered, strict=True):
            session.name, session.starts_at, session.ends_at = spec.name, spec.starts_at, spec.ends_at
            session.save(update_fields=["name", "starts_at", "ends_at"])
    else:
        _replace_slots(brokerage, ordered, plan)
    if same_tables:
        for table, (_name, link) in zip(brokerage.tables.order_by("position"), places, strict=True):
            if table.video_link != link:
                table.video_link = link
                table.save(update_fields=["video_link"])
    else:
        brokerage.tables.all().delete()  # none holds a meeting: checked above
        Table.objects.bulk_create(
            Table(brokerage=brokerage, name=name, video_link=link, position=i)
            for i, (name, link) in enumerate(places)
        )
    log_action(
        actor=actor, action="brokerage.configure", obj=brokerage, slots=sum(map(len, plan)), tables=len(names)
    )
    return brokerage


def _replace_slots(brokerage: Brokerage, sessions: list[SessionSpec], plan) -> None:
    """New sessions and slots for ``brokerage`` (no meeting is placed in the old ones). Participants keep
    their unavailable slots where a new slot has the same times."""
    through = Participant.unavailable.through
    marks = list(
        through.objects.filter(participant__brokerage=brokerage).values_list(
            "participant_id", "slot__starts_at", "slot__ends_at"
        )
    )
    brokerage.sessions.all().delete()  # cascades to the slots and the availability marks
    by_time = {}
    number = 0
    for spec, slots in zip(sessions, plan, strict=True):
        session = MeetingSession.objects.create(
            brokerage=brokerage, name=spec.name, starts_at=spec.starts_at, ends_at=spec.ends_at
        )
        for start, end in slots:
            number += 1
            slot = Slot.objects.create(
                brokerage=brokerage, session=session, number=number, starts_at=start, ends_at=end
            )
            by_time[start, end] = slot.pk
    through.objects.bulk_create(
        through(participant_id=pid, slot_id=by_time[start, end])
        for pid, start, end in marks
        if (start, end) in by_time
    )


@transaction.atomic
def open_requests(*, brokerage: Brokerage, actor) -> Brokerage:
    if not brokerage.slots.exists() or not brokerage.tables.exists():
        raise ValidationError(_("Set up the sessions and tables before opening requests."))
    brokerage.status = Brokerage.Status.OPEN
    brokerage.save(update_fields=["status", "updated_at"])
    log_action(actor=actor, action="brokerage.open", obj=brokerage)
    return brokerage


# --- Participants -----------------------------------------------------------------------------------------


def confirmed_registration(event, user):
    """The user's confirmed registration for the event (None: they may not take part in its meetings)."""
    return event.registrations.filter(user=user, status="confirmed").first()


@transaction.atomic
def join(
    *,
    brokerage: Brokerage,
    user,
    organisation=None,
    offers: str = "",
    seeks: str = "",
    themes=(),
    unavailable=(),
    online: bool = False,
) -> Participant:
    """Register `user` as a participant (on site, or online where the organisers allow it). They must
    hold a confirmed registration for the event."""
    event = brokerage.event
    registration = confirmed_registration(event, user)
    if registration is None:
        raise ValidationError(
            _("Register for the event first: only confirmed attendees take part in the meetings.")
        )
    if Participant.objects.filter(brokerage=brokerage, user=user).exists():
        raise ValidationError(_("You already take part in these meetings."))
    if online and not brokerage.online_allowed:
        raise ValidationError(_("The organisers hold these meetings on site only: take part on site."))
    participant = Participant(
        brokerage=brokerage,
        user=user,
        organisation=organisation or registration.organisation,
        name=registration.name,
        email=registration.email,
        # the language chosen when registering for this event, else the account's
        language=registration.language or getattr(user, "language", ""),
        offers=offers,
        seeks=seeks,
        online=online,
    )
    participant.full_clean()
    participant.save()
    participant.themes.set(themes)
    set_availability(participant=participant, unavailable=unavailable, actor=user)
    log_action(actor=user, action="brokerage.join", obj=participant)
    return participant


@transaction.atomic
@transaction.atomic
def update_participation(
    *,
    participant: Participant,
    actor,
    offers: str,
    seeks: str,
    themes=(),
    unavailable=(),
    online: bool = False,
) -> Participant:
    """Change what a participant offers and seeks, their themes, their availability and whether they
    take part online. A slot they already have a meeting in stays available (see set_availability)."""
    brokerage = participant.brokerage
    if online and not participant.online and not brokerage.online_allowed:
        raise ValidationError(_("The organisers hold these meetings on site only: take part on site."))
    participant.offers, participant.seeks, participant.online = offers, seeks, online
    participant.full_clean()
    set_availability(participant=participant, unavailable=unavailable, actor=actor)
    participant.save()
    participant.themes.set(themes)
    log_action(actor=actor, action="brokerage.update_participation", obj=participant)
    return participant


@dataclass(frozen=True)
class Cancelled:
    """An agreed meeting that ended because one side left: who is left, and when and where it was."""

    other: Participant
    slot: Slot | None
    table: Table | None


@transaction.atomic
def leave(*, participant: Participant, actor) -> list[Cancelled]:
    """The participant leaves the B2B meetings: their requests, sent and received, and their agreed
    meetings go with them (the freed slots and tables can be scheduled again), and their participation
    is erased. Returns the agreed meetings that ended, for the other sides to be told."""
    ended = []
    for request in (
        MeetingRequest.objects.select_for_update(of=("self",))  # the meeting's slot and table may be null
        .filter(Q(requester=participant) | Q(recipient=participant), status=MeetingRequest.Status.ACCEPTED)
        .select_related("requester", "recipient", "meeting__slot", "meeting__table")
    ):
        other = request.recipient if request.requester_id == participant.pk else request.requester
        meeting = getattr(request, "meeting", None)
        ended.append(Cancelled(other, meeting.slot if meeting else None, meeting.table if meeting else None))
    brokerage = participant.brokerage
    participant.delete()  # cascades to their requests, meetings and seats
    log_action(actor=actor, action="brokerage.leave", obj=brokerage, meetings_ended=len(ended))
    return ended


def set_availability(*, participant: Participant, unavailable, actor) -> None:
    """The slots the participant cannot attend. A slot where they already have a scheduled meeting
    can't be made unavailable without cancelling that meeting first."""
    slots = list(
        Slot.objects.filter(
            brokerage=participant.brokerage, pk__in=[getattr(s, "pk", s) for s in unavailable]
        )
    )
    if len(slots) != len(set(unavailable)):
        raise ValidationError(_("Some of the slots given are not slots of this event."))
    busy = MeetingSeat.objects.filter(participant=participant, slot__in=slots).select_related("slot")
    if busy:
        raise ValidationError(
            _("You already have a meeting at %(time)s; cancel it before marking that slot unavailable.")
            % {"time": ", ".join(str(s.slot) for s in busy)}
        )
    participant.unavailable.set(slots)
    log_action(actor=actor, action="brokerage.availability", obj=participant, unavailable=len(slots))


# --- Requests ---------------------------------------------------------------------------------------------


def _check_open(brokerage: Brokerage, deadline, passed: str) -> None:
    """`passed` is the message when `deadline` is over."""
    if brokerage.status == Brokerage.Status.SETUP:
        raise ValidationError(_("Meeting requests are not open yet."))
    if deadline is not None and timezone.now() > deadline:
        raise ValidationError(passed)


def _accepted_count(participant: Participant) -> int:
    return MeetingRequest.objects.filter(
        Q(requester=participant) | Q(recipient=participant), status=MeetingRequest.Status.ACCEPTED
    ).count()


def _limit(participant: Participant) -> int:
    return participant.max_meetings or participant.brokerage.max_meetings


@transaction.atomic
def send_request(*, requester: Participant, recipient: Participant, message: str = "") -> MeetingRequest:
    """Ask `recipient` for a meeting. If they had already asked us, that is mutual interest: their
    request is accepted at once (it becomes a meeting) and no second request is made."""
    brokerage = Brokerage.objects.select_for_update().get(pk=requester.brokerage_id)
    _check_open(brokerage, brokerage.requests_close_at, _("The deadline for meeting requests has passed."))
    if recipient.brokerage_id != brokerage.pk:
        raise ValidationError(_("This person does not take part in these meetings."))
    if recipient.pk == requester.pk:
        raise ValidationError(_("You cannot ask for a meeting with yourself."))
    if len(message) > 2000:
        raise ValidationError(_("The message is too long (2,000 characters at most)."))
    if MeetingRequest.objects.filter(requester=requester, recipient=recipient, status__in=LIVE).exists():
        raise ValidationError(_("You have already asked %(name)s for a meeting.") % {"name": recipient.name})
    if MeetingRequest.objects.filter(
        requester=requester, recipient=recipient, status=MeetingRequest.Status.DECLINED
    ).exists():
        raise ValidationError(
            _("%(name)s has declined your request: you cannot ask again.") % {"name": recipient.name}
        )
    reverse = MeetingRequest.objects.filter(requester=recipient, recipient=requester, status__in=LIVE).first()
    if reverse is not None:
        if reverse.status == MeetingRequest.Status.ACCEPTED:
            raise ValidationError(_("You already have a meeting with %(name)s.") % {"name": recipient.name})
        reverse.mutual = True
        reverse.save(update_fields=["mutual", "updated_at"])
        return answer(request=reverse, by=requester, accept=True)
    sent = MeetingRequest.objects.filter(requester=requester, status__in=LIVE).count()
    if sent >= brokerage.max_requests:
        raise ValidationError(
            _("You have sent %(n)s requests, the most allowed. Withdraw one to send another.") % {"n": sent}
        )
    request = MeetingRequest.objects.create(
        brokerage=brokerage, requester=requester, recipient=recipient, message=message
    )
    log_action(actor=requester.user, action="brokerage.request", obj=request)
    return request


@transaction.atomic
def answer(*, request: MeetingRequest, by: Participant, accept: bool, reason: str = "") -> MeetingRequest:
    request = MeetingRequest.objects.select_for_update().select_related("brokerage").get(pk=request.pk)
    brokerage = request.brokerage
    if by.pk != request.recipient_id:
        raise ValidationError(_("Only the person asked may answer this request."))
    if request.status != MeetingRequest.Status.PENDING:
        raise ValidationError(_("This request was already answered or withdrawn."))
    _check_open(brokerage, brokerage.answers_close_at, _("The deadline for answering requests has passed."))
    if accept:
        for side in (request.requester, request.recipient):
            if _accepted_count(side) >= _limit(side):
                raise ValidationError(
                    _("%(name)s already has %(n)s meetings, the most allowed.")
                    % {"name": side.name, "n": _limit(side)}
                )
        request.status = MeetingRequest.Status.ACCEPTED
        Meeting.objects.create(brokerage=brokerage, request=request)
    else:
        request.status = MeetingRequest.Status.DECLINED
        request.reason = reason[:2000]
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "reason", "answered_at", "updated_at"])
    log_action(actor=by.user, action="brokerage.accept" if accept else "brokerage.decline", obj=request)
    return request


@transaction.atomic
def withdraw(*, request: MeetingRequest, by: Participant) -> MeetingRequest:
    """The requester withdraws a request; an accepted one is cancelled, freeing its slot and table."""
    request = MeetingRequest.objects.select_for_update().get(pk=request.pk)
    if by.pk not in (request.requester_id, request.recipient_id if request.status == "accepted" else None):
        raise ValidationError(_("Only the person who asked may withdraw this request."))
    if request.status not in LIVE:
        raise ValidationError(_("This request is no longer open."))
    if request.status == MeetingRequest.Status.ACCEPTED:
        request.status = MeetingRequest.Status.CANCELLED
        meeting = getattr(request, "meeting", None)
        if meeting is not None:
            meeting.seats.all().delete()
            meeting.status, meeting.slot, meeting.table = Meeting.Status.CANCELLED, None, None
            meeting.save(update_fields=["status", "slot", "table", "updated_at"])
    else:
        request.status = MeetingRequest.Status.WITHDRAWN
    request.save(update_fields=["status", "updated_at"])
    log_action(actor=by.user, action="brokerage.withdraw", obj=request)
    return request


@transaction.atomic
def organiser_meeting(
    *,
    brokerage: Brokerage,
    a: Participant,
    b: Participant,
    actor,
    slot: Slot | None = None,
    table: Table | None = None,
) -> Meeting:
    """An organiser arranges a meeting (hosted-buyer style), optionally locked to a slot and table."""
    if a.pk == b.pk:
        raise ValidationError(_("A meeting needs two different participants."))
    if {a.brokerage_id, b.brokerage_id} != {brokerage.pk}:
        raise ValidationError(_("Both participants must take part in these meetings."))
    if MeetingRequest.objects.filter(
        Q(requester=a, recipient=b) | Q(requester=b, recipient=a), status=MeetingRequest.Status.ACCEPTED
    ).exists():
        raise ValidationError(_("%(a)s and %(b)s already have a meeting.") % {"a": a.name, "b": b.name})
    MeetingRequest.objects.filter(
        Q(requester=a, recipient=b) | Q(requester=b, recipient=a), status=MeetingRequest.Status.PENDING
    ).update(status=MeetingRequest.Status.WITHDRAWN)
    request = MeetingRequest.objects.create(
        brokerage=brokerage,
        requester=a,
        recipient=b,
        status=MeetingRequest.Status.ACCEPTED,
        by_organiser=True,
        answered_at=timezone.now(),
    )
    meeting = Meeting.objects.create(brokerage=brokerage, request=request)
    log_action(actor=actor, action="brokerage.organiser_meeting", obj=meeting)
    if slot is not None:
        meeting = lock(meeting=meeting, slot=slot, table=table, actor=actor)
    return meeting


@transaction.atomic
def lock(*, meeting: Meeting, slot: Slot, table: Table | None, actor) -> Meeting:
    """Lock a meeting to a slot (and a table): the scheduler will not move it. Refused with the reason
    when the table or one of the two participants is already taken at that time."""
    meeting = Meeting.objects.select_for_update().select_related("request").get(pk=meeting.pk)
    if slot.brokerage_id != meeting.brokerage_id or (
        table is not None and table.brokerage_id != meeting.brokerage_id
    ):
        raise ValidationError(_("That slot or table belongs to another event."))
    a, b = meeting.request.requester, meeting.request.recipient
    for p in (a, b):
        if p.unavailable.filter(pk=slot.pk).exists():
            raise ValidationError(
                _("%(name)s is not available at %(time)s.") % {"name": p.name, "time": slot}
            )
    if table is None:
        taken = set(
            Meeting.objects.filter(slot=slot).exclude(pk=meeting.pk).values_list("table_id", flat=True)
        )
        table = next((t for t in meeting.brokerage.tables.all() if t.pk not in taken), None)
        if table is None:
            raise ValidationError(_("Every table is taken at %(time)s.") % {"time": slot})
    before = {"old_slot": meeting.slot_id, "old_table": meeting.table_id}
    meeting.seats.all().delete()
    meeting.slot, meeting.table, meeting.locked = slot, table, True
    try:
        with transaction.atomic():
            meeting.save(update_fields=["slot", "table", "locked", "updated_at"])
            MeetingSeat.objects.bulk_create(
                MeetingSeat(meeting=meeting, participant=p, slot=slot) for p in (a, b)
            )
    except IntegrityError:
        raise ValidationError(
            _("At %(time)s, table %(table)s or one of the two participants is already in another meeting.")
            % {"time": slot, "table": table}
        ) from None
    log_action(actor=actor, action="brokerage.lock", obj=meeting, slot=slot.number, table=table.name)
    if (before["old_slot"], before["old_table"]) != (slot.pk, table.pk):
        # the meeting is on both agendas now (or has moved there): both are told, with where it was
        from jumelage.brokerage import notify

        move = [{"meeting": meeting.pk, **before, "new_slot": slot.pk, "new_table": table.pk}]
        ids = [a.pk, b.pk]
        transaction.on_commit(
            lambda: notify.agenda_changed(
                meeting.brokerage_id, ids, moved=move if before["old_slot"] else None
            )
        )
    return meeting


@transaction.atomic
def unlock(*, meeting: Meeting, actor) -> Meeting:
    meeting.locked = False
    meeting.save(update_fields=["locked", "updated_at"])
    log_action(actor=actor, action="brokerage.unlock", obj=meeting)
    return meeting


# --- On site ----------------------------------------------------------------------------------------------


@transaction.atomic
def confirm(*, meeting: Meeting, by: Participant, held: bool, rating: int | None = None) -> MeetingSeat:
    """One side confirms the meeting took place (and rates it 1–5) or reports it did not. When both
    sides confirm, the meeting is held; when either reports it did not happen, it is a no-show."""
    seat = MeetingSeat.objects.select_for_update().filter(meeting=meeting, participant=by).first()
    if seat is None:
        raise ValidationError(_("You are not in this meeting."))
    if meeting.slot is None or timezone.now() < meeting.slot.starts_at:
        raise ValidationError(_("You can confirm a meeting once its time has come."))
    if rating is not None and not 1 <= rating <= 5:
        raise ValidationError(_("Give a rating from 1 to 5."))
    seat.held, seat.rating = held, (rating if held else None)
    seat.save(update_fields=["held", "rating"])
    answers = list(meeting.seats.values_list("held", flat=True))
    was_held = meeting.status == Meeting.Status.HELD
    if False in answers:
        meeting.status = Meeting.Status.NO_SHOW
    elif all(answers):
        meeting.status = Meeting.Status.HELD
    meeting.save(update_fields=["status", "updated_at"])
    log_action(actor=by.user, action="brokerage.confirm", obj=meeting, held=held, rating=seat.rating)
    if meeting.status == Meeting.Status.HELD and not was_held:
        _enter_pipeline(meeting, actor=by.user)
    return seat


def _enter_pipeline(meeting: Meeting, *, actor) -> int:
    """A meeting both sides confirmed enters the partnership pipeline, credited to the event's lead
    partner: the partnerships under way between the two organisations (either way round) that were only
    introduced move to "met"; when none is under way, a partnership starts from the meeting (introduced
    when the request was accepted, met that day). Returns how many partnerships moved or started."""
    from jumelage.opportunities import services as partnerships
    from jumelage.opportunities.models import FINAL_STAGES, Introduction, Stage

    request = meeting.request
    a, b = request.requester.organisation, request.recipient.organisation
    if a is None or b is None or a.pk == b.pk:
        return 0
    under_way = Introduction.objects.exclude(stage__in=FINAL_STAGES).filter(
        Q(first_organisation=a, second_organisation=b) | Q(first_organisation=b, second_organisation=a)
    )
    event = meeting.brokerage.event
    lead = event.partners.select_related("ecosystem", "node__ecosystem").filter(role="lead").first()
    credit = {"ecosystem": lead.home_ecosystem if lead else None, "node": lead.node if lead else None}
    note = _("B2B meeting at %(event)s") % {"event": event.title}
    held_on = timezone.localdate(meeting.slot.starts_at)
    if not under_way.exists():
        try:
            partnerships.introduce_at_meeting(
                actor=actor,
                first=a,
                second=b,
                event=event,
                introduced_on=timezone.localdate(request.answered_at or meeting.created_at),
                met_on=held_on,
                note=note,
                **credit,
            )
        except ValidationError:  # nobody to credit it to (no lead partner, neither side a member)
            return 0
        return 1
    moved = 0
    for introduction in under_way.filter(stage=Stage.INTRODUCED):
        # introduced after they met (the same day, or the B2B meeting came first): dated no earlier
        last = introduction.steps.order_by("-happened_on").values_list("happened_on", flat=True).first()
        partnerships.record_step(
            actor=actor,
            introduction=introduction,
            stage=Stage.MET,
            happened_on=max(held_on, last) if last else held_on,
            note=note,
            **credit,
        )
        moved += 1
    return moved
