"""The co-programming board through the API: list and create proposals, approve or reject, publish.
Same services and permissions as the board page (partner staff read; co-organisers' staff write)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.decorators import decorate_view
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from jumelage.core.api_auth import idempotent
from jumelage.directory.models import Organisation, Person, Theme
from jumelage.events.models import EventPartner, Proposal
from jumelage.events.services import programme as services
from jumelage.events.views.common import get_event

router = Router(tags=["events"])
BOARD = "events.view_programme_board"


class DecisionOut(Schema):
    partner: str
    approved: bool
    comment: str
    decided_at: datetime


class ProposalOut(Schema):
    id: int
    kind: str
    title: str
    details: str
    status: str
    proposed_by: str | None
    proposed_for: str
    theme: str | None
    person: str | None
    speaker_name: str
    organisation: str | None
    audience_query: str
    decisions: list[DecisionOut]
    created_at: datetime

    @staticmethod
    def resolve_proposed_by(obj):
        return obj.proposed_by.username if obj.proposed_by_id else None

    @staticmethod
    def resolve_proposed_for(obj):
        return obj.proposed_for.brand_name

    @staticmethod
    def resolve_theme(obj):
        return obj.theme.code if obj.theme_id else None

    @staticmethod
    def resolve_person(obj):
        return obj.person.name if obj.person_id else None

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation.slug if obj.organisation_id else None

    @staticmethod
    def resolve_decisions(obj):
        return [
            {
                "partner": a.partner.brand_name,
                "approved": a.approved,
                "comment": a.comment,
                "decided_at": a.decided_at,
            }
            for a in obj.approvals.all()
        ]


class ProposalIn(Schema):
    kind: Proposal.Kind
    partner: int | None = Field(None, description="Id of the event partner proposing (default: your first).")
    title: str = Field("", max_length=200)
    details: str = Field("", max_length=5000)
    theme: str | None = Field(None, description="Theme code (kind=theme).")
    person: int | None = Field(None, description="Directory person id (kind=speaker).")
    speaker_name: str = Field("", max_length=200)
    speaker_email: str = Field("", max_length=254)
    organisation: str | None = Field(None, description="Organisation slug (kind=showcase).")
    audience_query: str = Field(
        "", max_length=500, description="Directory filters (kind=mobilise), e.g. country=BE&kind=startup."
    )


class DecisionIn(Schema):
    approved: bool
    comment: str = Field("", max_length=5000)
    partner: int | None = None


class PublishedOut(Schema):
    programme_published_at: datetime | None


def _queryset(event):
    return event.proposals.select_related(
        "proposed_by", "proposed_for__ecosystem", "proposed_for__node", "theme", "person", "organisation"
    ).prefetch_related("approvals__partner__ecosystem", "approvals__partner__node")


@router.get("/events/{slug}/proposals", response=list[ProposalOut])
@paginate
def list_proposals(request, slug: str):
    """The event's programme proposals with each co-organiser's decision (partner staff only)."""
    event = get_event(request, slug, BOARD)
    return _queryset(event).order_by("created_at", "pk")


def _lookup(model, field, value, name):
    if value in (None, ""):
        return None
    obj = model.objects.filter(**{field: value}).first()
    if obj is None:
        raise ValidationError({name: [f"unknown {name} {value!r}"]})
    return obj


@router.post("/events/{slug}/proposals", response={201: ProposalOut})
@decorate_view(idempotent)
def create_proposal(request, slug: str, payload: ProposalIn):
    event = get_event(request, slug, "events.propose")
    partner = None
    if payload.partner is not None:
        partner = EventPartner.objects.filter(event=event, pk=payload.partner).first()
        if partner is None:
            raise ValidationError({"partner": [f"no partner {payload.partner} in this event"]})
    organisation = None
    if payload.organisation:
        organisation = Organisation.objects.filter(slug=payload.organisation, published=True).first()
        if organisation is None:
            raise ValidationError({"organisation": [f"unknown organisation {payload.organisation!r}"]})
    proposal = services.create_proposal(
        actor=request.user,
        event=event,
        kind=payload.kind,
        partner=partner,
        title=payload.title,
        details=payload.details,
        theme=_lookup(Theme, "code", payload.theme, "theme"),
        person=_lookup(Person, "pk", payload.person, "person"),
        speaker_name=payload.speaker_name,
        speaker_email=payload.speaker_email,
        organisation=organisation,
        audience_query=payload.audience_query,
    )
    return Status(201, _queryset(event).get(pk=proposal.pk))


@router.post("/events/{slug}/proposals/{proposal_id}/decision", response=ProposalOut)
def decide_proposal(request, slug: str, proposal_id: int, payload: DecisionIn):
    """Approve or reject a pending proposal for one of your co-organiser partners (a rejection needs a
    comment). 422 when the proposal is no longer pending or your partner already decided."""
    event = get_event(request, slug, "events.propose")
    proposal = get_object_or_404(Proposal, event=event, pk=proposal_id)
    partner = None
    if payload.partner is not None:
        partner = EventPartner.objects.filter(event=event, pk=payload.partner).first()
        if partner is None:
            raise ValidationError({"partner": [f"no partner {payload.partner} in this event"]})
    services.decide_proposal(
        actor=request.user,
        proposal=proposal,
        approved=payload.approved,
        comment=payload.comment,
        partner=partner,
    )
    return _queryset(event).get(pk=proposal.pk)


@router.post("/events/{slug}/programme/publish", response=PublishedOut)
def publish_programme(request, slug: str):
    """Publish the agreed programme; 422 while a proposal is pending or nothing is agreed."""
    event = get_event(request, slug, "events.propose")
    return services.publish_programme(actor=request.user, event=event)
