"""Events and sessions through the API: the same scoping, permissions and services as the pages."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from jumelage.core.api_auth import create_api_token
from jumelage.events.models import Event, EventPartner, Room, Session
from tests.factories import EventFactory, build_event


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read English messages: English is the language of requests without a preference
    (and of the services called directly), whatever catalogs are compiled."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _event(world, slug, partner, *, days=10, **fields):
    event = EventFactory(
        slug=slug,
        title=slug.replace("-", " ").title(),
        starts_at=timezone.now() + timedelta(days=days),
        **fields,
    )
    kind = "node" if partner.__class__.__name__ == "NetworkNode" else "ecosystem"
    EventPartner.objects.create(event=event, role="lead", position=0, **{kind: partner})
    return event


def _post(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def _patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def _new(**extra):
    start = timezone.now() + timedelta(days=45)
    data = {
        "title": "API Day",
        "kind": "conference",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=6)).isoformat(),
        "city": "Liège",
        "country": "be",
        "languages": ["fr", "nl"],
        "capacity": 120,
        "partners": [
            {"ecosystem": "digital-wallonia", "role": "lead"},
            {"node": "french-tech-brussels", "role": "co_organiser"},
            {"node": "awex", "role": "supporting"},
        ],
    }
    data.update(extra)
    return data


def test_anyone_lists_published_public_events_with_their_partners_in_order(world, client):
    build_event(world)
    _event(world, "members-club", world.wallonia, visibility="members")
    _event(world, "draft-idea", world.wallonia, status="draft")
    body = client.get("/api/v1/events").json()
    assert body["count"] == 1
    [item] = body["items"]
    assert item["slug"] == "smart-city-day" and item["seats_left"] == 50
    assert [(p["name"], p["kind"], p["role"], p["position"]) for p in item["partners"]] == [
        ("Digital Wallonia", "ecosystem", "lead", 0),
        ("French Tech Brussels", "node", "co_organiser", 1),
    ]
    assert item["partners"][1]["url"] == "http://127.0.0.1:8000/nodes/french-tech-brussels/"


def test_the_list_filters_like_the_page_and_names_a_bad_filter(world, client):
    build_event(world)
    _event(world, "awex-export-morning", world.awex, days=5, kind="info_session")
    _event(world, "last-year", world.wallonia, days=-300)
    slugs = lambda q: [e["slug"] for e in client.get(f"/api/v1/events?{q}").json()["items"]]  # noqa: E731
    assert slugs("ecosystem=digital-wallonia") == ["awex-export-morning", "smart-city-day"]
    assert slugs("node=awex") == ["awex-export-morning"]
    assert slugs("kind=themed_day") == ["smart-city-day"]
    assert slugs("when=past") == ["last-year"]
    response = client.get("/api/v1/events?ecosystem=atlantis", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"field": "ecosystem", "message": "There is no ecosystem “atlantis”."}
    ]


def test_members_only_and_drafts_stay_hidden_from_those_who_may_not_see_them(world, client, client_factory):
    members = _event(world, "members-club", world.wallonia, visibility="members")
    assert client.get(f"/api/v1/events/{members.slug}").status_code == 404
    rep = client_factory(world.users["representative"])
    assert rep.get(f"/api/v1/events/{members.slug}").json()["visibility"] == "members"


def test_staff_create_an_event_once_with_an_idempotency_key(world, client_factory):
    client = client_factory(world.users["ecosystem_staff"])
    data = _new()
    first = _post(client, "/api/v1/events", data, HTTP_IDEMPOTENCY_KEY="create-api-day")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["slug"] == "api-day" and body["status"] == "draft" and body["country"] == "BE"
    assert [p["slug"] for p in body["partners"]] == ["digital-wallonia", "french-tech-brussels", "awex"]
    again = _post(client, "/api/v1/events", data, HTTP_IDEMPOTENCY_KEY="create-api-day")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == body
    assert Event.objects.filter(title="API Day").count() == 1


def test_bad_input_on_create_is_a_422_naming_the_problem_and_nothing_is_written(world, client_factory):
    client = client_factory(world.users["ecosystem_staff"])
    past = timezone.now() - timedelta(days=3)
    cases = [
        (
            _new(starts_at=past.isoformat(), ends_at=(past + timedelta(hours=1)).isoformat()),
            ("starts_at", "The start date is in the past: an event can only be planned for the future."),
        ),
        (
            _new(ends_at=(timezone.now() + timedelta(days=44)).isoformat()),
            ("ends_at", "The event must end after it starts."),
        ),
        (
            _new(partners=[{"ecosystem": "atlantis", "role": "lead"}]),
            ("partners", "unknown partner 'atlantis': no such ecosystem or node"),
        ),
        (
            _new(partners=[{"node": "french-tech-brussels", "role": "co_organiser"}]),
            ("partners", "An event needs a lead organiser: choose the ecosystem or node that leads it."),
        ),
        (_new(languages=["xx"]), ("languages", "Unknown language: choose among de, en, fr, nl.")),
    ]
    for data, error in cases:
        response = _post(client, "/api/v1/events", data, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 422, data
        assert response["Content-Type"] == "application/problem+json"
        assert {"field": error[0], "message": error[1]} in response.json()["errors"]
    assert not Event.objects.exists() and not EventPartner.objects.exists()


def test_patch_changes_an_event_and_refuses_bad_dates(world, client_factory):
    event = build_event(world)
    client = client_factory(world.users["node_staff"])
    response = _patch(
        client, f"/api/v1/events/{event.slug}", {"title": "Smart City Day 2027", "capacity": 60}
    )
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["capacity"]) == ("Smart City Day 2027", 60)
    bad = _patch(
        client,
        f"/api/v1/events/{event.slug}",
        {"ends_at": (event.starts_at - timedelta(hours=1)).isoformat()},
    )
    assert bad.status_code == 422
    assert {"field": "ends_at", "message": "The event must end after it starts."} in bad.json()["errors"]
    event.refresh_from_db()
    assert event.ends_at > event.starts_at and event.title == "Smart City Day 2027"
    refused = _patch(
        client_factory(world.users["member"]), f"/api/v1/events/{event.slug}", {"title": "Hacked"}
    )
    assert refused.status_code == 403
    assert Event.objects.get(pk=event.pk).title == "Smart City Day 2027"


def test_sessions_through_the_api(world, client, client_factory):
    event = build_event(world)
    staff = client_factory(world.users["ecosystem_staff"])
    start = event.starts_at
    payload = {
        "title": "Opening keynote",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
        "room": "Main hall",
    }
    created = _post(staff, f"/api/v1/events/{event.slug}/sessions", payload)
    assert created.status_code == 201
    assert created.json()["room"] == "Main hall"
    assert Room.objects.get(event=event).name == "Main hall"
    # The same room at an overlapping time: refused, and no second room or session appears.
    clash = _post(
        staff,
        f"/api/v1/events/{event.slug}/sessions",
        {
            **payload,
            "title": "Panel",
            "starts_at": (start + timedelta(minutes=30)).isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
        },
    )
    assert clash.status_code == 422
    assert "Main hall is already taken by “Opening keynote”" in clash.json()["errors"][0]["message"]
    outside = _post(
        staff,
        f"/api/v1/events/{event.slug}/sessions",
        {
            **payload,
            "room": "Annex",
            "starts_at": (start - timedelta(days=1)).isoformat(),
            "ends_at": (start - timedelta(hours=20)).isoformat(),
        },
    )
    assert outside.status_code == 422
    assert list(Room.objects.values_list("name", flat=True)) == ["Main hall"]  # "Annex" rolled back
    assert Session.objects.count() == 1
    listed = client.get(f"/api/v1/events/{event.slug}/sessions").json()
    assert [s["title"] for s in listed["items"]] == ["Opening keynote"]
    assert (
        _post(
            client_factory(world.users["representative"]), f"/api/v1/events/{event.slug}/sessions", payload
        ).status_code
        == 403
    )


def test_a_token_scoped_to_another_node_cannot_change_the_event(world, client):
    event = build_event(world)
    # Digital Wallonia staff, but with a token limited to AWEX: not a partner of Smart City Day.
    token, _row = create_api_token(user=world.users["ecosystem_staff"], name="awex only", node=world.awex)
    response = client.patch(
        f"/api/v1/events/{event.slug}",
        json.dumps({"title": "Changed"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 403
    assert Event.objects.get(pk=event.pk).title == "Smart City Day"
