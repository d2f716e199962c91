"""Reading relays: a node's inbox and sent list, what a node shared with its community, where an item
came from, and the nodes an item can still go to."""

from __future__ import annotations

from itertools import groupby

from django.db.models import Case, F, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from jumelage.ecosystems.models import NetworkNode
from jumelage.ecosystems.rules import is_platform_admin, staff_ecosystem_ids, staff_node_ids
from jumelage.events import queries as event_queries
from jumelage.events.models import Event
from jumelage.opportunities import queries as opportunity_queries
from jumelage.opportunities.models import Opportunity
from jumelage.relay.models import Relay

RELATED = (
    "opportunity__organisation",
    "event",
    "from_node__ecosystem",
    "to_node__ecosystem",
    "via__from_node",
)


def item_field(item) -> str:
    """The Relay field that holds `item` ("opportunity" or "event")."""
    if isinstance(item, Opportunity):
        return "opportunity"
    if isinstance(item, Event):
        return "event"
    raise TypeError(f"cannot relay {type(item).__name__}")


def item_path(item) -> str:
    """The page of an opportunity or an event."""
    if item_field(item) == "opportunity":
        return reverse("opportunities:opportunity-detail", args=[item.pk])
    return reverse("events:event-detail", args=[item.slug])


def relayable(item) -> bool:
    """An item still worth passing on: a published opportunity, a published event not yet over."""
    if isinstance(item, Opportunity):
        return item.status == Opportunity.Status.PUBLISHED
    return item.status == Event.Status.PUBLISHED and item.ends_at > timezone.now()


def received(node: NetworkNode) -> QuerySet[Relay]:
    """Relays to `node`, those still to decide first."""
    pending_first = Case(When(status=Relay.Status.PENDING, then=Value(0)), default=Value(1))
    return (
        Relay.objects.filter(to_node=node)
        .select_related(*RELATED)
        .order_by(pending_first, "-created_at", "-pk")
    )


def sent(node: NetworkNode) -> QuerySet[Relay]:
    return Relay.objects.filter(from_node=node).select_related(*RELATED)


def _visible_items(user) -> Q:
    """Relays whose item `user` may see (an item's own visibility rules, never widened by a relay)."""
    return Q(opportunity__in=opportunity_queries.visible_to(user)) | Q(
        event__in=event_queries.visible_to(user)
    )


def shared_with(node: NetworkNode, user) -> QuerySet[Relay]:
    """What `node` shared with its community, newest first, limited to what `user` may see."""
    return (
        Relay.objects.filter(to_node=node, status=Relay.Status.SHARED)
        .filter(_visible_items(user))
        .select_related(*RELATED)
        .order_by("-decided_at", "-pk")
    )


def provenance(item) -> list[dict]:
    """The shares of `item`, oldest first: each node that shared it with its community
    (`node_slug`, `node_name`) and the node it came from (`origin`). Plain values: this runs on every
    opportunity and event page, where model rows cost about twice as much."""
    return list(
        Relay.objects.filter(**{item_field(item): item}, status=Relay.Status.SHARED)
        .order_by("decided_at", "pk")
        .values(node_slug=F("to_node__slug"), node_name=F("to_node__name"), origin=F("from_node__name"))
    )


def nodes_of(user) -> QuerySet[NetworkNode]:
    """Nodes `user` may relay from: the nodes they are staff of, every node of the ecosystems they are
    staff of; every node for platform admins."""
    nodes = NetworkNode.objects.select_related("ecosystem").order_by("ecosystem__name", "name")
    if not (user and user.is_authenticated):
        return nodes.none()
    if is_platform_admin(user):
        return nodes
    return nodes.filter(Q(pk__in=staff_node_ids(user)) | Q(ecosystem_id__in=staff_ecosystem_ids(user)))


def targets(from_node: NetworkNode, item) -> list[tuple[str, list[NetworkNode]]]:
    """Nodes `item` can still be relayed to from `from_node`, grouped by ecosystem: every other node that
    has not received it yet (nor relayed it: it already has it)."""
    field = item_field(item)
    have = Relay.objects.filter(**{field: item}).values_list("to_node", flat=True)
    had = Relay.objects.filter(**{field: item}).values_list("from_node", flat=True)
    nodes = (
        NetworkNode.objects.exclude(pk=from_node.pk)
        .exclude(pk__in=have)
        .exclude(pk__in=had)
        .select_related("ecosystem")
        .order_by("ecosystem__name", "name")
    )
    return [(eco, list(group)) for eco, group in groupby(nodes, key=lambda n: n.ecosystem.name)]
