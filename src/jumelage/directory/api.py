from ninja import Router, Schema
from ninja.pagination import paginate

from jumelage.api import OptionalSession
from jumelage.directory import queries

router = Router(tags=["directory"])


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
def list_organisations(request):
    return queries.visible_to(request.user).order_by("name")
