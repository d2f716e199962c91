"""The role × route matrix: what every URL and API route answers to every role of `build_world()`.

One row per (method, route, case). `route` is the route string Django resolves the URL to (what
`django.urls.resolve(url).route` gives, with admin's list of app labels folded to `…`), or for an API
operation the same string under `api/`. `url` is the concrete address, filled from the world objects with
`str.format(w=world)`. `expect` names the answer for each of the six roles:

    200, 403, 404, 405, 401 …   that status code
    LOGIN                       a redirect to the site's login page (with ?next=)
    ADMIN_LOGIN                 a redirect to the admin login page
    REDIRECT                    a redirect somewhere else

`shows` is text a 200 answer must contain; `hides` is text no answer may contain when it is not 200 (an
unpublished organisation's name must not leak through an error page). `isolated` rows get a fresh client
(they log out or change the session). `data` is the body sent with a POST/PATCH (form-encoded, or JSON
when `json=True`). Objects the world lacks (an import job, role rows) are added by `extend_world`.

A route added to the project without a row here makes tests/core/test_permission_matrix.py fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

ROLES = ("visitor", "member", "representative", "node_staff", "ecosystem_staff", "admin")
LOGIN = "login"
ADMIN_LOGIN = "admin-login"
REDIRECT = "redirect"


def roles(*, visitor, member, representative, node_staff, ecosystem_staff, admin) -> dict[str, Any]:
    """All six roles, by name, so a row can't forget one."""
    return {
        "visitor": visitor,
        "member": member,
        "representative": representative,
        "node_staff": node_staff,
        "ecosystem_staff": ecosystem_staff,
        "admin": admin,
    }


def every(answer) -> dict[str, Any]:
    return dict.fromkeys(ROLES, answer)


@dataclass(frozen=True)
class Row:
    route: str
    url: str
    expect: dict[str, Any]
    method: str = "GET"
    data: dict[str, str] = field(default_factory=dict)
    shows: str = ""
    hides: str = ""
    isolated: bool = False
    json: bool = False
    note: str = ""

    def __post_init__(self):
        assert set(self.expect) == set(ROLES), f"{self.route}: expect must name the six roles"

    def key(self) -> tuple[str, str]:
        return (self.method, self.route)


# Staff-only admin pages: anyone who is not `is_staff` is sent to the admin login page.
ADMIN_ONLY = {**every(ADMIN_LOGIN), "admin": 200}


def admin_model_rows(
    app_model: str, *, obj: str | None = None, add: int = 200, delete: int = 200
) -> list[Row]:
    """The six admin routes of one registered model. `obj` is a format expression naming a world object
    of that model (e.g. "{w.be_org.pk}"); without one, the object pages get a missing id, which the
    admin answers with a redirect to its index and a message."""
    base = f"admin/{app_model}/"
    prefix = f"/admin/{app_model}/"
    oid = obj or "999999"
    found = 200 if obj else REDIRECT
    return [
        Row(base, prefix, ADMIN_ONLY),
        Row(base + "add/", prefix + "add/", {**ADMIN_ONLY, "admin": add}),
        Row(base + "<path:object_id>/history/", f"{prefix}{oid}/history/", {**ADMIN_ONLY, "admin": found}),
        Row(
            base + "<path:object_id>/delete/",
            f"{prefix}{oid}/delete/",
            {**ADMIN_ONLY, "admin": delete if obj or delete == 403 else REDIRECT},
        ),
        Row(base + "<path:object_id>/change/", f"{prefix}{oid}/change/", {**ADMIN_ONLY, "admin": found}),
        # The bare object address redirects to its change page.
        Row(base + "<path:object_id>/", f"{prefix}{oid}/", {**ADMIN_ONLY, "admin": REDIRECT}),
    ]


ORG_EDIT = "organisations/<slug:slug>/edit/"
ORG_DETAIL = "organisations/<slug:slug>/"

