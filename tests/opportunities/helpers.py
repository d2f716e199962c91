from datetime import timedelta

from django.utils import timezone

from jumelage.opportunities import services
from jumelage.opportunities.models import Opportunity


def in_days(n: int):
    return timezone.localdate() + timedelta(days=n)


def make_opportunity(world, *, organisation=None, actor=None, themes=(), publish=True, **data):
    """An opportunity of `organisation` (default: Paris Deeptech, the French side) through the service."""
    organisation = organisation or world.fr_org
    fields = {
        "kind": Opportunity.Kind.TECHNOLOGY_REQUEST,
        "title": "Capteurs de qualité de l’air pour la mobilité urbaine",
        "summary": "Nous cherchons un partenaire wallon pour des capteurs embarqués.",
        "description_fr": "Nous cherchons une entreprise qui conçoit des capteurs de qualité de l’air "
        "pour équiper des bus et des trams en Wallonie et en France.",
        "deadline": in_days(60),
        "visibility": Opportunity.Visibility.PUBLIC,
        **data,
    }
    return services.create_opportunity(
        actor=actor or world.users["admin"],
        organisation=organisation,
        data=fields,
        themes=themes,
        publish=publish,
    )
