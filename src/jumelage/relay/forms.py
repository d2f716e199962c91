from django import forms
from django.utils.translation import gettext_lazy as _

from jumelage.relay.services import MAX_MESSAGE, MAX_REASON


class RelayForm(forms.Form):
    to_nodes = forms.TypedMultipleChoiceField(
        label=_("Relay to"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one node to relay to."),
            "invalid_choice": _("One of the nodes chosen cannot receive this item any more. Choose again."),
        },
    )
    message = forms.CharField(
        label=_("Message to their staff"),
        required=False,
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why it matters to their community (optional)."),
    )

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.nodes = {n.pk: n for _eco, nodes in groups for n in nodes}
        self.fields["to_nodes"].choices = [(eco, [(n.pk, n.name) for n in nodes]) for eco, nodes in groups]

    def chosen_nodes(self):
        return [self.nodes[pk] for pk in self.cleaned_data["to_nodes"]]


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("share", _("share")), ("decline", _("decline"))])
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=MAX_REASON)

    def share(self) -> bool:
        return self.cleaned_data["decision"] == "share"