ROWS: list[Row] = [
    # --- core -----------------------------------------------------------------------------------------
    Row("", "/", every(200), shows="Digital Wallonia"),
    Row("accounts/login/", "/accounts/login/", {**every(REDIRECT), "visitor": 200}, shows="password"),
    Row("accounts/logout/", "/accounts/logout/", every(405), note="logout is POST only"),
    Row("accounts/logout/", "/accounts/logout/", every(REDIRECT), method="POST", isolated=True),
    # Password reset: the same pages for everyone (a logged-in user may have forgotten theirs too);
    # the request answers the same whether the address is known or not.
    Row("accounts/password/reset/", "/accounts/password/reset/", every(200), shows='name="email"'),
    Row(
        "accounts/password/reset/",
        "/accounts/password/reset/",
        every(REDIRECT),
        method="POST",
        data={"email": "nobody@example.org"},
        note="an unknown address: the same answer, no e-mail",
    ),
    Row("accounts/password/reset/sent/", "/accounts/password/reset/sent/", every(200)),
    Row("accounts/password/reset/done/", "/accounts/password/reset/done/", every(200)),
    Row(
        "accounts/password/reset/<uidb64>/<token>/",
        "/accounts/password/reset/MQ/not-a-token/",
        every(200),
        shows="/accounts/password/reset/",
        note="an invalid link says so and offers a new one",
    ),
    Row(
        "accounts/password/change/",
        "/accounts/password/change/",
        {**every(200), "visitor": LOGIN},
        shows='name="old_password"',
    ),
    Row(
        "accounts/password/change/",
        "/accounts/password/change/",
        {**every(200), "visitor": LOGIN},
        method="POST",
        data={"old_password": "not-the-password", "new_password1": "x", "new_password2": "x"},
        note="a wrong old password changes nothing",
    ),
    Row(
        "accounts/password/change/done/",
        "/accounts/password/change/done/",
        {**every(200), "visitor": LOGIN},
    ),
    Row(
        "accounts/data/",
        "/accounts/data/",
        {**every(200), "visitor": LOGIN},
        shows="/accounts/data/export.json",
    ),
    Row(
        "accounts/data/export.json",
        "/accounts/data/export.json",
        {**every(200), "visitor": LOGIN},
        shows='"account"',
    ),
    Row(
        "accounts/erase/",
        "/accounts/erase/",
        {**every(200), "visitor": LOGIN, "admin": REDIRECT},
        shows="password",
        note="a platform administrator is erased by another one",
    ),
    Row(
        "accounts/erase/",
        "/accounts/erase/",
        {**every(400), "visitor": LOGIN, "admin": REDIRECT},
        method="POST",
        data={"password": "not-the-password"},
        note="a wrong password erases nothing",
    ),
    Row("i18n/setlang/", "/i18n/setlang/", every(REDIRECT), note="GET without a language: back to /"),
    Row(
        "i18n/setlang/",
        "/i18n/setlang/",
        every(REDIRECT),
        method="POST",
        data={"language": "en", "next": "/directory/"},
        isolated=True,
    ),
    # --- ecosystems -----------------------------------------------------------------------------------
    Row("brands.css", "/brands.css", every(200)),
    Row("ecosystems/", "/ecosystems/", every(200), shows="La French Tech"),
    Row("ecosystems/<slug:slug>/", "/ecosystems/{w.wallonia.slug}/", every(200), shows="AWEX"),
    Row(
        "ecosystems/<slug:slug>/",
        "/ecosystems/{w.frenchtech.slug}/",
        every(200),
        shows="French Tech Brussels",
    ),
    Row("ecosystems/<slug:slug>/", "/ecosystems/no-such-ecosystem/", every(404)),
    Row("nodes/<slug:slug>/", "/nodes/{w.awex.slug}/", every(200), shows="AWEX"),
    Row("nodes/<slug:slug>/", "/nodes/{w.ftbxl.slug}/", every(200), shows="French Tech Brussels"),
    Row("nodes/<slug:slug>/", "/nodes/no-such-node/", every(404)),
    # AWEX is a Digital Wallonia node; French Tech Brussels a La French Tech one.
    Row(
        "nodes/<slug:slug>/edit/",
        "/nodes/{w.awex.slug}/edit/",
        roles(visitor=403, member=403, representative=403, node_staff=403, ecosystem_staff=200, admin=200),
    ),
    Row(
        "nodes/<slug:slug>/edit/",
        "/nodes/{w.ftbxl.slug}/edit/",
        roles(visitor=403, member=403, representative=403, node_staff=200, ecosystem_staff=403, admin=200),
        shows="French Tech Brussels",
    ),
    Row(
        "nodes/<slug:slug>/edit/",
        "/nodes/{w.ftbxl.slug}/edit/",
        roles(visitor=403, member=403, representative=403, node_staff=400, ecosystem_staff=403, admin=400),
        method="POST",
        note="an empty form: refused with its errors",
    ),
    Row(
        "nodes/<slug:slug>/label/",
        "/nodes/{w.ftbxl.slug}/label/",
        roles(visitor=403, member=403, representative=403, node_staff=400, ecosystem_staff=403, admin=400),
        method="POST",
        note="an empty label decision: the form comes back with its errors",
    ),
    Row(
        "nodes/<slug:slug>/label/",
        "/nodes/{w.awex.slug}/label/",
        roles(visitor=403, member=403, representative=403, node_staff=403, ecosystem_staff=400, admin=400),
        method="POST",
    ),
    # --- directory ------------------------------------------------------------------------------------
    Row("directory/", "/directory/", every(200), shows="Paris Deeptech"),
    Row("directory/export.<str:fmt>", "/directory/export.csv", every(200), shows="Paris Deeptech"),
    Row(
        "directory/import/",
        "/directory/import/",
        roles(visitor=403, member=403, representative=403, node_staff=200, ecosystem_staff=200, admin=200),
    ),
    # An upload without a file: the form comes back with its errors (400), nothing is queued.
    Row(
        "directory/import/",
        "/directory/import/",
        roles(visitor=403, member=403, representative=403, node_staff=400, ecosystem_staff=400, admin=400),
        method="POST",
    ),
    # An import job (a dry-run preview) belongs to the node staff member who uploaded it: only its
    # owner and platform admins see it; other importers get a 404, non-importers the 403 page.
    Row(
        "directory/import/<int:pk>/",
        "/directory/import/{w.import_job.pk}/",
        roles(visitor=403, member=403, representative=403, node_staff=200, ecosystem_staff=404, admin=200),
        shows="members.csv",
    ),
    Row(
        "directory/import/<int:pk>/status/",
        "/directory/import/{w.import_job.pk}/status/",
        roles(visitor=403, member=403, representative=403, node_staff=200, ecosystem_staff=404, admin=200),
    ),
    Row("directory/import/<int:pk>/commit/", "/directory/import/{w.import_job.pk}/commit/", every(405)),
    # A preview with nothing to import can't be committed: 409 with the reason, nothing written.
    Row(
        "directory/import/<int:pk>/commit/",
        "/directory/import/{w.import_job.pk}/commit/",
        roles(visitor=403, member=403, representative=403, node_staff=409, ecosystem_staff=404, admin=409),
        method="POST",
    ),
    Row(ORG_DETAIL, "/organisations/{w.be_org.slug}/", every(200), shows="Wallonie Startup"),
    Row(ORG_DETAIL, "/organisations/{w.fr_org.slug}/", every(200), shows="Paris Deeptech"),
    # Unpublished: only the staff of a node/ecosystem it belongs to (French Tech Brussels) and admins.
    Row(
        ORG_DETAIL,
        "/organisations/{w.hidden.slug}/",
        roles(visitor=404, member=404, representative=404, node_staff=200, ecosystem_staff=404, admin=200),
        shows="Unpublished Org",
        hides="Unpublished Org",
    ),
    Row(ORG_DETAIL, "/organisations/no-such-org/", every(404)),
    # be_org is a Digital Wallonia member (through AWEX) represented by `representative`.
    Row(
        ORG_EDIT,
        "/organisations/{w.be_org.slug}/edit/",
        roles(visitor=403, member=403, representative=200, node_staff=403, ecosystem_staff=200, admin=200),
    ),
    # A forged, empty edit form: refused with the form's errors (400) for those who may edit, 403 otherwise.
    Row(
        ORG_EDIT,
        "/organisations/{w.be_org.slug}/edit/",
        roles(visitor=403, member=403, representative=400, node_staff=403, ecosystem_staff=400, admin=400),
        method="POST",
    ),
    # fr_org is a French Tech member through French Tech Brussels.
    Row(
        ORG_EDIT,
        "/organisations/{w.fr_org.slug}/edit/",
        roles(visitor=403, member=403, representative=403, node_staff=200, ecosystem_staff=403, admin=200),
    ),
    Row(
        ORG_EDIT,
        "/organisations/{w.hidden.slug}/edit/",
        roles(visitor=404, member=404, representative=404, node_staff=200, ecosystem_staff=404, admin=200),
        hides="Unpublished Org",
    ),
    # --- media (embedded mode only) -------------------------------------------------------------------
    Row("media/<path:path>", "/media/nothing-here.png", every(404)),
    # --- REST API -------------------------------------------------------------------------------------
    Row("api/", "/api/", every(404), note="no API root page: the docs are at /api/docs"),
    Row(
        "^api/", "/api/v1/no-such-thing", every(404), shows="", hides="<html", note="problem+json, not a page"
    ),
    Row("api/docs", "/api/docs", every(200), shows="swagger-ui"),
    Row("api/openapi.json", "/api/openapi.json", every(200), shows="Jumelage API"),
    Row("api/v1/ecosystems", "/api/v1/ecosystems", every(200), shows="digital-wallonia"),
    Row("api/v1/nodes", "/api/v1/nodes", every(200), shows="french-tech-brussels"),
    Row("api/v1/organisations", "/api/v1/organisations", every(200), shows="paris-deeptech"),
    Row(
        "api/v1/organisations",
        "/api/v1/organisations",
        roles(visitor=401, member=403, representative=403, node_staff=403, ecosystem_staff=201, admin=201),
        method="POST",
        json=True,
        data={"name": "Matrix Startup", "kind": "startup", "country": "BE", "ecosystem": "digital-wallonia"},
        shows="matrix-startup",
    ),
    Row(
        "api/v1/organisations",
        "/api/v1/organisations",
        roles(visitor=401, member=403, representative=403, node_staff=201, ecosystem_staff=403, admin=201),
        method="POST",
        json=True,
        data={
            "name": "Matrix Deeptech",
            "kind": "startup",
            "country": "FR",
            "ecosystem": "la-french-tech",
            "node": "french-tech-brussels",
        },
        shows="matrix-deeptech",
    ),
    Row("api/v1/organisations/<slug>", "/api/v1/organisations/{w.be_org.slug}", every(200), shows="Namur"),
    Row(
        "api/v1/organisations/<slug>",
        "/api/v1/organisations/{w.hidden.slug}",
        roles(visitor=404, member=404, representative=404, node_staff=200, ecosystem_staff=404, admin=200),
        shows="Unpublished Org",
        hides="Unpublished Org",
    ),
    Row(
        "api/v1/organisations/<slug>",
        "/api/v1/organisations/{w.be_org.slug}",
        roles(visitor=401, member=403, representative=200, node_staff=403, ecosystem_staff=200, admin=200),
        method="PATCH",
        json=True,
        data={"tagline_fr": "Changed by the matrix"},
        shows="Changed by the matrix",
    ),
    Row(
        "api/v1/organisations/<slug>",
        "/api/v1/organisations/{w.fr_org.slug}",
        roles(visitor=401, member=403, representative=403, node_staff=200, ecosystem_staff=403, admin=200),
        method="PATCH",
        json=True,
        data={"tagline_fr": "Changed by the matrix"},
        shows="Changed by the matrix",
    ),
    Row(
        "api/v1/organisations/<slug>",
        "/api/v1/organisations/{w.hidden.slug}",
        roles(visitor=401, member=404, representative=404, node_staff=200, ecosystem_staff=404, admin=200),
        method="PATCH",
        json=True,
        data={"tagline_fr": "Changed by the matrix"},
        hides="Unpublished Org",
    ),
    # --- admin ----------------------------------------------------------------------------------------
    Row("admin/", "/admin/", ADMIN_ONLY),
    Row("admin/login/", "/admin/login/", {**every(200), "admin": REDIRECT}),
    Row("admin/logout/", "/admin/logout/", {**every(REDIRECT), "admin": 405}, note="logout is POST only"),
    Row("admin/logout/", "/admin/logout/", every(REDIRECT), method="POST", isolated=True),
    Row("admin/password_change/", "/admin/password_change/", ADMIN_ONLY),
    Row("admin/password_change/done/", "/admin/password_change/done/", ADMIN_ONLY),
    Row(
        "admin/autocomplete/",
        "/admin/autocomplete/",
        {**ADMIN_ONLY, "admin": 403},
        note="without app_label/model_name/field_name the admin refuses",
    ),
    Row("admin/jsi18n/", "/admin/jsi18n/", ADMIN_ONLY),
    Row(
        "admin/r/<path:content_type_id>/<path:object_id>/",
        "/admin/r/999999/1/",
        {**ADMIN_ONLY, "admin": 404},
        note="view-on-site shortcut: unknown content type",
    ),
    Row("admin/(?P<app_label>…)/$", "/admin/auth/", ADMIN_ONLY),
    Row("admin/(?P<url>.*)$", "/admin/no-such-page/", {**ADMIN_ONLY, "admin": 404}),
    *admin_model_rows("auth/group"),
    *admin_model_rows("axes/accessattempt", add=403),
    *admin_model_rows("axes/accesslog", add=403),
    *admin_model_rows("axes/accessfailurelog", add=403),
    *admin_model_rows("django_tasks_database/dbtaskresult", add=403, delete=403),
    # Jumelage's own models (core.admin.RulesModelAdmin: the same rules as the pages).
    *admin_model_rows("core/user", obj="{w.users[member].pk}"),
    Row("admin/core/user/<id>/password/", "/admin/core/user/{w.users[member].pk}/password/", ADMIN_ONLY),
    *admin_model_rows("core/auditlog", obj="{w.audit_entry.pk}", add=403, delete=403),
    *admin_model_rows("core/apitoken", obj="{w.api_token.pk}", add=403),
    *admin_model_rows("ecosystems/ecosystem", obj="{w.wallonia.pk}"),
    *admin_model_rows("ecosystems/networknode", obj="{w.ftbxl.pk}"),
    *admin_model_rows("ecosystems/labelchange", obj="{w.label_change.pk}", add=403),
    *admin_model_rows("ecosystems/ecosystemstaff", obj="{w.ecosystem_staff_role.pk}"),
    *admin_model_rows("ecosystems/nodestaff", obj="{w.node_staff_role.pk}"),
    *admin_model_rows("directory/organisation", obj="{w.be_org.pk}"),
    *admin_model_rows("directory/theme", obj="{w.theme.pk}"),
    *admin_model_rows("directory/person", obj="{w.person.pk}"),
    *admin_model_rows("directory/importjob", obj="{w.import_job.pk}", add=403),
]


