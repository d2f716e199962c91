"""Partnerships a user recorded and steering meetings they wrote down, as staff of a party. Erasing keeps
them (they belong to the parties) without the name: the foreign keys go to nobody."""

from __future__ import annotations

from jumelage.core.privacy import iso
from jumelage.partnerships.models import Partnership, SteeringMeeting


def export(user) -> dict:
    return {
        "partnerships_recorded": [
            {"title": p.title, "at": iso(p.created_at)}
            for p in Partnership.objects.filter(created_by=user).order_by("created_at", "pk")
        ],
        "steering_meetings_recorded": [
            {"partnership": m.partnership.title, "held_on": iso(m.held_on), "at": iso(m.created_at)}
            for m in SteeringMeeting.objects.filter(recorded_by=user)
            .select_related("partnership")
            .order_by("pk")
        ],
    }


def erase(user) -> dict[str, int]:
    return {}
