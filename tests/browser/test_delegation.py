"""A trade-show delegation in a real browser: a Walloon startup applies to join the partners' pavilion
at a trade show abroad, is selected and confirms; the event page lists the delegation and the
organisers record the follow-up in the report. Every page is checked with axe-core."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jumelage.events.models import Submission
from jumelage.events.services import calls
from tests.browser.helpers import axe_check, force_login, visit
from tests.factories import build_event

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_apply_to_the_delegation_be_listed_and_followed_up(new_page, world):
    show = build_event(world, city="Barcelona", country="ES")
    show.kind = "trade_show"
    show.save()
    organiser = world.users["ecosystem_staff"]
    now = timezone.now()
    call = calls.open_call(
        actor=organiser,
        event=show,
        kind="delegation",
        title="Join the pavilion at Mobile World Congress",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=10),
        criteria=[("Export readiness", 1)],
    )

    # 1. The startup's representative applies on behalf of the organisation they represent.
    rep = new_page(locale="en-GB")
    force_login(rep, world.users["representative"])
    visit(rep, f"/events/{show.slug}/calls/{call.pk}/")
    rep.get_by_label("Organisation you represent").select_option(label="Wallonie Startup")
    rep.get_by_label("What it will show or look for there").fill(
        "Asset-tracking tags; we look for distributors."
    )
    rep.get_by_label(re.compile(r"^Contact person \(")).fill("Anna Peeters")
    rep.get_by_label("Contact person's e-mail").fill("anna@example.org")
    rep.get_by_label("Clients").check()
    with rep.expect_navigation():
        rep.get_by_role("button", name="Send my application").click()
    axe_check(rep)
    expect(rep.get_by_role("status")).to_contain_text("Your application “Wallonie Startup” was received.")
    member = Submission.objects.get()

    # 2. Selected and confirmed (the selection path is the calls' own, tested elsewhere).
    calls.decide_submission(actor=organiser, submission=member, selected=True)
    calls.answer_selection(submission=member, confirm=True)

    # 3. The event page lists the delegation.
    visitor = new_page(locale="en-GB")
    visit(visitor, f"/events/{show.slug}/")
    delegation = visitor.locator("section.delegation")
    expect(delegation.get_by_role("heading", name="The delegation")).to_be_visible()
    expect(delegation.get_by_role("link", name="Wallonie Startup")).to_be_visible()

    # 4. The organisers record what came of it.
    staff = new_page(locale="en-GB")
    force_login(staff, organiser)
    visit(staff, f"/events/{show.slug}/report/")
    staff.get_by_label("Follow-up of “Wallonie Startup”").fill("Met two distributors in Barcelona.")
    with staff.expect_navigation():
        staff.get_by_role("button", name="Save the follow-up").click()
    axe_check(staff)
    expect(staff.get_by_role("status")).to_contain_text("The follow-up of “Wallonie Startup” was saved.")
    member.refresh_from_db()
    assert member.outcome == "Met two distributors in Barcelona."