def extend_world(world):
    """Objects some routes need that build_world() does not make: one of each admin-registered model,
    and an import job (a finished dry run with nothing to import) uploaded by the node staff member."""
    from datetime import date

    from jumelage.core.api_auth import create_api_token
    from jumelage.core.audit import log_action
    from jumelage.directory.models import ImportJob, Person
    from jumelage.ecosystems.models import EcosystemStaff, LabelChange, NodeStaff
    from tests.factories import ThemeFactory

    world.import_job = ImportJob.objects.create(
        owner=world.users["node_staff"],
        kind=ImportJob.Kind.ORGANISATIONS,
        status=ImportJob.Status.PREVIEW,
        original_name="members.csv",
        node=world.ftbxl,
        report={"total_rows": 0, "create": 0, "update": 0, "bad_rows": []},
    )
    world.audit_entry = log_action(actor=world.users["admin"], action="matrix.check", obj=world.be_org)
    _, world.api_token = create_api_token(user=world.users["node_staff"], name="matrix", node=world.ftbxl)
    world.label_change = LabelChange.objects.create(
        node=world.ftbxl,
        from_kind="community",
        to_kind="hub",
        decided_on=date(2024, 1, 1),
        decided_by="Mission French Tech",
    )
    world.ecosystem_staff_role = EcosystemStaff.objects.get(user=world.users["ecosystem_staff"])
    world.node_staff_role = NodeStaff.objects.get(user=world.users["node_staff"])
    world.theme = ThemeFactory()
    world.person = Person.objects.create(name="Ada Lovelace")
    for routes in (events_routes, brokerage_routes, opportunities_routes, relay_routes, partnership_routes):
        world = routes.extend(world)
    return world


