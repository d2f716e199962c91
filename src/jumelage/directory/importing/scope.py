"""Where an importer may put organisations: the ecosystems and nodes they are staff of."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from jumelage.directory.importing.reading import ImportFileError
from jumelage.ecosystems.models import Ecosystem, NetworkNode
from jumelage.ecosystems.rules import staff_ecosystem_ids, staff_node_ids


@dataclass
class Scope:
    """Where the importer may put organisations: everywhere (platform admin, CLI operator), or the
    ecosystems and nodes they are staff of."""

    everything: bool
    ecosystem_ids: set[int] = field(default_factory=set)
    node_ids: set[int] = field(default_factory=set)

    @classmethod
    def for_actor(cls, actor) -> Scope:
        if actor is None or (actor.is_authenticated and actor.is_superuser):
            return cls(everything=True)
        return cls(False, set(staff_ecosystem_ids(actor)), set(staff_node_ids(actor)))

    def allows(self, ecosystem_id: int, node_id: int | None) -> bool:
        if self.everything or ecosystem_id in self.ecosystem_ids:
            return True
        return node_id is not None and node_id in self.node_ids

    def allows_any(self, pairs) -> bool:
        return self.everything or any(self.allows(e, n) for e, n in pairs)


def default_memberships(actor, ecosystem: Ecosystem | None, node: NetworkNode | None) -> list:
    """The membership given to rows that name no ecosystem or node. Raises ImportFileError when the
    importer may not import there."""
    scope = Scope.for_actor(actor)
    if node is not None:
        if ecosystem is not None and node.ecosystem_id != ecosystem.pk:
            raise ImportFileError(
                _("Node “%(node)s” does not belong to ecosystem “%(eco)s”.")
                % {"node": node, "eco": ecosystem}
            )
        if not scope.allows(node.ecosystem_id, node.pk):
            raise ImportFileError(_("You are not staff of node “%(node)s”.") % {"node": node})
        return [(node.ecosystem_id, node.pk)]
    if ecosystem is not None:
        if scope.allows(ecosystem.pk, None):
            return [(ecosystem.pk, None)]
        own = list(
            NetworkNode.objects.filter(ecosystem=ecosystem, pk__in=scope.node_ids).values_list(
                "pk", flat=True
            )
        )
        if len(own) == 1:
            return [(ecosystem.pk, own[0])]
        raise ImportFileError(_("You are not staff of ecosystem “%(eco)s”.") % {"eco": ecosystem})
    if not scope.everything:
        pairs = [(e, None) for e in scope.ecosystem_ids]
        pairs += list(NetworkNode.objects.filter(pk__in=scope.node_ids).values_list("ecosystem_id", "pk"))
        if len(pairs) == 1:
            return pairs
    return []
