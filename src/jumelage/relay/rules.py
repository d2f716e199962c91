"""Who may relay (django-rules). A node's staff — its own, or the staff of its whole ecosystem — relay
items from their node, read its relays and decide on those it received; platform admins may do all."""

import rules

from jumelage.ecosystems.rules import is_node_staff, is_platform_admin


@rules.predicate
def is_receiving_staff(user, relay) -> bool:
    return relay is not None and is_node_staff(user, relay.to_node)


rules.add_perm("relay.relay_from_node", is_platform_admin | is_node_staff)
rules.add_perm("relay.view_node_relays", is_platform_admin | is_node_staff)
rules.add_perm("relay.decide_relay", is_platform_admin | is_receiving_staff)
