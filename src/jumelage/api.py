"""The root REST API: mounts each app's router under /api/v1/, OpenAPI at /api/docs."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import SessionAuth

from jumelage.core.api_auth import ApiTokenAuth

api = NinjaAPI(
    title="Jumelage API",
    version="1",
    description=(
        "The REST API of [Jumelage](/): the directory, events and registrations, opportunities and "
        "B2B meetings. **In the browser** you are authenticated by your login session (writes send the "
        "`X-CSRFToken` header). **Machines** send `Authorization: Bearer jum_…`: a platform "
        "administrator creates a token scoped to one ecosystem or one node with "
        "`jumelage manage create_api_token USER --ecosystem SLUG` (or `--node SLUG`); it is shown once. "
        "Errors are `application/problem+json` (RFC 9457). Details: `docs/security.md` in the "
        "repository."
    ),
    urls_namespace="api",
    docs_url="/docs",
    # No deep links: Swagger UI puts them as links inside the operation buttons (nested controls, an
    # axe-core violation). templates/ninja/swagger.html serves the bundled copy, no CDN.
    docs=Swagger(settings={"deepLinking": False}),
    openapi_url="/openapi.json",
    auth=[ApiTokenAuth(), SessionAuth()],
)


class OptionalSession(SessionAuth):
    """Lets anonymous callers through (the view scopes what they see) but still checks CSRF for a session."""

    def __call__(self, request: HttpRequest):
        # A bearer token, when given, must be valid (401 otherwise) and scopes what the caller sees.
        if request.headers.get("Authorization", "")[:7].lower() == "bearer ":
            return _token_auth(request)
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key):
        return request.user if request.user.is_authenticated else True


_token_auth = ApiTokenAuth()


def problem(request, status: int, title: str, detail=None, **extra):
    """RFC 9457 problem+json response."""
    body = {"type": "about:blank", "title": title, "status": status}
    if detail is not None:
        body["detail"] = detail
    body.update(extra)
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = "application/problem+json"
    return response


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    errors = [
        {
            "field": ".".join(
                str(p) for p in e.get("loc", []) if p not in ("body", "query", "path", "payload")
            ),
            "message": e.get("msg", ""),
        }
        for e in exc.errors
    ]
    return problem(request, 422, "Invalid request", "Some fields are invalid.", errors=errors)


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return problem(request, 401, "Authentication required")


@api.exception_handler(DjangoValidationError)
def _model_validation_error(request, exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        errors = [{"field": f, "message": m} for f, msgs in exc.message_dict.items() for m in msgs]
    else:
        errors = [{"field": "", "message": m} for m in exc.messages]
    return problem(request, 422, "Invalid data", "Some fields are invalid.", errors=errors)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return problem(request, 403, "Forbidden", str(exc) or "You may not do this.")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem(request, 404, "Not found", str(exc) or None)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return problem(request, exc.status_code, str(exc))


def api_not_found(request):
    """Addresses under /api/ that match no operation get the API's error format, not an HTML page."""
    body = {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": f"No API operation at {request.path}. See /api/docs.",
    }
    return JsonResponse(body, status=404, content_type="application/problem+json")


from jumelage.brokerage.api import router as brokerage_router  # noqa: E402
from jumelage.directory.api import router as directory_router  # noqa: E402 (routers import `api` helpers)
from jumelage.ecosystems.api import router as ecosystems_router  # noqa: E402
from jumelage.events.api import router as events_router  # noqa: E402
from jumelage.opportunities.api import router as opportunities_router  # noqa: E402
from jumelage.partnerships.api import router as partnerships_router  # noqa: E402
from jumelage.relay.api import router as relay_router  # noqa: E402

api.add_router("/v1/", ecosystems_router)
api.add_router("/v1/", directory_router)
api.add_router("/v1/", events_router)
api.add_router("/v1/", brokerage_router)
api.add_router("/v1/", opportunities_router)
api.add_router("/v1/", relay_router)
api.add_router("/v1/", partnerships_router)
