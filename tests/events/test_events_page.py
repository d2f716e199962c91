"""The public event page: every partner's brand side by side and intact, the description in the
visitor's language, the agenda, seats, the register button and schema.org JSON-LD."""

import json
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone, translation

from jumelage.directory.models import Person
from jumelage.events.models import Call, Event, EventPartner, Room, Session, Submission
from tests.factories import build_event

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read English messages: English is the language of requests without a preference
    (and of the services called directly), whatever catalogs are compiled."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


class Brands(HTMLParser):
    """The brands of the co-branded header: [(name, href, logo src or None, role)]."""

    def __init__(self):
        super().__init__()
        self.brands, self._in, self._field = [], False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "ul" and "event-brands" in classes and not self.brands:
            self._in = True
        if not self._in:
            return
        if tag == "li":
            self.brands.append({"name": "", "href": None, "logo": None, "role": ""})
        elif tag == "a":
            self.brands[-1]["href"] = attrs["href"]
        elif tag == "img":
            self.brands[-1]["logo"] = attrs["src"]
            assert attrs.get("alt") is not None
        elif tag == "span" and "event-brand-name" in classes:
            self._field = "name"
        elif tag == "span" and "event-brand-role" in classes:
            self._field = "role"

    def handle_endtag(self, tag):
        if tag == "ul" and self._in:
            self._in = False
        if tag == "span":
            self._field = None

    def handle_data(self, data):
        if self._in and self._field:
            self.brands[-1][self._field] += data.strip()


def brands(html):
    parser = Brands()
    parser.feed(html)
    return parser.brands


def json_ld(html):
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(found) == 1
    return json.loads(found[0])


def test_every_partner_brand_is_shown_side_by_side_intact_and_in_the_agreed_order(world, client):
    event = build_event(world)
    world.wallonia.logo.save("dw.svg", ContentFile(b'<svg xmlns="http://www.w3.org/2000/svg"/>'))
    world.wallonia.website = "https://www.digitalwallonia.be/"
    world.wallonia.save()
    EventPartner.objects.create(event=event, node=world.awex, role="supporting", position=2)
    html = client.get(f"/events/{event.slug}/", **EN).content.decode()
    assert brands(html) == [
        {
            "name": "Digital Wallonia",
            "href": "https://www.digitalwallonia.be/",
            "logo": world.wallonia.logo.url,
            "role": "Lead organiser",
        },
        {
            "name": "French Tech Brussels",
            "href": "/nodes/french-tech-brussels/",
            "logo": None,
            "role": "Co-organiser",
        },
        {"name": "AWEX", "href": "/nodes/awex/", "logo": None, "role": "Supporting partner"},
    ]
    # The partners agree another order: the page follows it.
    EventPartner.objects.filter(event=event, node=world.awex).update(position=0)
    EventPartner.objects.filter(event=event, ecosystem=world.wallonia).update(position=2)
    html = client.get(f"/events/{event.slug}/", **EN).content.decode()
    assert [b["name"] for b in brands(html)] == ["AWEX", "French Tech Brussels", "Digital Wallonia"]


