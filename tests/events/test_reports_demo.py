"""The demo events: invented, labelled "Demo", co-organised by the demo partners, loaded once."""

import pytest
from django.utils import translation

from jumelage.demo.events import DEMO_NOTE_EN, DEMO_NOTE_FR, SLUGS, load_demo_events
from jumelage.events.models import Event, Registration, Submission
from jumelage.events.services import reports


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_demo_events_are_labelled_demo_and_loaded_once(world):
    assert load_demo_events() == 4
    events = list(Event.objects.filter(slug__in=SLUGS))
    assert len(events) == 4
    for event in events:
        assert event.title.startswith("Demo — ")
        assert event.summary.startswith("Demo event (invented")
        assert event.description_fr.startswith(DEMO_NOTE_FR) and event.description_en.startswith(DEMO_NOTE_EN)
        # Co-organised by both sides, each brand intact.
        brands = {
            p.home_ecosystem.slug for p in event.partners.select_related("ecosystem", "node__ecosystem")
        }
        assert brands == {"digital-wallonia", "la-french-tech"}
        assert event.confirmed_count == event.registrations.filter(status="confirmed").count() > 0
    # Attendees are invented people at example.org, from real demo organisations.
    regs = Registration.objects.filter(event__slug__in=SLUGS)
    assert all(r.name.startswith("Demo attendee ") and r.email.endswith("@example.org") for r in regs)
    assert {r.organisation_id for r in regs} == {world.be_org.pk, world.fr_org.pk}
    assert Submission.objects.filter(call__event__slug="demo-smart-city-day").count() == 0

    assert load_demo_events() == 0
    assert Event.objects.filter(slug__in=SLUGS).count() == 4


def test_the_past_demo_event_has_a_report_to_show(world):
    load_demo_events()
    event = Event.objects.get(slug="demo-pitch-evening")
    report = reports.build_report(event=event)
    assert report.phase == "after"
    assert report.confirmed == 2 and report.came == 1  # one organisation per side in this small world
    assert report.feedback_count == 1
    assert [(s.name, s.registered) for s in report.shares] == [
        ("French Tech Brussels", 1),
        ("Digital Wallonia", 1),
    ]
    assert [p.status for p in report.pitches] == ["confirmed", "confirmed"]
    assert all(p.outcome.startswith("Demo outcome (invented)") for p in report.pitches)
