import hashlib

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jumelage.core import mail

RESET_MAILS_PER_HOUR = 3  # to one address: enough to retry, too few to flood someone's inbox


class ResetForm(PasswordResetForm):
    """Django's "forgot my password" form. The answer is the same whether the address is known or not;
    the e-mail goes out in the account's language with a link to this site (SITE_URL), at most
    RESET_MAILS_PER_HOUR times an hour to one address."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kw):
        key = "password-reset:" + hashlib.sha256(to_email.casefold().encode()).hexdigest()
        sent = cache.get(key, 0)
        if sent >= RESET_MAILS_PER_HOUR:
            return
        cache.set(key, sent + 1, 3600)
        link = reverse("password_reset_confirm", args=(context["uid"], context["token"]))
        user = context["user"]
        mail.send(
            [
                mail.Mail(
                    to=to_email,
                    language=getattr(user, "language", ""),
                    template="core/mail/password_reset",
                    context={"user": user, "reset_url": f"{settings.SITE_URL}{link}"},
                )
            ]
        )


class LoginForm(AuthenticationForm):
    """Django's login form; axes counts failures by username and address and locks after too many."""


def apply_service_errors(form, exc: ValidationError, *, renamed: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on the form that called it: each error on the field of the same
    name (or of its `renamed` form field) when the form has one, the rest on the form itself."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        field = (renamed or {}).get(field, field)
        form.add_error(field if field in form.fields else None, errors)


class EraseAccountForm(forms.Form):
    """Erasing an account asks for its password again: a session left open is not enough."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("This is not your password: nothing was erased."))
        return password
