import json

import pytest

from jumelage.core.models import AuditLog
from jumelage.directory.models import Organisation


def patch(client, url, body):
    return client.patch(url, data=json.dumps(body), content_type="application/json")


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_representative_changes_own_organisation_through_the_api(role_clients, world):
    response = patch(
        role_clients["representative"],
        "/api/v1/organisations/wallonie-startup",
        {"description_en": "Sensors for smart buildings", "siren": "", "founding_year": 2019},
    )
    assert response.status_code == 200, response.content
    assert response.json()["description_en"] == "Sensors for smart buildings"
    world.be_org.refresh_from_db()
    assert world.be_org.founding_year == 2019
    assert AuditLog.objects.filter(action="organisation.update", object_id=str(world.be_org.pk)).exists()


def test_representative_cannot_change_another_organisation(role_clients, world):
    response = patch(role_clients["representative"], "/api/v1/organisations/paris-deeptech", {"city": "Lyon"})
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    world.fr_org.refresh_from_db()
    assert world.fr_org.city == "Paris"


def test_representative_cannot_publish_or_rename(role_clients, world):
    response = patch(role_clients["representative"], "/api/v1/organisations/wallonie-startup", {"name": "X"})
    assert response.status_code == 403
    assert "name" in response.json()["detail"]


def test_bad_identifier_is_a_422_naming_the_field_and_changes_nothing(role_clients, world):
    response = patch(
        role_clients["representative"],
        "/api/v1/organisations/wallonie-startup",
        {"city": "Liège", "enterprise_number": "0202.239.952"},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == "enterprise_number"
    assert "mod-97" in body["errors"][0]["message"]
    world.be_org.refresh_from_db()
    assert world.be_org.city == "Namur"


def test_wrong_payload_types_are_a_422(role_clients, world):
    response = patch(
        role_clients["representative"],
        "/api/v1/organisations/wallonie-startup",
        {"founding_year": "long ago"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "founding_year"


def test_unknown_theme_is_named(role_clients, world):
    response = patch(
        role_clients["representative"],
        "/api/v1/organisations/wallonie-startup",
        {"themes": ["no-such-theme"]},
    )
    assert response.status_code == 422
    assert "no-such-theme" in response.json()["errors"][0]["message"]


def test_node_staff_creates_a_member_of_their_node(role_clients, world):
    response = post(
        role_clients["node_staff"],
        "/api/v1/organisations",
        {
            "name": "Lille Robotics",
            "kind": "startup",
            "country": "FR",
            "ecosystem": "la-french-tech",
            "node": "french-tech-brussels",
            "siren": "732 829 320",
        },
    )
    assert response.status_code == 201, response.content
    org = Organisation.objects.get(name="Lille Robotics")
    assert org.siren == "732829320"
    assert response.json()["nodes"] == ["french-tech-brussels"]


def test_node_staff_cannot_create_in_the_other_ecosystem(role_clients, world):
    response = post(
        role_clients["node_staff"],
        "/api/v1/organisations",
        {"name": "Namur Data", "kind": "company", "country": "BE", "ecosystem": "digital-wallonia"},
    )
    assert response.status_code == 403
    assert not Organisation.objects.filter(name="Namur Data").exists()


@pytest.mark.parametrize("role", ["visitor"])
def test_anonymous_writes_need_authentication(role, client, world):
    response = patch(client, "/api/v1/organisations/wallonie-startup", {"city": "Mons"})
    assert response.status_code == 401
    assert response.json()["title"] == "Authentication required"


def test_hidden_organisation_is_a_404_for_visitors_via_the_api(client, world):
    assert client.get("/api/v1/organisations/unpublished-org").status_code == 404
    assert client.get("/api/v1/organisations/wallonie-startup").json()["name"] == "Wallonie Startup"


def test_a_retried_create_with_the_same_idempotency_key_creates_one_organisation(role_clients, world):
    body = {"name": "Roubaix Pixels", "kind": "startup", "country": "FR", "ecosystem": "la-french-tech"}
    client = role_clients["admin"]
    first = client.post(
        "/api/v1/organisations",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": "create-roubaix-1"},
    )
    again = client.post(
        "/api/v1/organisations",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": "create-roubaix-1"},
    )
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["slug"] == first.json()["slug"]
    assert Organisation.objects.filter(name="Roubaix Pixels").count() == 1
