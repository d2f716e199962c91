"""The Django admin and the API documentation page pass axe-core (no serious or critical violation)
under the platform's Content-Security-Policy, with nothing fetched from a CDN."""

import pytest
from playwright.sync_api import expect

from tests.browser import helpers
from tests.browser.helpers import login, visit

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _axe_without_stylesheet_preload(run_axe):
    """axe-core re-creates a page's @import-ed style sheets as <style> elements to read them (its
    "cssom" preload, used by the css-orientation-lock rule); the strict CSP then blocks them, and the
    page watch reports a CSP violation that axe caused, not the page. The admin's forms.css @imports
    widgets.css, so on the change form axe runs without that preload (css-orientation-lock is not
    checked there; every other rule is)."""

    def run(page):
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(helpers._axe())
        page.evaluate(
            """() => {
                if (!axe.jumelageNoPreload) {
                    const run = axe.run.bind(axe);
                    axe.run = (context, options) => run(context, {...options, preload: false});
                    axe.jumelageNoPreload = true;
                }
            }"""
        )
        return run_axe(page)

    return run


def test_platform_admin_pages_pass_axe(page, world, monkeypatch):
    org = world.be_org
    login(page, "admin", next_path="/admin/")
    expect(page.locator("#content h1")).to_contain_text("administration")

    visit(page, "/admin/")
    expect(page.locator("#content").get_by_role("link", name="Organisations")).to_be_visible()

    visit(page, "/admin/directory/organisation/")
    expect(page.locator("#result_list").get_by_role("link", name=org.name)).to_be_visible()

    monkeypatch.setattr(helpers, "_run_axe", _axe_without_stylesheet_preload(helpers._run_axe))
    visit(page, f"/admin/directory/organisation/{org.pk}/change/")
    expect(page.locator("#id_name")).to_have_value(org.name)
    # The tabular inlines' fields are labelled (visually hidden labels, the column header shows them).
    header = page.locator("#memberships-group th.column-ecosystem").text_content().strip()
    expect(page.locator("#id_memberships-0-ecosystem")).to_have_accessible_name(header)
    expect(page.locator("#id_memberships-0-DELETE")).to_have_accessible_name("Supprimer ?")
    # The theme filter's search icons carry a role, as their aria-label requires.
    expect(page.locator(".search-label-icon").first).to_have_attribute("role", "img")


def test_api_docs_page_passes_axe_without_a_cdn(page, world):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    visit(page, "/api/docs")
    expect(page.get_by_role("heading", name="Jumelage API")).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/organisations").first).to_be_visible()
    outside = [url for url in requested if not url.startswith(page.url.split("/api/")[0])]
    assert outside == []
    # An operation opened shows its parameters, and still passes axe.
    page.locator(".opblock-summary-control", has_text="/api/v1/organisations").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    helpers.axe_check(page)
