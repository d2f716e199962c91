"""Checks shared by the service functions of every app."""

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext


def refuse_unknown_fields(data: Mapping, allowed: Iterable[str]) -> None:
    """Refuse a write that names fields the caller may not set, naming them; nothing is written."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationError(
            ngettext(
                "This field cannot be set here: %(fields)s.",
                "These fields cannot be set here: %(fields)s.",
                len(unknown),
            )
            % {"fields": ", ".join(unknown)},
            code="unknown_fields",
        )
