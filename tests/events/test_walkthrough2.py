"""What a visitor saw walking through the public event pages (second walkthrough): a one-day event
written with its date twice, seats still counted on an event that is over, interests listed in French
order on the Dutch form, and an online registration with nowhere to join."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from jumelage.events.models import Registration
from jumelage.events.services import registration as services
from tests.factories import ThemeFactory, build_event

BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.LANGUAGE_CODE = "en"
    settings.TIME_ZONE = "Europe/Brussels"


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _one_day(world, **fields):
    return build_event(
        world,
        starts_at=datetime(2031, 12, 27, 9, 0, tzinfo=BRUSSELS),
        ends_at=datetime(2031, 12, 27, 17, 0, tzinfo=BRUSSELS),
        **fields,
    )


def _french(client):
    client.cookies["django_language"] = "fr"
    return client


def test_a_one_day_event_gives_its_date_once_then_the_end_time(client, world):
    _one_day(world)
    page = _french(client).get("/events/smart-city-day/").content.decode()
    assert "27 décembre 2031 09:00</time> – <time" in page
    assert ">17:00</time>" in page
    assert page.count("27 décembre 2031") == 1


def test_an_event_over_several_days_keeps_both_dates(client, world):
    build_event(
        world,
        starts_at=datetime(2031, 12, 27, 9, 0, tzinfo=BRUSSELS),
        ends_at=datetime(2031, 12, 28, 17, 0, tzinfo=BRUSSELS),
    )
    page = _french(client).get("/events/smart-city-day/").content.decode()
    assert "27 décembre 2031 09:00" in page
    assert "28 décembre 2031 17:00" in page


def test_the_registration_page_and_mail_give_the_date_once(client, world, smtp, commit):
    event = _one_day(world)
    with commit():
        client.post(
            "/events/smart-city-day/register/",
            {"name": "Ada Lovelace", "email": "ada@example.org", "language": "fr"},
        )
    reg = Registration.objects.get(event=event)
    page = _french(client).get(f"/events/registration/{reg.token}/").content.decode()
    assert "27 décembre 2031 09:00 – 17:00" in page
    [mail] = smtp.to("ada@example.org")
    assert "27 décembre 2031 09:00 – 17:00 (Europe/Brussels)" in mail.text()
    assert "27 décembre 2031 09:00 – 17:00 (Europe/Brussels)" in mail.html()


def test_an_event_that_is_over_no_longer_counts_seats_left(client, world):
    build_event(
        world,
        starts_at=datetime(2020, 11, 13, 18, 0, tzinfo=BRUSSELS),
        ends_at=datetime(2020, 11, 13, 21, 0, tzinfo=BRUSSELS),
        capacity=60,
    )
    page = client.get("/events/smart-city-day/").content.decode()
    assert "This event is over." in page
    assert "seats left" not in page
    assert "Seats" not in page


def test_an_upcoming_event_still_counts_seats_left(client, world):
    _one_day(world, capacity=60)
    page = client.get("/events/smart-city-day/").content.decode()
    assert "60 seats left out of 60." in page


def test_the_interests_follow_the_readers_language_and_ignore_accents(client, world):
    event = _one_day(world)
    for code, fr, nl in [
        ("walk2-ia", "IA & données", "AI & data"),
        ("walk2-electronique", "Électronique & photonique", "Elektronica & fotonica"),
        ("walk2-fintech", "Fintech", "Fintech"),
        ("walk2-biotech", "Biotechnologies", "Biotechnologie"),
    ]:
        event.themes.add(ThemeFactory(code=code, label_fr=fr, label_nl=nl, label_en=nl))
    client.cookies["django_language"] = "nl"
    page = client.get("/events/smart-city-day/register/").content.decode()
    order = [page.index(label) for label in ("AI &amp; data", "Biotechnologie", "Elektronica", "Fintech")]
    assert order == sorted(order)
    client.cookies["django_language"] = "fr"
    page = client.get("/events/smart-city-day/register/").content.decode()
    order = [
        page.index(label) for label in ("Biotechnologies", "Électronique", "Fintech", "IA &amp; données")
    ]
    assert order == sorted(order)


def test_the_interests_are_still_saved_by_their_code(client, world):
    event = _one_day(world)
    event.themes.add(ThemeFactory(code="walk2-smart", label_fr="Ville intelligente", label_en="Smart city"))
    client.post(
        "/events/smart-city-day/register/",
        {"name": "Ada", "email": "ada@example.org", "language": "en", "interests": ["walk2-smart"]},
    )
    reg = Registration.objects.get(event=event)
    assert list(reg.interests.values_list("code", flat=True)) == ["walk2-smart"]


def test_an_online_registration_shows_where_to_join(client, world):
    event = _one_day(world, online=True, online_url="https://meet.example.org/walk2", city="", country="")
    reg = services.register(event=event, name="Ada", email="ada@example.org", language="en")
    page = client.get(f"/events/registration/{reg.token}/").content.decode()
    assert "<dt>Where</dt><dd>Online — " in page
    assert 'href="https://meet.example.org/walk2"' in page


def test_cancelling_an_event_asks_first_and_changes_nothing(client_factory, world):
    from jumelage.events.models import Event

    event = _one_day(world)
    staff = client_factory(world.users["ecosystem_staff"])
    detail = staff.get("/events/smart-city-day/").content.decode()
    # On the event page: a link to the question, no longer a button that cancels at once.
    assert '<a class="button secondary" href="/events/smart-city-day/cancel/">Cancel the event</a>' in detail
    question = staff.get("/events/smart-city-day/cancel/")
    assert question.status_code == 200
    body = question.content.decode()
    assert "<h1>Cancel Smart City Day?</h1>" in body
    assert "Yes, cancel the event" in body
    assert 'href="/events/smart-city-day/">No, keep it</a>' in body
    assert Event.objects.get(pk=event.pk).status == "published"
    done = staff.post("/events/smart-city-day/cancel/", follow=True)
    assert Event.objects.get(pk=event.pk).status == "cancelled"
    assert "The event Smart City Day is cancelled." in done.content.decode()


def test_the_cancel_question_is_for_organisers_only(client_factory, world):
    _one_day(world)
    member = client_factory(world.users["member"])
    assert member.get("/events/smart-city-day/cancel/").status_code == 403


def test_the_application_form_marks_its_required_fields(client_factory, world):
    from tests.events.test_calls import make_call

    event = _one_day(world)
    call = make_call(event, world.users["ecosystem_staff"])
    rep = client_factory(world.users["representative"])
    rep.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = rep.get(f"/events/smart-city-day/calls/{call.pk}/").content.decode()
    form = page[page.index('enctype="multipart/form-data"') :]
    email_label = re.search(r'<label for="id_speaker_email">(.*?)</label>', form, re.S).group(1)
    assert '<span class="required">(required)</span>' in email_label
    video_label = re.search(r'<label for="id_video_url">(.*?)</label>', form, re.S).group(1)
    assert "required" not in video_label


def test_the_registration_counts_write_french_colons(client_factory, world):
    event = _one_day(world, capacity=60)
    services.register(event=event, name="Ada", email="ada@example.org", language="en")
    staff = client_factory(world.users["ecosystem_staff"])
    staff.cookies["django_language"] = "fr"
    page = staff.get("/events/smart-city-day/registrations/").content.decode()
    assert "Capacité\u00a0: <strong>60</strong>" in page
    assert re.search(r"Confirmée\u00a0: <strong>1</strong>", page)
