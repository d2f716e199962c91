"""Registration pages: the form, the registrant's own page (by its secret link), the staff list and the
check-in desk. Every write goes through jumelage.events.services.registration, as the API's do."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from jumelage.directory.models import Organisation, OrganisationKind, Theme
from jumelage.events import qr
from jumelage.events.models import Registration
from jumelage.events.services import registration as services
from jumelage.events.views.common import event_view

Status = Registration.Status
PER_PAGE = 50


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
        max_length=2,
        min_length=2,
        required=False,
        help_text=gettext_lazy("Two-letter code, e.g. BE or FR."),
    )
    role = forms.CharField(
        label=gettext_lazy("Your role"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("E.g. founder, developer, investor."),
    )
    interests = forms.ModelMultipleChoiceField(
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
        return self.cleaned_data["country"].strip().upper()

    def answers(self) -> dict[str, str]:
        return {str(q.pk): self.cleaned_data.get(f"q_{q.pk}") or "" for q in self.questions}


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's validation errors on the form: answers on their question's field, the rest
    on the field of the same name, or on the form."""
    if not hasattr(exc, "error_dict"):
        for m in exc.messages:
            form.add_error(None, m)
        return
    for field, errors in exc.message_dict.items():
        target = field if field in form.fields else None
        for m in errors:
            form.add_error(target, m)


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
                _apply_errors(form, exc)
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
            "partners": _partners(event),
            "seats_left": max(0, (event.capacity or 0) - event.confirmed_count),
        },
        status=status,
    )


def _current_language() -> str:
    from django.utils.translation import get_language

    from jumelage.core.mail import language_of

    return language_of(get_language())


def _partners(event):
    return list(
        event.partners.select_related("ecosystem", "node", "node__ecosystem").order_by("position", "pk")
    )


# --- The registrant's own page, by its secret link ---------------------------------------------------------


def _by_token(token: str) -> Registration:
    return get_object_or_404(Registration.objects.select_related("event"), token=token)


def registration_detail(request, token):
    registration = _by_token(token)
    position = None
    if registration.status == Status.WAITLISTED:
        position = (
            Registration.objects.filter(event=registration.event, status=Status.WAITLISTED)
            .filter(
                Q(created_at__lt=registration.created_at)
                | Q(created_at=registration.created_at, pk__lt=registration.pk)
            )
            .count()
            + 1
        )
    return render(
        request,
        "events/registration_detail.html",
        {
            "registration": registration,
            "event": registration.event,
            "partners": _partners(registration.event),
            "position": position,
            "can_cancel": registration.status != Status.CANCELLED
            and registration.event.ends_at > timezone.now(),
        },
    )


