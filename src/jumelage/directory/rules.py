"""Who may do what in the directory. One mechanism for pages, API and admin (django-rules)."""

import rules

from jumelage.ecosystems.rules import (
    is_platform_admin,
    is_staff_anywhere,
    staff_ecosystem_ids,
    staff_node_ids,
)


@rules.predicate
def represents(user, organisation) -> bool:
    if not (user and user.is_authenticated and organisation is not None):
        return False
    return organisation.representatives.filter(user=user).exists()


@rules.predicate
def curates(user, organisation) -> bool:
    """Staff of an ecosystem or node the organisation is a member of."""
    if not (user and user.is_authenticated and organisation is not None):
        return False
    eco_ids, node_ids = staff_ecosystem_ids(user), staff_node_ids(user)
    if not (eco_ids or node_ids):
        return False
    return any(
        m.ecosystem_id in eco_ids or (m.node_id is not None and m.node_id in node_ids)
        for m in organisation.memberships.all()
    )


@rules.predicate
def is_published(user, organisation) -> bool:
    return organisation is not None and organisation.published


can_edit_organisation = is_platform_admin | curates | represents

rules.add_perm("directory.view_organisation", is_published | can_edit_organisation)
rules.add_perm("directory.change_organisation", can_edit_organisation)
rules.add_perm("directory.add_organisation", is_platform_admin | is_staff_anywhere)
rules.add_perm("directory.delete_organisation", is_platform_admin | curates)
rules.add_perm("directory.import_organisations", is_platform_admin | is_staff_anywhere)
rules.add_perm("directory.export_organisations", rules.always_allow)
rules.add_perm("directory.view_person", rules.is_authenticated)
rules.add_perm("directory.change_theme", is_platform_admin)
