from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field as NinjaField
from ninja import Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from jumelage.api import OptionalSession
from jumelage.core.api_auth import idempotent
from jumelage.directory import queries, services
from jumelage.directory.forms import STAFF_FIELDS
from jumelage.directory.models import Organisation, OrganisationKind, SizeBand, Stage, Theme
from jumelage.ecosystems.models import Ecosystem, NetworkNode

router = Router(tags=["directory"])


class OrganisationFilters(Schema):
    """The directory's filters, as on the list page and the export (one parser: queries.filter_organisations)."""

    q: str | None = NinjaField(None, description="Full-text search: names, aliases, descriptions (FR/NL/EN).")
    ecosystem: str | None = NinjaField(None, description="Ecosystem slug, e.g. digital-wallonia.")
    node: str | None = NinjaField(None, description="Network node slug, e.g. french-tech-brussels.")
    kind: str | None = NinjaField(None, description="Kind of organisation, e.g. startup.")
    theme: str | None = NinjaField(None, description="Theme code; includes the themes below it.")
    country: str | None = NinjaField(None, description="ISO 3166-1 alpha-2 code, e.g. BE.")
    region: str | None = NinjaField(None, description="Region name (case-insensitive).")
    stage: str | None = NinjaField(None, description="Stage, e.g. seed.")


class OrganisationOut(Schema):
    slug: str
    name: str
    kind: str
    city: str
    region: str
    country: str
    website: str


@router.get("/organisations", response=list[OrganisationOut], auth=OptionalSession())
@paginate
def list_organisations(request, filters: Query[OrganisationFilters]):
    """Organisations the caller may see, filtered; ordered by relevance when `q` is given, else by name.
    An unknown or malformed filter value is a 422 problem naming the parameter."""
    try:
        return queries.search_directory(request.user, filters.model_dump(exclude_none=True))
    except queries.FilterError as exc:
        raise NinjaValidationError([{"loc": ["query", exc.param], "msg": str(exc.message)}]) from exc


# --- Single organisation: read, create, change -----------------------------------------------------
class OrganisationDetailOut(OrganisationOut):
    aliases: list[str]
    tagline_fr: str
    description_fr: str
    description_nl: str
    description_en: str
    street: str
    postcode: str
    founding_year: int | None
    size_band: str
    stage: str
    enterprise_number: str
    siren: str
    vat_number: str
    published: bool
    themes: list[str]
    ecosystems: list[str]
    nodes: list[str]

    @staticmethod
    def resolve_themes(obj):
        return sorted(t.code for t in obj.themes.all())

    @staticmethod
    def resolve_ecosystems(obj):
        return sorted({m.ecosystem.slug for m in obj.memberships.all()})

    @staticmethod
    def resolve_nodes(obj):
        return sorted({m.node.slug for m in obj.memberships.all() if m.node_id})


class OrganisationChange(Schema):
    """Fields a caller may change; omitted fields stay as they are."""

    name: str | None = Field(None, min_length=1, max_length=255)
    kind: OrganisationKind | None = None
    aliases: list[str] | None = None
    tagline_fr: str | None = Field(None, max_length=300)
    description_fr: str | None = Field(None, max_length=20000)
    description_nl: str | None = Field(None, max_length=20000)
    description_en: str | None = Field(None, max_length=20000)
    website: str | None = None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = Field(None, min_length=2, max_length=2)
    founding_year: int | None = None
    size_band: SizeBand | None = None
    stage: Stage | None = None
    enterprise_number: str | None = None
    siren: str | None = None
    vat_number: str | None = None
    published: bool | None = None
    themes: list[str] | None = None


class OrganisationCreate(OrganisationChange):
    name: str = Field(..., min_length=1, max_length=255)
    kind: OrganisationKind
    country: str = Field(..., min_length=2, max_length=2)
    ecosystem: str
    node: str | None = None


STAFF_ONLY_FIELDS = set(STAFF_FIELDS)  # the same fields the profile form keeps for staff


def _themes(codes: list[str] | None):
    if codes is None:
        return None
    found = list(Theme.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {t.code for t in found})
    if unknown:
        raise ValidationError({"themes": [f"unknown theme code(s): {', '.join(unknown)}"]})
    return found


def _detail_queryset(user):
    return queries.visible_to(user).prefetch_related("themes", "memberships__ecosystem", "memberships__node")


@router.get("/organisations/{slug}", response=OrganisationDetailOut, auth=OptionalSession())
def get_organisation(request, slug: str):
    return get_object_or_404(_detail_queryset(request.user), slug=slug)


@router.post("/organisations", response={201: OrganisationDetailOut})
@decorate_view(idempotent)
def create_organisation(request, payload: OrganisationCreate):
    user = request.user
    ecosystem = Ecosystem.objects.filter(slug=payload.ecosystem).first()
    if ecosystem is None:
        raise ValidationError({"ecosystem": [f"unknown ecosystem {payload.ecosystem!r}"]})
    node = None
    if payload.node:
        node = NetworkNode.objects.filter(slug=payload.node, ecosystem=ecosystem).first()
        if node is None:
            raise ValidationError({"node": [f"no node {payload.node!r} in ecosystem {ecosystem.slug!r}"]})
    allowed = user.has_perm("ecosystems.change_networknode", node) if node else False
    allowed = allowed or user.has_perm("ecosystems.change_ecosystem", ecosystem)
    if not allowed:
        raise PermissionDenied(
            "Only platform admins and staff of this ecosystem or node may add its members."
        )
    data = payload.model_dump(exclude_none=True, exclude={"themes", "ecosystem", "node"})
    org = services.create_organisation(
        actor=user, data=data, themes=_themes(payload.themes), memberships=[(ecosystem, node)]
    )
    return Status(201, _detail_queryset(user).get(pk=org.pk))


@router.patch("/organisations/{slug}", response=OrganisationDetailOut)
def change_organisation(request, slug: str, payload: OrganisationChange):
    user = request.user
    org = Organisation.objects.filter(slug=slug).first()
    if org is None or not user.has_perm("directory.view_organisation", org):
        raise Http404("No such organisation.")
    if not user.has_perm("directory.change_organisation", org):
        raise PermissionDenied("You may not change this organisation.")
    data = payload.model_dump(exclude_unset=True, exclude={"themes"})
    if STAFF_ONLY_FIELDS & data.keys() and not user.has_perm("directory.delete_organisation", org):
        raise PermissionDenied("Only staff may change: " + ", ".join(sorted(STAFF_ONLY_FIELDS & data.keys())))
    for key, value in list(data.items()):
        if value is None and key not in {"founding_year"}:
            data[key] = ""  # clearing a text field
    services.update_organisation(actor=user, organisation=org, data=data, themes=_themes(payload.themes))
    return _detail_queryset(user).get(pk=org.pk)
