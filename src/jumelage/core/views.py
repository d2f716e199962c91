import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import i18n

from jumelage.core import privacy
from jumelage.core.audit import log_action
from jumelage.core.forms import EraseAccountForm, LoginForm


def home(request):
    from jumelage.ecosystems.models import Ecosystem

    ecosystems = Ecosystem.objects.order_by("name")
    return render(request, "core/home.html", {"ecosystems": ecosystems})


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "core/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link of the reset e-mail: choose a new password (the link works once). Recorded in the
    audit trail, and any lockout after failed logins is lifted for that account."""

    template_name = "core/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        from axes.utils import reset

        reset(username=form.user.get_username())
        log_action(actor=form.user, action="account.password_reset", obj=form.user)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/password_change.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        log_action(actor=self.request.user, action="account.password_change", obj=self.request.user)
        return response


def set_language(request):
    """The language switch in the header (Django's, which changes nothing on a GET). For a logged-in
    user it is also their preferred language, so that the e-mails sent to them (answers to an
    interest, introductions, the digest) follow it."""
    response = i18n.set_language(request)
    code = request.POST.get("language", "") if request.method == "POST" else ""
    user = request.user
    if user.is_authenticated and code in dict(settings.LANGUAGES) and user.language != code:
        user.language = code
        user.save(update_fields=["language"])
    return response


def my_data(request):
    """What the platform holds about the logged-in user, the download of it all, and the way to erase
    the account (GDPR: access, portability, erasure)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    data = privacy.export_account(request.user)
    return render(request, "core/my_data.html", {"data": data, "counts": _counts(data)})


def _counts(data: dict) -> list[tuple[str, int]]:
    """The page's summary: how many records of each kind the export holds."""
    labels = {
        "event_registrations": _("Event registrations"),
        "b2b_participations": _("B2B meeting participations"),
        "expressions_of_interest": _("Expressions of interest you wrote"),
        "talks_and_pitches": _("Talks and pitches where you are the speaker"),
        "jury_seats": _("Jury seats"),
        "represents": _("Organisations you represent"),
        "staff_roles": _("Staff roles"),
        "api_tokens": _("API tokens"),
        "logins": _("Logins recorded (date, address, browser)"),
    }
    return [(label, len(data.get(key) or [])) for key, label in labels.items()]


def my_data_export(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    data = privacy.export_account(request.user)
    log_action(actor=request.user, action="account.export", obj=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    name = f"jumelage-{request.user.username}-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def erase_account(request):
    """Erase the account after its password is given again; the user is logged out."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if user.is_superuser:
        messages.error(request, _("A platform administrator's account is erased by another administrator."))
        return redirect("my-data")
    form = EraseAccountForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        privacy.erase_account(user)
        logout(request)
        messages.success(request, _("Your account and your personal data are erased."))
        return redirect("home")
    status = 400 if form.errors else 200
    return render(request, "core/erase_account.html", {"form": form}, status=status)
