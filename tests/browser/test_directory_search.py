"""Searching and filtering the directory: htmx updates the results in place and the address bar keeps
the filters (so a reload or a shared link shows the same results); without JavaScript the same form
works by plain page loads."""

import re

import pytest
from playwright.sync_api import expect

from jumelage.directory import services
from tests.browser.helpers import axe_check, visit

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def directory(world):
    """Four published organisations: two of them about sensors ("capteurs"), one on each side."""
    org = world.be_org
    services.update_organisation(
        actor=None,
        organisation=org,
        data={"description_fr": "Capteurs connectés pour la ville intelligente."},
    )
    services.create_organisation(
        actor=None,
        data={"name": "Lyon Capteurs", "kind": "startup", "country": "FR", "city": "Lyon"},
        memberships=[(world.frenchtech, world.ftbxl)],
        audit=False,
    )
    services.create_organisation(
        actor=None,
        data={
            "name": "Liège Robotique",
            "kind": "company",
            "country": "BE",
            "city": "Liège",
            "description_fr": "Des robots pour l’industrie.",
        },
        memberships=[(world.wallonia, world.awex)],
        audit=False,
    )
    return world


def result_names(page):
    return page.locator("#directory-results ol.results h3")


def test_visitor_searches_then_filters_and_the_address_keeps_the_filters(page, directory):
    visit(page, "/directory/")
    count = page.locator("#result-count")
    expect(count).to_have_text("4 organisations")

    # Typing searches as you type (htmx, after a short pause): word forms and accents do not matter.
    page.get_by_label("Rechercher des organisations").fill("capteur")
    expect(result_names(page)).to_have_text(["Lyon Capteurs", "Wallonie Startup"])
    expect(count).to_contain_text("2 organisations pour")
    expect(page).to_have_url(re.compile(r"/directory/\?(.*&)?q=capteur(&|$)"))
    axe_check(page)

    # A facet narrows the results at once; its options show how many organisations each would leave.
    country = page.get_by_label("Pays", exact=True)
    expect(country.locator("option")).to_have_text(["Tous", "Belgique (1)", "France (1)"])
    country.select_option("BE")
    expect(result_names(page)).to_have_text(["Wallonie Startup"])
    expect(page).to_have_url(re.compile(r"q=capteur"))
    expect(page).to_have_url(re.compile(r"country=BE"))
    active = page.get_by_role("list", name="Filtres actifs")
    expect(active).to_contain_text("Pays")
    axe_check(page)

    # The address is the state: reloading it shows the same search and filters.
    page.reload()
    axe_check(page)
    expect(page.get_by_label("Rechercher des organisations")).to_have_value("capteur")
    expect(page.get_by_label("Pays", exact=True)).to_have_value("BE")
    expect(result_names(page)).to_have_text(["Wallonie Startup"])

    # Removing the country filter from the list of active filters brings the French startup back.
    active.get_by_role("link", name=re.compile("Pays")).click()
    expect(result_names(page)).to_have_text(["Lyon Capteurs", "Wallonie Startup"])
    expect(page).not_to_have_url(re.compile(r"country="))
    axe_check(page)

    # A search that finds nothing says so and offers a way out.
    page.get_by_label("Rechercher des organisations").fill("zzyzx")
    expect(page.locator("#directory-results")).to_contain_text("Aucune organisation ne correspond à")
    axe_check(page)
    page.get_by_role("link", name="Afficher tout l’annuaire").click()
    page.wait_for_url(re.compile(r"/directory/$"))
    axe_check(page)
    expect(count).to_have_text("4 organisations")


def test_directory_filters_work_without_javascript(new_page, directory):
    page = new_page(java_script_enabled=False)
    visit(page, "/directory/")
    page.get_by_label("Écosystème", exact=True).select_option("digital-wallonia")
    with page.expect_navigation():
        page.get_by_role("button", name="Appliquer les filtres").click()
    axe_check(page)
    expect(page).to_have_url(re.compile(r"ecosystem=digital-wallonia"))
    expect(result_names(page)).to_have_text(["Liège Robotique", "Wallonie Startup"])

    page.get_by_label("Rechercher des organisations").fill("robots")
    with page.expect_navigation():
        page.get_by_role("search").get_by_role("button", name="Rechercher", exact=True).click()
    axe_check(page)
    expect(result_names(page)).to_have_text(["Liège Robotique"])
    expect(page).to_have_url(re.compile(r"q=robots"))
    expect(page).to_have_url(re.compile(r"ecosystem=digital-wallonia"))
