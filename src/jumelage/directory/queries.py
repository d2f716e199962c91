"""Reading the directory. Every queryset starts from `visible_to(user)` so a forgotten filter shows less."""

from django.db.models import Q, QuerySet

from jumelage.directory.models import Organisation
from jumelage.ecosystems.rules import staff_ecosystem_ids, staff_node_ids


def visible_to(user) -> QuerySet[Organisation]:
    qs = Organisation.objects.all()
    if user is not None and user.is_authenticated and user.is_superuser:
        return qs
    visible = Q(published=True)
    if user is not None and user.is_authenticated:
        visible |= Q(representatives__user=user)
        eco_ids, node_ids = staff_ecosystem_ids(user), staff_node_ids(user)
        if eco_ids:
            visible |= Q(memberships__ecosystem_id__in=eco_ids)
        if node_ids:
            visible |= Q(memberships__node_id__in=node_ids)
        return qs.filter(pk__in=Organisation.objects.filter(visible).values("pk"))
    return qs.filter(visible)
