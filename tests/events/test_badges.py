"""Printable badges: every co-organiser's brand side by side in the agreed order, the attendee, the QR."""

import io
import re

import pytest
from django.test import Client
from pypdf import PdfReader

from jumelage.events.badges import badges_pdf
from jumelage.events.models import EventPartner, Registration
from tests.factories import build_event


def pdf_text(data: bytes) -> str:
    """The text a reader of the PDF sees, page after page, with line breaks as spaces."""
    assert data.startswith(b"%PDF")
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def event(world):
    event = build_event(world)
    EventPartner.objects.create(event=event, ecosystem=world.frenchtech, role="supporting", position=2)
    return event


def register(event, name, org=None, status="confirmed"):
    return Registration.objects.create(
        event=event,
        name=name,
        email=f"{name.lower()}@example.org",
        status=status,
        organisation_name=org or "",
    )


def test_a_badge_shows_each_brand_in_order_the_attendee_and_a_qr_code(event):
    registration = register(event, "Zoé", org="Wallonie Startup")
    data = badges_pdf(event, [registration])
    text = pdf_text(data)
    order = [text.index(name) for name in ("Digital Wallonia", "French Tech Brussels", "La French Tech")]
    assert order == sorted(order)  # the order the partners agreed
    assert "Zoé" in text
    assert "Wallonie Startup" in text and "Smart City Day" in text
    assert data.count(b"/Subtype /Image") == 1  # the QR code


def test_four_badges_to_a_sheet(event):
    people = [register(event, f"Person{i}") for i in range(5)]
    assert re.search(rb"/Count 2\b", badges_pdf(event, people))  # 5 badges: two A4 sheets
    assert re.search(rb"/Count 1\b", badges_pdf(event, people[:4]))


def test_the_registrant_downloads_their_badge_and_staff_the_whole_set(event, world, client_factory):
    confirmed = register(event, "Anna")
    waiting = register(event, "Bruno", status="waitlisted")
    response = Client().get(f"/events/registration/{confirmed.token}/badge.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Anna" in pdf_text(response.content)
    assert Client().get(f"/events/registration/{waiting.token}/badge.pdf").status_code == 404

    staff = client_factory(world.users["node_staff"])
    sheet = staff.get(f"/events/{event.slug}/badges.pdf")
    text = pdf_text(sheet.content)
    assert "Anna" in text and "Bruno" not in text  # confirmed attendees only
    assert client_factory(world.users["member"]).get(f"/events/{event.slug}/badges.pdf").status_code == 403