# The events app keeps its rows in tests/events/routes/, one module per area (imported here, after Row).
from tests.events import routes as events_routes  # noqa: E402

ROWS += events_routes.ROWS

from tests.brokerage import routes as brokerage_routes  # noqa: E402

ROWS += brokerage_routes.ROWS

from tests.relay import routes as relay_routes  # noqa: E402

ROWS += relay_routes.ROWS

from tests.partnerships import routes as partnership_routes  # noqa: E402

ROWS += partnership_routes.ROWS

from tests.opportunities import routes as opportunities_routes  # noqa: E402

ROWS += opportunities_routes.ROWS

# --- Walking the project's routes -----------------------------------------------------------------------

_APP_LIST = re.compile(r"\(\?P<app_label>[^)]*\)")


def normalise(route: str) -> str:
    return _APP_LIST.sub("(?P<app_label>…)", route)


def _join(prefix: str, pattern) -> str:
    # As Django's ResolverMatch.route: the leading ^ of a regex pattern is dropped when it is nested.
    return prefix + str(pattern).removeprefix("^") if prefix else str(pattern)


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, _join(prefix, p.pattern))
        elif isinstance(p, URLPattern):
            yield normalise(_join(prefix, p.pattern))


def project_routes() -> set[str]:
    """Every route string of the root URLconf, the admin, i18n and the API included."""
    return set(_walk(get_resolver().url_patterns))


