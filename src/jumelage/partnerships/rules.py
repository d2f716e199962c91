"""Who may see and steer a partnership (django-rules). A partnership in force and public is seen by
everyone; otherwise by the staff of its parties (a node's own staff, or its ecosystem's) and platform
admins. The staff of any party edit its terms, its action plan and its steering meetings; ecosystem or
node staff start one between their brand and others."""

import rules

from jumelage.ecosystems.rules import (
    is_platform_admin,
    is_staff_anywhere,
    staff_ecosystem_ids,
    staff_node_ids,
)


def party_staff(user, partnership) -> bool:
    eco_ids, node_ids = staff_ecosystem_ids(user), staff_node_ids(user)
    if not (eco_ids or node_ids):
        return False
    for party in partnership.parties.all():
        if party.ecosystem_id and party.ecosystem_id in eco_ids:
            return True
        if party.node_id and (party.node_id in node_ids or party.node.ecosystem_id in eco_ids):
            return True
    return False


@rules.predicate
def is_party_staff(user, partnership) -> bool:
    return partnership is not None and party_staff(user, partnership)


@rules.predicate
def is_public(user, partnership) -> bool:
    return partnership is not None and partnership.public and partnership.status != partnership.Status.DRAFT


rules.add_perm("partnerships.view_partnership", is_public | is_platform_admin | is_party_staff)
rules.add_perm("partnerships.change_partnership", is_platform_admin | is_party_staff)
rules.add_perm("partnerships.add_partnership", is_platform_admin | is_staff_anywhere)
