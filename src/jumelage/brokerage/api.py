"""The B2B brokerage through the API: the same services and permissions as the pages."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.decorators import decorate_view
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from jumelage.brokerage import agenda, notify, queries, scheduling, services
from jumelage.brokerage.models import Brokerage, MeetingRequest, Participant, ScheduleRun
from jumelage.core.api_auth import idempotent
from jumelage.events.models import Event

router = Router(tags=["B2B meetings"])


def _brokerage(request, slug: str, perm: str) -> Brokerage:
    event = Event.objects.filter(slug=slug).first()
    if event is None or not request.user.has_perm("events.view_event", event):
        raise Http404("No such event.")
    brokerage = Brokerage.objects.filter(event=event).first()
    if brokerage is None:
        raise Http404("This event has no B2B meetings.")
    if not request.user.has_perm(perm, brokerage):
        raise PermissionDenied("You may not do this for these B2B meetings.")
    return brokerage


def _me(request, brokerage) -> Participant:
    participant = Participant.objects.filter(brokerage=brokerage, user=request.user).first()
    if participant is None:  # an admin passes every permission check but takes part in nothing
        raise PermissionDenied("You do not take part in these B2B meetings.")
    return participant


class ParticipantOut(Schema):
    id: int
    name: str
    organisation: str | None = Field(None, validation_alias="organisation.name")
    country: str | None = Field(None, validation_alias="organisation.country")
    offers: str
    seeks: str
    online: bool = Field(description="Takes part online (through the tables' video links).")


class RequestIn(Schema):
    recipient: int = Field(description="Participant id of the person to meet.")
    message: str = Field("", max_length=2000)


class AnswerIn(Schema):
    accept: bool
    reason: str = Field("", max_length=2000)


class RequestOut(Schema):
    id: int
    requester: int = Field(validation_alias="requester_id")
    recipient: int = Field(validation_alias="recipient_id")
    message: str
    status: str
    mutual: bool
    by_organiser: bool


class AgendaItem(Schema):
    meeting: int
    starts_at: datetime
    ends_at: datetime
    table: str
    where: str = Field(description="The table, or online, in the caller's language.")
    video_link: str = Field(description="The table's video link when one side takes part online, else empty.")
    with_participant: int
    with_name: str


class RunIn(Schema):
    time_limit: int = Field(10, ge=1, le=600)


class RunOut(Schema):
    id: int
    status: str
    requested: int
    placed: int
    placed_bound: int | None
    breaks: int | None
    breaks_bound: int | None
    moved: int
    proven: bool
    conflicts: list[dict]


@router.get("/events/{slug}/b2b/participants", response=list[ParticipantOut])
@paginate
def list_participants(request, slug: str, q: str = "", country: str = "", theme: str = ""):
    """The participants' catalogue (participants and partner staff), as on the page: `q` searches names,
    organisations, offers and requests; `country` (ISO code) and `theme` (theme code) filter."""
    brokerage = _brokerage(request, slug, "brokerage.view_catalogue")
    return queries.catalogue(brokerage, q=q.strip(), country=country.strip(), theme=theme.strip())


@router.post("/events/{slug}/b2b/requests", response={201: RequestOut})
@decorate_view(idempotent)
def send_request(request, slug: str, payload: RequestIn):
    """Ask a participant for a meeting; if they had asked you, the meeting is agreed at once (200-like 201
    with status `accepted`)."""
    brokerage = _brokerage(request, slug, "brokerage.take_part")
    me = _me(request, brokerage)
    recipient = get_object_or_404(Participant, brokerage=brokerage, pk=payload.recipient)
    made = services.send_request(requester=me, recipient=recipient, message=payload.message)
    if made.status == MeetingRequest.Status.ACCEPTED:
        notify.request_answered(made)
    else:
        notify.request_received(made)
    return Status(201, made)


@router.get("/events/{slug}/b2b/requests", response=list[RequestOut])
def my_requests(request, slug: str):
    brokerage = _brokerage(request, slug, "brokerage.take_part")
    me = _me(request, brokerage)
    return list(MeetingRequest.objects.filter(Q(requester=me) | Q(recipient=me), brokerage=brokerage))


@router.post("/events/{slug}/b2b/requests/{request_id}/answer", response=RequestOut)
def answer_request(request, slug: str, request_id: int, payload: AnswerIn):
    brokerage = _brokerage(request, slug, "brokerage.take_part")
    me = _me(request, brokerage)
    found = get_object_or_404(MeetingRequest, brokerage=brokerage, pk=request_id)
    answered = services.answer(request=found, by=me, accept=payload.accept, reason=payload.reason)
    notify.request_answered(answered)
    return answered


@router.post("/events/{slug}/b2b/requests/{request_id}/withdraw", response=RequestOut)
def withdraw_request(request, slug: str, request_id: int):
    """Withdraw your pending request, or cancel an agreed meeting (either side): its slot and table are
    freed and the other side is told by e-mail."""
    brokerage = _brokerage(request, slug, "brokerage.take_part")
    me = _me(request, brokerage)
    found = get_object_or_404(
        MeetingRequest, Q(requester=me) | Q(recipient=me), brokerage=brokerage, pk=request_id
    )
    meeting = getattr(found, "meeting", None)
    slot, table = (meeting.slot, meeting.table) if meeting is not None else (None, None)
    done = services.withdraw(request=found, by=me)
    if done.status == MeetingRequest.Status.CANCELLED:
        other = done.recipient if done.requester_id == me.pk else done.requester
        notify.meeting_cancelled(to=other, by_name=me.name, event=brokerage.event, slot=slot, table=table)
    return done


@router.get("/events/{slug}/b2b/agenda", response=list[AgendaItem])
def my_agenda(request, slug: str):
    brokerage = _brokerage(request, slug, "brokerage.take_part")
    return [
        AgendaItem(
            meeting=e.meeting.pk,
            starts_at=e.slot.starts_at,
            ends_at=e.slot.ends_at,
            table=e.meeting.table.name,
            where=e.place,
            video_link=e.video_link,
            with_participant=e.other.pk,
            with_name=e.other.name,
        )
        for e in agenda.entries(_me(request, brokerage))
    ]


@router.post("/events/{slug}/b2b/runs", response={202: RunOut})
def start_run(request, slug: str, payload: RunIn):
    """Run the scheduler (in the background). Poll the run; nothing changes until it is published."""
    brokerage = _brokerage(request, slug, "brokerage.schedule")
    return Status(
        202, scheduling.start_run(brokerage=brokerage, actor=request.user, time_limit=payload.time_limit)
    )


@router.get("/events/{slug}/b2b/runs/{run_id}", response=RunOut)
def get_run(request, slug: str, run_id: int):
    brokerage = _brokerage(request, slug, "brokerage.schedule")
    return get_object_or_404(ScheduleRun, brokerage=brokerage, pk=run_id)


@router.post("/events/{slug}/b2b/runs/{run_id}/publish", response=RunOut)
def publish_run(request, slug: str, run_id: int):
    brokerage = _brokerage(request, slug, "brokerage.schedule")
    run = get_object_or_404(ScheduleRun, brokerage=brokerage, pk=run_id)
    scheduling.publish(run=run, actor=request.user)
    run.refresh_from_db()
    return run
