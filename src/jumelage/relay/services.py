"""Relaying opportunities and events across the network, and deciding on what a node received. Pages
and any later API come through here."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jumelage.core.audit import log_action
from jumelage.ecosystems.models import NetworkNode
from jumelage.relay import queries
from jumelage.relay.models import Relay

MAX_MESSAGE = 1000
MAX_REASON = 300


@transaction.atomic
def relay_item(
    *,
    actor,
    from_node: NetworkNode,
    item,
    to_nodes: Iterable[NetworkNode],
    message: str = "",
    via: Relay | None = None,
) -> list[Relay]:
    """Relay `item` (an opportunity or an event) from `from_node` to each of `to_nodes`; `via` is the
    relay `from_node` received it through (provenance). The staff of each receiving node get an
    e-mail. Permission is the caller's check (rules: relay.relay_from_node). Raises ValidationError
    naming what is wrong — no node chosen, a node that already has the item, an item no longer
    published, a message too long — and writes nothing then."""
    field = queries.item_field(item)
    to_nodes = list(dict.fromkeys(to_nodes))
    message = (message or "").strip()
    errors: dict[str, list[str]] = {}
    if not queries.relayable(item):
        errors.setdefault("__all__", []).append(
            _("Only a published opportunity or a published event that is not over can be relayed.")
        )
    if via is not None and (via.to_node_id != from_node.pk or getattr(via, f"{field}_id") != item.pk):
        errors.setdefault("__all__", []).append(_("This relay was not received by this node for this item."))
    if not to_nodes:
        errors.setdefault("to_nodes", []).append(_("Choose at least one node to relay to."))
    if any(n.pk == from_node.pk for n in to_nodes):
        errors.setdefault("to_nodes", []).append(_("A node cannot relay to itself."))
    have = set(
        Relay.objects.filter(**{field: item}, to_node__in=to_nodes).values_list("to_node__name", flat=True)
    ) | set(
        Relay.objects.filter(**{field: item}, from_node__in=to_nodes).values_list(
            "from_node__name", flat=True
        )
    )
    if have:
        errors.setdefault("to_nodes", []).append(
            _("Already received or relayed by: %(nodes)s.") % {"nodes": ", ".join(sorted(have))}
        )
    if len(message) > MAX_MESSAGE:
        errors.setdefault("message", []).append(
            _("The message is %(length)d characters long; at most %(limit)d are accepted.")
            % {"length": len(message), "limit": MAX_MESSAGE}
        )
    if errors:
        raise ValidationError(errors)
    relays = [
        Relay(**{field: item}, from_node=from_node, to_node=node, via=via, message=message, sent_by=actor)
        for node in to_nodes
    ]
    try:
        with transaction.atomic():
            Relay.objects.bulk_create(relays)
    except IntegrityError:
        # someone relayed the same item to one of these nodes in the meantime
        raise ValidationError(
            {
                "to_nodes": [
                    _("One of these nodes received this item a moment ago. Reload the page and choose again.")
                ]
            }
        ) from None
    log_action(
        actor=actor,
        action="relay.send",
        obj=item,
        from_node=from_node.slug,
        to_nodes=[n.slug for n in to_nodes],
    )
    transaction.on_commit(lambda: _enqueue_mail(relays))
    return relays


def _enqueue_mail(relays: list[Relay]) -> None:
    from jumelage.relay import tasks

    tasks.send_relay_mail.enqueue([r.pk for r in relays])


@transaction.atomic
def decide_relay(*, actor, relay: Relay, share: bool, reason: str = "") -> Relay:
    """Share a received item with the node's community (it is listed on the node's page, with where it
    came from) or decline it, with an optional reason. A decision can be changed later (un-share,
    share after all). Permission is the caller's check (rules: relay.decide_relay)."""
    relay = Relay.objects.select_for_update().get(pk=relay.pk)
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise ValidationError(
            {
                "reason": _("The reason is %(length)d characters long; at most %(limit)d are accepted.")
                % {"length": len(reason), "limit": MAX_REASON}
            }
        )
    relay.status = Relay.Status.SHARED if share else Relay.Status.DECLINED
    relay.reason = "" if share else reason
    relay.decided_by = actor
    relay.decided_at = timezone.now()
    relay.save(update_fields=["status", "reason", "decided_by", "decided_at", "updated_at"])
    log_action(actor=actor, action=f"relay.{relay.status}", obj=relay, reason=relay.reason)
    return relay
