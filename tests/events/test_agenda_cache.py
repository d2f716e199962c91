"""The public event page keeps its rendered agenda in the shared cache (jumelage.events.agenda). Whatever
changes what the page shows, through the services, is on the page at the very next request, in every
language and for staff and visitors alike."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import formats, timezone, translation

from jumelage.directory.models import Person
from jumelage.directory.services import update_organisation
from jumelage.events import agenda as agendas
from jumelage.events.models import Session, Submission
from jumelage.events.services import calls as call_services
from jumelage.events.services import events as event_services
from jumelage.events.services import schedule as schedule_services
from tests.events.test_events_page import _agenda
from tests.factories import build_event

LANGUAGES = ("fr", "nl", "en")


@pytest.fixture
def event(world):
    """Smart City Day with the agenda of the event page's tests: a keynote (one public and one private
    speaker) in the Main hall, a workshop in the Atelier, and a pitch session with one placed pitch."""
    event = build_event(world)
    _agenda(world, event)
    return event


@pytest.fixture
def pages(event, client_factory, world):
    """pages() → {(language, audience): html of the event page}, audience "public" (anonymous) or
    "staff" (staff of the lead partner, who see every speaker)."""
    clients = {"public": client_factory(), "staff": client_factory(world.users["ecosystem_staff"])}

    def get() -> dict[tuple[str, str], str]:
        out = {}
        for lang in LANGUAGES:
            for audience, client in clients.items():
                response = client.get(f"/events/{event.slug}/", HTTP_ACCEPT_LANGUAGE=lang)
                assert response.status_code == 200
                out[lang, audience] = response.content.decode()
        return out

    return get


def agenda_of(html: str) -> str:
    return html[html.index('id="agenda-heading"') : html.index("</article>")]


def row(html: str, title: str) -> str:
    """The agenda's table row of the session titled `title`."""
    pk = Session.objects.get(title=title).pk
    start = html.index(f'<tr id="session-{pk}">')
    return html[start : html.index("</tr>", start)]


