"""Market needs feed event themes, in a real browser: Digital Wallonia staff open the co-programming
board, read the market needs recorded for the event's themes and markets, and turn the most expressed
one into a theme proposal with one click. Every page is checked with axe-core. The browser speaks
English, like the other board tests (the French catalogue of these pages is still to come)."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from jumelage.events.models import Proposal
from jumelage.opportunities.models import MarketNeed
from tests.browser.helpers import axe_check, force_login, visit
from tests.factories import ThemeFactory, build_event

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_a_co_organiser_turns_a_market_need_into_a_theme_proposal(new_page, world):
    event = build_event(world)
    smart_city = ThemeFactory(code="smart-city", label_en="Smart city", label_fr="Ville intelligente")
    mobility = ThemeFactory(code="mobility", label_en="Mobility", label_fr="Mobility", parent=smart_city)
    event.themes.set([smart_city])
    for day, market in ((2, "BE"), (5, "BE"), (7, "FR")):
        MarketNeed.objects.create(
            theme=mobility,
            market=market,
            sector="Transport",
            expressed_by="Cluster meeting",
            evidence="Cities look for shared mobility data.",
            observed_on=dt.date(2026, 3, day),
        )

    page = new_page(locale="en-GB")
    force_login(page, world.users["ecosystem_staff"])
    visit(page, f"/events/{event.slug}/programme/")
    needs = page.locator("#market-needs")
    expect(needs.get_by_role("heading", level=2)).to_have_text("Market needs for this event")
    rows = needs.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Mobility")
    expect(rows.nth(0)).to_contain_text("Belgian market")
    expect(rows.nth(0).locator("td").nth(1)).to_have_text("2")

    with page.expect_navigation():
        page.get_by_role(
            "button", name="Propose “Mobility” (Belgian market) as a theme for Digital Wallonia"
        ).click()
    axe_check(page)
    expect(page.get_by_role("status")).to_contain_text("Your proposal “Mobility” was added to the board.")
    proposal = Proposal.objects.get(event=event)
    assert (proposal.kind, proposal.theme, proposal.title) == ("theme", mobility, "Mobility")
    assert "Transport" in proposal.details
    expect(page.locator(f"#proposal-{proposal.pk}")).to_contain_text("Mobility")
    expect(page.locator("#market-needs tbody tr").nth(0)).to_contain_text("Already proposed")
