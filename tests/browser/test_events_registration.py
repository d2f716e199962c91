"""A visitor registers for Smart City Day through a partner's link, the confirmation e-mail with the QR
code reaches the SMTP server, and a staff member of French Tech Brussels checks them in at the door by
"scanning" the code (typing what the QR code says into the desk's field, as a handheld scanner does)."""

import io
import re

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from jumelage.events.models import Question, Registration
from tests.browser.helpers import axe_check, force_login, visit
from tests.factories import ThemeFactory, build_event

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def event(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    event = build_event(world)
    event.themes.add(ThemeFactory(code="smart-city", label_en="Smart city", label_fr="Ville intelligente"))
    Question.objects.create(event=event, label="Will you join the networking lunch?", choices=["yes", "no"])
    return event


def decode_qr(png: bytes) -> str:
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return found.text


def test_visitor_registers_gets_the_qr_code_by_email_and_is_checked_in(new_page, world, event, smtp):
    visitor = new_page(locale="en-GB")
    visit(visitor, "/events/smart-city-day/register/?via=french-tech-brussels")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Register for Smart City Day")
    visitor.get_by_label("Name (required)", exact=True).fill("Chloé Dupont")
    visitor.get_by_label("E-mail (required)", exact=True).fill("chloe@example.org")
    visitor.get_by_label("Language of your e-mails").select_option("en")
    visitor.get_by_label("Organisation", exact=True).fill("Namur Sensors")
    visitor.get_by_label("Your role").fill("Founder")
    visitor.get_by_label("Smart city").check()
    visitor.get_by_label("Will you join the networking lunch?").select_option("yes")
    with visitor.expect_navigation():
        visitor.get_by_role("button", name="Register").click()
    axe_check(visitor)

    # The confirmation: the registrant's own page, with the QR code (the image must load).
    expect(visitor.get_by_role("status")).to_contain_text("You are registered.")
    expect(visitor.locator(".registration-status")).to_have_text("Confirmed")
    expect(visitor.get_by_role("img", name="QR code of your registration")).to_be_visible()
    reg = Registration.objects.get()
    assert reg.via_partner.node == world.ftbxl
    assert visitor.url.endswith(f"/events/registration/{reg.token}/")

    # The e-mail, as the SMTP server received it: the QR code decodes to the check-in address.
    [mail] = smtp.to("chloe@example.org")
    assert mail.subject == "Your registration for Smart City Day is confirmed"
    scanned = decode_qr(mail.parts("image/png")[0].get_content())
    assert re.search(r"/events/smart-city-day/check-in/\?code=\d+:", scanned)

    # At the door: French Tech Brussels staff scan the code into the desk (htmx swaps the result).
    staff = new_page(locale="en-GB")
    force_login(staff, world.users["node_staff"])
    visit(staff, "/events/smart-city-day/check-in/")
    field = staff.get_by_label("Scan a QR code, or search by name, e-mail or organisation")
    field.fill(scanned)
    field.press("Enter")
    outcome = staff.locator(".checkin-outcome")
    expect(outcome).to_contain_text(re.compile(r"Chloé Dupont checked in at \d\d:\d\d by ftbxl-staff\."))
    axe_check(staff)
    expect(field).to_have_value("")
    expect(field).to_be_focused()
    reg.refresh_from_db()
    assert reg.checked_in_by == world.users["node_staff"]

    # The same code again (a second door): "already checked in", nobody let in twice unnoticed.
    field.fill(scanned)
    field.press("Enter")
    expect(outcome).to_contain_text("Chloé Dupont was already checked in at")
    axe_check(staff)

    # The registrant's page shows it too.
    visit(visitor, f"/events/registration/{reg.token}/")
    expect(visitor.locator(".registration-facts")).to_contain_text("Checked in")


def test_check_in_by_search_works_without_javascript(new_page, world, event):
    from jumelage.events.services.registration import register

    register(event=event, name="Grace Hopper", email="grace@example.org", organisation_name="Navy")
    staff = new_page(locale="en-GB", java_script_enabled=False)
    force_login(staff, world.users["ecosystem_staff"])
    visit(staff, "/events/smart-city-day/check-in/")
    staff.get_by_label("Scan a QR code, or search by name, e-mail or organisation").fill("navy")
    with staff.expect_navigation():
        staff.get_by_role("button", name="Check in or search").click()
    axe_check(staff)
    with staff.expect_navigation():
        staff.get_by_role("button", name="Check in Grace Hopper").click()
    axe_check(staff)
    expect(staff.locator(".checkin-outcome")).to_contain_text("Grace Hopper checked in at")
    expect(staff.locator(".checkin-counter")).to_have_text("1 of 1 confirmed people checked in.")

    # The registrations list shows who came.
    visit(staff, "/events/smart-city-day/registrations/")
    expect(staff.get_by_role("row", name=re.compile("Grace Hopper"))).to_contain_text("Confirmed")


def test_cancelling_from_the_personal_link(new_page, world, event, smtp):
    from jumelage.events.services.registration import register

    reg = register(event=event, name="Ada Lovelace", email="ada@example.org", language="en")
    page = new_page(locale="en-GB")
    visit(page, f"/events/registration/{reg.token}/")
    page.get_by_role("link", name="Cancel my registration").click()
    page.wait_for_url(f"**/events/registration/{reg.token}/cancel/")
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Yes, cancel my registration").click()
    axe_check(page)
    expect(page.get_by_role("status")).to_contain_text("Your registration is cancelled.")
    expect(page.locator(".registration-status")).to_have_text("Cancelled")
    reg.refresh_from_db()
    assert reg.status == "cancelled"
    assert [m.subject for m in smtp.to("ada@example.org")][
        -1
    ] == "Your registration for Smart City Day is cancelled"
