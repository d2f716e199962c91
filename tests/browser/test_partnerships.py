"""A partnership agreement in a real browser: Digital Wallonia's staff record the agreement with French
Tech Brussels, add an action and a steering meeting; a visitor reads it with what each party brought.
Every page is checked with axe-core."""

import pytest
from playwright.sync_api import expect

from jumelage.partnerships.models import Action, Partnership, SteeringMeeting
from tests.browser.helpers import axe_check, force_login, visit

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _submit(page, name):
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()
    axe_check(page)


def test_record_a_partnership_plan_it_and_read_it(new_page, world):
    staff = new_page(locale="en-GB")
    force_login(staff, world.users["ecosystem_staff"])
    visit(staff, "/partnerships/")
    expect(staff.locator(".empty")).to_have_text("No partnership is recorded yet.")
    with staff.expect_navigation():
        staff.get_by_role("link", name="Record a partnership").click()
    axe_check(staff)
    staff.get_by_label("Title").fill("Digital Wallonia × French Tech Brussels")
    staff.get_by_label("Parties").select_option([f"ecosystem:{world.wallonia.pk}", f"node:{world.ftbxl.pk}"])
    staff.get_by_label("Status").select_option("active")
    staff.get_by_label("Terms and joint interests (English)").fill("Joint events, partnerships, trade shows.")
    _submit(staff, "Save")
    expect(staff.get_by_role("status")).to_contain_text("is recorded")
    partnership = Partnership.objects.get()

    staff.get_by_text("Add an action").click()
    staff.get_by_label("Action", exact=True).fill("A joint smart-city day")
    staff.get_by_label("Carried by").select_option(label="Digital Wallonia")
    _submit(staff, "Add to the plan")
    expect(staff.get_by_role("status")).to_contain_text("“A joint smart-city day” is in the action plan.")
    assert Action.objects.get().owner.ecosystem == world.wallonia

    staff.get_by_text("Record a steering meeting").click()
    staff.get_by_label("Date").fill("2026-09-15")
    staff.get_by_label("Decisions").fill("A day in Namur in the spring.")
    _submit(staff, "Record the meeting")
    expect(staff.get_by_role("status")).to_contain_text("The steering meeting is recorded.")
    assert SteeringMeeting.objects.get().partnership == partnership

    visitor = new_page(locale="en-GB")
    visit(visitor, f"/partnerships/{partnership.slug}/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Digital Wallonia × French Tech Brussels")
    expect(visitor.locator("#table-actions")).to_contain_text("A joint smart-city day")
    expect(visitor.locator("#table-indicators")).to_contain_text("Joint events")
    expect(visitor.locator("#meetings")).to_contain_text("A day in Namur in the spring.")
