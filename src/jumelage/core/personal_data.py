"""The account itself: its fields, API tokens (names, never the secret) and how many audited actions
it took. Erasing deletes the account; the audit entries stay, without the name (their actor is set to
nobody by the foreign key)."""

from __future__ import annotations

from jumelage.core.privacy import iso


def export(user) -> dict:
    return {
        "account": {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "language": user.language,
            "joined": iso(user.date_joined),
            "last_login": iso(user.last_login),
        },
        "api_tokens": [
            {"name": t.name, "created": iso(t.created_at), "last_used": iso(t.last_used_at)}
            for t in user.api_tokens.order_by("created_at")
        ],
    }


def erase(user) -> dict[str, int]:
    tokens = user.api_tokens.count()
    user.delete()  # cascades to tokens, roles, representative rows, jury seats, the digest opt-in
    return {"api_tokens": tokens, "account": 1}
