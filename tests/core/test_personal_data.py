"""GDPR: a user downloads what the platform holds about them, and erases their account. Erasing
cancels and deletes what is still to come (telling the people concerned), anonymises what belongs to
past events, and keeps the audit trail without the name."""

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from jumelage.brokerage import services as brokerage_services
from jumelage.brokerage.models import Meeting, Participant
from jumelage.core.models import AuditLog
from jumelage.directory.models import Person
from jumelage.events.models import Event, Registration
from tests.brokerage.conftest import build_brokerage

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def anna(world):
    """Anna takes part in Smart City Day's B2B meetings (still to come) and has an agreed meeting with
    Bruno; she has a directory profile and is logged in (English pages)."""
    brokerage, people, _staff = build_brokerage(world)
    request = brokerage_services.send_request(
        requester=people["Anna"], recipient=people["Bruno"], message="Drones?"
    )
    brokerage_services.answer(request=request, by=people["Bruno"], accept=True)
    user = people["Anna"].user
    user.set_password(PASSWORD)
    user.email = "anna@example.org"
    user.save()
    Person.objects.create(name="Anna", user=user, languages=["fr", "en"])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return SimpleNamespace(user=user, client=client, brokerage=brokerage, people=people)


def test_the_download_holds_the_account_registrations_and_b2b_requests(anna):
    user = anna.user
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="192.0.2.7")
    client.post("/accounts/login/", {"username": "anna", "password": PASSWORD})
    Client(REMOTE_ADDR="198.51.100.9").post("/accounts/login/", {"username": "anna", "password": "wrong"})
    page = client.get("/accounts/data/").content.decode()
    assert "Your personal data" in page and "anna@example.org" in page
    assert "B2B meeting participations" in page

    response = client.get("/accounts/data/export.json")
    assert response["Content-Disposition"].startswith('attachment; filename="jumelage-anna-')
    data = json.loads(response.content)
    assert data["account"]["email"] == "anna@example.org"
    assert data["directory_profile"]["languages"] == ["fr", "en"]
    assert [r["event"] for r in data["event_registrations"]] == ["Smart City Day"]
    (participation,) = data["b2b_participations"]
    assert participation["offers"] == "Anna offers"
    assert participation["requests"][0] | {"sent": None, "answered": None} == {
        "direction": "sent",
        "with": "Bruno",
        "message": "Drones?",
        "status": "accepted",
        "reason": "",
        "sent": None,
        "answered": None,
    }
    assert AuditLog.objects.filter(action="account.export", actor=user).exists()
    # the log of her logins (when, from where), and the failed attempt since
    assert "192.0.2.7" in [a["address"] for a in data["logins"]]
    assert [(a["address"], a["failures"]) for a in data["failed_logins"]] == [("198.51.100.9", 1)]


def test_a_wrong_password_erases_nothing(anna):
    user, client = anna.user, anna.client
    response = client.post("/accounts/erase/", {"password": "guess"})
    assert response.status_code == 400
    assert "This is not your password: nothing was erased." in response.content.decode()
    assert get_user_model().objects.filter(pk=user.pk).exists()
    assert Participant.objects.filter(user=user).exists()


def test_erasing_cancels_what_is_to_come_and_tells_the_people_to_meet(
    anna, smtp, django_capture_on_commit_callbacks
):
    from axes.models import AccessAttempt, AccessLog

    user, people = anna.user, anna.people
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post("/accounts/login/", {"username": "anna", "password": PASSWORD})
    Client().post("/accounts/login/", {"username": "anna", "password": "wrong"})
    assert AccessLog.objects.filter(username="anna").exists()
    assert AccessAttempt.objects.filter(username="anna").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/erase/", {"password": PASSWORD}, follow=True)
    assert "Your account and your personal data are erased." in response.content.decode()
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert not Participant.objects.filter(name="Anna").exists()
    assert not Registration.objects.filter(email="anna@example.org").exists()
    assert not Person.objects.filter(name="Anna").exists()
    assert not Meeting.objects.filter(request__requester=people["Bruno"]).exists()
    assert [m.subject for m in smtp.to("bruno@example.org")] == ["Anna cancelled your meeting"]
    entry = AuditLog.objects.get(action="account.erase")
    assert entry.actor is None and "Anna" not in json.dumps(entry.data) + entry.object_repr
    assert entry.data["b2b_participations_left"] == 1 and entry.data["registrations_deleted"] == 1
    assert not AccessLog.objects.filter(username="anna").exists()
    assert not AccessAttempt.objects.filter(username="anna").exists()
    # logged out: the page asks to log in again
    assert client.get("/accounts/data/")["Location"].startswith("/accounts/login/")


def test_erasing_anonymises_a_past_event_and_keeps_its_meeting_counts(anna):
    client, brokerage, people = anna.client, anna.brokerage, anna.people
    meeting = Meeting.objects.get(request__requester=people["Anna"])
    past = timezone.now() - dt.timedelta(days=30)
    Event.objects.filter(pk=brokerage.event.pk).update(starts_at=past, ends_at=past + dt.timedelta(hours=9))
    client.post("/accounts/erase/", {"password": PASSWORD})

    anna_then = Participant.objects.get(pk=people["Anna"].pk)
    assert anna_then.user is None and anna_then.name == "—" and anna_then.offers == ""
    assert anna_then.email.endswith("@example.invalid")
    assert Meeting.objects.filter(pk=meeting.pk).exists()  # Bruno's record of it stays
    assert meeting.request.__class__.objects.get(pk=meeting.request_id).message == ""
    registration = Registration.objects.get(event=brokerage.event, name="—")
    assert registration.user is None and registration.email.endswith("@example.invalid")


def test_a_platform_administrator_is_not_erased_from_their_own_page(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users["admin"])
    response = client.post("/accounts/erase/", {"password": "x"}, follow=True)
    assert "erased by another administrator" in response.content.decode()
    assert get_user_model().objects.filter(pk=world.users["admin"].pk).exists()


def test_staff_erase_a_person_who_registered_without_an_account(world):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from jumelage.events.services.registration import register
    from tests.factories import EventFactory, build_event

    upcoming = build_event(world)
    register(event=upcoming, name="Zoé Martin", email="zoe@example.org")
    past_start = timezone.now() - dt.timedelta(days=60)
    past = EventFactory(starts_at=past_start, ends_at=past_start + dt.timedelta(hours=8))
    Registration.objects.create(event=past, name="Zoé Martin", email="ZOE@example.org", status="confirmed")

    out = StringIO()
    call_command("erase_personal_data", "zoe@example.org", stdout=out)
    assert "Run again with --yes" in out.getvalue()
    assert Registration.objects.filter(name="Zoé Martin").count() == 2  # a dry run changes nothing

    call_command("erase_personal_data", "zoe@example.org", "--yes", stdout=out)
    assert "registrations anonymised 1" in out.getvalue() and "registrations deleted 1" in out.getvalue()
    assert not Registration.objects.filter(name="Zoé Martin").exists()
    assert Registration.objects.get(event=past).email.endswith("@example.invalid")
    assert AuditLog.objects.filter(action="person.erase").exists()

    with pytest.raises(CommandError, match="is not an e-mail address"):
        call_command("erase_personal_data", "zoe at example", "--yes")
