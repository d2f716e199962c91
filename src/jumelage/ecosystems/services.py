"""Writing ecosystems and network nodes. Pages, admin, API and commands all come through here."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jumelage.core.audit import log_action
from jumelage.core.validation import refuse_unknown_fields
from jumelage.ecosystems.models import LabelChange, NetworkNode, NodeKind

# Fields of a node that its staff may change directly; the kind changes only through a label change.
NODE_FIELDS = (
    "name",
    "short_name",
    "parent",
    "city",
    "region",
    "country",
    "website",
    "description_fr",
    "description_nl",
    "description_en",
)


def check_parent(node: NetworkNode, parent: NetworkNode | None) -> None:
    if parent is None:
        return
    if parent.ecosystem_id != node.ecosystem_id:
        raise ValidationError({"parent": _("The parent node must belong to the same ecosystem.")})
    seen, current = set(), parent
    while current is not None and current.pk not in seen:
        if current.pk == node.pk:
            raise ValidationError(
                {"parent": _("A node cannot be placed under itself or one of its children.")}
            )
        seen.add(current.pk)
        current = current.parent


@transaction.atomic
def update_node(*, actor, node: NetworkNode, data: dict, themes: Iterable | None = None) -> NetworkNode:
    """Change a node's descriptive fields (not its kind: see record_label_change). Permission is the
    caller's check (rules: ecosystems.change_networknode). Raises ValidationError naming each bad
    field; writes nothing then."""
    refuse_unknown_fields(data, NODE_FIELDS)
    node = NetworkNode.objects.select_for_update().get(pk=node.pk)
    if "parent" in data:
        check_parent(node, data["parent"])
    changed = sorted(k for k, v in data.items() if getattr(node, k) != v)
    for key in changed:
        setattr(node, key, data[key])
    node.full_clean()
    node.save()
    if themes is not None:
        before = set(node.themes.values_list("pk", flat=True))
        node.themes.set(themes)
        if before != {t.pk for t in themes}:
            changed.append("themes")
    log_action(actor=actor, action="node.update", obj=node, fields=changed)
    return node


@transaction.atomic
def record_label_change(
    *,
    actor,
    node: NetworkNode,
    to_kind: str,
    decided_on: datetime.date,
    decided_by: str,
    evidence: str = "",
) -> LabelChange:
    """Record that `node` was labelled `to_kind` (e.g. community → international hub): the node's kind
    changes, a LabelChange row keeps the history and the audit log says who recorded it.
    Raises ValidationError (nothing written) on an unknown kind, a kind equal to the current one, a
    missing decider or a decision date in the future."""
    given, node = node, NetworkNode.objects.select_for_update().get(pk=node.pk)
    errors = {}
    if to_kind not in NodeKind.values:
        errors["to_kind"] = _("Choose one of the node kinds.")
    elif to_kind == node.kind:
        errors["to_kind"] = _("The node already has this kind: choose a different one.")
    if not (decided_by or "").strip():
        errors["decided_by"] = _("Say who decided the label change.")
    if decided_on is None:
        errors["decided_on"] = _("Give the date of the decision.")
    elif decided_on > datetime.date.today() + datetime.timedelta(days=1):
        errors["decided_on"] = _("The decision date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    change = LabelChange(
        node=node,
        from_kind=node.kind,
        to_kind=to_kind,
        decided_on=decided_on,
        decided_by=decided_by.strip(),
        evidence=(evidence or "").strip(),
    )
    change.full_clean()
    change.save()
    node.kind = to_kind
    node.full_clean()
    node.save(update_fields=["kind", "updated_at"])
    given.kind, given.updated_at = node.kind, node.updated_at  # the caller's copy stays current
    log_action(
        actor=actor,
        action="node.label_change",
        obj=node,
        from_kind=change.from_kind,
        to_kind=to_kind,
        decided_on=decided_on.isoformat(),
        decided_by=change.decided_by,
    )
    return change
