"""Forms of the opportunity pages. They validate and present; writing goes through services."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jumelage.core.countries import by_name
from jumelage.directory.admin import editable_organisations
from jumelage.directory.forms import ThemeChoiceField
from jumelage.directory.models import Organisation
from jumelage.ecosystems.models import Ecosystem, NetworkNode
from jumelage.ecosystems.rules import is_platform_admin, is_staff_anywhere
from jumelage.opportunities.models import MAX_DESCRIPTION, MAX_MESSAGE, Market, Opportunity, Stage
from jumelage.opportunities.rules import represented_ids


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OrganisationRefField(forms.CharField):
    """An organisation typed by its exact name or its address name (slug), among `queryset`: a select
    of thousands of members would be unusable."""

    def __init__(self, *, queryset=None, **kwargs):
        kwargs.setdefault("max_length", 255)
        super().__init__(**kwargs)
        self.queryset = queryset if queryset is not None else Organisation.objects.all()

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        found = list(self.queryset.filter(Q(slug=value) | Q(name__iexact=value))[:2])
        if len(found) != 1:
            raise forms.ValidationError(
                _("No organisation you may act for is called “%(value)s” (give its exact name)."),
                params={"value": value},
            )
        return found[0]


def organisation_field(user, *, label, help_text="") -> forms.Field:
    """A select of the organisations the user represents, or, for staff and admins, a name field."""
    if is_platform_admin(user) or is_staff_anywhere(user):
        return OrganisationRefField(
            label=label,
            queryset=editable_organisations(user),
            help_text=help_text or _("Exact name of the organisation, as in the directory."),
        )
    return forms.ModelChoiceField(
        label=label,
        queryset=Organisation.objects.filter(pk__in=represented_ids(user)).order_by("name"),
        help_text=help_text,
        empty_label=None,
    )


class OpportunityForm(forms.ModelForm):
    themes = ThemeChoiceField(
        label=_("Themes"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or Cmd) to select several."),
    )
    target_ecosystems = forms.ModelMultipleChoiceField(
        label=_("Target ecosystems"),
        queryset=Ecosystem.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty to address every partner ecosystem."),
    )
    target_countries_text = forms.CharField(
        label=_("Target countries"),
        required=False,
        max_length=200,
        help_text=_("Two-letter codes separated by commas, e.g. BE, FR."),
    )

    class Meta:
        model = Opportunity
        fields = [
            "kind",
            "title",
            "summary",
            "description_fr",
            "description_nl",
            "description_en",
            "themes",
            "target_ecosystems",
            "deadline",
            "visibility",
        ]
        widgets = {
            "deadline": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 2}),
            "description_fr": forms.Textarea(attrs={"rows": 6, "lang": "fr"}),
            "description_nl": forms.Textarea(attrs={"rows": 6, "lang": "nl"}),
            "description_en": forms.Textarea(attrs={"rows": 6, "lang": "en"}),
        }

    def __init__(self, *args, user=None, creating=False, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("description_fr", "description_nl", "description_en"):
            self.fields[name].max_length = MAX_DESCRIPTION
        if creating:
            self.fields = {
                "organisation": organisation_field(user, label=_("Published by")),
                **self.fields,
            }
        if self.instance and self.instance.pk:
            self.initial.setdefault("target_countries_text", ", ".join(self.instance.target_countries))

    def clean_target_countries_text(self):
        raw = self.cleaned_data.get("target_countries_text", "")
        codes = [c.strip().upper() for c in raw.replace(";", ",").split(",") if c.strip()]
        bad = [c for c in codes if len(c) != 2 or not c.isalpha()]
        if bad:
            raise forms.ValidationError(
                _("Not country codes: %(codes)s (two letters each, e.g. BE, FR)."),
                params={"codes": ", ".join(bad)},
            )
        return codes

    def service_data(self) -> dict:
        data = {
            name: self.cleaned_data[name]
            for name in (
                "kind",
                "title",
                "summary",
                "description_fr",
                "description_nl",
                "description_en",
                "deadline",
                "visibility",
            )
        }
        data["target_countries"] = self.cleaned_data["target_countries_text"]
        return data


class OpportunityFilterForm(forms.Form):
    """The list's filters (GET). Validation of the values is queries.filter_opportunities's job."""

    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    ecosystem = forms.ChoiceField(label=_("Published by a member of"), required=False)
    country = forms.ChoiceField(label=_("Country of the publisher"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Any kind")), *Opportunity.Kind.choices]
        from jumelage.directory.forms import theme_paths
        from jumelage.directory.models import Theme

        paths = theme_paths()
        codes = dict(Theme.objects.values_list("pk", "code"))
        self.fields["theme"].choices = [
            ("", _("Any theme")),
            *sorted(((codes[pk], path) for pk, path in paths.items()), key=lambda c: c[1].casefold()),
        ]
        self.fields["ecosystem"].choices = [
            ("", _("Any ecosystem")),
            *Ecosystem.objects.order_by("name").values_list("slug", "name"),
        ]
        # the publishers' countries, by name in the reader's language (the value stays the ISO code)
        codes = (
            Opportunity.objects.filter(status=Opportunity.Status.PUBLISHED)
            .values_list("organisation__country", flat=True)
            .distinct()
        )
        self.fields["country"].choices = [("", _("Any country")), *by_name(codes)]


class InterestForm(forms.Form):
    organisation = forms.Field()  # replaced in __init__
    message = forms.CharField(
        label=_("Your message"),
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you offer or look for, and how to reach you. The owner reads it before answering."),
    )

    def __init__(self, *args, user=None, opportunity=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only representatives speak for an organisation here (staff curate, they do not apply).
        queryset = Organisation.objects.filter(pk__in=represented_ids(user)).order_by("name")
        if opportunity is not None:
            queryset = queryset.exclude(pk=opportunity.organisation_id)
        self.fields["organisation"] = forms.ModelChoiceField(
            label=_("On behalf of"), queryset=queryset, empty_label=None
        )
        self.order_fields(["organisation", "message"])


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Answer"), choices=[("accept", _("Accept")), ("decline", _("Decline"))]
    )


class StepForm(forms.Form):
    stage = forms.ChoiceField(label=_("New stage"))
    happened_on = forms.DateField(label=_("Date"), widget=DateInput())
    ecosystem = forms.ModelChoiceField(
        label=_("Made happen by (ecosystem)"),
        queryset=Ecosystem.objects.order_by("name"),
        required=False,
        help_text=_("Leave empty to credit your own ecosystem or node."),
    )
    node = forms.ModelChoiceField(
        label=_("Made happen by (node)"),
        queryset=NetworkNode.objects.select_related("ecosystem").order_by("ecosystem__name", "name"),
        required=False,
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=MAX_MESSAGE, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Stage.choices)
        self.fields["stage"].choices = [(s, labels[s]) for s in allowed]
        self.initial.setdefault("happened_on", timezone.localdate())


class MarketNeedForm(forms.Form):
    theme = forms.ModelChoiceField(label=_("Theme"), queryset=None)
    market = forms.ChoiceField(label=_("Market"), choices=Market.choices)
    sector = forms.CharField(label=_("Sector"), required=False, max_length=120)
    organisation = OrganisationRefField(
        label=_("Expressed by (organisation)"),
        required=False,
        help_text=_("Exact name of an organisation of the directory, if the need came from one."),
    )
    expressed_by = forms.CharField(
        label=_("Expressed by (other)"),
        required=False,
        max_length=200,
        help_text=_("Who expressed the need when it is not an organisation of the directory."),
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was said or seen, where and when: a meeting, a survey, a call for tenders…"),
    )
    observed_on = forms.DateField(label=_("Observed on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        from jumelage.directory.models import Theme

        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.all()
        self.initial.setdefault("observed_on", timezone.localdate())

    def service_data(self) -> dict:
        d = self.cleaned_data
        return {
            "theme": d["theme"],
            "market": d["market"],
            "sector": d["sector"],
            "organisation": d["organisation"],
            "expressed_by": d["expressed_by"],
            "evidence": d["evidence"],
            "observed_on": d["observed_on"],
        }
