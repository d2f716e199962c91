"""The opportunities API (mounted under /api/v1/): opportunities, interests, introductions and their
pipeline steps, market needs, and matchmaking suggestions. Same services and rules as the pages."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import Field as NinjaField
from ninja import Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from jumelage.api import OptionalSession
from jumelage.core.api_auth import idempotent
from jumelage.directory.models import Organisation, Theme
from jumelage.ecosystems.models import Ecosystem, NetworkNode
from jumelage.opportunities import queries, services
from jumelage.opportunities.models import MAX_DESCRIPTION, MAX_MESSAGE, Market, MarketNeed, Opportunity, Stage
from jumelage.opportunities.rules import represented_ids

router = Router(tags=["opportunities"])


class OpportunityFilters(Schema):
    q: str | None = NinjaField(
        None, description="Words in the title, summary, descriptions or publisher's name."
    )
    kind: str | None = NinjaField(None, description="Kind, e.g. technology_offer.")
    theme: str | None = NinjaField(None, description="Theme code; includes the themes below it.")
    ecosystem: str | None = NinjaField(None, description="Publisher's ecosystem slug.")
    country: str | None = NinjaField(None, description="Publisher's country, ISO 3166-1 alpha-2.")
    status: str | None = NinjaField(
        None, description="draft, published, expired or closed (default: published)."
    )


class OpportunityOut(Schema):
    id: int
    kind: str
    title: str
    summary: str
    organisation: str
    status: str
    visibility: str
    deadline: date

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation.slug


class OpportunityDetailOut(OpportunityOut):
    description_fr: str
    description_nl: str
    description_en: str
    themes: list[str]
    target_ecosystems: list[str]
    target_countries: list[str]

    @staticmethod
    def resolve_themes(obj):
        return sorted(t.code for t in obj.themes.all())

    @staticmethod
    def resolve_target_ecosystems(obj):
        return sorted(e.slug for e in obj.target_ecosystems.all())


class OpportunityChange(Schema):
    kind: Opportunity.Kind | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    summary: str | None = Field(None, min_length=1, max_length=500)
    description_fr: str | None = Field(None, max_length=MAX_DESCRIPTION)
    description_nl: str | None = Field(None, max_length=MAX_DESCRIPTION)
    description_en: str | None = Field(None, max_length=MAX_DESCRIPTION)
    themes: list[str] | None = None
    target_ecosystems: list[str] | None = None
    target_countries: list[str] | None = None
    deadline: date | None = None
    visibility: Opportunity.Visibility | None = None


class OpportunityCreate(OpportunityChange):
    organisation: str
    kind: Opportunity.Kind
    title: str = Field(..., min_length=1, max_length=200)
    summary: str = Field(..., min_length=1, max_length=500)
    deadline: date
    publish: bool = False


def _themes(codes):
    if codes is None:
        return None
    found = list(Theme.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {t.code for t in found})
    if unknown:
        raise ValidationError({"themes": [f"unknown theme code(s): {', '.join(unknown)}"]})
    return found


def _ecosystems(slugs):
    if slugs is None:
        return None
    found = list(Ecosystem.objects.filter(slug__in=slugs))
    unknown = sorted(set(slugs) - {e.slug for e in found})
    if unknown:
        raise ValidationError({"target_ecosystems": [f"unknown ecosystem(s): {', '.join(unknown)}"]})
    return found


def _detail(user, pk: int) -> Opportunity:
    opportunity = (
        queries.visible_to(user)
        .select_related("organisation")
        .prefetch_related("themes", "target_ecosystems")
        .filter(pk=pk)
        .first()
    )
    if opportunity is None:
        raise Http404("No such opportunity.")
    return opportunity


@router.get("/opportunities", response=list[OpportunityOut], auth=OptionalSession())
@paginate
def list_opportunities(request, filters: Query[OpportunityFilters]):
    """Opportunities the caller may see (published ones unless `status` says otherwise), by deadline."""
    params = filters.model_dump(exclude_none=True)
    try:
        qs, active = queries.filter_opportunities(
            queries.visible_to(request.user).select_related("organisation"), params
        )
    except queries.FilterError as exc:
        raise NinjaValidationError([{"loc": ["query", exc.param], "msg": str(exc.message)}]) from exc
    if "status" not in active.values:
        qs = qs.filter(status=Opportunity.Status.PUBLISHED)
    return qs.order_by("deadline", "pk")


@router.get("/opportunities/{pk}", response=OpportunityDetailOut, auth=OptionalSession())
def get_opportunity(request, pk: int):
    return _detail(request.user, pk)


@router.post("/opportunities", response={201: OpportunityDetailOut})
@decorate_view(idempotent)
def create_opportunity(request, payload: OpportunityCreate):
    user = request.user
    if not user.has_perm("opportunities.add_opportunity"):
        raise PermissionDenied(
            "Only organisation representatives and ecosystem staff may publish opportunities."
        )
    organisation = Organisation.objects.filter(slug=payload.organisation).first()
    if organisation is None:
        raise ValidationError({"organisation": [f"unknown organisation {payload.organisation!r}"]})
    probe = Opportunity(organisation=organisation)
    if not user.has_perm("opportunities.change_opportunity", probe):
        raise PermissionDenied(
            "You may only publish opportunities for organisations you represent or curate."
        )
    data = payload.model_dump(
        exclude_none=True, exclude={"organisation", "themes", "target_ecosystems", "publish"}
    )
    opportunity = services.create_opportunity(
        actor=user,
        organisation=organisation,
        data=data,
        themes=_themes(payload.themes),
        target_ecosystems=_ecosystems(payload.target_ecosystems),
        publish=payload.publish,
    )
    return Status(201, _detail(user, opportunity.pk))


@router.patch("/opportunities/{pk}", response=OpportunityDetailOut)
def change_opportunity(request, pk: int, payload: OpportunityChange):
    user = request.user
    opportunity = _detail(user, pk)
    if not user.has_perm("opportunities.change_opportunity", opportunity):
        raise PermissionDenied("Only the publisher of this opportunity and its staff may change it.")
    data = payload.model_dump(exclude_unset=True, exclude={"themes", "target_ecosystems"})
    for key in ("description_fr", "description_nl", "description_en"):
        if key in data and data[key] is None:
            data[key] = ""
    if "target_countries" in data and data["target_countries"] is None:
        data["target_countries"] = []
    services.update_opportunity(
        actor=user,
        opportunity=opportunity,
        data=data,
        themes=_themes(payload.themes),
        target_ecosystems=_ecosystems(payload.target_ecosystems),
    )
    return _detail(user, pk)


# --- Interests -------------------------------------------------------------------------------------------


class InterestIn(Schema):
    organisation: str
    message: str = Field(..., min_length=1, max_length=MAX_MESSAGE)


class InterestOut(Schema):
    id: int
    opportunity: int
    organisation: str
    message: str
    status: str

    @staticmethod
    def resolve_opportunity(obj):
        return obj.opportunity_id

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation.slug


@router.post("/opportunities/{pk}/interests", response={201: InterestOut})
@decorate_view(idempotent)
def express_interest(request, pk: int, payload: InterestIn):
    user = request.user
    opportunity = _detail(user, pk)
    organisation = Organisation.objects.filter(slug=payload.organisation).first()
    if organisation is None or organisation.pk not in represented_ids(user):
        raise PermissionDenied("You may express interest only on behalf of an organisation you represent.")
    if organisation.pk == opportunity.organisation_id:
        raise ValidationError(
            {
                "organisation": [
                    "This is your own organisation's opportunity: you cannot express interest in it."
                ]
            }
        )
    if not user.has_perm("opportunities.express_interest", opportunity):
        raise PermissionDenied("This opportunity is not open to your interest.")
    interest = services.express_interest(
        actor=user, opportunity=opportunity, organisation=organisation, message=payload.message
    )
    return Status(201, interest)


class DecisionIn(Schema):
    accept: bool


@router.post("/interests/{pk}/decision", response=InterestOut)
def decide_interest(request, pk: int, payload: DecisionIn):
    interest = (
        queries.interests_visible_to(request.user)
        .select_related("organisation", "opportunity")
        .filter(pk=pk)
        .first()
    )
    if interest is None:
        raise Http404("No such expression of interest.")
    if not request.user.has_perm("opportunities.decide_interest", interest):
        raise PermissionDenied("Only the publisher of the opportunity may answer this interest.")
    return services.decide_interest(actor=request.user, interest=interest, accept=payload.accept)


# --- Introductions and the pipeline ----------------------------------------------------------------------


class StepOut(Schema):
    stage: str
    happened_on: date
    ecosystem: str
    node: str | None

    @staticmethod
    def resolve_ecosystem(obj):
        return obj.ecosystem.slug

    @staticmethod
    def resolve_node(obj):
        return obj.node.slug if obj.node_id else None


class IntroductionOut(Schema):
    id: int
    organisations: list[str]
    opportunity: int | None
    publisher: str | None
    interested: str | None
    event: int | None
    stage: str
    steps: list[StepOut]

    @staticmethod
    def resolve_organisations(obj):
        """The side that reached out, then the side approached (organisation slugs)."""
        return [obj.first_organisation.slug, obj.second_organisation.slug]

    @staticmethod
    def resolve_opportunity(obj):
        return obj.interest.opportunity_id if obj.interest_id else None

    @staticmethod
    def resolve_publisher(obj):
        return obj.second_organisation.slug if obj.interest_id else None

    @staticmethod
    def resolve_interested(obj):
        return obj.first_organisation.slug if obj.interest_id else None

    @staticmethod
    def resolve_event(obj):
        return obj.event_id

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.all())


def _introductions(user):
    return (
        queries.introductions_visible_to(user)
        .select_related("first_organisation", "second_organisation", "interest")
        .prefetch_related("steps__ecosystem", "steps__node")
    )


@router.get("/introductions", response=list[IntroductionOut])
@paginate
def list_introductions(request):
    """Partnerships the caller follows (staff: those of their own members)."""
    return _introductions(request.user).order_by("-updated_at", "-pk")


class StepIn(Schema):
    stage: Stage
    happened_on: date
    ecosystem: str | None = None
    node: str | None = None
    note: str = Field("", max_length=MAX_MESSAGE)


@router.post("/introductions/{pk}/steps", response={201: IntroductionOut})
def record_step(request, pk: int, payload: StepIn):
    introduction = _introductions(request.user).filter(pk=pk).first()
    if introduction is None:
        raise Http404("No such introduction.")
    if not request.user.has_perm("opportunities.change_introduction", introduction):
        raise PermissionDenied("Only the two organisations and their staff may move this partnership.")
    ecosystem = node = None
    if payload.ecosystem:
        ecosystem = Ecosystem.objects.filter(slug=payload.ecosystem).first()
        if ecosystem is None:
            raise ValidationError({"ecosystem": [f"unknown ecosystem {payload.ecosystem!r}"]})
    if payload.node:
        node = NetworkNode.objects.filter(slug=payload.node).first()
        if node is None:
            raise ValidationError({"node": [f"unknown node {payload.node!r}"]})
    services.record_step(
        actor=request.user,
        introduction=introduction,
        stage=payload.stage.value,
        happened_on=payload.happened_on,
        ecosystem=ecosystem,
        node=node,
        note=payload.note,
    )
    return Status(201, _introductions(request.user).get(pk=pk))


# --- Market needs ---------------------------------------------------------------------------------------


class MarketNeedOut(Schema):
    id: int
    theme: str
    market: str
    sector: str
    organisation: str | None
    expressed_by: str
    evidence: str
    observed_on: date

    @staticmethod
    def resolve_theme(obj):
        return obj.theme.code

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation.slug if obj.organisation_id else None


class MarketNeedIn(Schema):
    theme: str
    market: Market
    sector: str = Field("", max_length=120)
    organisation: str | None = None
    expressed_by: str = Field("", max_length=200)
    evidence: str = Field(..., min_length=1, max_length=MAX_DESCRIPTION)
    observed_on: date


def _may_use_register(user):
    if not user.has_perm("opportunities.view_marketneed"):
        raise PermissionDenied("The market-needs register is for ecosystem staff and members.")


@router.get("/market-needs", response=list[MarketNeedOut])
@paginate
def list_market_needs(request):
    _may_use_register(request.user)
    return MarketNeed.objects.select_related("theme", "organisation").order_by("-observed_on", "-pk")


@router.post("/market-needs", response={201: MarketNeedOut})
@decorate_view(idempotent)
def record_market_need(request, payload: MarketNeedIn):
    _may_use_register(request.user)
    theme = Theme.objects.filter(code=payload.theme).first()
    if theme is None:
        raise ValidationError({"theme": [f"unknown theme code {payload.theme!r}"]})
    organisation = None
    if payload.organisation:
        organisation = Organisation.objects.filter(slug=payload.organisation).first()
        if organisation is None:
            raise ValidationError({"organisation": [f"unknown organisation {payload.organisation!r}"]})
    need = services.record_market_need(
        actor=request.user,
        data={
            "theme": theme,
            "market": payload.market.value,
            "sector": payload.sector,
            "organisation": organisation,
            "expressed_by": payload.expressed_by,
            "evidence": payload.evidence,
            "observed_on": payload.observed_on,
        },
    )
    return Status(201, need)


# --- Matchmaking suggestions ----------------------------------------------------------------------------


class SuggestionOut(Schema):
    kind: str
    id: int
    name: str
    url: str
    score: float
    explanation: str
    cross_border: bool


@router.get("/opportunities/{pk}/suggestions", response=list[SuggestionOut], auth=OptionalSession())
def opportunity_suggestions(request, pk: int):
    """Organisations and counter-opportunities suggested for this opportunity, best first, each with
    its explanation. Only what the caller may see is listed."""
    from jumelage.matchmaking import service

    opportunity = _detail(request.user, pk)
    return [s.as_dict() for s in service.suggestions_for(request.user, "opportunity", opportunity.pk)]


@router.get("/organisations/{slug}/suggestions", response=list[SuggestionOut], auth=OptionalSession())
def organisation_suggestions(request, slug: str):
    """Opportunities and organisations suggested for this organisation."""
    from jumelage.directory.queries import visible_to as organisations_visible_to
    from jumelage.matchmaking import service

    organisation = organisations_visible_to(request.user).filter(slug=slug).first()
    if organisation is None:
        raise Http404("No such organisation.")
    return [s.as_dict() for s in service.suggestions_for(request.user, "organisation", organisation.pk)]
