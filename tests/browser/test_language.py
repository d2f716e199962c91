"""The language switcher: French by default, Dutch and English on demand, and the choice sticks."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import axe_check, visit

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


SWITCH_BUTTON = {"Langue": "Changer", "Taal": "Wijzigen", "Language": "Change"}


def _choose_language(page, label_now: str, language: str) -> None:
    """Pick a language in the header's switcher and apply it with its button (picking alone changes
    nothing: WCAG 3.2.2); the page reloads in that language."""
    page.get_by_label(label_now, exact=True).select_option(label=language)
    with page.expect_navigation():
        page.get_by_role("button", name=SWITCH_BUTTON[label_now], exact=True).click()
    axe_check(page)


def test_language_switch_french_by_default_then_dutch_then_english(new_page, world):
    # A browser asking for a language the platform does not offer gets the default: French.
    page = new_page(locale="de-DE")
    visit(page, "/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "fr")
    expect(page.get_by_role("link", name="Annuaire", exact=True)).to_be_visible()
    expect(page.get_by_label("Rechercher dans l’annuaire")).to_be_visible()

    _choose_language(page, "Langue", "Nederlands")
    expect(html).to_have_attribute("lang", "nl")
    expect(page.get_by_role("link", name="Gids", exact=True)).to_be_visible()
    expect(page.get_by_label("Zoeken in de gids")).to_be_visible()
    expect(page.get_by_role("button", name="Zoeken", exact=True)).to_be_visible()

    # The choice persists: the next page is in Dutch too.
    page.get_by_role("link", name="Gids", exact=True).click()
    page.wait_for_url("**/directory/")
    axe_check(page)
    expect(html).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gids")

    # English, from the directory page: the switch brings the user back to the same page.
    _choose_language(page, "Taal", "English")
    assert page.url.endswith("/directory/")
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Directory")
    page.get_by_role("link", name="Jumelage", exact=True).click()
    page.wait_for_url(lambda url: url.rstrip("/").count("/") == 2)
    axe_check(page)
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_label("Search the directory")).to_be_visible()


def test_language_switch_works_without_javascript(new_page, world):
    page = new_page(java_script_enabled=False)
    visit(page, "/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_label("Langue", exact=True).select_option(label="Nederlands")
    with page.expect_navigation():
        page.get_by_role("button", name="Changer", exact=True).click()
    axe_check(page)
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_label("Zoeken in de gids")).to_be_visible()


def test_dutch_speaking_browser_gets_dutch_first(new_page, world):
    page = new_page(locale="nl-BE")
    visit(page, "/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("link", name="Gids", exact=True)).to_be_visible()
