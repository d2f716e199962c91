import pytest
from django.db.models import F
from django.utils import translation

from jumelage.brokerage import services
from jumelage.events.models import Event, Registration
from tests.factories import OrganisationFactory, UserFactory, build_event


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _english():
    """Messages raised by services in the test's own thread come in English (requests pick their own)."""
    with translation.override("en"):
        yield


def day(event, hour, minute=0):
    return event.starts_at.replace(hour=hour, minute=minute)


@pytest.fixture
def brokerage_world(world):
    return build_brokerage(world)


def build_brokerage(world):
    """Smart City Day with a brokerage: a morning 9:00–10:00 (2 slots of 25 min + 5 min pause) and an
    afternoon 14:00–15:00 (2 slots), 2 tables, and four participants from both sides."""
    event = build_event(world)
    event.ends_at = event.starts_at.replace(hour=18)
    event.save()
    staff = world.users["ecosystem_staff"]
    brokerage = services.configure(
        event=event,
        actor=staff,
        sessions=[
            services.SessionSpec("Morning", day(event, 9), day(event, 10)),
            services.SessionSpec("Afternoon", day(event, 14), day(event, 15)),
        ],
        tables=["A1", "A2"],
        meeting_minutes=25,
        pause_minutes=5,
        max_meetings=3,
        max_requests=3,
    )
    services.open_requests(brokerage=brokerage, actor=staff)
    people = {
        name: add_participant(brokerage, name, country, offers=f"{name} offers", seeks="partners")
        for name, country in (("Anna", "BE"), ("Bruno", "FR"), ("Chloé", "FR"), ("Dirk", "BE"))
    }
    return brokerage, people, staff


def add_participant(brokerage, name: str, country: str, *, organisation=None, **join):
    """A confirmed attendee of the brokerage's event who joins it (`join`: the service's keywords)."""
    login = name.lower().replace("é", "e")
    user = UserFactory(username=login, language="en")
    Event.objects.filter(pk=brokerage.event_id).update(confirmed_count=F("confirmed_count") + 1)
    Registration.objects.create(
        event=brokerage.event,
        user=user,
        name=name,
        email=f"{login}@example.org",
        status="confirmed",
        organisation=organisation or OrganisationFactory(name=f"{name} SA", country=country),
        language="en",
    )
    return services.join(brokerage=brokerage, user=user, **join)


@pytest.fixture
def publish_schedule(django_capture_on_commit_callbacks):
    """Run the scheduler from the organiser's page (`organiser`: their logged-in client) and publish
    the draft; the background task and the e-mails run at once."""

    def run(brokerage, organiser):
        slug = brokerage.event.slug
        with django_capture_on_commit_callbacks(execute=True):
            response = organiser.post(f"/events/{slug}/b2b/schedule/", {"time_limit": "5"})
        with django_capture_on_commit_callbacks(execute=True):
            organiser.post(response["Location"], {"publish": "1"})

    return run
