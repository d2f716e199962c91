"""Registrations through the API: the same services and permissions as the pages."""

import json

import pytest

from jumelage.core.api_auth import create_api_token
from jumelage.events import qr
from jumelage.events.models import Event, Question, Registration
from jumelage.events.services import registration as services
from tests.factories import ThemeFactory, build_event

URL = "/api/v1/events/smart-city-day/registrations"


@pytest.fixture(autouse=True)
def _english(settings):
    """Pages in English; the registration e-mails sent as soon as they are queued."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def event(world):
    return build_event(world)


def body(**extra):
    return {"name": "Ada Lovelace", "email": "Ada@Example.org", "language": "en", **extra}


def test_register_through_the_api_with_an_idempotency_key(client, event):
    ThemeFactory(code="smart-city")
    first = client.post(
        URL,
        body(interests=["smart-city"]),
        content_type="application/json",
        headers={"Idempotency-Key": "k1"},
    )
    assert first.status_code == 201
    data = first.json()
    reg = Registration.objects.get()
    assert data["status"] == "confirmed" and data["token"] == reg.token and data["email"] == "ada@example.org"
    assert data["qr_url"].endswith(f"/events/registration/{reg.token}/qr.svg")
    # A retry with the same key replays the answer and registers nobody twice.
    again = client.post(
        URL,
        body(interests=["smart-city"]),
        content_type="application/json",
        headers={"Idempotency-Key": "k1"},
    )
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["token"] == reg.token
    assert Registration.objects.count() == 1


def test_own_registration_by_token_read_and_cancel(client, event):
    Event.objects.filter(pk=event.pk).update(capacity=1)
    event.refresh_from_db()
    reg = services.register(event=event, name="Ada", email="ada@example.org")
    waiting = services.register(event=event, name="Bob", email="bob@example.org")
    got = client.get(f"/api/v1/registrations/{reg.token}").json()
    assert (got["event"], got["status"], got["name"]) == ("smart-city-day", "confirmed", "Ada")
    cancelled = client.post(f"/api/v1/registrations/{reg.token}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    twice = client.post(f"/api/v1/registrations/{reg.token}/cancel")
    assert twice.status_code == 409
    assert twice.json()["title"] == "This registration is already cancelled."
    assert client.get("/api/v1/registrations/nope").status_code == 404


@pytest.mark.parametrize(
    ("setup", "payload", "status", "text"),
    [
        ("duplicate", {}, 409, "ada@example.org is already registered for this event."),
        ("closed", {}, 409, "Registration closed on"),
        ("full", {}, 409, "This event is full and has no waiting list."),
        ("question", {}, 422, "Please answer the question “Company size?”."),
        ("", {"interests": ["no-such-theme"]}, 422, "unknown theme(s) for this event: no-such-theme"),
        ("", {"email": "nope"}, 422, "Enter a valid email address."),
    ],
)
def test_bad_registrations_are_clear_problems(client, event, setup, payload, status, text):
    from datetime import timedelta

    from django.utils import timezone

    if setup == "duplicate":
        services.register(event=event, name="Ada", email="ada@example.org")
    elif setup == "closed":
        Event.objects.filter(pk=event.pk).update(registration_closes_at=timezone.now() - timedelta(hours=1))
    elif setup == "full":
        Event.objects.filter(pk=event.pk).update(capacity=0, waitlist=False)
    elif setup == "question":
        Question.objects.create(event=event, label="Company size?", required=True)
    before = Registration.objects.count()
    response = client.post(URL, body(**payload), content_type="application/json")
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert text in json.dumps(response.json(), ensure_ascii=False)
    assert Registration.objects.count() == before


def test_staff_list_and_check_in_with_a_scoped_token(client, world, event):
    token, _row = create_api_token(user=world.users["node_staff"], name="door", node=world.ftbxl)
    auth = {"Authorization": f"Bearer {token}"}
    ada = services.register(event=event, name="Ada", email="ada@example.org", role="CTO")
    listed = client.get(URL, headers=auth).json()
    assert listed["count"] == 1
    assert listed["items"][0]["email"] == "ada@example.org" and "token" not in listed["items"][0]
    done = client.post(
        "/api/v1/events/smart-city-day/check-in",
        {"code": qr.payload(ada)},
        content_type="application/json",
        headers=auth,
    )
    assert done.status_code == 200
    assert done.json()["outcome"] == "checked_in"
    assert done.json()["message"].startswith("Ada checked in at ")
    again = client.post(
        "/api/v1/events/smart-city-day/check-in",
        {"registration": ada.pk},
        content_type="application/json",
        headers=auth,
    )
    assert again.json()["outcome"] == "already"
    bad = client.post(
        "/api/v1/events/smart-city-day/check-in",
        {"code": "1:forged"},
        content_type="application/json",
        headers=auth,
    )
    assert bad.status_code == 404


def test_the_list_is_for_partner_staff_only(client_factory, world, event):
    services.register(event=event, name="Ada", email="ada@example.org")
    member = client_factory(world.users["member"])
    assert member.get(URL).status_code == 403
    assert client_factory().get(URL).status_code == 401
    assert client_factory(world.users["ecosystem_staff"]).get(URL).json()["count"] == 1
