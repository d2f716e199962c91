"""Partner staff: the registrations list (search, status filter, pagination) and the check-in desk
(scan or search, with and without htmx)."""

import pytest
from django.utils import timezone

from jumelage.events import qr
from jumelage.events.models import Event, Registration
from jumelage.events.services import registration as services
from tests.factories import build_event

CHECK_IN = "/events/smart-city-day/check-in/"
LIST = "/events/smart-city-day/registrations/"


@pytest.fixture(autouse=True)
def _english(settings):
    """Pages in English; the registration e-mails sent as soon as they are queued."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def event(world):
    return build_event(world)


@pytest.fixture
def staff(client_factory, world):
    return client_factory(world.users["node_staff"])


def reg(event, name, email, **kw):
    return services.register(event=event, name=name, email=email, **kw)


# --- The list ----------------------------------------------------------------------------------------------


def test_staff_list_searches_filters_and_counts(staff, event):
    Event.objects.filter(pk=event.pk).update(capacity=2)
    event.refresh_from_db()
    reg(event, "Ada Lovelace", "ada@example.org", organisation_name="Analytical Engines")
    reg(event, "Grace Hopper", "grace@example.org", organisation_name="Navy")
    reg(event, "Alan Turing", "alan@example.org", organisation_name="Bletchley")
    page = staff.get(LIST).content.decode()
    assert "Confirmed: <strong>2</strong>" in page
    assert "On the waiting list: <strong>1</strong>" in page
    assert page.index("Ada Lovelace") < page.index("Grace Hopper") < page.index("Alan Turing")
    found = staff.get(LIST, {"q": "bletchley"}).content.decode()
    assert "Alan Turing" in found and "Ada Lovelace" not in found
    waiting = staff.get(LIST, {"status": "waitlisted"}).content.decode()
    assert "Alan Turing" in waiting and "Grace Hopper" not in waiting
    empty = staff.get(LIST, {"q": "nobody"}).content.decode()
    assert "No registration matches these filters." in empty


def test_staff_list_paginates_and_keeps_the_filters(staff, event):
    Event.objects.filter(pk=event.pk).update(capacity=None)
    event.refresh_from_db()
    for n in range(53):
        reg(event, f"Person {n:02d}", f"p{n}@example.org")
    first = staff.get(LIST, {"q": "person"}).content.decode()
    assert "53 registrations" in first and "Page 1 of 2" in first
    assert "Person 49" in first and "Person 50" not in first
    assert 'href="?q=person&amp;page=2"' in first
    second = staff.get(LIST, {"q": "person", "page": 2}).content.decode()
    assert "Person 52" in second and "Person 00" not in second


def test_empty_list(staff, event):
    assert "Nobody has registered yet." in staff.get(LIST).content.decode()


def test_list_query_count_does_not_grow_with_rows(staff, event):
    reg(event, "One", "one@example.org")
    staff.get(LIST)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        staff.get(LIST)
    for n in range(3):
        reg(event, f"More {n}", f"more{n}@example.org")
    with CaptureQueriesContext(connection) as four:
        staff.get(LIST)
    assert len(four) == len(one)


# --- Check-in ----------------------------------------------------------------------------------------------


def test_scanning_the_qr_code_checks_in_at_once(staff, world, event):
    r = reg(event, "Ada Lovelace", "ada@example.org", organisation_name="Analytical Engines")
    response = staff.post(CHECK_IN, {"scan": qr.payload(r)})
    r.refresh_from_db()
    assert r.checked_in_by == world.users["node_staff"]
    hhmm = timezone.localtime(r.checked_in_at).strftime("%H:%M")
    assert f"Ada Lovelace checked in at {hhmm} by ftbxl-staff." in response.content.decode()
    assert "1 of 1 confirmed people checked in." in response.content.decode()
    # Again (a second door): "already", with the first time and who did it; nothing changes.
    again = staff.post(CHECK_IN, {"scan": "  " + qr.check_in_code(r) + "  "})
    assert f"Ada Lovelace was already checked in at {hhmm} by ftbxl-staff." in again.content.decode()
    r.refresh_from_db()
    assert timezone.localtime(r.checked_in_at).strftime("%H:%M") == hhmm


def test_a_waitlisted_or_cancelled_person_is_not_let_in(staff, event):
    Event.objects.filter(pk=event.pk).update(capacity=1)
    event.refresh_from_db()
    reg(event, "First", "first@example.org")
    waiting = reg(event, "Waiting Person", "w@example.org")
    response = staff.post(CHECK_IN, {"scan": qr.payload(waiting)})
    assert response.status_code == 409
    assert "Waiting Person is not confirmed (on the waiting list): no seat on this registration." in (
        response.content.decode()
    )
    waiting.refresh_from_db()
    assert waiting.checked_in_at is None


def test_a_forged_or_foreign_code_is_refused(staff, world, event):
    r = reg(event, "Ada", "ada@example.org")
    forged = f"{r.pk}:{'x' * 43}"
    response = staff.post(CHECK_IN, {"scan": forged})
    assert response.status_code == 404
    assert "This code is not a registration for this event." in response.content.decode()
    other = build_other_event(world)
    foreign = reg(other, "Other", "other@example.org")
    response = staff.post(CHECK_IN, {"scan": qr.payload(foreign)})
    assert "This code is not a registration for this event." in response.content.decode()
    assert not Registration.objects.filter(checked_in_at__isnull=False).exists()


def build_other_event(world):
    from jumelage.events.models import EventPartner
    from tests.factories import EventFactory

    other = EventFactory(slug="other-day")
    EventPartner.objects.create(event=other, node=world.ftbxl, role="lead", position=0)
    return other


def test_searching_by_name_lists_people_with_a_check_in_button(staff, event):
    r = reg(event, "Grace Hopper", "grace@example.org", organisation_name="Navy")
    page = staff.post(CHECK_IN, {"scan": "hopper"}).content.decode()
    assert "Grace Hopper" in page and f'name="registration" value="{r.pk}"' in page
    done = staff.post(CHECK_IN, {"registration": r.pk}).content.decode()
    assert "Grace Hopper checked in at" in done
    nobody = staff.post(CHECK_IN, {"scan": "nobody-here"}).content.decode()
    assert "Nobody registered matches this search." in nobody


def test_htmx_gets_only_the_result(staff, event):
    r = reg(event, "Ada", "ada@example.org")
    response = staff.post(CHECK_IN, {"scan": qr.payload(r)}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "Ada checked in at" in body


def test_a_phone_camera_opening_the_qr_address_shows_the_person_first(staff, event):
    r = reg(event, "Ada", "ada@example.org")
    page = staff.get(CHECK_IN, {"code": qr.check_in_code(r)}).content.decode()
    assert "Ada" in page and "Check in Ada" in page
    r.refresh_from_db()
    assert r.checked_in_at is None, "a GET checks nobody in"


def test_visitors_and_members_cannot_reach_the_desk(client_factory, world, event):
    r = reg(event, "Ada", "ada@example.org")
    assert client_factory(world.users["member"]).post(CHECK_IN, {"scan": qr.payload(r)}).status_code == 403
    assert client_factory().post(CHECK_IN, {"scan": qr.payload(r)}).status_code == 302
    r.refresh_from_db()
    assert r.checked_in_at is None
