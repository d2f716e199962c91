"""Relays shown where they belong: on an opportunity's or an event's page (which nodes shared it, and a
form to relay it for the staff of a node), and on a node's page (what it shared with its community)."""

from django import template
from django.core.paginator import Paginator

from jumelage.relay import queries
from jumelage.relay.models import Relay

register = template.Library()

SHOWN_ON_NODE_PAGE = 10


@register.inclusion_tag("relay/_item_box.html", takes_context=True)
def relay_box(context, item):
    user = context["request"].user
    # visitors and members relay nothing: no query for them
    relays = user.is_authenticated and queries.relayable(item)
    nodes = list(queries.nodes_of(user)) if relays else []
    return {
        "item": item,
        "kind": queries.item_field(item),
        "shares": queries.provenance(item),
        "nodes": nodes,
    }


@register.inclusion_tag("relay/_node_relays.html", takes_context=True)
def node_relays(context, node):
    user = context["request"].user
    can_see = user.has_perm("relay.view_node_relays", node)
    request = context["request"]
    shared = Paginator(queries.shared_with(node, user), SHOWN_ON_NODE_PAGE).get_page(
        request.GET.get("relayed_page")
    )
    return {
        "request": request,  # for the pages' addresses (core/_pagination.html)
        "node": node,
        "shared": shared,
        "can_see": can_see,
        "pending": Relay.objects.filter(to_node=node, status=Relay.Status.PENDING).count() if can_see else 0,
    }
