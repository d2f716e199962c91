"""The relay API (mounted under /api/v1/): what a node received and sent, relaying an item, deciding on
a relay, and what a node shared with its community. Same services and rules as the pages; a token scoped
to a node acts as that node's staff (the way another hub's own system pulls its relays)."""

from datetime import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import Router, Schema
from ninja.decorators import decorate_view
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from jumelage.api import OptionalSession
from jumelage.core.api_auth import idempotent
from jumelage.ecosystems.models import NetworkNode
from jumelage.events import queries as event_queries
from jumelage.opportunities import queries as opportunity_queries
from jumelage.relay import queries, services
from jumelage.relay.models import Relay
from jumelage.relay.services import MAX_MESSAGE, MAX_REASON

router = Router(tags=["relays"])


class RelayOut(Schema):
    id: int
    opportunity: int | None = Field(description="The opportunity relayed (its id), or null for an event.")
    event: str | None = Field(description="The event relayed (its slug), or null for an opportunity.")
    from_node: str
    to_node: str
    came_from: str | None = Field(description="The node that relayed it to `from_node`, if it passed it on.")
    message: str
    status: str = Field(description="pending, shared or declined.")
    reason: str
    created_at: datetime
    decided_at: datetime | None

    @staticmethod
    def resolve_opportunity(obj):
        return obj.opportunity_id

    @staticmethod
    def resolve_event(obj):
        return obj.event.slug if obj.event_id else None

    @staticmethod
    def resolve_from_node(obj):
        return obj.from_node.slug

    @staticmethod
    def resolve_to_node(obj):
        return obj.to_node.slug

    @staticmethod
    def resolve_came_from(obj):
        return obj.via.from_node.slug if obj.via_id else None


class RelayIn(Schema):
    from_node: str = Field(description="Slug of the node relaying (you must be its staff).")
    opportunity: int | None = Field(None, description="Id of the opportunity to relay.")
    event: str | None = Field(None, description="Slug of the event to relay.")
    via: int | None = Field(
        None, description="Id of a relay `from_node` received, to pass it on (keeps the origin)."
    )
    to_nodes: list[str] = Field(description="Slugs of the nodes to relay to.")
    message: str = Field("", max_length=MAX_MESSAGE)


class RelayDecisionIn(Schema):
    share: bool = Field(description="true: share with the node's community; false: decline.")
    reason: str = Field("", max_length=MAX_REASON)


def _node(slug: str) -> NetworkNode:
    node = NetworkNode.objects.select_related("ecosystem").filter(slug=slug).first()
    if node is None:
        raise Http404(f"No node {slug!r}.")
    return node


def _staff_node(request, slug: str) -> NetworkNode:
    node = _node(slug)
    if not request.user.has_perm("relay.view_node_relays", node):
        raise PermissionDenied(
            f"Only the staff of {node.name} or of its ecosystem may relay from it and read its relays."
        )
    return node


@router.get("/nodes/{slug}/relays", response=list[RelayOut])
@paginate
def node_relays(request, slug: str, box: Literal["received", "sent"] = "received"):
    """Relays the node received (those still to decide first), or sent (newest first). For its staff."""
    node = _staff_node(request, slug)
    return queries.received(node) if box == "received" else queries.sent(node)


@router.get("/nodes/{slug}/shared", response=list[RelayOut], auth=OptionalSession())
@paginate
def node_shared(request, slug: str):
    """What the node shared with its community, newest first; only items the caller may see."""
    return queries.shared_with(_node(slug), request.user)


@router.post("/relays", response={201: list[RelayOut]})
@decorate_view(idempotent)
def relay_item(request, payload: RelayIn):
    """Relay an opportunity or an event (exactly one of `opportunity`, `event`, `via`) from a node to
    others. Their staff are e-mailed."""
    node = _staff_node(request, payload.from_node)
    named = [name for name in ("opportunity", "event", "via") if getattr(payload, name) is not None]
    if len(named) != 1:
        raise ValidationError({"__all__": ["Give exactly one of opportunity, event or via."]})
    via = None
    if payload.via is not None:
        via = (
            Relay.objects.select_related("opportunity", "event").filter(pk=payload.via, to_node=node).first()
        )
        if via is None:
            raise Http404(f"{node.name} received no relay {payload.via}.")
        item = via.item
    elif payload.opportunity is not None:
        item = opportunity_queries.visible_to(request.user).filter(pk=payload.opportunity).first()
        if item is None:
            raise Http404("No such opportunity.")
    else:
        item = event_queries.visible_to(request.user).filter(slug=payload.event).first()
        if item is None:
            raise Http404("No such event.")
    nodes = {n.slug: n for n in NetworkNode.objects.filter(slug__in=payload.to_nodes)}
    unknown = sorted(set(payload.to_nodes) - set(nodes))
    if unknown:
        raise ValidationError({"to_nodes": [f"unknown node(s): {', '.join(unknown)}"]})
    relays = services.relay_item(
        actor=request.user,
        from_node=node,
        item=item,
        to_nodes=[nodes[s] for s in payload.to_nodes],
        message=payload.message,
        via=via,
    )
    return Status(201, Relay.objects.filter(pk__in=[r.pk for r in relays]).select_related(*queries.RELATED))


@router.post("/relays/{pk}/decision", response=RelayOut)
def decide_relay(request, pk: int, payload: RelayDecisionIn):
    """Share a relay the node received with its community, or decline it (a decision can be changed)."""
    relay = Relay.objects.select_related(*queries.RELATED).filter(pk=pk).first()
    if relay is None or not request.user.has_perm("relay.view_node_relays", relay.to_node):
        raise Http404("No such relay.")
    services.decide_relay(actor=request.user, relay=relay, share=payload.share, reason=payload.reason)
    return Relay.objects.select_related(*queries.RELATED).get(pk=pk)
