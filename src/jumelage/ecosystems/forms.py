"""Forms of the node pages. They validate and present; writing goes through ecosystems.services."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from jumelage.directory.forms import ThemeChoiceField, formfield
from jumelage.ecosystems.models import LabelChange, NetworkNode, NodeKind
from jumelage.ecosystems.services import NODE_FIELDS


class NodeForm(forms.ModelForm):
    """A node's descriptive fields. The kind is not here: it changes through a recorded label change."""

    themes = ThemeChoiceField(
        label=_("Themes"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Hold Ctrl (or Cmd) to select several."),
    )

    class Meta:
        model = NetworkNode
        fields = [*NODE_FIELDS, "themes"]
        formfield_callback = formfield
        widgets = {
            "description_fr": forms.Textarea(attrs={"rows": 5}),
            "description_nl": forms.Textarea(attrs={"rows": 5}),
            "description_en": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        node = self.instance
        parent = self.fields["parent"]
        # Only nodes of the same ecosystem, never the node itself or one of its descendants.
        excluded = _descendant_ids(node) | {node.pk}
        parent.queryset = (
            NetworkNode.objects.filter(ecosystem_id=node.ecosystem_id)
            .exclude(pk__in=excluded)
            .order_by("name")
        )
        parent.required = False
        self.fields["country"].help_text = _("Two-letter code, e.g. BE or FR.")

    def clean_country(self) -> str:
        value = (self.cleaned_data.get("country") or "").strip().upper()
        if value and (len(value) != 2 or not value.isalpha()):
            raise forms.ValidationError(_("Enter the country as a two-letter code, e.g. BE or FR."))
        return value

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in NODE_FIELDS}


def _descendant_ids(node: NetworkNode) -> set[int]:
    if node.pk is None:
        return set()
    children: dict[int, list[int]] = {}
    for pk, parent_id in NetworkNode.objects.filter(ecosystem_id=node.ecosystem_id).values_list(
        "pk", "parent_id"
    ):
        children.setdefault(parent_id, []).append(pk)
    found, stack = set(), [node.pk]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


class LabelChangeForm(forms.ModelForm):
    """A label decision: the node becomes `to_kind` (e.g. community → international hub)."""

    to_kind = forms.ChoiceField(label=_("New kind"), choices=NodeKind.choices)
    decided_on = forms.DateField(
        label=_("Decided on"),
        initial=datetime.date.today,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Date of the decision, e.g. 2025-03-31."),
    )

    class Meta:
        model = LabelChange
        fields = ["to_kind", "decided_on", "decided_by", "evidence"]
        widgets = {"evidence": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "decided_by": _("Who took the decision, e.g. Mission French Tech."),
            "evidence": _("What the decision rests on: a letter, a call's results, a link."),
        }

    def __init__(self, *args, node: NetworkNode, **kwargs):
        super().__init__(*args, **kwargs)
        self.node = node
        self.fields["to_kind"].choices = [(v, lbl) for v, lbl in NodeKind.choices if v != node.kind]
        self.fields["decided_by"].required = True

    def _post_clean(self):
        # The service builds and validates the LabelChange itself (it needs the node row locked).
        pass
