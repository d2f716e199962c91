"""Request helpers shared by the security machinery."""

from django.conf import settings
from django.http import HttpRequest, JsonResponse


def client_ip(request: HttpRequest) -> str:
    """The client's address, for the login rate limit (django-axes' AXES_CLIENT_IP_CALLABLE).

    With no trusted proxy (JUMELAGE_PROXY_COUNT=0, the default) it is REMOTE_ADDR. Behind N reverse
    proxies that each append to X-Forwarded-For, it is the N-th address from the right: the one the
    outermost trusted proxy saw. Addresses further left were written by the client and are ignored, so
    a forged header can't dodge the limit or lock out someone else's address."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    chain = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if len(chain) < count:
        return remote
    return chain[-count]


class ApiErrorFormatMiddleware:
    """Under /api/, a 405 answered by the router (a method the operation doesn't take) comes back in the
    API's error format (RFC 9457 problem+json, with its Allow header) instead of an empty HTML body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith("/api/")
            and "json" not in response.get("Content-Type", "")
        ):
            allowed = response.get("Allow", "")
            body = {
                "type": "about:blank",
                "title": "Method not allowed",
                "status": 405,
                "detail": f"{request.method} is not allowed here. Allowed: {allowed or 'none'}.",
            }
            problem = JsonResponse(body, status=405, content_type="application/problem+json")
            if allowed:
                problem["Allow"] = allowed
            return problem
        return response
