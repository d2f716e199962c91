import hashlib
import secrets

from django.utils import timezone
from ninja.security import HttpBearer


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(*, user, name: str, ecosystem=None, node=None) -> tuple[str, "ApiToken"]:  # noqa: F821
    """Create a token and return it in clear (shown once) with its row."""
    from jumelage.core.models import ApiToken

    token = "jum_" + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(user=user, name=name, digest=digest(token), ecosystem=ecosystem, node=node)
    return token, row


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request, token):
        from jumelage.core.models import ApiToken

        row = ApiToken.objects.select_related("user").filter(digest=digest(token)).first()
        if row is None or not row.user.is_active:
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.user
        request.api_token = row
        return row.user
