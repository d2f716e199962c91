"""Background work of relays (django-tasks): telling a node's staff that something was relayed to them."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django_tasks import task

from jumelage.core import mail
from jumelage.core.models import User
from jumelage.relay import queries
from jumelage.relay.models import Relay


def receivers(relay: Relay) -> list[User]:
    """Who hears of a relay: the receiving node's own staff, or the staff of its whole ecosystem when
    the node has none; active, with an address, once each."""
    node = relay.to_node
    people = User.objects.filter(node_roles__node=node, is_active=True).exclude(email="")
    if not people.exists():
        people = User.objects.filter(ecosystem_roles__ecosystem_id=node.ecosystem_id, is_active=True).exclude(
            email=""
        )
    return list(people.distinct().order_by("pk"))


def received_mails(relay: Relay) -> list[mail.Mail]:
    item = relay.item
    context = {
        "relay": relay,
        "item": item,
        "item_url": settings.SITE_URL + queries.item_path(item),
        "inbox_url": settings.SITE_URL + reverse("relay:inbox", args=[relay.to_node.slug]),
    }
    return [
        mail.Mail(
            to=user.email,
            language=user.language,
            template="relay/mail/received",
            context={**context, "user": user},
        )
        for user in receivers(relay)
    ]


@task()
def send_relay_mail(relay_ids: list[int]) -> int:
    """E-mail the receivers of each relay in `relay_ids`. Returns how many messages were sent."""
    relays = Relay.objects.filter(pk__in=relay_ids).select_related(
        "opportunity__organisation", "event", "from_node", "to_node", "via__from_node", "sent_by"
    )
    return mail.send([m for relay in relays for m in received_mails(relay)])