def api_operations() -> set[tuple[str, str]]:
    """(method, route) for every operation of every router mounted on the root NinjaAPI."""
    from ninja.utils import normalize_path, replace_path_param_notation

    from jumelage.api import api

    found = set()
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            route = "/".join(
                i for i in (replace_path_param_notation(prefix), replace_path_param_notation(path)) if i
            )
            route = "api/" + normalize_path(route).lstrip("/")
            for operation in path_view.operations:
                for method in operation.methods:
                    found.add((method.upper(), route))
    return found


def url_for(row: Row, world) -> str:
    return row.url.format(w=world)


def check(row: Row, role: str, url: str, response) -> str | None:
    """None when the response is the expected answer, else a one-line description of the difference."""
    expected = row.expect[role]
    status = response.status_code
    location = response.get("Location", "")
    if expected == LOGIN:
        ok = status == 302 and location.startswith("/accounts/login/?next=")
    elif expected == ADMIN_LOGIN:
        ok = status == 302 and location.startswith("/admin/login/?next=")
    elif expected == REDIRECT:
        ok = status in (301, 302, 303) and not location.startswith(("/accounts/login/", "/admin/login/"))
    else:
        ok = status == expected
    got = f"{status} {location}".strip()
    if not ok:
        return f"{row.method} {url} as {role}: expected {expected}, got {got}"
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    body = raw.decode(errors="replace")
    if status == 200 and row.shows and row.shows not in body:
        return f"{row.method} {url} as {role}: 200 but {row.shows!r} is not in the page"
    if status != 200 and row.hides and row.hides in body:
        return f"{row.method} {url} as {role}: {status} leaks {row.hides!r}"
    return None
