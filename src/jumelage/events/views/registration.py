"""Registering for an event: the form (with the event's own questions) and the page that takes it. Every
write goes through jumelage.events.services.registration, as the API's do. The registrant's own pages are
in registrants.py; the staff list and the check-in desk in checkin.py."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from jumelage.core.forms import apply_service_errors
from jumelage.directory.forms import ThemeChoiceField, country_code
from jumelage.directory.models import Organisation, OrganisationKind, Theme
from jumelage.events.models import Registration
from jumelage.events.queries import partners_in_order
from jumelage.events.services import registration as services
from jumelage.events.views.common import event_view

Status = Registration.Status


# --- The form ----------------------------------------------------------------------------------------------


def interest_choices(event):
    """The themes a registrant may pick: the event's own, else the taxonomy's top level."""
    themes = event.themes.all()
    return themes if themes.exists() else Theme.objects.filter(parent__isnull=True)


class RegistrationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    email = forms.EmailField(label=gettext_lazy("E-mail"), max_length=254)
    language = forms.ChoiceField(label=gettext_lazy("Language of your e-mails"), choices=settings.LANGUAGES)
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Your organisation in the directory"),
        queryset=Organisation.objects.none(),
        required=False,
        to_field_name="slug",
    )
    organisation_name = forms.CharField(label=gettext_lazy("Organisation"), max_length=255, required=False)
    organisation_kind = forms.ChoiceField(
        label=gettext_lazy("Kind of organisation"),
        choices=[("", "—"), *OrganisationKind.choices],
        required=False,
    )
    country = forms.CharField(
        label=gettext_lazy("Country"),
        max_length=60,  # a name typed in full is read (country_code), not cut to two letters
        required=False,
        help_text=gettext_lazy("Two-letter code, e.g. BE or FR."),
    )
    role = forms.CharField(
        label=gettext_lazy("Your role"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("E.g. founder, developer, investor."),
    )
    # Sorted by the label in the reader's language, accents ignored (not by the French label).
    interests = ThemeChoiceField(
        label=gettext_lazy("Interests"),
        queryset=Theme.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": gettext_lazy("Unknown theme: %(value)s.")},
    )
    via = forms.CharField(widget=forms.HiddenInput, required=False, max_length=120)

    def __init__(self, *args, event, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["interests"].queryset = interest_choices(event)
        orgs = (
            Organisation.objects.filter(representatives__user=user).order_by("name")
            if user is not None and user.is_authenticated
            else Organisation.objects.none()
        )
        if orgs.exists():
            self.fields["organisation"].queryset = orgs
        else:
            del self.fields["organisation"]
        self.questions = list(event.questions.all())
        for q in self.questions:
            key = f"q_{q.pk}"
            if q.choices:
                choices = [(str(c), str(c)) for c in q.choices]
                self.fields[key] = forms.ChoiceField(
                    label=q.label, required=q.required, choices=[("", "—"), *choices]
                )
            else:
                self.fields[key] = forms.CharField(label=q.label, required=q.required, max_length=2000)

    def clean_country(self):
        value = self.cleaned_data["country"]
        return country_code(value) if value.strip() else ""

    def answers(self) -> dict[str, str]:
        return {str(q.pk): self.cleaned_data.get(f"q_{q.pk}") or "" for q in self.questions}


# --- Registering -------------------------------------------------------------------------------------------


@event_view("events.register")
@require_http_methods(["GET", "POST"])
def register(request, event):
    """The registration form. A signed-in user's registration is linked to their account; a visitor's
    is managed through the secret link in the confirmation e-mail."""
    user = request.user if request.user.is_authenticated else None
    existing = None
    if user is not None:
        existing = (
            Registration.objects.filter(event=event, user=user).exclude(status=Status.CANCELLED).first()
        )
    refusal = services.registration_problem(event)
    if refusal is None and services.is_full_without_waitlist(event):
        refusal = services.RegistrationRefused(_("This event is full and has no waiting list."), code="full")
    status = 200
    if request.method == "POST" and refusal is None:
        form = RegistrationForm(request.POST, event=event, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                registration = services.register(
                    event=event,
                    name=data["name"],
                    email=data["email"],
                    language=data["language"],
                    user=user,
                    organisation=data.get("organisation"),
                    organisation_name=data["organisation_name"],
                    organisation_kind=data["organisation_kind"],
                    country=data["country"],
                    role=data["role"],
                    interests=data["interests"],
                    answers=form.answers(),
                    via=data["via"],
                )
            except services.RegistrationRefused as exc:
                form.add_error(None, exc.messages[0])
                status = 409
            except ValidationError as exc:
                apply_service_errors(form, exc)
                status = 400
            else:
                if registration.status == Status.CONFIRMED:
                    messages.success(
                        request,
                        _("You are registered. A confirmation with your QR code is on its way to %(email)s.")
                        % {"email": registration.email},
                    )
                else:
                    messages.info(
                        request,
                        _("The event is full: you are on the waiting list. We have written to %(email)s.")
                        % {"email": registration.email},
                    )
                return redirect("events:registration-detail", token=registration.token)
        else:
            status = 400
    elif request.method == "POST":
        form = None
        status = 409
    else:
        initial = {"via": request.GET.get("via", ""), "language": _current_language()}
        if user is not None:
            initial.update(name=user.get_full_name() or user.get_username(), email=user.email)
        form = RegistrationForm(initial=initial, event=event, user=user) if refusal is None else None
    return render(
        request,
        "events/registration_form.html",
        {
            "event": event,
            "form": form,
            "refusal": refusal,
            "existing": existing,
            "partners": partners_in_order(event),
            "seats_left": max(0, (event.capacity or 0) - event.confirmed_count),
        },
        status=status,
    )


def _current_language() -> str:
    from django.utils.translation import get_language

    from jumelage.core.mail import language_of

    return language_of(get_language())


urlpatterns = [
    path("events/<slug:slug>/register/", register, name="register"),
]
