"""The account itself: its fields, API tokens (names, never the secret) and the log of its logins
(django-axes: when, from which address and browser; failed attempts since the last login). Erasing deletes the account,
its tokens and that log; the audit entries stay, without the name (their actor is set to nobody by the
foreign key)."""

from __future__ import annotations

from axes.models import AccessAttempt, AccessFailureLog, AccessLog

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
        "logins": [
            {
                "at": iso(a.attempt_time),
                "logged_out": iso(a.logout_time),
                "address": a.ip_address,
                "browser": a.user_agent,
            }
            for a in AccessLog.objects.filter(username=user.get_username()).order_by("attempt_time")
        ],
        # failed attempts since the last successful login (what the lockout counts; reset on success)
        "failed_logins": [
            {"last": iso(a.attempt_time), "address": a.ip_address, "failures": a.failures_since_start}
            for a in AccessAttempt.objects.filter(username=user.get_username()).order_by("attempt_time")
        ],
    }


def erase(user) -> dict[str, int]:
    tokens = user.api_tokens.count()
    logins = sum(
        model.objects.filter(username=user.get_username()).delete()[0]
        for model in (AccessLog, AccessFailureLog, AccessAttempt)
    )
    user.delete()  # cascades to tokens, roles, representative rows, jury seats, the digest opt-in
    return {"api_tokens": tokens, "login_records": logins, "account": 1}