def registration_qr(request, token):
    registration = _by_token(token)
    if registration.status != Status.CONFIRMED:
        return HttpResponse(
            _("Only a confirmed registration has a QR code."), status=404, content_type="text/plain"
        )
    response = HttpResponse(qr.svg(registration), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


def registration_badge(request, token):
    """The registrant's own name badge (PDF), co-branded, with the check-in QR code."""
    registration = _by_token(token)
    if registration.status != Status.CONFIRMED:
        return HttpResponse(
            _("Only a confirmed registration has a badge."), status=404, content_type="text/plain"
        )
    return _badges_response(registration.event, [registration], f"badge-{registration.event.slug}.pdf")


@event_view("events.check_in")
def badges(request, event):
    """Every confirmed registrant's badge, four to an A4 sheet, in name order, for the welcome desk."""
    confirmed = (
        event.registrations.filter(status=Status.CONFIRMED).select_related("organisation").order_by("name")
    )
    return _badges_response(event, confirmed, f"badges-{event.slug}.pdf")


def _badges_response(event, registrations, filename: str) -> HttpResponse:
    from jumelage.events.badges import badges_pdf

    response = HttpResponse(badges_pdf(event, registrations), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def registration_cancel(request, token):
    """Ask first (GET), then cancel (POST). Nothing happens on a GET."""
    registration = _by_token(token)
    if request.method == "POST":
        try:
            result = services.cancel(registration=registration, actor=request.user)
        except services.RegistrationRefused as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(
                request,
                _("Your registration is cancelled. A confirmation is on its way to %(email)s.")
                % {"email": result.registration.email},
            )
        return redirect("events:registration-detail", token=token)
    return render(
        request,
        "events/registration_cancel.html",
        {"registration": registration, "event": registration.event},
    )


# --- Staff: the list and the check-in desk -----------------------------------------------------------------


def search_registrations(event, q: str = "", status: str = ""):
    qs = Registration.objects.filter(event=event).select_related(
        "via_partner__ecosystem", "via_partner__node"
    )
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(email__icontains=q)
            | Q(organisation_name__icontains=q)
            | Q(organisation__name__icontains=q)
        )
    if status in Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("created_at", "pk")


@event_view("events.view_registrations")
def registration_list(request, event):
    q = request.GET.get("q", "")
    status = request.GET.get("status", "")
    page = Paginator(search_registrations(event, q, status), PER_PAGE).get_page(request.GET.get("page"))
    counts = dict(
        Registration.objects.filter(event=event)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    params = {k: v for k, v in {"q": q, "status": status}.items() if v}
    return render(
        request,
        "events/registration_list.html",
        {
            "event": event,
            "page": page,
            "q": q,
            "status": status,
            "statuses": Status.choices,
            "counts": [(value, label, counts.get(value, 0)) for value, label in Status.choices],
            "checked_in": Registration.objects.filter(event=event, checked_in_at__isnull=False).count(),
            "query": urlencode(params),
        },
    )


def _result_message(result: services.CheckIn) -> str:
    r = result.registration
    when = timezone.localtime(r.checked_in_at).strftime("%H:%M") if r.checked_in_at else ""
    by = r.checked_in_by.get_full_name() or r.checked_in_by.get_username() if r.checked_in_by else "?"
    if result.outcome == "checked_in":
        return _("%(name)s checked in at %(time)s by %(by)s.") % {"name": r.name, "time": when, "by": by}
    if result.outcome == "already":
        return _("%(name)s was already checked in at %(time)s by %(by)s.") % {
            "name": r.name,
            "time": when,
            "by": by,
        }
    return _("%(name)s is not confirmed (%(status)s): no seat on this registration.") % {
        "name": r.name,
        "status": r.get_status_display(),
    }


@event_view("events.check_in")
@require_http_methods(["GET", "POST"])
def check_in(request, event):
    """Search by name, e-mail or organisation, or scan: the field takes the QR code's content (a
    handheld scanner types it, then Enter). A scan checks the person in at once; a search lists who
    matches, each with a button. Works without JavaScript; with htmx only the result is swapped."""
    text = (request.POST.get("scan") or request.GET.get("q") or "").strip()
    result = error = None
    matches = None
    found = None
    status = 200
    if request.method == "POST":
        target = None
        if request.POST.get("registration", "").isdigit():
            target = Registration.objects.filter(event=event, pk=int(request.POST["registration"])).first()
            if target is None:
                error, status = _("No such registration for this event."), 404
        elif qr.looks_like_code(text):
            reg_id = qr.registration_id_from_scan(text)
            target = Registration.objects.filter(event=event, pk=reg_id).first() if reg_id else None
            if target is None:
                error, status = _("This code is not a registration for this event."), 404
        if target is not None:
            result = services.check_in(registration=target, actor=request.user)
            status = 200 if result.outcome != "not_confirmed" else 409
        elif error is None:
            matches = list(search_registrations(event, text)[:20]) if text else []
    elif request.GET.get("code"):
        reg_id = qr.registration_id_from_scan(request.GET["code"])
        found = Registration.objects.filter(event=event, pk=reg_id).first() if reg_id else None
        if found is None:
            error, status = _("This code is not a registration for this event."), 404
    elif text:
        matches = list(search_registrations(event, text)[:20])
    context = {
        "event": event,
        "text": "" if result is not None else text,
        "result": result,
        "message": _result_message(result) if result else "",
        "error": error,
        "matches": matches,
        "found": found,
        "checked_in": Registration.objects.filter(event=event, checked_in_at__isnull=False).count(),
        "confirmed": event.confirmed_count,
    }
    template = (
        "events/registration_checkin_result.html" if request.htmx else "events/registration_checkin.html"
    )
    return render(request, template, context, status=200 if request.htmx else status)


urlpatterns = [
    path("events/<slug:slug>/register/", register, name="register"),
    path("events/<slug:slug>/registrations/", registration_list, name="registration-list"),
    path("events/<slug:slug>/check-in/", check_in, name="check-in"),
    path("events/registration/<str:token>/", registration_detail, name="registration-detail"),
    path("events/registration/<str:token>/qr.svg", registration_qr, name="registration-qr"),
    path("events/registration/<str:token>/badge.pdf", registration_badge, name="registration-badge"),
    path("events/<slug:slug>/badges.pdf", badges, name="badges"),
    path("events/registration/<str:token>/cancel/", registration_cancel, name="registration-cancel"),
]
