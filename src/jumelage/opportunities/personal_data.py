"""Opportunities: the expressions of interest the user wrote. They speak for an organisation and stay
with it after an erasure, no longer tied to the account (the foreign key is set to nobody)."""

from __future__ import annotations

from jumelage.core.privacy import iso
from jumelage.opportunities.models import Interest


def export(user) -> dict:
    interests = Interest.objects.filter(created_by=user).select_related("opportunity", "organisation")
    return {
        "expressions_of_interest": [
            {
                "opportunity": i.opportunity.title,
                "for": i.organisation.name,
                "message": i.message,
                "status": i.status,
                "sent": iso(i.created_at),
            }
            for i in interests.order_by("created_at", "pk")
        ]
    }


def erase(user) -> dict[str, int]:
    return {}
