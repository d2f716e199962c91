"""Who may do what to ecosystems and nodes. Predicates are shared by pages, API and admin."""

import rules


@rules.predicate
def is_platform_admin(user) -> bool:
    return bool(user and user.is_active and user.is_superuser)


def staff_ecosystem_ids(user) -> set[int]:
    """Ecosystems the user is staff of (cached on the user object for the request)."""
    if not (user and user.is_authenticated):
        return set()
    if not hasattr(user, "_jumelage_eco_ids"):
        user._jumelage_eco_ids = set(user.ecosystem_roles.values_list("ecosystem_id", flat=True))
    return user._jumelage_eco_ids


def staff_node_ids(user) -> set[int]:
    """Nodes the user is staff of directly (not through an ecosystem role)."""
    if not (user and user.is_authenticated):
        return set()
    if not hasattr(user, "_jumelage_node_ids"):
        user._jumelage_node_ids = set(user.node_roles.values_list("node_id", flat=True))
    return user._jumelage_node_ids


@rules.predicate
def is_staff_anywhere(user) -> bool:
    return bool(staff_ecosystem_ids(user) or staff_node_ids(user))


@rules.predicate
def is_ecosystem_staff(user, ecosystem) -> bool:
    return ecosystem is not None and ecosystem.pk in staff_ecosystem_ids(user)


@rules.predicate
def is_node_staff(user, node) -> bool:
    if node is None:
        return False
    return node.pk in staff_node_ids(user) or node.ecosystem_id in staff_ecosystem_ids(user)


def staffs_brand_of(user, holder) -> bool:
    """Whether `user` is staff of the ecosystem or node that `holder` names (an event partner, a
    partnership party: anything with `ecosystem_id` / `node`); ecosystem staff count for its nodes."""
    if holder.ecosystem_id:
        return holder.ecosystem_id in staff_ecosystem_ids(user)
    return is_node_staff(user, holder.node)


rules.add_perm("ecosystems.view_ecosystem", rules.always_allow)
rules.add_perm("ecosystems.change_ecosystem", is_platform_admin | is_ecosystem_staff)
rules.add_perm("ecosystems.add_ecosystem", is_platform_admin)
rules.add_perm("ecosystems.delete_ecosystem", is_platform_admin)
rules.add_perm("ecosystems.view_networknode", rules.always_allow)
rules.add_perm("ecosystems.change_networknode", is_platform_admin | is_node_staff)
rules.add_perm("ecosystems.add_networknode", is_platform_admin | is_ecosystem_staff)
rules.add_perm("ecosystems.delete_networknode", is_platform_admin)
