"""Forms of the events core pages (event, partners, schedule). They validate and present; writing goes
through jumelage.events.services.events / .schedule."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from jumelage.directory.forms import ThemeChoiceField, formfield
from jumelage.directory.models import Person
from jumelage.ecosystems.models import Ecosystem, NetworkNode
from jumelage.events.models import Event, EventPartner, Room, Session
from jumelage.events.services.events import EDITABLE_FIELDS, EVENT_LANGUAGES

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def brand_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every ecosystem and node, grouped by ecosystem: 'ecosystem:<pk>' or 'node:<pk>'."""
    groups = []
    nodes = {}
    for node in NetworkNode.objects.order_by("name"):
        nodes.setdefault(node.ecosystem_id, []).append((f"node:{node.pk}", node.name))
    for eco in Ecosystem.objects.order_by("name"):
        groups.append((eco.name, [(f"ecosystem:{eco.pk}", eco.name), *nodes.get(eco.pk, [])]))
    return groups


def brand_from_choice(value: str):
    """The ecosystem or node a brand choice names, or None when there is none."""
    kind, _sep, pk = (value or "").partition(":")
    if not pk.isdigit():
        return None
    if kind == "ecosystem":
        return Ecosystem.objects.filter(pk=pk).first()
    if kind == "node":
        return NetworkNode.objects.filter(pk=pk).first()
    return None


class BrandChoiceField(forms.ChoiceField):
    default_error_messages = {
        "invalid_choice": _("Unknown partner: choose an existing ecosystem or network node."),
    }


class BrandMultipleChoiceField(forms.MultipleChoiceField):
    default_error_messages = {
        "invalid_choice": _("Unknown partner: choose existing ecosystems or network nodes."),
    }


class EventForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=EVENT_LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The languages spoken at the event."),
    )
    themes = ThemeChoiceField(
        label=_("Themes"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (or Cmd) to select several."),
    )

    class Meta:
        model = Event
        formfield_callback = formfield
        fields = [f for f in EDITABLE_FIELDS if f != "timezone"] + ["themes"]
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "registration_opens_at": DateTimeInput(),
            "registration_closes_at": DateTimeInput(),
            "description_fr": forms.Textarea(attrs={"rows": 5}),
            "description_nl": forms.Textarea(attrs={"rows": 5}),
            "description_en": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("online_url",):
            self.fields[name].widget.attrs.setdefault("inputmode", "url")
        self.fields["country"].widget.attrs.update({"maxlength": "2", "autocomplete": "country"})
        for name in ("kind", "visibility"):
            self.fields[name].choices = [(v, capfirst(label)) for v, label in self.fields[name].choices]
        if self.instance.pk:
            self.initial.setdefault("languages", self.instance.languages)

    def _post_clean(self):
        # The service validates the whole event (dates, place, window) and names each problem; the
        # ModelForm's own instance validation would report the same things twice.
        pass

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k in EDITABLE_FIELDS}
        for key in ("summary", "description_fr", "description_nl", "description_en", "online_url"):
            data[key] = data.get(key) or ""
        for key in ("venue", "street", "postcode", "city"):
            data[key] = (data.get(key) or "").strip()
        data["country"] = (data.get("country") or "").strip().upper()
        data["languages"] = list(data.get("languages") or [])
        return data


class NewEventForm(EventForm):
    lead = BrandChoiceField(
        label=_("Lead organiser"),
        help_text=_("The ecosystem or node that leads the event. It comes first in the co-branding."),
    )
    co_organisers = BrandMultipleChoiceField(
        label=_("Co-organisers"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_(
            "They co-programme the event and approve its programme. Hold Ctrl (or Cmd) to select several."
        ),
    )

    field_order = ["lead", "co_organisers"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = brand_choices()
        self.fields["lead"].choices = [("", "—"), *choices]
        self.fields["co_organisers"].choices = choices

    def partners(self) -> list:
        lead = brand_from_choice(self.cleaned_data["lead"])
        result = [(lead, EventPartner.Role.LEAD)]
        for value in self.cleaned_data.get("co_organisers") or []:
            if value != self.cleaned_data["lead"]:
                result.append((brand_from_choice(value), EventPartner.Role.CO_ORGANISER))
        return result


class AddPartnerForm(forms.Form):
    partner = BrandChoiceField(label=_("Ecosystem or node"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (EventPartner.Role.CO_ORGANISER, capfirst(EventPartner.Role.CO_ORGANISER.label)),
            (EventPartner.Role.SUPPORTING, capfirst(EventPartner.Role.SUPPORTING.label)),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [("", "—"), *brand_choices()]


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name", "capacity"]

    def _post_clean(self):
        pass  # the service checks (a room's name is unique within its event)


class SessionForm(forms.ModelForm):
    speakers = forms.ModelMultipleChoiceField(
        label=_("Speakers"),
        queryset=Person.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("People from the directory. Hold Ctrl (or Cmd) to select several."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=[("", "—"), *EVENT_LANGUAGES], required=False)

    class Meta:
        model = Session
        fields = ["title", "kind", "starts_at", "ends_at", "room", "language", "description", "speakers"]
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = Room.objects.filter(event=event)
        self.fields["room"].empty_label = _("No room")
        self.fields["kind"].choices = [(v, capfirst(label)) for v, label in self.fields["kind"].choices]
        if self.instance.pk:
            self.initial.setdefault("speakers", list(self.instance.speakers.all()))

    def _post_clean(self):
        pass  # the service checks times, room clashes and the event's dates

    def service_data(self) -> dict:
        data = {
            k: self.cleaned_data.get(k) for k in ("title", "kind", "starts_at", "ends_at", "room", "language")
        }
        data["description"] = self.cleaned_data.get("description") or ""
        data["language"] = data["language"] or ""
        return data
