"""REST API authentication and safe retries.

- Bearer tokens (`Authorization: Bearer jum_…`): only a SHA-256 digest is stored; a token acts as its
  user *limited to one ecosystem or one node*: its staff powers are cut down to that scope, and a
  platform admin's token is no longer a superuser (it acts as staff of the scope).
- Idempotency keys (`Idempotency-Key` header on POST): the first successful response is stored for
  24 h in the shared (database) cache and replayed for the same key, user and path; the same key with a
  different body is refused with 422; a retry while the first is still running gets 409.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja.security import HttpBearer

from jumelage.core.audit import log_action

if TYPE_CHECKING:
    from jumelage.core.models import ApiToken

TOKEN_PREFIX = "jum_"  # noqa: S105 (a public prefix that marks our tokens, not a secret)
IDEMPOTENCY_TTL = 24 * 60 * 60
IDEMPOTENCY_HEADER = "Idempotency-Key"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_scope_allowed(user, *, ecosystem=None, node=None) -> bool:
    """May `user` hold a token for this scope? Platform admins anywhere; ecosystem staff for their
    ecosystem and its nodes; node staff for their node."""
    from jumelage.ecosystems.rules import staff_ecosystem_ids, staff_node_ids

    if user.is_superuser:
        return True
    if ecosystem is not None:
        return ecosystem.pk in staff_ecosystem_ids(user)
    return node.pk in staff_node_ids(user) or node.ecosystem_id in staff_ecosystem_ids(user)


def create_api_token(*, actor=None, user, name: str, ecosystem=None, node=None) -> tuple[str, ApiToken]:
    """Create a token and return it in clear (to be shown once) with its row. Exactly one of `ecosystem`
    and `node`; the user must hold a role there. Raises ValidationError otherwise."""
    from jumelage.core.models import ApiToken

    if (ecosystem is None) == (node is None):
        raise ValidationError("An API token is scoped to exactly one ecosystem or one node.")
    if not user.is_active:
        raise ValidationError(f"User {user.username!r} is not active.")
    if not token_scope_allowed(user, ecosystem=ecosystem, node=node):
        scope = ecosystem or node
        raise ValidationError(
            f"User {user.username!r} holds no staff role in {scope} and may not get a token for it."
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        row = ApiToken(user=user, name=name, digest=digest(token), ecosystem=ecosystem, node=node)
        row.full_clean()
        row.save()
        log_action(
            actor=actor,
            action="api_token.create",
            obj=row,
            user=user.username,
            ecosystem=ecosystem.slug if ecosystem else None,
            node=node.slug if node else None,
        )
    return token, row


def apply_token_scope(user, row: ApiToken) -> None:
    """Limit the in-memory `user` of this request to the token's scope. The role caches read by the
    rules (jumelage.ecosystems.rules.staff_*_ids) are filled with the scoped sets, and superuser power
    becomes staff power over the scope. The user row itself is never saved from an API request."""
    from jumelage.ecosystems.models import NetworkNode
    from jumelage.ecosystems.rules import staff_ecosystem_ids, staff_node_ids

    admin = user.is_superuser
    eco_ids, node_ids = set(staff_ecosystem_ids(user)), set(staff_node_ids(user))
    if row.ecosystem_id is not None:
        scoped_eco = {row.ecosystem_id} if admin or row.ecosystem_id in eco_ids else set()
        in_eco = set(NetworkNode.objects.filter(ecosystem_id=row.ecosystem_id).values_list("pk", flat=True))
        scoped_nodes = node_ids & in_eco
    else:
        node = row.node
        allowed = admin or node.pk in node_ids or node.ecosystem_id in eco_ids
        scoped_eco, scoped_nodes = set(), ({node.pk} if allowed else set())
    user._jumelage_eco_ids = scoped_eco
    user._jumelage_node_ids = scoped_nodes
    user.is_superuser = False
    user.is_staff = False
    user.api_token = row


def user_for_token(token: str):
    """The active user a clear token belongs to, scoped to the token, or None."""
    from jumelage.core.models import ApiToken

    row = ApiToken.objects.select_related("user", "node").filter(digest=digest(token)).first()
    if row is None or not row.user.is_active:
        return None
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    user = row.user
    apply_token_scope(user, row)
    return user


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; no CSRF check (the header can't be forged cross-site)."""

    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        request.api_token = user.api_token
        return user


# --- Idempotency keys ----------------------------------------------------------------------------------


def _caller(request: HttpRequest) -> str:
    """Who is calling, before ninja's authentication runs: the token's user or the session's."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        from jumelage.core.models import ApiToken

        user_id = (
            ApiToken.objects.filter(digest=digest(header[7:].strip()))
            .values_list("user_id", flat=True)
            .first()
        )
        return f"token-user:{user_id}"
    user = getattr(request, "user", None)
    return f"user:{user.pk}" if user is not None and user.is_authenticated else "anonymous"


def _problem(status: int, title: str, detail: str) -> HttpResponse:
    import json

    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return HttpResponse(json.dumps(body), status=status, content_type="application/problem+json")


def idempotent(view):
    """Decorate a ninja operation's view (`@decorate_view(idempotent)`) so a POST carrying an
    `Idempotency-Key` header can be retried safely.

    Same key + same caller + same path: the first successful (2xx) response is replayed, with an
    `Idempotent-Replayed: true` header, without running the operation again. Same key with a different
    body: 422. Same key while the first request still runs: 409. Error responses are not stored, so a
    caller may fix the request and retry with the same key. Keys live 24 h in the database cache, which
    every app server shares."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None:
            return view(request, *args, **kwargs)
        if not key or len(key) > 255 or not key.isprintable():
            return _problem(
                400,
                "Invalid Idempotency-Key",
                "The Idempotency-Key header must be 1 to 255 printable characters.",
            )
        scope = f"{_caller(request)}\n{request.method}\n{request.path}\n{key}"
        cache_key = "idempotency:" + hashlib.sha256(scope.encode()).hexdigest()
        fingerprint = hashlib.sha256(request.body).hexdigest()
        if not cache.add(cache_key, {"fingerprint": fingerprint, "pending": True}, IDEMPOTENCY_TTL):
            stored = cache.get(cache_key) or {}
            if stored.get("fingerprint") != fingerprint:
                return _problem(
                    422,
                    "Idempotency-Key reused",
                    "This Idempotency-Key was already used with a different request body; use a new key.",
                )
            if stored.get("pending"):
                return _problem(
                    409,
                    "Request in progress",
                    "A request with this Idempotency-Key is still being processed.",
                )
            response = HttpResponse(
                stored["content"], status=stored["status"], content_type=stored["content_type"]
            )
            response["Idempotent-Replayed"] = "true"
            return response
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            cache.delete(cache_key)
            raise
        if 200 <= response.status_code < 300 and not getattr(response, "streaming", False):
            cache.set(
                cache_key,
                {
                    "fingerprint": fingerprint,
                    "status": response.status_code,
                    "content": response.content,
                    "content_type": response.get("Content-Type", "application/json"),
                },
                IDEMPOTENCY_TTL,
            )
        else:
            cache.delete(cache_key)
        return response

    return wrapper
