"""Calls for proposals through the API: list an event's calls, apply (multipart, with the deck), list
the applications with their ranking (organisers), score one (jurors). Same services as the pages."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from jumelage.api import OptionalSession
from jumelage.core.api_auth import idempotent
from jumelage.directory.models import Organisation
from jumelage.events.models import Call, Submission
from jumelage.events.services import calls as services
from jumelage.events.views.common import get_event

router = Router(tags=["events"])
MANAGE = "events.manage_calls"


class CriterionOut(Schema):
    id: int
    name: str
    weight: int


class CallOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    opens_at: datetime
    closes_at: datetime
    criteria: list[CriterionOut]

    @staticmethod
    def resolve_criteria(obj):
        return list(obj.criteria.all())


class SubmissionOut(Schema):
    id: int
    title: str
    status: str
    organisation: str | None
    speaker_name: str
    stage: str
    asks: list[str]
    video_url: str
    has_deck: bool
    session: int | None
    created_at: datetime

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation.slug if obj.organisation_id else None

    @staticmethod
    def resolve_has_deck(obj):
        return bool(obj.deck)

    @staticmethod
    def resolve_session(obj):
        return obj.session_id


class RankedOut(SubmissionOut):
    rank: int | None
    score: float | None
    jurors_scored: int
    excluded_jurors: list[str]


class SubmissionIn(Schema):
    title: str = Field("", max_length=200, description="Title of the talk (talks).")
    abstract: str = Field(..., min_length=1, max_length=10000)
    speaker_name: str = Field("", max_length=200)
    speaker_email: str = Field("", max_length=254)
    organisation: str | None = Field(None, description="Slug of an organisation you represent.")
    startup_name: str = Field("", max_length=200, description="The startup's name, if not an organisation.")
    stage: str = ""
    asks: list[str] = Field(default_factory=list, description="investment, clients and/or partners.")
    video_url: str = Field("", max_length=300)
    language: str = ""


class ScoresIn(Schema):
    scores: dict[int, int] = Field(..., description="Criterion id -> score from 0 to 5.")
    comment: str = Field("", max_length=5000)


class ScoreOut(Schema):
    criterion: int
    value: int

    @staticmethod
    def resolve_criterion(obj):
        return obj.criterion_id


def _call(event, call_id) -> Call:
    return get_object_or_404(Call.objects.prefetch_related("criteria"), event=event, pk=call_id)


@router.get("/events/{slug}/calls", response=list[CallOut], auth=OptionalSession())
@paginate
def list_calls(request, slug: str):
    """The event's calls for talks and pitches, with their criteria."""
    event = get_event(request, slug)
    return event.calls.prefetch_related("criteria").order_by("closes_at", "pk")


@router.post("/events/{slug}/calls/{call_id}/submissions", response={201: SubmissionOut})
@decorate_view(idempotent)
def create_submission(
    request, slug: str, call_id: int, payload: Form[SubmissionIn], deck: File[UploadedFile] = None
):
    """Apply to a call (multipart/form-data; `deck` is a PDF or PPTX file). 422 with the reason when
    the call is closed, the organisation already applied or the deck is refused; nothing is stored then."""
    event = get_event(request, slug)
    call = _call(event, call_id)
    organisation = None
    if payload.organisation:
        organisation = Organisation.objects.filter(slug=payload.organisation).first()
        if organisation is None:
            raise Http404("No such organisation.")
    submission = services.submit(
        actor=request.user,
        call=call,
        title=payload.title,
        abstract=payload.abstract,
        speaker_name=payload.speaker_name,
        speaker_email=payload.speaker_email,
        organisation=organisation,
        startup_name=payload.startup_name,
        stage=payload.stage,
        asks=payload.asks,
        deck=deck,
        video_url=payload.video_url,
        language=payload.language,
    )
    return Status(201, submission)


@router.get("/events/{slug}/calls/{call_id}/submissions", response=list[RankedOut])
@paginate
def list_submissions(request, slug: str, call_id: int):
    """The applications, best weighted score first, with the jurors excluded from each (organisers)."""
    event = get_event(request, slug, MANAGE)
    call = _call(event, call_id)
    rows = []
    for r in services.ranking(call):
        s = r.submission
        s.rank, s.score, s.jurors_scored = r.rank, r.score, r.jurors_scored
        s.excluded_jurors = [u.username for u in r.excluded_jurors]
        rows.append(s)
    return rows


@router.post("/events/{slug}/calls/{call_id}/submissions/{submission_id}/scores", response=list[ScoreOut])
def score_submission(request, slug: str, call_id: int, submission_id: int, payload: ScoresIn):
    """A juror scores an application on every criterion (0–5). 403 for a juror with a conflict of
    interest; 422 for a score outside 0–5 or a missing criterion."""
    event = get_event(request, slug)
    call = _call(event, call_id)
    submission = get_object_or_404(Submission, call=call, pk=submission_id)
    if services.juror_for(request.user, call) is None:
        raise PermissionDenied("Only the call's jurors may score its submissions.")
    return services.score_submission(
        actor=request.user, submission=submission, values=payload.scores, comment=payload.comment
    )
