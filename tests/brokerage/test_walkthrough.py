"""What a walk through the B2B pages as organisers and participants, in English, French and Dutch,
tripped over: each test asserts what the person now sees."""

import csv
import datetime as dt
import io
import re

import pytest
from django.test import Client
from django.utils import timezone

from jumelage.brokerage import services
from jumelage.brokerage.models import Brokerage, MeetingRequest
from jumelage.directory.models import Theme
from jumelage.events.models import Registration
from tests.events.test_badges import pdf_text
from tests.factories import UserFactory, build_event


def login(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def value_of(page: str, name: str) -> str | None:
    """The value a form's <input name=…> is shown with (None when it has none)."""
    tag = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', page)
    assert tag, f"no input {name}"
    found = re.search(r'value="([^"]*)"', tag.group(0))
    return found.group(1) if found else None


def agree(brokerage, a, b):
    return services.answer(request=services.send_request(requester=a, recipient=b), by=b, accept=True)


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_the_setup_form_shows_its_dates_and_times_to_the_browser_in_every_language(brokerage_world, language):
    """A French or Dutch date ("27/12/2026") in an <input type=date> is shown empty by the browser and
    posted back empty, so saving the setup unchanged failed with "give the session a date"."""
    brokerage, _, staff = brokerage_world
    deadline = timezone.localtime(brokerage.event.starts_at).replace(hour=8, minute=0) - dt.timedelta(days=2)
    brokerage.requests_close_at = deadline
    brokerage.save()
    organiser = login(staff, language)
    slug = brokerage.event.slug
    page = text(organiser.get(f"/events/{slug}/b2b/setup/"))
    day = timezone.localtime(brokerage.event.starts_at).date()
    assert value_of(page, "session-0-date") == day.isoformat()
    morning, afternoon = brokerage.sessions.order_by("starts_at")
    assert value_of(page, "session-0-start") == f"{timezone.localtime(morning.starts_at):%H:%M}"
    assert value_of(page, "session-1-end") == f"{timezone.localtime(afternoon.ends_at):%H:%M}"
    assert value_of(page, "requests_close_at") == deadline.strftime("%Y-%m-%dT%H:%M")
    # What the browser sends back, unchanged, is saved.
    form = {
        name: value_of(page, name) or ""
        for name in re.findall(
            r'<input[^>]*name="((?:session-[^"]+)|meeting_minutes|pause_minutes|'
            r'max_meetings|max_requests|requests_close_at|answers_close_at)"',
            page,
        )
    }
    form["tables"] = "A1\nA2"
    response = organiser.post(f"/events/{slug}/b2b/setup/", form)
    assert response.status_code == 302, [m.message for m in response.wsgi_request._messages]
    brokerage.refresh_from_db()
    assert brokerage.slots.count() == 4 and brokerage.requests_close_at == deadline


def test_someone_not_registered_is_sent_to_the_registration_before_filling_the_join_form(brokerage_world):
    brokerage, _, _ = brokerage_world
    slug = brokerage.event.slug
    visitor = login(UserFactory(username="walker"))
    home = text(visitor.get(f"/events/{slug}/b2b/"))
    assert "Register for the event first." in home and f'href="/events/{slug}/register/"' in home
    response = visitor.get(f"/events/{slug}/b2b/join/")
    page = text(response)
    assert response.status_code == 403
    assert "Only confirmed attendees of the event take part in the B2B meetings." in page
    assert f'href="/events/{slug}/register/"' in page and 'name="offers"' not in page


def test_the_join_form_offers_themes_as_checkboxes_and_dates_its_slots(brokerage_world):
    brokerage, _, _ = brokerage_world
    Theme.objects.create(code="smart-parking", label_fr="Stationnement", label_en="Smart parking")
    user = UserFactory(username="eve")
    Registration.objects.create(
        event=brokerage.event, user=user, name="Eve", email="eve@example.org", status="confirmed"
    )
    page = text(login(user).get(f"/events/{brokerage.event.slug}/b2b/join/"))
    assert re.search(r'<input type="checkbox" name="themes"[^>]*>\s*Smart parking', page)
    assert "<select" not in page.split('name="themes"')[0].rsplit("<label", 1)[-1]
    day = timezone.localtime(brokerage.event.starts_at)
    first_afternoon = brokerage.slots.get(number=3)
    assert f"Afternoon, {day:%d/%m/%Y} {first_afternoon}" in page


def test_cancelling_an_agreed_meeting_asks_first_and_withdrawing_names_the_person(brokerage_world):
    brokerage, p, _ = brokerage_world
    slug = brokerage.event.slug
    agree(brokerage, p["Anna"], p["Bruno"])
    pending = services.send_request(requester=p["Anna"], recipient=p["Chloé"])
    anna = login(p["Anna"].user)
    page = text(anna.get(f"/events/{slug}/b2b/requests/"))
    assert "<summary>Cancel the meeting</summary>" in page
    assert "Cancel your meeting with Bruno? Bruno is told by e-mail and the slot is freed." in page
    assert ">Yes, cancel the meeting</button>" in page
    bruno_page = text(login(p["Bruno"].user).get(f"/events/{slug}/b2b/requests/"))
    assert "Cancel your meeting with Anna? Anna is told by e-mail" in bruno_page
    response = anna.post(f"/events/{slug}/b2b/requests/{pending.pk}/withdraw/", follow=True)
    assert "Your request to Chloé is withdrawn." in text(response)
    assert MeetingRequest.objects.get(pk=pending.pk).status == "withdrawn"


def test_the_dashboard_names_themes_in_the_readers_language_and_explains_its_rate(brokerage_world):
    brokerage, p, staff = brokerage_world
    parking = Theme.objects.create(
        code="smart-parking",
        label_fr="Stationnement intelligent",
        label_nl="Slim parkeren",
        label_en="Smart parking",
    )
    p["Anna"].themes.set([parking])
    agree(brokerage, p["Anna"], p["Bruno"])
    url = f"/events/{brokerage.event.slug}/b2b/dashboard/"
    french = text(login(staff, "fr").get(url))
    assert (
        '<th scope="row">Stationnement intelligent</th><td>1</td>' in french and "Smart parking" not in french
    )
    assert '<th scope="row">sans écosystème ↔ sans écosystème</th><td>1</td>' in french
    assert "Taux d’acceptation\u00a0: les demandes acceptées parmi celles qui ont reçu une réponse" in french
    assert "<dd>100\u00a0%</dd>" in french  # the acceptance rate, with French spacing
    dutch = text(login(staff, "nl").get(url))
    assert '<th scope="row">Slim parkeren</th><td>1</td>' in dutch
    assert "<dd>100%</dd>" in dutch


def test_the_export_and_the_meetings_list_give_each_slot_its_day(brokerage_world, publish_schedule):
    brokerage, p, staff = brokerage_world
    agree(brokerage, p["Anna"], p["Bruno"])
    organiser = login(staff)
    publish_schedule(brokerage, organiser)
    slot = brokerage.meetings.get().slot
    day = f"{timezone.localtime(slot.starts_at):%d/%m/%Y}"
    response = organiser.get(f"/events/{brokerage.event.slug}/b2b/export.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == f"{day} {slot}"
    page = text(organiser.get(f"/events/{brokerage.event.slug}/b2b/meetings/"))
    assert f"<td>{day} {slot}</td>" in page


def test_an_organiser_locks_an_agreed_meeting_to_a_slot_and_table(brokerage_world):
    brokerage, p, staff = brokerage_world
    meeting = agree(brokerage, p["Anna"], p["Bruno"]).meeting
    slot, table = brokerage.slots.get(number=3), brokerage.tables.get(name="A2")
    organiser = login(staff)
    url = f"/events/{brokerage.event.slug}/b2b/meetings/"
    page = text(organiser.get(url))
    assert f'<button type="submit" name="lock" value="{meeting.pk}">Lock</button>' in page
    response = organiser.post(url, {"lock": meeting.pk, "slot": slot.pk, "table": table.pk}, follow=True)
    day = f"{timezone.localtime(slot.starts_at):%d/%m/%Y}"
    assert f"Locked: Anna → Bruno, {day} {slot} at A2." in text(response)
    meeting.refresh_from_db()
    assert meeting.locked and meeting.slot == slot and meeting.table == table
    assert f'name="unlock" value="{meeting.pk}"' in text(response)
    # Without a slot: said so, nothing locked.
    other = agree(brokerage, p["Chloé"], p["Dirk"]).meeting
    response = organiser.post(url, {"lock": other.pk, "slot": ""}, follow=True)
    assert "Choose the slot to lock the meeting to." in text(response)
    other.refresh_from_db()
    assert not other.locked and other.slot is None


def test_a_tampered_lock_or_unlock_is_a_404_not_an_error_500(brokerage_world):
    brokerage, _, staff = brokerage_world
    organiser = login(staff)
    url = f"/events/{brokerage.event.slug}/b2b/meetings/"
    assert organiser.post(url, {"unlock": "abc"}).status_code == 404
    assert organiser.post(url, {"lock": "abc", "slot": "1"}).status_code == 404


def test_the_organisers_form_tells_namesakes_apart_and_dates_the_slots(brokerage_world):
    brokerage, p, staff = brokerage_world
    page = text(login(staff).get(f"/events/{brokerage.event.slug}/b2b/meetings/"))
    assert f">Anna ({p['Anna'].organisation.name})</option>" in page
    day = f"{timezone.localtime(brokerage.event.starts_at):%d/%m/%Y}"
    assert f">{day} {brokerage.slots.get(number=1)}</option>" in page


def test_the_printed_agenda_says_where_and_until_when(brokerage_world, publish_schedule):
    brokerage, p, staff = brokerage_world
    event = brokerage.event
    event.venue, event.street, event.postcode = "Palais des Congrès", "Place Sainte-Véronique 1", "4000"
    event.save()
    agree(brokerage, p["Anna"], p["Bruno"])
    publish_schedule(brokerage, login(staff))
    slot = brokerage.meetings.get().slot
    printed = pdf_text(login(p["Anna"].user).get(f"/events/{event.slug}/b2b/agenda.pdf").content)
    assert "Where: Palais des Congrès, Place Sainte-Véronique 1, 4000 Bruxelles" in printed
    end = timezone.localtime(slot.ends_at).strftime("%-I:%M")
    assert f"–{end}" in printed.replace(" ", "")


def test_a_new_setup_proposes_sessions_within_the_events_hours(world):
    """The proposed morning and afternoon (9:30–17:00) lay outside an evening event: saving the page
    as proposed was refused with "the session lies outside the event's dates"."""
    event = build_event(world)
    evening = timezone.localtime(event.starts_at).replace(hour=18, minute=0, second=0, microsecond=0)
    event.starts_at, event.ends_at = evening, evening + dt.timedelta(hours=4)
    event.save()
    organiser = login(world.users["ecosystem_staff"], "fr")
    url = f"/events/{event.slug}/b2b/setup/"
    page = text(organiser.get(url))
    assert value_of(page, "session-0-name") == "Rendez-vous"
    assert (value_of(page, "session-0-start"), value_of(page, "session-0-end")) == ("18:00", "22:00")
    assert value_of(page, "session-1-name") is None
    form = {
        name: value_of(page, name) or "" for name in re.findall(r'<input[^>]*name="(session-[^"]+)"', page)
    }
    form |= {"meeting_minutes": "20", "pause_minutes": "5", "max_meetings": "8", "max_requests": "15"}
    form["tables"] = "T1\nT2"
    response = organiser.post(url, form)
    assert response.status_code == 302, [m.message for m in response.wsgi_request._messages]
    assert (
        Brokerage.objects.get(event=event).slots.count() == 9
    )  # 18:00–22:00: 20 minutes + a 5-minute pause, 9 times


def test_a_visitor_is_offered_the_login_on_the_meetings_page(brokerage_world):
    brokerage, _, _ = brokerage_world
    slug = brokerage.event.slug
    page = text(Client(HTTP_ACCEPT_LANGUAGE="fr").get(f"/events/{slug}/b2b/"))
    main = page.split("<main", 1)[1]
    assert "Connectez-vous et inscrivez-vous à l’événement pour y participer." in main
    assert f'href="/accounts/login/?next=/events/{slug}/b2b/">Se connecter</a>' in main


def test_a_sought_after_participant_reads_received_requests_page_by_page(brokerage_world, monkeypatch):
    monkeypatch.setattr("jumelage.brokerage.views.participants.PER_PAGE", 2)
    brokerage, p, _ = brokerage_world
    for name in ("Bruno", "Chloé", "Dirk"):
        services.send_request(requester=p[name], recipient=p["Anna"], message=f"From {name}")
    anna = login(p["Anna"].user)
    url = f"/events/{brokerage.event.slug}/b2b/requests/"
    first = text(anna.get(url))
    assert first.count("<tr>") - 1 == 2  # two rows under the received table's heading row
    assert "Page 1 of 2" in first and 'href="?received=2&amp;sent=1">Next</a>' in first
    second = text(anna.get(url + "?received=2&sent=1"))
    assert "Page 2 of 2" in second and second.count("From ") == 1
    shown = {n for n in ("Bruno", "Chloé", "Dirk") for page in (first, second) if f"From {n}" in page}
    assert shown == {"Bruno", "Chloé", "Dirk"}
