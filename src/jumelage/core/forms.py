from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


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
