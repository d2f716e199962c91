"""Events in standard formats: .ics per event, per session and per person; RSS, Atom and .ics feeds of
an ecosystem's or node's upcoming public events. Every entry names all the partners, in order."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from icalendar import Calendar

from jumelage.directory.models import Person
from jumelage.events.calendar import personal_token
from jumelage.events.models import EventPartner, Registration, Room, Session
from tests.factories import EventFactory, build_event

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read English messages: English is the language of requests without a preference
    (and of the services called directly), whatever catalogs are compiled."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def xml(content: bytes):
    """Parse a feed the app itself just produced (trusted: no external entities to fear)."""
    return ET.fromstring(content)  # noqa: S314 (our own output, in a test)


def ics(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def vevents(cal):
    return [c for c in cal.walk("VEVENT")]


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


def test_the_event_ics_names_every_partner_in_order(world, client):
    event = build_event(world, venue="BeCentral", description_en="A day on the smart city.")
    EventPartner.objects.create(event=event, node=world.awex, role="supporting", position=2)
    cal = ics(client.get(f"/events/{event.slug}/event.ics", **EN))
    assert str(cal["PRODID"]) == "-//Jumelage//Events//EN"
    [item] = vevents(cal)
    assert str(item["SUMMARY"]) == "Smart City Day"
    assert item.decoded("DTSTART") == event.starts_at
    assert item.decoded("DTEND") == event.ends_at
    assert str(item["UID"]) == f"event-{event.pk}@jumelage"
    assert str(item["STATUS"]) == "CONFIRMED"
    assert str(item["LOCATION"]) == "BeCentral, Bruxelles, Belgium"  # the country by name
    assert str(item["URL"]).endswith("/events/smart-city-day/")
    description = str(item["DESCRIPTION"])
    assert description.startswith(
        "Organised by: Digital Wallonia (lead organiser), French Tech Brussels (co-organiser), "
        "AWEX (supporting partner)"
    )
    assert "A day on the smart city." in description
    contacts = [str(c) for c in item["CONTACT"]]
    assert contacts == [
        "Digital Wallonia (lead organiser), http://127.0.0.1:8000/ecosystems/digital-wallonia/",
        "French Tech Brussels (co-organiser), http://127.0.0.1:8000/nodes/french-tech-brussels/",
        "AWEX (supporting partner), http://127.0.0.1:8000/nodes/awex/",
    ]


def test_a_session_ics(world, client):
    event = build_event(world)
    room = Room.objects.create(event=event, name="Main hall")
    session = Session.objects.create(
        event=event,
        title="Opening keynote",
        starts_at=event.starts_at,
        ends_at=event.starts_at + timedelta(hours=1),
        room=room,
    )
    session.speakers.set([Person.objects.create(name="Ada Lovelace", public_profile=True)])
    session.speakers.add(Person.objects.create(name="Hidden Person"))
    [item] = vevents(ics(client.get(f"/events/{event.slug}/sessions/{session.pk}.ics", **EN)))
    assert str(item["SUMMARY"]) == "Opening keynote — Smart City Day"
    assert str(item["LOCATION"]).startswith("Main hall, ")
    assert item.decoded("DTSTART") == session.starts_at
    assert str(item["RELATED-TO"]) == f"event-{event.pk}@jumelage"
    assert "Speakers: Ada Lovelace" in str(item["DESCRIPTION"])
    assert "Hidden Person" not in str(item["DESCRIPTION"])
    assert "Organised by: Digital Wallonia (lead organiser), French Tech Brussels" in str(item["DESCRIPTION"])
    other = _event(world, "other", world.wallonia)
    assert client.get(f"/events/{other.slug}/sessions/{session.pk}.ics").status_code == 404


def test_a_cancelled_event_is_marked_cancelled_in_calendars(world, client):
    event = build_event(world, status="cancelled")
    [item] = vevents(ics(client.get(f"/events/{event.slug}/event.ics", **EN)))
    assert str(item["STATUS"]) == "CANCELLED"
    assert str(item["SUMMARY"]) == "Cancelled: Smart City Day"


def test_the_personal_feed_lists_registrations_and_sessions_one_speaks_in(world, client):
    member = world.users["member"]
    event = build_event(world)
    Registration.objects.create(event=event, user=member, name="M", email="m@example.org", status="confirmed")
    waiting = _event(world, "waiting-list-day", world.ftbxl, days=40)
    Registration.objects.create(
        event=waiting, user=member, name="M", email="m@example.org", status="waitlisted"
    )
    dropped = _event(world, "dropped-day", world.ftbxl, days=41)
    Registration.objects.create(
        event=dropped, user=member, name="M", email="m@example.org", status="cancelled"
    )
    draft = _event(world, "draft-day", world.wallonia, status="draft")
    Registration.objects.create(event=draft, user=member, name="M", email="m@example.org", status="confirmed")
    talk_event = _event(world, "awex-export-morning", world.awex, days=15)
    me = Person.objects.create(name="Member Speaker", user=member)
    talk = Session.objects.create(
        event=talk_event,
        title="Exporting to Québec",
        starts_at=talk_event.starts_at,
        ends_at=talk_event.starts_at + timedelta(hours=1),
    )
    talk.speakers.set([me])
    # Someone else's registration is not in this feed.
    Registration.objects.create(
        event=_event(world, "not-mine", world.wallonia),
        user=world.users["representative"],
        name="R",
        email="r@example.org",
        status="confirmed",
    )

    token = personal_token(member)
    cal = ics(client.get(f"/events/calendar/{token}.ics", **EN))
    summaries = sorted(str(c["SUMMARY"]) for c in vevents(cal))
    assert summaries == ["Exporting to Québec — Awex Export Morning", "Smart City Day", "Waiting List Day"]


def test_a_forged_or_altered_personal_token_is_refused(world, client):
    member, rep = world.users["member"], world.users["representative"]
    token = personal_token(member)
    pk, _dot, signature = token.partition(".")
    assert client.get(f"/events/calendar/{rep.pk}.{signature}.ics").status_code == 404
    assert client.get(f"/events/calendar/{pk}.forged.ics").status_code == 404
    assert client.get(f"/events/calendar/{token}.ics").status_code == 200
    member.is_active = False
    member.save()
    assert client.get(f"/events/calendar/{token}.ics").status_code == 404


def test_the_events_page_shows_the_personal_feed_address_to_its_owner_only(world, client_factory):
    page = client_factory(world.users["member"]).get("/events/").content.decode()
    assert f"/events/calendar/{personal_token(world.users['member'])}.ics" in page
    assert "/events/calendar/" not in client_factory().get("/events/").content.decode()


def _scope_world(world):
    build_event(world)  # Digital Wallonia + French Tech Brussels
    _event(world, "awex-export-morning", world.awex, days=5)
    _event(world, "french-tech-apero", world.frenchtech, days=20)
    _event(world, "last-year", world.wallonia, days=-300)
    _event(world, "draft-idea", world.wallonia, status="draft")
    _event(world, "members-club", world.wallonia, visibility="members")


def test_rss_feed_of_an_ecosystem_lists_its_and_its_nodes_upcoming_public_events(world, client):
    _scope_world(world)
    response = client.get("/ecosystems/digital-wallonia/events.rss", **EN)
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = xml(response.content).find("channel")
    assert channel.findtext("title") == "Upcoming events — Digital Wallonia"
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == ["Awex Export Morning", "Smart City Day"]
    smart = items[1]
    assert smart.findtext("link").endswith("/events/smart-city-day/")
    assert (
        "Organised by: Digital Wallonia (lead organiser), French Tech Brussels (co-organiser)"
        in smart.findtext("description")
    )
    assert [c.text for c in smart.findall("category")] == [
        "Themed day",
        "Digital Wallonia",
        "French Tech Brussels",
    ]


def test_atom_feed_of_a_node(world, client):
    _scope_world(world)
    response = client.get("/nodes/french-tech-brussels/events.atom", **EN)
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = xml(response.content)
    assert [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")] == ["Smart City Day"]
    ecosystem = xml(client.get("/ecosystems/la-french-tech/events.atom").content)
    assert [e.findtext(f"{ATOM}title") for e in ecosystem.findall(f"{ATOM}entry")] == [
        "French Tech Apero",
        "Smart City Day",
    ]


def test_ics_feed_of_an_ecosystem_and_of_a_node(world, client):
    _scope_world(world)
    cal = ics(client.get("/ecosystems/digital-wallonia/events.ics", **EN))
    assert sorted(str(c["SUMMARY"]) for c in vevents(cal)) == ["Awex Export Morning", "Smart City Day"]
    assert str(cal["X-WR-CALNAME"]) == "Upcoming events — Digital Wallonia"
    node = ics(client.get("/nodes/awex/events.ics", **EN))
    assert [str(c["SUMMARY"]) for c in vevents(node)] == ["Awex Export Morning"]
    empty = ics(client.get("/ecosystems/la-french-tech/events.ics?x=1"))
    assert len(vevents(empty)) == 2


def test_unknown_feed_format_or_scope_is_a_404(world, client):
    assert client.get("/ecosystems/digital-wallonia/events.pdf").status_code == 404
    assert client.get("/nodes/atlantis/events.rss").status_code == 404


def test_the_filtered_list_links_to_the_feeds_of_its_ecosystem_or_node(world, client):
    build_event(world)
    html = client.get("/events/?node=french-tech-brussels", **EN).content.decode()
    assert 'href="/nodes/french-tech-brussels/events.rss"' in html
    assert 'href="/nodes/french-tech-brussels/events.ics"' in html
    assert (
        '<link rel="alternate" type="application/atom+xml" href="/nodes/french-tech-brussels/events.atom"'
        in html
    )
    assert (
        'href="/ecosystems/digital-wallonia/events.atom"'
        in client.get("/events/?ecosystem=digital-wallonia").content.decode()
    )
    assert "events.rss" not in client.get("/events/").content.decode()
