from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError


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
