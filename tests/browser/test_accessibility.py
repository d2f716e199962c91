"""Every page of the foundation, for a visitor and for each role, passes axe-core (no serious or
critical violation). Feature tests check the pages they walk through; this one sweeps the rest,
including empty states and error pages."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import force_login, visit

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PUBLIC_PATHS = [
    "/",
    "/accounts/login/",
    "/accounts/password/reset/",
    "/accounts/password/reset/sent/",
    "/accounts/password/reset/MQ/not-a-token/",
    "/directory/",
    "/directory/?q=wallonie&country=BE",
    "/directory/?q=nothing-matches-this",
    "/ecosystems/",
    "/ecosystems/digital-wallonia/",
    "/ecosystems/la-french-tech/",
    "/nodes/awex/",
    "/nodes/french-tech-brussels/",
    "/organisations/wallonie-startup/",
    "/organisations/paris-deeptech/",
]

ROLE_PATHS = {
    "representative": ["/organisations/wallonie-startup/edit/", "/accounts/password/change/"],
    "node_staff": ["/nodes/french-tech-brussels/edit/", "/directory/import/"],
    "ecosystem_staff": ["/directory/import/", "/organisations/wallonie-startup/edit/"],
    "admin": ["/directory/import/", "/nodes/awex/edit/", "/organisations/paris-deeptech/edit/"],
}


def test_public_pages_pass_axe_for_a_visitor(page, world):
    for path in PUBLIC_PATHS:
        visit(page, path)


def test_error_pages_pass_axe(page, world):
    visit(page, "/organisations/no-such-organisation/", expect_status=404)
    visit(page, "/directory/?country=not-a-country", expect_status=400)
    visit(page, "/organisations/unpublished-org/", expect_status=404)


@pytest.mark.parametrize("role", sorted(ROLE_PATHS))
def test_pages_pass_axe_for_signed_in_roles(page, world, role):
    force_login(page, world.users[role])
    for path in ["/", "/directory/", "/organisations/wallonie-startup/", *ROLE_PATHS[role]]:
        visit(page, path)


def test_pages_pass_axe_in_dutch_and_english(new_page, world):
    for locale in ("nl-BE", "en-GB"):
        page = new_page(locale=locale)
        for path in ["/", "/directory/", "/ecosystems/", "/organisations/wallonie-startup/"]:
            visit(page, path)


def test_keyboard_user_skips_to_the_content(page, world):
    visit(page, "/directory/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # hidden off-screen until focused, then shown
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # The next Tab goes into the page's own content, not back to the header.
    page.keyboard.press("Tab")
    expect(page.get_by_label("Rechercher des organisations")).to_be_focused()
