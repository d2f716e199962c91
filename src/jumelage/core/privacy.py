"""A user's personal data, gathered for export and erased on request (GDPR articles 15, 17 and 20).

Each app that holds personal data has a `personal_data` module with two functions:
``export(user) -> dict`` (what it holds about the user, as JSON-ready values) and
``erase(user) -> dict[str, int]`` (removes or anonymises it before the account goes; returns counts for
the audit trail). `export_account` and `erase_account` call them all, in `PROVIDERS` order. What is kept after an
erasure, and why, is said on the "Your personal data" page: the audit trail of staff actions (without
the name), and counts of past events and meetings (anonymised rows).
"""

from __future__ import annotations

from importlib import import_module

from django.db import transaction
from django.utils import timezone

from jumelage.core.audit import log_action

PROVIDERS = (
    "jumelage.core",
    "jumelage.directory",
    "jumelage.ecosystems",
    "jumelage.events",
    "jumelage.brokerage",
    "jumelage.opportunities",
    "jumelage.matchmaking",
    "jumelage.relay",
    "jumelage.partnerships",
)

ERASED_NAME = "—"


def iso(value) -> str | None:
    """A date or time as ISO 8601 text (None stays None): the export's one format for them."""
    return value.isoformat() if value else None


def erased_email(pk: int) -> str:
    """A unique address that reaches nobody (.invalid is reserved, RFC 2606) for anonymised rows."""
    return f"erased-{pk}@example.invalid"


def _modules():
    return [import_module(f"{app}.personal_data") for app in PROVIDERS]


def export_account(user) -> dict:
    data: dict = {"exported_at": timezone.now().isoformat()}
    for module in _modules():
        data |= module.export(user)
    return data


@transaction.atomic
def erase_account(user) -> dict[str, int]:
    """Erase the account and the personal data tied to it, in one transaction: either all of it goes,
    or nothing does. Returns what was removed or anonymised, by kind."""
    counts: dict[str, int] = {}
    user_pk = user.pk
    for module in reversed(_modules()):  # the account itself last
        counts |= module.erase(user)
    log_action(actor=None, action="account.erase", obj=None, user_id=user_pk, **counts)
    return counts
