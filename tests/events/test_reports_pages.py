"""Each partner sees its events from its own pages (ecosystem and node pages list the events it is a
partner of, with its role), and the events admin follows the events' rules."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from jumelage.events.models import Event, EventPartner
from tests.factories import EventFactory, build_event

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def section(html: str, heading: str) -> str:
    """The text from an <h3> to the next heading."""
    start = html.index(f">{heading}</h3>")
    end = html.find("<h", start + 5)
    return html[start:end]


@pytest.fixture
def events(world):
    now = timezone.now()
    upcoming = build_event(world)  # DW lead, French Tech Brussels co-organiser
    past = EventFactory(
        slug="past-mission",
        title="Past Mission",
        starts_at=now - timedelta(days=40),
        ends_at=now - timedelta(days=39),
    )
    EventPartner.objects.create(event=past, node=world.ftbxl, role="lead", position=0)
    EventPartner.objects.create(event=past, node=world.awex, role="supporting", position=1)
    draft = EventFactory(slug="draft-evening", title="Draft Evening", status=Event.Status.DRAFT)
    EventPartner.objects.create(event=draft, ecosystem=world.wallonia, role="lead", position=0)
    unrelated = EventFactory(slug="elsewhere", title="Elsewhere Day")
    other = EventPartner.objects.create(event=unrelated, ecosystem=world.frenchtech, role="lead", position=0)
    return {"upcoming": upcoming, "past": past, "draft": draft, "unrelated": unrelated, "other": other}


def test_ecosystem_page_lists_its_events_and_its_nodes_events_with_the_role(world, events, client):
    html = client.get(f"/ecosystems/{world.wallonia.slug}/", **EN).content.decode()
    upcoming = section(html, "Upcoming events")
    assert '<a href="/events/smart-city-day/">Smart City Day</a>' in upcoming
    assert "Lead organiser" in upcoming
    assert "Digital Wallonia, French Tech Brussels" in upcoming  # every partner, in the agreed order
    past = section(html, "Past events")
    # AWEX (a Digital Wallonia node) supports the past mission.
    assert "Past Mission" in past and "Supporting partner (through AWEX)" in past
    # A draft is seen by none but the partners' staff; an event DW has no part in is not listed.
    assert "Draft Evening" not in html and "Elsewhere Day" not in html

    ft = client.get(f"/ecosystems/{world.frenchtech.slug}/", **EN).content.decode()
    assert "Co-organiser (through French Tech Brussels)" in section(ft, "Upcoming events")
    assert "Elsewhere Day" in section(ft, "Upcoming events")
    assert "Lead organiser (through French Tech Brussels)" in section(ft, "Past events")


def test_node_page_lists_its_events_with_its_role(world, events, client):
    html = client.get(f"/nodes/{world.ftbxl.slug}/", **EN).content.decode()
    assert "Smart City Day" in section(html, "Upcoming events")
    assert "Co-organiser" in section(html, "Upcoming events")
    assert "Past Mission" in section(html, "Past events")
    assert "Lead organiser" in section(html, "Past events")
    awex = client.get(f"/nodes/{world.awex.slug}/", **EN).content.decode()
    assert "No upcoming event." in awex
    assert "Supporting partner" in section(awex, "Past events")


def test_partner_staff_see_their_drafts_on_their_pages(world, events, client_factory):
    html = client_factory(world.users["ecosystem_staff"]).get(f"/ecosystems/{world.wallonia.slug}/", **EN)
    upcoming = section(html.content.decode(), "Upcoming events")
    assert "Draft Evening" in upcoming and ">draft<" in upcoming


def test_pages_without_events_say_so(world, client):
    html = client.get(f"/nodes/{world.awex.slug}/", **EN).content.decode()
    assert "No upcoming event." in html and "No past event." in html


# --- Admin ----------------------------------------------------------------------------------------------


def test_events_admin_is_scoped_to_the_partners_events(world, events, client_factory):
    staff = world.users["node_staff"]
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    client = client_factory(staff)
    listing = client.get("/admin/events/event/", **EN).content.decode()
    assert "Smart City Day" in listing and "Past Mission" in listing
    assert "Elsewhere Day" not in listing and "Draft Evening" not in listing
    # An event of others: not found for them (the admin redirects to its index with a message).
    response = client.get(f"/admin/events/event/{events['unrelated'].pk}/change/", **EN)
    assert response.status_code == 302
    # A co-organiser changes its event; registrations are read-only for everyone.
    change = client.get(f"/admin/events/event/{events['upcoming'].pk}/change/", **EN)
    assert change.status_code == 200 and 'name="_save"' in change.content.decode()
    assert client.get("/admin/events/registration/add/").status_code == 403
    # Events are created on the events pages, where the creating partner is set.
    assert client.get("/admin/events/event/add/").status_code == 403


def test_events_admin_changes_are_audited(world, events, client_factory):
    from jumelage.core.models import AuditLog
    from jumelage.events.models import Session

    admin = client_factory(world.users["admin"])
    event = events["upcoming"]
    response = admin.post(
        "/admin/events/session/add/",
        {
            "event": event.pk,
            "title": "Admin-made session",
            "kind": "talk",
            "starts_at_0": timezone.localtime(event.starts_at).strftime("%Y-%m-%d"),
            "starts_at_1": "10:00:00",
            "ends_at_0": timezone.localtime(event.starts_at).strftime("%Y-%m-%d"),
            "ends_at_1": "11:00:00",
            "language": "fr",
            "description": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    session = Session.objects.get(title="Admin-made session")
    assert AuditLog.objects.filter(action="session.admin_add", object_id=str(session.pk)).exists()


def test_partner_pages_queries_do_not_grow_with_events(world, events, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as ctx:
            client.get(f"/ecosystems/{world.wallonia.slug}/")
        return len(ctx.captured_queries)

    client.get(f"/ecosystems/{world.wallonia.slug}/")
    few = count()
    for n in range(3):
        extra = EventFactory(slug=f"extra-{n}", title=f"Extra {n}")
        EventPartner.objects.create(event=extra, ecosystem=world.wallonia, role="lead", position=0)
        EventPartner.objects.create(event=extra, node=world.ftbxl, role="co_organiser", position=1)
    assert count() == few


def test_partner_pages_link_their_event_feeds(world, events, client):
    html = client.get(f"/nodes/{world.ftbxl.slug}/", **EN).content.decode()
    assert f'href="/nodes/{world.ftbxl.slug}/events.ics"' in html
    eco = client.get(f"/ecosystems/{world.wallonia.slug}/", **EN).content.decode()
    assert f'href="/ecosystems/{world.wallonia.slug}/events.rss"' in eco
    feed = client.get(f"/ecosystems/{world.wallonia.slug}/events.ics")
    assert feed.status_code == 200 and b"Smart City Day" in feed.content


def test_partner_staff_find_the_report_from_their_pages(world, events, client_factory, client):
    staff = (
        client_factory(world.users["node_staff"]).get(f"/nodes/{world.ftbxl.slug}/", **EN).content.decode()
    )
    assert 'href="/events/smart-city-day/report/"' in staff and 'href="/events/past-mission/report/"' in staff
    assert "/report/" not in client.get(f"/nodes/{world.ftbxl.slug}/", **EN).content.decode()
    # DW staff: the report of their own event, not of an event only La French Tech is a partner of.
    dw = client_factory(world.users["ecosystem_staff"]).get(f"/ecosystems/{world.frenchtech.slug}/", **EN)
    html = dw.content.decode()
    assert "Elsewhere Day" in html and 'href="/events/elsewhere/report/"' not in html
    assert 'href="/events/smart-city-day/report/"' in html
