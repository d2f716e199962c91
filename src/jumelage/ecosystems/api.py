from ninja import Router, Schema
from ninja.pagination import paginate

from jumelage.api import OptionalSession
from jumelage.ecosystems.models import Ecosystem, NetworkNode

router = Router(tags=["ecosystems"])


class EcosystemOut(Schema):
    slug: str
    name: str
    short_name: str
    country: str
    region: str
    website: str
    primary_colour: str


class NodeOut(Schema):
    slug: str
    name: str
    kind: str
    ecosystem: str
    parent: str | None
    city: str
    region: str
    country: str

    @staticmethod
    def resolve_ecosystem(obj):
        return obj.ecosystem.slug

    @staticmethod
    def resolve_parent(obj):
        return obj.parent.slug if obj.parent else None


@router.get("/ecosystems", response=list[EcosystemOut], auth=OptionalSession())
@paginate
def list_ecosystems(request):
    return Ecosystem.objects.order_by("name")


@router.get("/nodes", response=list[NodeOut], auth=OptionalSession())
@paginate
def list_nodes(request, ecosystem: str | None = None):
    qs = NetworkNode.objects.select_related("ecosystem", "parent").order_by("ecosystem__name", "name")
    if ecosystem:
        qs = qs.filter(ecosystem__slug=ecosystem)
    return qs