def test_the_description_is_in_the_visitor_language_or_says_which_language_it_is_in(world, client):
    event = build_event(world, description_fr="Une journée sur la ville intelligente.", description_en="")
    french = client.get(f"/events/{event.slug}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Une journée sur la ville intelligente." in french
    assert 'lang="fr"' in french
    english = client.get(f"/events/{event.slug}/", **EN).content.decode()
    assert "No description in your language yet: shown in French." in english
    Event.objects.filter(pk=event.pk).update(description_en="A day on the smart city.")
    english = client.get(f"/events/{event.slug}/", **EN).content.decode()
    assert "A day on the smart city." in english and "No description in your language" not in english


def _agenda(world, event):
    main, side = (
        Room.objects.create(event=event, name="Main hall"),
        Room.objects.create(event=event, name="Atelier"),
    )
    ada = Person.objects.create(name="Ada Lovelace", public_profile=True)
    private = Person.objects.create(name="Private Speaker", public_profile=False)
    start = event.starts_at
    keynote = Session.objects.create(
        event=event, title="Opening keynote", starts_at=start, ends_at=start + timedelta(hours=1), room=main
    )
    keynote.speakers.set([ada, private])
    workshop = Session.objects.create(
        event=event, title="Sensors workshop", starts_at=start, ends_at=start + timedelta(hours=1), room=side
    )
    pitches = Session.objects.create(
        event=event,
        title="Startup pitches",
        kind="pitches",
        starts_at=start + timedelta(hours=2),
        ends_at=start + timedelta(hours=3),
        room=main,
    )
    call = Call.objects.create(
        event=event,
        kind="pitch",
        title="Pitch call",
        opens_at=timezone.now() - timedelta(days=5),
        closes_at=timezone.now() + timedelta(days=5),
    )
    common = {"call": call, "abstract": "x", "speaker_name": "S", "speaker_email": "s@example.org"}
    Submission.objects.create(
        title="Urban sensors", organisation=world.be_org, status="confirmed", session=pitches, **common
    )
    Submission.objects.create(title="Not chosen", status="rejected", session=pitches, **common)
    return keynote, workshop, pitches


def test_the_agenda_lists_sessions_by_time_and_room_with_speakers_and_pitches(world, client, client_factory):
    event = build_event(world)
    _agenda(world, event)
    html = client.get(f"/events/{event.slug}/", **EN).content.decode()
    agenda = html[html.index('id="agenda-heading"') :]
    rows = re.findall(r'<tr id="session-\d+">(.*?)</tr>', agenda, re.S)
    titles = [re.search(r'class="agenda-title">([^<]+)<', r).group(1) for r in rows]
    # Same time: by room name (Atelier before Main hall); then later sessions.
    assert titles == ["Sensors workshop", "Opening keynote", "Startup pitches"]
    assert "Speakers: Ada Lovelace" in rows[1]
    assert "Private Speaker" not in html  # no public-profile consent: not on the public page
    assert "Urban sensors — Wallonie Startup" in rows[2]
    assert "Not chosen" not in html
    # The organisers see every speaker.
    staff = client_factory(world.users["node_staff"]).get(f"/events/{event.slug}/", **EN).content.decode()
    assert "Ada Lovelace, Private Speaker" in staff


def test_empty_agenda_and_seat_information(world, client):
    event = build_event(world)
    html = client.get(f"/events/{event.slug}/", **EN).content.decode()
    assert "The agenda has not been published yet." in html
    assert "50 seats left out of 50." in html
    Event.objects.filter(pk=event.pk).update(confirmed_count=50)
    html = client.get(f"/events/{event.slug}/", **EN).content.decode()
    assert "Full (50 seats)." in html and "You can join the waiting list." in html
    assert "Join the waiting list" in html
    Event.objects.filter(pk=event.pk).update(capacity=None)
    assert (
        "No limit on the number of participants."
        in client.get(f"/events/{event.slug}/", **EN).content.decode()
    )


def test_the_register_button_follows_the_registration_window(world, client):
    event = build_event(world)
    html = client.get(f"/events/{event.slug}/", **EN).content.decode()
    assert re.search(rf'<a class="button" href="/events/{event.slug}/register/">Register</a>', html)
    Event.objects.filter(pk=event.pk).update(registration_closes_at=timezone.now() - timedelta(hours=1))
    html = client.get(f"/events/{event.slug}/", **EN).content.decode()
    assert "Registration is closed." in html and f"/events/{event.slug}/register/" not in html
    Event.objects.filter(pk=event.pk).update(
        registration_closes_at=None, registration_opens_at=timezone.now() + timedelta(days=2)
    )
    assert "Registration opens on" in client.get(f"/events/{event.slug}/", **EN).content.decode()


def test_the_page_carries_schema_org_event_json_ld(world, client):
    event = build_event(
        world, venue="BeCentral", street="Cantersteen 10", postcode="1000", summary="Smart city"
    )
    EventPartner.objects.create(event=event, node=world.awex, role="supporting", position=2)
    _agenda(world, event)
    data = json_ld(client.get(f"/events/{event.slug}/", **EN).content.decode())
    assert data["@context"] == "https://schema.org" and data["@type"] == "Event"
    assert data["name"] == "Smart City Day"
    assert data["url"].endswith("/events/smart-city-day/")
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert [o["name"] for o in data["organizer"]] == ["Digital Wallonia", "French Tech Brussels"]
    assert [s["name"] for s in data["sponsor"]] == ["AWEX"]
    assert data["location"]["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "Cantersteen 10",
        "postalCode": "1000",
        "addressLocality": "Bruxelles",
        "addressCountry": "BE",
    }
    assert data["maximumAttendeeCapacity"] == 50
    assert [s["name"] for s in data["subEvent"]] == ["Sensors workshop", "Opening keynote", "Startup pitches"]
    assert data["subEvent"][1]["performer"] == [{"@type": "Person", "name": "Ada Lovelace"}]
    assert data["startDate"] == timezone.localtime(event.starts_at).isoformat()


def test_json_ld_cannot_close_its_script_element(world, client):
    event = build_event(world)
    Event.objects.filter(pk=event.pk).update(title="</script><script>alert(1)</script>")
    html = client.get(f"/events/{event.slug}/").content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block
    assert json.loads(block)["name"] == "</script><script>alert(1)</script>"


def test_the_event_page_has_no_inline_code_and_sends_a_strict_csp(world, client):
    from tests.core.test_security import header_problems, inline_code

    event = build_event(world)
    _agenda(world, event)
    for url in (f"/events/{event.slug}/", "/events/"):
        response = client.get(url)
        assert header_problems(response) == []
        assert inline_code(response.content.decode()) == []


def test_an_online_cancelled_event(world, client):
    event = build_event(
        world, online=True, online_url="https://meet.example.org/smart", city="", status="cancelled"
    )
    html = client.get(f"/events/{event.slug}/", **EN).content.decode()
    assert "This event is cancelled." in html
    assert "https://meet.example.org/smart" in html
    assert "Register" not in html
    data = json_ld(html)
    assert data["eventStatus"] == "https://schema.org/EventCancelled"
    assert data["location"] == {"@type": "VirtualLocation", "url": "https://meet.example.org/smart"}


def test_the_plain_text_brands_for_e_mails_name_every_partner_with_its_own_link(world):
    from django.template.loader import render_to_string

    event = build_event(world)
    world.frenchtech.website = "https://lafrenchtech.gouv.fr/"
    world.frenchtech.save()
    EventPartner.objects.create(event=event, ecosystem=world.frenchtech, role="supporting", position=2)
    partners = (
        EventPartner.objects.filter(event=event).select_related("ecosystem", "node").order_by("position")
    )
    with translation.override("en"):
        text = render_to_string("events/_brands.txt", {"partners": partners})
    assert text.splitlines() == [
        "- Digital Wallonia (lead organiser): http://127.0.0.1:8000/ecosystems/digital-wallonia/",
        "- French Tech Brussels (co-organiser): http://127.0.0.1:8000/nodes/french-tech-brussels/",
        "- La French Tech (supporting partner): https://lafrenchtech.gouv.fr/",
    ]


def test_the_staff_pages_have_no_inline_code(world, client_factory):
    from tests.core.test_security import header_problems, inline_code

    event = build_event(world)
    keynote, _workshop, _pitches = _agenda(world, event)
    client = client_factory(world.users["node_staff"])
    for url in (
        "/events/new/",
        f"/events/{event.slug}/edit/",
        f"/events/{event.slug}/partners/",
        f"/events/{event.slug}/schedule/",
        f"/events/{event.slug}/schedule/sessions/new/",
        f"/events/{event.slug}/schedule/sessions/{keynote.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert header_problems(response) == [], url
        assert inline_code(response.content.decode()) == [], url


def test_the_event_page_costs_the_same_queries_with_one_or_many_sessions(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jumelage.events import agenda as agendas

    event = build_event(world)
    _agenda(world, event)
    client.get(f"/events/{event.slug}/")
    agendas.bump(event.pk)  # like the sessions added below: the next page builds the agenda again
    with CaptureQueriesContext(connection) as few:
        client.get(f"/events/{event.slug}/")
    room = Room.objects.get(event=event, name="Main hall")
    for i in range(10):
        s = Session.objects.create(
            event=event,
            title=f"Extra {i}",
            starts_at=event.starts_at + timedelta(hours=4, minutes=i * 20),
            ends_at=event.starts_at + timedelta(hours=4, minutes=i * 20 + 15),
            room=room,
        )
        s.speakers.set([Person.objects.create(name=f"Speaker {i}", public_profile=True)])
    with CaptureQueriesContext(connection) as many:
        html = client.get(f"/events/{event.slug}/").content.decode()
    assert "Extra 9" in html and "Speaker 9" in html
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as cached:
        html = client.get(f"/events/{event.slug}/").content.decode()
    assert "Extra 9" in html and "Speaker 9" in html
    assert len(cached) < len(many)  # the cached agenda spares its queries


def test_the_published_programme_and_the_calls_appear_on_the_page(world, client, client_factory):
    from jumelage.events.models import Proposal

    event = build_event(world)
    lead = EventPartner.objects.get(event=event, role="lead")
    Proposal.objects.create(
        event=event, kind="theme", title="Smart mobility", proposed_for=lead, status="agreed"
    )
    Proposal.objects.create(event=event, kind="theme", title="Still discussed", proposed_for=lead)
    html = client.get(f"/events/{event.slug}/", **EN).content.decode()
    assert "Smart mobility" not in html  # agreed, but the programme is not published yet
    Event.objects.filter(pk=event.pk).update(programme_published_at=timezone.now())
    Call.objects.create(
        event=event,
        kind="pitch",
        title="Pitch call",
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=5),
    )
    html = client.get(f"/events/{event.slug}/", **EN).content.decode()
    programme = html[html.index('id="programme-heading"') : html.index('id="agenda-heading"')]
    assert "Smart mobility" in programme and "Still discussed" not in programme
    assert f'href="/events/{event.slug}/calls/"' in html
    assert "Partner staff pages" not in html  # visitors get no staff links
    staff = client_factory(world.users["node_staff"]).get(f"/events/{event.slug}/", **EN).content.decode()
    assert f'href="/events/{event.slug}/programme/"' in staff
    assert f'href="/events/{event.slug}/registrations/"' in staff
