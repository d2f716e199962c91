from django import forms
from django.utils.translation import gettext_lazy as _

from jumelage.events.core_forms import BrandMultipleChoiceField, brand_choices, brand_from_choice
from jumelage.events.models import Event
from jumelage.partnerships.models import Action, Partnership, SteeringMeeting


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PartnershipForm(forms.ModelForm):
    class Meta:
        model = Partnership
        fields = [
            "title",
            "summary",
            "status",
            "signed_on",
            "ends_on",
            "public",
            "terms_fr",
            "terms_nl",
            "terms_en",
        ]
        widgets = {
            "signed_on": DateInput(),
            "ends_on": DateInput(),
            "terms_fr": forms.Textarea(attrs={"rows": 6}),
            "terms_nl": forms.Textarea(attrs={"rows": 6}),
            "terms_en": forms.Textarea(attrs={"rows": 6}),
        }


class NewPartnershipForm(PartnershipForm):
    parties = BrandMultipleChoiceField(
        label=_("Parties"),
        help_text=_("The ecosystems or nodes that agree, at least two (hold Ctrl or ⌘ to choose several)."),
    )

    class Meta(PartnershipForm.Meta):
        fields = ["title", "parties", *PartnershipForm.Meta.fields[1:]]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parties"].choices = brand_choices()

    def brands(self) -> list:
        return [brand_from_choice(v) for v in self.cleaned_data.get("parties", [])]


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = ["title", "details", "owner", "due_on", "status", "event"]
        widgets = {"due_on": DateInput(), "details": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = partnership.parties.select_related("ecosystem", "node")
        self.fields["owner"].empty_label = _("All parties together")
        # public events only: the plan of a public partnership shows the event's title to everyone
        self.fields["event"].queryset = Event.objects.filter(
            status=Event.Status.PUBLISHED, visibility=Event.Visibility.PUBLIC
        ).order_by("-starts_at")
        self.fields["event"].help_text = _("A public event that delivers this action (optional).")
        self.fields["event"].required = False


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Action.Status.choices)


class MeetingForm(forms.ModelForm):
    class Meta:
        model = SteeringMeeting
        fields = ["held_on", "place", "attendees", "decisions"]
        widgets = {
            "held_on": DateInput(),
            "attendees": forms.Textarea(attrs={"rows": 2}),
            "decisions": forms.Textarea(attrs={"rows": 4}),
        }
