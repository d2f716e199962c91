"""The brokerage pages as participants and organisers use them."""

import datetime as dt
import io

import openpyxl
from django.test import Client
from django.utils import timezone

from jumelage.brokerage import scheduling, services
from jumelage.brokerage.models import Brokerage, MeetingRequest, Slot
from jumelage.directory.models import Organisation
from jumelage.events.models import Registration
from tests.events.test_badges import pdf_text
from tests.factories import UserFactory, build_event


def login(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def test_an_organiser_sets_up_the_meetings_and_opens_requests(world):
    event = build_event(world)
    staff = login(world.users["ecosystem_staff"])
    page = text(staff.get(f"/events/{event.slug}/b2b/setup/"))
    assert "Set up the B2B meetings of Smart City Day" in page
    day = timezone.localtime(event.starts_at).date().isoformat()
    form = {
        "meeting_minutes": "20",
        "pause_minutes": "10",
        "max_meetings": "6",
        "max_requests": "10",
        "tables": "T1\nT2\nT3",
        "session-TOTAL_FORMS": "3",
        "session-INITIAL_FORMS": "0",
        "session-MIN_NUM_FORMS": "3",
        "session-MAX_NUM_FORMS": "3",
        "session-0-name": "Morning",
        "session-0-date": day,
        "session-0-start": "11:00",
        "session-0-end": "12:00",
        "session-1-name": "",
        "session-2-name": "",
    }
    response = staff.post(f"/events/{event.slug}/b2b/setup/", form)
    assert response.status_code == 302, [m.message for m in response.context["messages"]]
    brokerage = Brokerage.objects.get(event=event)
    assert brokerage.slots.count() == 2 and brokerage.tables.count() == 3  # 11:00–11:20, 11:30–11:50
    response = staff.post(f"/events/{event.slug}/b2b/setup/", {"open": "1"}, follow=True)
    assert "Meeting requests are open" in text(response)


def test_a_bad_session_is_refused_with_its_reason_and_nothing_is_saved(world):
    event = build_event(world)
    staff = login(world.users["ecosystem_staff"])
    day = timezone.localtime(event.starts_at).date().isoformat()
    form = {
        "meeting_minutes": "20",
        "pause_minutes": "5",
        "max_meetings": "6",
        "max_requests": "10",
        "tables": "T1",
        "session-TOTAL_FORMS": "3",
        "session-INITIAL_FORMS": "0",
        "session-0-name": "Morning",
        "session-0-date": day,
        "session-0-start": "10:00",
        "session-0-end": "09:00",
        "session-1-name": "Half",
        "session-1-date": "",
    }
    response = staff.post(f"/events/{event.slug}/b2b/setup/", form)
    assert response.status_code == 400
    page = text(response)
    assert "Give the session a name, a date, a start and an end time." in page
    assert not Brokerage.objects.exists()


def test_a_participant_asks_the_other_accepts_by_mail_and_page(brokerage_world, smtp):
    brokerage, p, _ = brokerage_world
    slug = brokerage.event.slug
    anna, bruno = login(p["Anna"].user), login(p["Bruno"].user)
    page = text(anna.get(f"/events/{slug}/b2b/"))
    assert "Bruno" in page and "Ask Bruno for a meeting" in page
    response = anna.post(
        f"/events/{slug}/b2b/ask/{p['Bruno'].pk}/", {"message": "Parking sensors?"}, follow=True
    )
    assert "Your request was sent to Bruno." in text(response)
    mail = smtp.to("bruno@example.org")[0]
    assert mail.subject == "Anna asks you for a meeting" and "Parking sensors?" in mail.text()

    request = MeetingRequest.objects.get()
    page = text(bruno.get(f"/events/{slug}/b2b/requests/"))
    assert "Parking sensors?" in page
    response = bruno.post(f"/events/{slug}/b2b/requests/{request.pk}/accept/", follow=True)
    assert "Meeting accepted." in text(response)
    request.refresh_from_db()
    assert request.status == "accepted"
    assert smtp.to("anna@example.org")[0].subject == "Bruno accepted your meeting request"


def test_someone_not_taking_part_cannot_ask(brokerage_world):
    brokerage, p, _ = brokerage_world
    outsider = login(UserFactory())
    response = outsider.post(f"/events/{brokerage.event.slug}/b2b/ask/{p['Bruno'].pk}/", {"message": "hi"})
    assert response.status_code == 403 and not MeetingRequest.objects.exists()


def test_a_participants_page_tells_someone_not_taking_part_why_and_where_to_join(brokerage_world, world):
    brokerage, _, _staff = brokerage_world
    url = f"/events/{brokerage.event.slug}/b2b/agenda/"
    for user in (UserFactory(), world.users["admin"]):  # an admin takes part in nothing either
        response = login(user).get(url)
        assert response.status_code == 403
        page = text(response)
        assert "This page is for the participants" in page
        assert "you do not take part in them" in page
        assert f'href="/events/{brokerage.event.slug}/b2b/"' in page
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")


def test_a_confirmed_attendee_joins_with_offers_and_availability(brokerage_world):
    brokerage, _, _ = brokerage_world
    user = UserFactory(username="eve")
    Registration.objects.create(
        event=brokerage.event, user=user, name="Eve", email="eve@example.org", status="confirmed"
    )
    client = login(user)
    page = text(client.get(f"/events/{brokerage.event.slug}/b2b/"))
    assert "Take part in the B2B meetings" in page
    slot = brokerage.slots.get(number=1)
    response = client.post(
        f"/events/{brokerage.event.slug}/b2b/join/",
        {"offers": "LoRa sensors", "seeks": "Cities", "unavailable": [slot.pk]},
    )
    assert response.status_code == 302
    participant = brokerage.participants.get(user=user)
    assert participant.offers == "LoRa sensors" and list(participant.unavailable.all()) == [slot]


def test_the_organiser_runs_publishes_and_the_agenda_downloads(
    brokerage_world, smtp, django_capture_on_commit_callbacks
):
    brokerage, p, staff = brokerage_world
    slug = brokerage.event.slug
    Organisation.objects.filter(pk=p["Bruno"].organisation_id).update(name="L’Œuvre Dvořák SA")
    services.answer(
        request=services.send_request(requester=p["Anna"], recipient=p["Bruno"]), by=p["Bruno"], accept=True
    )
    organiser = login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser.post(f"/events/{slug}/b2b/schedule/", {"time_limit": "5"})
    run = brokerage.runs.get()
    assert response.status_code == 302 and response["Location"] == f"/events/{slug}/b2b/schedule/{run.pk}/"
    page = text(organiser.get(response["Location"]))
    assert "Draft ready" in page and "1 / 1" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser.post(response["Location"], {"publish": "1"}, follow=True)
    page = text(response)
    assert "The schedule is published; 2 participants were told" in page
    assert "Anna" in page and "Bruno" in page  # the table plan

    anna = login(p["Anna"].user)
    page = text(anna.get(f"/events/{slug}/b2b/agenda/"))
    assert "Bruno" in page and "L’Œuvre Dvořák SA" in page
    ics = anna.get(f"/events/{slug}/b2b/agenda.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    from icalendar import Calendar

    items = list(Calendar.from_ical(ics.content).walk("VEVENT"))
    assert len(items) == 1 and "Bruno" in str(items[0]["SUMMARY"])
    pdf = anna.get(f"/events/{slug}/b2b/agenda.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    printed = pdf_text(pdf.content)
    assert "Agenda of Anna" in printed and "Bruno (L’Œuvre Dvořák SA)" in printed  # every letter printed


def test_the_dashboard_counts_and_exports(brokerage_world, world):
    brokerage, p, staff = brokerage_world
    services.answer(
        request=services.send_request(requester=p["Anna"], recipient=p["Bruno"]), by=p["Bruno"], accept=True
    )
    services.answer(
        request=services.send_request(requester=p["Chloé"], recipient=p["Dirk"]), by=p["Dirk"], accept=False
    )
    p["Anna"].organisation.memberships.create(ecosystem=world.wallonia)
    p["Bruno"].organisation.memberships.create(ecosystem=world.frenchtech)
    organiser = login(staff)
    page = text(organiser.get(f"/events/{brokerage.event.slug}/b2b/dashboard/"))
    assert "50%" in page  # one accepted, one declined (English: no space before the sign)
    pair = f"{world.wallonia.short_name} ↔ {world.frenchtech.short_name}"
    assert "Meetings by ecosystem pair</h2>" in page and f'<th scope="row">{pair}</th><td>1</td>' in page
    response = organiser.get(f"/events/{brokerage.event.slug}/b2b/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][2] == "Participant A" and rows[1][2] == "Anna" and rows[1][5] == "Bruno" and len(rows) == 2


def test_after_the_meeting_both_confirm_on_the_agenda(brokerage_world, django_capture_on_commit_callbacks):
    brokerage, p, staff = brokerage_world
    slot = brokerage.slots.get(number=1)
    meeting = services.organiser_meeting(
        brokerage=brokerage, a=p["Anna"], b=p["Bruno"], actor=staff, slot=slot
    )
    brokerage.published_at = timezone.now()
    brokerage.save()
    Slot.objects.filter(pk=slot.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=5))
    anna = login(p["Anna"].user)
    response = anna.post(
        f"/events/{brokerage.event.slug}/b2b/meetings/{meeting.pk}/confirm/",
        {"held": "yes", "rating": "5"},
        follow=True,
    )
    assert "Thank you: your answer is recorded." in text(response)
    assert meeting.seats.get(participant=p["Anna"]).rating == 5


def test_scheduling_is_refused_with_nothing_accepted(brokerage_world):
    brokerage, _, staff = brokerage_world
    response = login(staff).post(
        f"/events/{brokerage.event.slug}/b2b/schedule/", {"time_limit": "5"}, follow=True
    )
    assert "There is no accepted meeting to schedule yet." in text(response)
    assert not scheduling.ScheduleRun.objects.exists()


def test_the_event_page_links_to_the_meetings_once_open_and_organisers_to_the_setup(world):
    event = build_event(world)
    visitor, organiser = Client(HTTP_ACCEPT_LANGUAGE="en"), login(world.users["ecosystem_staff"])
    assert "/b2b/" not in text(visitor.get(f"/events/{event.slug}/"))
    assert f"/events/{event.slug}/b2b/setup/" in text(organiser.get(f"/events/{event.slug}/"))
    build = services.configure(
        event=event,
        actor=world.users["ecosystem_staff"],
        sessions=[services.SessionSpec("Morning", event.starts_at, event.starts_at + dt.timedelta(hours=1))],
        tables=["T1"],
    )
    assert "/b2b/" not in text(visitor.get(f"/events/{event.slug}/"))  # still being set up
    services.open_requests(brokerage=build, actor=world.users["ecosystem_staff"])
    assert f'href="/events/{event.slug}/b2b/"' in text(visitor.get(f"/events/{event.slug}/"))


def test_the_catalogue_names_countries_in_the_readers_language(brokerage_world):
    brokerage, p, _ = brokerage_world
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(p["Anna"].user)
    page = text(client.get(f"/events/{brokerage.event.slug}/b2b/"))
    assert '<option value="BE">Belgique</option>' in page and '<option value="FR">France</option>' in page
    assert "Bruno SA</a> (France)" in page
    page = text(client.get(f"/events/{brokerage.event.slug}/b2b/", {"country": "FR"}))
    assert '<option value="FR" selected>France</option>' in page
