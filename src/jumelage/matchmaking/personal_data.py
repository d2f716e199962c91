"""Matchmaking: the weekly digest opt-in (it goes with the account) and the suggestions the user rated
(the ratings stay, for the organisations, no longer tied to the account)."""

from __future__ import annotations

from jumelage.matchmaking.models import DigestSubscription, SuggestionFeedback


def export(user) -> dict:
    digest = DigestSubscription.objects.filter(user=user).first()
    return {
        "weekly_digest": digest.active if digest else False,
        "suggestions_rated": SuggestionFeedback.objects.filter(user=user).count(),
    }


def erase(user) -> dict[str, int]:
    return {}
