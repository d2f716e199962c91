"""Events core in a real browser: a visitor reads a co-branded event page; staff create an event."""

import json
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import expect

from jumelage.directory.models import Person
from jumelage.events.models import Event, EventPartner, Room, Session
from tests.browser.helpers import axe_check, login, visit
from tests.factories import build_event

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">'
    b'<rect width="120" height="40" fill="#c8102e"/></svg>'
)


def test_a_visitor_sees_every_partner_side_by_side_and_the_agenda(new_page, world):
    event = build_event(world, description_en="A day on the smart city, in Brussels.")
    world.wallonia.logo.save("dw.svg", ContentFile(LOGO))
    world.wallonia.website = "https://www.digitalwallonia.be/"
    world.wallonia.save()
    EventPartner.objects.create(event=event, node=world.awex, role="supporting", position=2)
    hall = Room.objects.create(event=event, name="Main hall")
    keynote = Session.objects.create(
        event=event,
        title="Opening keynote",
        starts_at=event.starts_at,
        ends_at=event.starts_at + timedelta(hours=1),
        room=hall,
    )
    keynote.speakers.set([Person.objects.create(name="Ada Lovelace", public_profile=True)])

    page = new_page(locale="en-GB")
    visit(page, f"/events/{event.slug}/")  # axe-clean, no CSP violation (the JSON-LD block is data)
    expect(page.get_by_role("heading", level=1)).to_have_text("Smart City Day")

    brands = page.locator(".event-header .event-brand")
    expect(brands).to_have_count(3)
    names = [brands.nth(i).locator(".event-brand-name").inner_text() for i in range(3)]
    assert names == ["Digital Wallonia", "French Tech Brussels", "AWEX"]
    # Side by side: one row, left to right in the agreed order, each with its own link.
    boxes = [brands.nth(i).bounding_box() for i in range(3)]
    assert abs(boxes[0]["y"] - boxes[1]["y"]) < 2 and abs(boxes[1]["y"] - boxes[2]["y"]) < 2
    assert boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"]
    links = [brands.nth(i).locator("a").get_attribute("href") for i in range(3)]
    assert links == ["https://www.digitalwallonia.be/", "/nodes/french-tech-brussels/", "/nodes/awex/"]
    logo = brands.nth(0).locator("img")
    expect(logo).to_be_visible()
    assert page.evaluate("img => img.naturalWidth", logo.element_handle()) > 0  # its own logo, loaded

    agenda = page.get_by_role("region", name="Agenda")
    expect(agenda.get_by_role("rowheader")).to_contain_text("Opening keynote")
    expect(agenda).to_contain_text("Main hall")
    expect(agenda).to_contain_text("Speakers: Ada Lovelace")
    expect(page.get_by_role("link", name="Register")).to_have_attribute(
        "href", f"/events/{event.slug}/register/"
    )

    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert data["@type"] == "Event" and [o["name"] for o in data["organizer"]] == [
        "Digital Wallonia",
        "French Tech Brussels",
    ]

    # The list shows the event with the same brands.
    visit(page, "/events/")
    expect(page.get_by_role("link", name="Smart City Day")).to_be_visible()
    expect(page.locator(".event-card .event-brand-name")).to_have_text(
        ["Digital Wallonia", "French Tech Brussels", "AWEX"]
    )


def test_staff_create_an_event_and_a_past_date_is_refused_first(new_page, world):
    page = new_page(locale="en-GB")
    login(page, "dw-staff", next_path="/events/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an event")

    page.get_by_label("Lead organiser").select_option(label="Digital Wallonia")
    page.get_by_label("Co-organisers").select_option(label="French Tech Brussels")
    page.locator("#id_title").fill("Smart Mobility Evening")
    page.locator("#id_kind").select_option("pitch_evening")
    page.locator("#id_starts_at").fill("2020-03-01T18:00")
    page.locator("#id_ends_at").fill("2020-03-01T21:00")
    page.locator("#id_city").fill("Bruxelles")
    page.locator("#id_country").fill("BE")
    with page.expect_navigation():
        page.get_by_role("button", name="Create the event").click()
    axe_check(page)
    expect(page.get_by_role("alert").first).to_contain_text("Nothing was saved")
    expect(page.locator(".field.has-error")).to_contain_text("The start date is in the past")
    assert not Event.objects.exists()

    start = timezone.localtime(timezone.now() + timedelta(days=20)).replace(hour=18, minute=0)
    page.locator("#id_starts_at").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_ends_at").fill((start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    with page.expect_navigation():
        page.get_by_role("button", name="Create the event").click()
    axe_check(page)

    event = Event.objects.get(title="Smart Mobility Evening")
    assert page.url.endswith(f"/events/{event.slug}/")
    expect(page.get_by_role("status")).to_contain_text("was created as a draft")
    assert event.status == "draft" and event.starts_at == start.replace(second=0, microsecond=0)
    assert [p.brand_name for p in event.partners.order_by("position")] == [
        "Digital Wallonia",
        "French Tech Brussels",
    ]
    expect(page.locator(".event-header .event-brand-name")).to_have_text(
        ["Digital Wallonia", "French Tech Brussels"]
    )

    with page.expect_navigation():
        page.get_by_role("button", name="Publish").click()
    axe_check(page)
    expect(page.get_by_role("status")).to_contain_text("is published")
    assert Event.objects.get(pk=event.pk).status == "published"
