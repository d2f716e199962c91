"""Demo relays, so the relay pages have something to show: French Tech Brussels relays a demo
opportunity of a French Tech organisation to AWEX, which shares it with its community, and the demo
online information session to Infopole Cluster TIC, where it waits for a decision. Invented, like the items they
carry: the message says so. Idempotent: a node that already received the item is left as it is."""

from __future__ import annotations

from jumelage.ecosystems.models import NetworkNode
from jumelage.events.models import Event
from jumelage.opportunities.models import Opportunity
from jumelage.relay import queries, services
from jumelage.relay.models import Relay

MESSAGE = "Demo (invented): a relay made for the Jumelage demo."


def load_demo_relays() -> int:
    """Create the demo relays that are missing. Returns how many were created."""
    nodes = {
        n.slug: n
        for n in NetworkNode.objects.filter(slug__in=["french-tech-brussels", "awex", "infopole-cluster-tic"])
    }
    if len(nodes) < 3:
        return 0
    sender = nodes["french-tech-brussels"]
    opportunity = (
        Opportunity.objects.filter(
            status=Opportunity.Status.PUBLISHED,
            title__startswith="Demo",
            organisation__memberships__ecosystem__slug="la-french-tech",
        )
        .order_by("pk")
        .first()
    )
    event = Event.objects.filter(slug="demo-online-info-session").first()
    created = 0
    for item, to, share in (
        (opportunity, nodes["awex"], True),
        (event, nodes["infopole-cluster-tic"], False),
    ):
        if item is None or not queries.relayable(item):
            continue
        if Relay.objects.filter(**{queries.item_field(item): item}, to_node=to).exists():
            continue
        [relay] = services.relay_item(actor=None, from_node=sender, item=item, to_nodes=[to], message=MESSAGE)
        if share:
            services.decide_relay(actor=None, relay=relay, share=True)
        created += 1
    return created
