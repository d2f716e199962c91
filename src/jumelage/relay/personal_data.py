"""Relays a user sent or decided on, as staff of a node: the item, the nodes, their message or reason.
Erasing keeps the relays (they belong to the nodes) without the name: the foreign keys go to nobody."""

from __future__ import annotations

from jumelage.core.privacy import iso
from jumelage.relay.models import Relay


def export(user) -> dict:
    related = ("opportunity", "event", "from_node", "to_node")
    return {
        "relays_sent": [
            {
                "item": str(r.item),
                "from": r.from_node.name,
                "to": r.to_node.name,
                "message": r.message,
                "at": iso(r.created_at),
            }
            for r in Relay.objects.filter(sent_by=user).select_related(*related).order_by("created_at", "pk")
        ],
        "relays_decided": [
            {
                "item": str(r.item),
                "node": r.to_node.name,
                "decision": r.status,
                "reason": r.reason,
                "at": iso(r.decided_at),
            }
            for r in Relay.objects.filter(decided_by=user)
            .select_related(*related)
            .order_by("decided_at", "pk")
        ],
    }


def erase(user) -> dict[str, int]:
    return {}
