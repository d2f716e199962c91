"""REST API: bearer tokens scoped to an ecosystem or node, session auth with CSRF, problem+json errors,
idempotency keys, and the OpenAPI docs served without any CDN."""

import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import path
from ninja import NinjaAPI, Router, Schema
from ninja.decorators import decorate_view
from ninja.responses import Status
from ninja.security import SessionAuth

from jumelage.core.api_auth import ApiTokenAuth, create_api_token, digest, idempotent
from jumelage.core.audit import log_action
from jumelage.core.models import ApiToken, AuditLog
from jumelage.directory.models import Organisation

PROBLEM = "application/problem+json"


def problem_of(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["title"]
    return body


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def slugs(response):
    assert response.status_code == 200, response.content
    return {item["slug"] for item in response.json()["items"]}


# --- The create_api_token command -----------------------------------------------------------------------


def test_command_prints_the_token_once_and_stores_only_its_digest(world):
    out, err = StringIO(), StringIO()
    call_command("create_api_token", "ftbxl-staff", "--node", "french-tech-brussels", stdout=out, stderr=err)
    token = out.getvalue().strip()
    assert re.fullmatch(r"jum_[A-Za-z0-9_-]{40,}", token)
    assert "shown once" in err.getvalue()
    row = ApiToken.objects.get()
    assert row.user == world.users["node_staff"] and row.node == world.ftbxl and row.ecosystem is None
    assert row.digest == digest(token) and token not in row.digest
    entry = AuditLog.objects.get(action="api_token.create")
    assert entry.data["node"] == "french-tech-brussels" and token not in json.dumps(entry.data)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["member", "--ecosystem", "digital-wallonia"], "holds no staff role in Digital Wallonia"),
        (["dw-staff", "--node", "french-tech-brussels"], "holds no staff role in French Tech Brussels"),
        (["nobody", "--node", "awex"], "No user 'nobody'"),
        (["dw-staff", "--ecosystem", "atlantis"], "No ecosystem 'atlantis'"),
    ],
)
def test_command_refuses_a_scope_the_user_has_no_role_in(world, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_api_token", *args, stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()


def test_command_needs_exactly_one_scope(world):
    with pytest.raises(CommandError, match="one of the arguments --ecosystem --node is required"):
        call_command("create_api_token", "dw-staff", stdout=StringIO(), stderr=StringIO())


# --- Tokens on the API -----------------------------------------------------------------------------------


def test_a_node_token_sees_the_unpublished_members_of_its_node(world, client):
    token, _ = create_api_token(user=world.users["node_staff"], name="sync", node=world.ftbxl)
    assert "unpublished-org" in slugs(client.get("/api/v1/organisations", **bearer(token)))
    assert "unpublished-org" not in slugs(client.get("/api/v1/organisations"))
    assert ApiToken.objects.get().last_used_at is not None


def test_an_admin_token_is_limited_to_its_scope(world, client):
    """A platform admin's token for AWEX acts as AWEX staff, not as a superuser."""
    token, _ = create_api_token(user=world.users["admin"], name="awex sync", node=world.awex)
    assert "unpublished-org" not in slugs(client.get("/api/v1/organisations", **bearer(token)))
    response = client.patch(
        "/api/v1/organisations/paris-deeptech",
        {"city": "Lyon"},
        content_type="application/json",
        **bearer(token),
    )
    problem_of(response, 403)
    response = client.patch(
        "/api/v1/organisations/wallonie-startup",
        {"city": "Liège"},
        content_type="application/json",
        **bearer(token),
    )
    assert response.status_code == 200, response.content
    assert Organisation.objects.get(slug="wallonie-startup").city == "Liège"
    assert Organisation.objects.get(slug="paris-deeptech").city == "Paris"
    world.users["admin"].refresh_from_db()
    assert world.users["admin"].is_superuser, "scoping a request must never save the user"


def test_a_write_with_a_token_needs_no_csrf_and_is_audited(world):
    token, _ = create_api_token(user=world.users["node_staff"], name="sync", node=world.ftbxl)
    client = Client(enforce_csrf_checks=True)
    response = client.patch(
        "/api/v1/organisations/paris-deeptech",
        {"city": "Bruxelles"},
        content_type="application/json",
        **bearer(token),
    )
    assert response.status_code == 200, response.content
    assert response.json()["city"] == "Bruxelles"
    entry = AuditLog.objects.get(action="organisation.update")
    assert entry.actor == world.users["node_staff"]


@pytest.mark.parametrize("header", ["Bearer jum_not-a-real-token", "Bearer "])
def test_a_wrong_token_gets_401_problem_json(world, client, header):
    for response in (
        client.get("/api/v1/organisations", HTTP_AUTHORIZATION=header),
        client.post("/api/v1/organisations", {}, content_type="application/json", HTTP_AUTHORIZATION=header),
    ):
        body = problem_of(response, 401)
        assert body["title"] == "Authentication required"


def test_a_token_of_a_deactivated_user_stops_working(world, client):
    token, _ = create_api_token(user=world.users["node_staff"], name="sync", node=world.ftbxl)
    world.users["node_staff"].is_active = False
    world.users["node_staff"].save()
    problem_of(client.get("/api/v1/organisations", **bearer(token)), 401)


# --- Session auth and CSRF -------------------------------------------------------------------------------


def test_a_session_write_without_the_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["representative"])
    response = client.patch(
        "/api/v1/organisations/wallonie-startup", {"city": "Mons"}, content_type="application/json"
    )
    body = problem_of(response, 403)
    assert "CSRF" in body["title"]
    assert Organisation.objects.get(slug="wallonie-startup").city == "Namur"


