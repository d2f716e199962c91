"""The partnerships API (mounted under /api/v1/), read-only: the agreements a caller may see, and one
agreement with its parties, action plan, steering meetings and indicators (the same figures as its page)."""

from datetime import date

from django.http import Http404
from ninja import Router, Schema
from ninja.pagination import paginate

from jumelage.api import OptionalSession
from jumelage.partnerships import queries
from jumelage.partnerships.models import Partnership

router = Router(tags=["partnerships"])


class PartyOut(Schema):
    kind: str
    slug: str
    name: str


def _party(party) -> PartyOut:
    brand = party.brand
    return PartyOut(kind="ecosystem" if party.ecosystem_id else "node", slug=brand.slug, name=brand.name)


class PartnershipOut(Schema):
    slug: str
    title: str
    summary: str
    status: str
    signed_on: date | None
    ends_on: date | None
    parties: list[PartyOut]

    @staticmethod
    def resolve_parties(obj):
        return [_party(p) for p in obj.parties.all()]


class ActionOut(Schema):
    title: str
    details: str
    carried_by: str | None
    due_on: date | None
    status: str
    event: str | None

    @staticmethod
    def resolve_carried_by(obj):
        return obj.owner.brand.slug if obj.owner_id else None

    @staticmethod
    def resolve_event(obj):
        return obj.event.slug if obj.event_id else None


class MeetingOut(Schema):
    held_on: date
    place: str
    attendees: str
    decisions: str


class IndicatorOut(Schema):
    label: str
    values: list[int]


class PartnershipDetailOut(PartnershipOut):
    terms_fr: str
    terms_nl: str
    terms_en: str
    actions: list[ActionOut]
    meetings: list[MeetingOut]
    indicators: list[IndicatorOut]

    @staticmethod
    def resolve_actions(obj):
        return list(obj.actions.select_related("owner__ecosystem", "owner__node", "event"))

    @staticmethod
    def resolve_meetings(obj):
        return list(obj.meetings.all())

    @staticmethod
    def resolve_indicators(obj):
        rows = queries.indicators(obj, queries.parties_of(obj))
        return [{"label": row.label, "values": row.values} for row in rows]


def _visible(request):
    return queries.visible_to(request.user).prefetch_related("parties__ecosystem", "parties__node")


@router.get("/partnerships", response=list[PartnershipOut], auth=OptionalSession())
@paginate
def list_partnerships(request):
    """The partnerships the caller may see, by title."""
    return _visible(request).order_by("title", "pk")


@router.get("/partnerships/{slug}", response=PartnershipDetailOut, auth=OptionalSession())
def get_partnership(request, slug: str):
    """One partnership: its parties in their agreed order, terms, action plan, steering meetings, and the
    indicators (one value per party, in the parties' order)."""
    partnership: Partnership | None = _visible(request).filter(slug=slug).first()
    if partnership is None:
        raise Http404("No such partnership.")
    return partnership
