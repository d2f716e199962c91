"""The partnerships an ecosystem or a node is party to, listed on its page (as far as the reader may
see them)."""

from django import template

from jumelage.ecosystems.models import Ecosystem
from jumelage.partnerships import queries

register = template.Library()


@register.inclusion_tag("partnerships/_of_brand.html", takes_context=True)
def brand_partnerships(context, brand):
    field = "parties__ecosystem" if isinstance(brand, Ecosystem) else "parties__node"
    partnerships = queries.visible_to(context["request"].user).filter(**{field: brand}).order_by("title")
    return {"partnerships": list(partnerships)}