def test_a_session_write_with_the_csrf_token_goes_through(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["representative"])
    client.get("/accounts/login/?next=/")  # any page with a form sets the CSRF cookie
    client.get("/")
    csrf = client.cookies["csrftoken"].value
    response = client.patch(
        "/api/v1/organisations/wallonie-startup",
        {"city": "Mons"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert response.status_code == 200, response.content
    assert Organisation.objects.get(slug="wallonie-startup").city == "Mons"


# --- Errors as RFC 9457 problem+json ------------------------------------------------------------------


def test_401_for_an_anonymous_write(world, client):
    body = problem_of(client.post("/api/v1/organisations", {}, content_type="application/json"), 401)
    assert body["type"] == "about:blank"


def test_403_for_a_write_outside_ones_rights(world, client_factory):
    client = client_factory(world.users["representative"])
    response = client.patch(
        "/api/v1/organisations/paris-deeptech", {"city": "X"}, content_type="application/json"
    )
    body = problem_of(response, 403)
    assert body["detail"] == "You may not change this organisation."


def test_404_for_an_unknown_or_unpublished_organisation(world, client):
    for slug in ("no-such-org", "unpublished-org"):
        body = problem_of(client.get(f"/api/v1/organisations/{slug}"), 404)
        assert "Unpublished Org" not in json.dumps(body)


def test_422_names_each_bad_field(world, client_factory):
    client = client_factory(world.users["representative"])
    response = client.patch(
        "/api/v1/organisations/wallonie-startup",
        {"country": "BELGIUM", "founding_year": "long ago"},
        content_type="application/json",
    )
    body = problem_of(response, 422)
    assert {e["field"] for e in body["errors"]} == {"country", "founding_year"}
    assert Organisation.objects.get(slug="wallonie-startup").country == "BE"


def test_422_for_a_body_that_is_not_json(world, client_factory):
    client = client_factory(world.users["representative"])
    response = client.patch(
        "/api/v1/organisations/wallonie-startup", "{not json", content_type="application/json"
    )
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == PROBLEM


# --- Idempotency keys (on a test-only router) ----------------------------------------------------------

test_api = NinjaAPI(
    title="idempotency test", urls_namespace="idempotency-test", auth=[ApiTokenAuth(), SessionAuth()]
)
test_router = Router()


class NoteIn(Schema):
    text: str


@test_router.post("/notes", response={201: dict})
@decorate_view(idempotent)
def create_note(request, payload: NoteIn):
    entry = log_action(actor=request.user, action="test.note", text=payload.text)
    return Status(201, {"id": entry.pk, "text": payload.text})


test_api.add_router("/", test_router)
urlpatterns = [path("api/", test_api.urls)]


@pytest.mark.urls("tests.core.test_api_auth")
def test_the_same_idempotency_key_replays_the_first_response(world, client_factory):
    client = client_factory(world.users["member"])
    first = client.post(
        "/api/notes", {"text": "hello"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    again = client.post(
        "/api/notes", {"text": "hello"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert AuditLog.objects.filter(action="test.note").count() == 1


@pytest.mark.urls("tests.core.test_api_auth")
def test_the_same_key_with_another_body_is_refused(world, client_factory):
    client = client_factory(world.users["member"])
    client.post("/api/notes", {"text": "hello"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-2")
    response = client.post(
        "/api/notes", {"text": "something else"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-2"
    )
    body = problem_of(response, 422)
    assert "different request body" in body["detail"]
    assert list(AuditLog.objects.filter(action="test.note").values_list("data__text", flat=True)) == ["hello"]


@pytest.mark.urls("tests.core.test_api_auth")
def test_keys_belong_to_one_user_and_requests_without_a_key_run_each_time(world, client_factory):
    member, rep = client_factory(world.users["member"]), client_factory(world.users["representative"])
    a = member.post(
        "/api/notes", {"text": "x"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    b = rep.post("/api/notes", {"text": "x"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="shared")
    assert a.json()["id"] != b.json()["id"]
    member.post("/api/notes", {"text": "x"}, content_type="application/json")
    member.post("/api/notes", {"text": "x"}, content_type="application/json")
    assert AuditLog.objects.filter(action="test.note").count() == 4


@pytest.mark.urls("tests.core.test_api_auth")
def test_a_failed_request_is_not_stored_so_it_can_be_fixed_and_retried(world, client_factory):
    client = client_factory(world.users["member"])
    bad = client.post(
        "/api/notes", {"txt": "typo"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-3"
    )
    assert bad.status_code == 422  # this test-only API keeps ninja's own error format
    assert not AuditLog.objects.filter(action="test.note").exists()
    good = client.post(
        "/api/notes", {"text": "fixed"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-3"
    )
    assert good.status_code == 201 and good.json()["text"] == "fixed"


@pytest.mark.urls("tests.core.test_api_auth")
def test_an_overlong_key_is_refused(world, client_factory):
    client = client_factory(world.users["member"])
    response = client.post(
        "/api/notes", {"text": "x"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k" * 300
    )
    assert "Idempotency-Key" in problem_of(response, 400)["detail"]
    assert not AuditLog.objects.filter(action="test.note").exists()


# --- OpenAPI -------------------------------------------------------------------------------------------


def test_openapi_schema_lists_every_route_and_the_bearer_scheme(db, client):
    schema = client.get("/api/openapi.json").json()
    assert {"/api/v1/organisations", "/api/v1/ecosystems", "/api/v1/nodes"} <= set(schema["paths"])
    schemes = schema["components"]["securitySchemes"]
    assert schemes["ApiTokenAuth"]["scheme"] == "bearer"
    # the docs page says how a machine gets a token
    assert "jumelage manage create_api_token USER --ecosystem SLUG" in schema["info"]["description"]


def test_api_docs_load_nothing_from_another_site_and_run_no_inline_script(db, client):
    response = client.get("/api/docs")
    html = response.content.decode()
    assert response.status_code == 200 and "swagger-ui" in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/static/") for a in assets), assets
    for attrs, _body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in attrs or 'type="application/json"' in attrs, attrs
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
        served.close()  # a static file response holds the file open until closed


def test_a_token_loses_its_powers_with_the_role_behind_it(world, client):
    from jumelage.ecosystems.models import NodeStaff

    token, _ = create_api_token(user=world.users["node_staff"], name="sync", node=world.ftbxl)
    assert "unpublished-org" in slugs(client.get("/api/v1/organisations", **bearer(token)))
    NodeStaff.objects.filter(user=world.users["node_staff"]).delete()
    assert "unpublished-org" not in slugs(client.get("/api/v1/organisations", **bearer(token)))
    response = client.patch(
        "/api/v1/organisations/paris-deeptech",
        {"city": "Lille"},
        content_type="application/json",
        **bearer(token),
    )
    problem_of(response, 403)


def test_an_ecosystem_token_covers_the_ecosystems_nodes(world, client):
    token, _ = create_api_token(user=world.users["ecosystem_staff"], name="dw", ecosystem=world.wallonia)
    response = client.patch(
        "/api/v1/organisations/wallonie-startup",
        {"city": "Liège"},
        content_type="application/json",
        **bearer(token),
    )
    assert response.status_code == 200 and response.json()["city"] == "Liège"
    problem_of(
        client.patch(
            "/api/v1/organisations/paris-deeptech",
            {"city": "X"},
            content_type="application/json",
            **bearer(token),
        ),
        403,
    )


def test_a_node_token_of_ecosystem_staff_sees_less_than_their_session(world, client, client_factory):
    """Digital Wallonia staff see an unpublished Walloon member through their session; a token of theirs
    limited to another node of the ecosystem does not, even right after the session's search."""
    from tests.factories import NodeFactory, OrganisationFactory

    infopole = NodeFactory(ecosystem=world.wallonia, name="Infopole", slug="infopole")
    quiet = OrganisationFactory(name="Quiet Walloon", slug="quiet-walloon", published=False)
    quiet.memberships.create(ecosystem=world.wallonia, node=world.awex)
    session = client_factory(world.users["ecosystem_staff"])
    assert "quiet-walloon" in slugs(session.get("/api/v1/organisations"))
    token, _ = create_api_token(user=world.users["ecosystem_staff"], name="infopole", node=infopole)
    assert "quiet-walloon" not in slugs(client.get("/api/v1/organisations", **bearer(token)))


def test_an_unknown_api_address_is_a_problem_json_404(db, client):
    body = problem_of(client.get("/api/v1/no-such-thing"), 404)
    assert body["detail"] == "No API operation at /api/v1/no-such-thing. See /api/docs."


def test_a_method_an_operation_does_not_take_gets_405_problem_json(world, client):
    response = client.delete("/api/v1/organisations")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["title"] == "Method not allowed" and "DELETE is not allowed here" in body["detail"]
    assert "GET" in response["Allow"] and "GET" in body["detail"]
