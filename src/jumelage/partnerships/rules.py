"""Who may see and steer a partnership (django-rules). A partnership in force and public is seen by
everyone; otherwise by the staff of its parties (a node's own staff, or its ecosystem's) and platform
admins. The staff of any party edit its terms, its action plan and its steering meetings; ecosystem or
node staff start one between their brand and others."""

import rules

from jumelage.ecosystems.rules import (
    is_platform_admin,
    is_staff_anywhere,
    staffs_brand_of,
)


def party_staff(user, partnership) -> bool:
    if not is_staff_anywhere(user):
        return False
    return any(staffs_brand_of(user, party) for party in partnership.parties.select_related("node"))


@rules.predicate
def is_party_staff(user, partnership) -> bool:
    return partnership is not None and party_staff(user, partnership)


@rules.predicate
def is_public(user, partnership) -> bool:
    return partnership is not None and partnership.public and partnership.status != partnership.Status.DRAFT


rules.add_perm("partnerships.view_partnership", is_public | is_platform_admin | is_party_staff)
rules.add_perm("partnerships.change_partnership", is_platform_admin | is_party_staff)
rules.add_perm("partnerships.add_partnership", is_platform_admin | is_staff_anywhere)