def json_ld(html: str) -> dict:
    (found,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(found)


def staff(world):
    return world.users["ecosystem_staff"]


def test_the_agenda_is_served_from_the_cache_in_each_language_and_for_each_audience(event, pages):
    first = pages()
    assert len(first) == 6
    for (lang, audience), html in first.items():
        with translation.override(lang):
            day = formats.date_format(timezone.localtime(event.starts_at).date(), "l j F Y")
        assert day in agenda_of(html), (lang, audience)  # the day's name in the page's language
        assert "Opening keynote" in agenda_of(html)
        assert ("Private Speaker" in html) == (audience == "staff"), (lang, audience)
    # The second round comes from the cache, unchanged, still one fragment per language and audience.
    assert {k: agenda_of(html) for k, html in pages().items()} == {k: agenda_of(h) for k, h in first.items()}


def test_a_session_edited_through_the_service_shows_at_once_everywhere(event, pages, world):
    pages()
    keynote = Session.objects.get(title="Opening keynote")
    schedule_services.update_session(
        actor=staff(world), session=keynote, data={"title": "Keynote: data for cities"}
    )
    for key, html in pages().items():
        assert "Keynote: data for cities" in agenda_of(html), key
        assert "Opening keynote" not in html, key
        names = [s["name"] for s in json_ld(html)["subEvent"]]
        assert "Keynote: data for cities" in names and "Opening keynote" not in names, key


def test_sessions_added_and_deleted_through_the_services_show_at_once(event, pages, world):
    pages()
    late = schedule_services.create_session(
        actor=staff(world),
        event=event,
        data={
            "title": "Closing panel",
            "kind": "panel",
            "starts_at": event.starts_at + timedelta(hours=5),
            "ends_at": event.starts_at + timedelta(hours=6),
        },
    )
    assert all("Closing panel" in agenda_of(html) for html in pages().values())
    schedule_services.delete_session(actor=staff(world), session=late)
    assert all("Closing panel" not in html for html in pages().values())


def test_rooms_changed_through_the_services_show_at_once(event, pages, world):
    pages()
    keynote = Session.objects.get(title="Opening keynote")
    atelier = schedule_services.create_room(actor=staff(world), event=event, name="Atelier Nord")
    schedule_services.update_session(actor=staff(world), session=keynote, data={"room": atelier})
    for key, html in pages().items():
        assert "<td>Atelier Nord</td>" in row(html, "Opening keynote"), key
    # Deleting the room leaves the session without one (the database sets it, no session is saved).
    schedule_services.delete_room(actor=staff(world), room=atelier)
    for key, html in pages().items():
        assert "Atelier Nord" not in html, key
        assert "<td>—</td>" in row(html, "Opening keynote"), key


def test_speakers_changed_on_the_session_or_in_the_directory_show_at_once(event, pages, world):
    pages()
    keynote = Session.objects.get(title="Opening keynote")
    grace = Person.objects.create(name="Grace Hopper", public_profile=True)
    schedule_services.update_session(actor=staff(world), session=keynote, data={}, speakers=[grace])
    for key, html in pages().items():
        assert "Grace Hopper" in agenda_of(html) and "Ada Lovelace" not in html, key
    # The directory's person: a new name, then no public profile any more.
    grace.name = "Rear Admiral Grace Hopper"
    grace.save()
    assert all("Rear Admiral Grace Hopper" in agenda_of(html) for html in pages().values())
    grace.public_profile = False
    grace.save()
    for (lang, audience), html in pages().items():
        assert ("Grace Hopper" in html) == (audience == "staff"), (lang, audience)
    # From the person's side of the relation too.
    grace.event_sessions.clear()
    assert all("Grace Hopper" not in html for html in pages().values())


def test_pitches_placed_through_the_service_and_their_organisation_show_at_once(event, pages, world):
    pages()
    pitch = Submission.objects.get(title="Urban sensors")
    call_services.place_submission(actor=staff(world), submission=pitch, session=None)
    assert all("Urban sensors" not in html for html in pages().values())
    pitches = Session.objects.get(title="Startup pitches")
    call_services.place_submission(actor=staff(world), submission=pitch, session=pitches)
    for key, html in pages().items():
        assert f"Urban sensors — {world.be_org.name}" in row(html, "Startup pitches"), key
    update_organisation(actor=staff(world), organisation=world.be_org, data={"name": "Capteurs Urbains SA"})
    for key, html in pages().items():
        assert "Urban sensors — Capteurs Urbains SA" in row(html, "Startup pitches"), key


def test_partners_and_the_title_changed_through_the_services_show_at_once(event, pages, world):
    pages()
    event_services.add_partner(actor=staff(world), event=event, brand=world.awex, role="supporting")
    event_services.update_event(actor=staff(world), event=event, data={"title": "Smart City Days"})
    for key, html in pages().items():
        assert "AWEX" in html, key
        assert "<h1>Smart City Days</h1>" in html, key
        assert json_ld(html)["name"] == "Smart City Days", key
        assert "AWEX" in [s["name"] for s in json_ld(html)["sponsor"]], key


def test_the_cached_agenda_is_the_one_rendered_without_the_cache(event, pages, monkeypatch):
    pages()
    cached = pages()  # from the cache
    monkeypatch.setattr(agendas, "CACHE_ENABLED", False)
    built = pages()
    for key in cached:
        assert agenda_of(built[key]) == agenda_of(cached[key]), key
        assert json_ld(built[key]) == json_ld(cached[key]), key


def test_a_write_that_bypasses_the_signals_shows_once_it_bumps_the_version(event, pages):
    """The contract for bulk writes (queryset.update, bulk_create): they end with agenda.bump()."""
    pages()
    Session.objects.filter(event=event).update(title="Renamed in bulk")
    assert all("Opening keynote" in agenda_of(html) for html in pages().values())  # still cached
    agendas.bump(event.pk)
    assert all("Renamed in bulk" in agenda_of(html) for html in pages().values())
