"""Staff roles: which ecosystems and nodes the user works for. They go with the account."""

from __future__ import annotations


def export(user) -> dict:
    return {
        "staff_roles": [r.ecosystem.name for r in user.ecosystem_roles.select_related("ecosystem")]
        + [r.node.name for r in user.node_roles.select_related("node")],
    }


def erase(user) -> dict[str, int]:
    return {}
