"""Logging in and out through the real forms."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import axe_check, visit
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_representative_logs_in_after_a_wrong_password_then_logs_out(page, world):
    visit(page, "/directory/")
    page.get_by_role("link", name="Se connecter", exact=True).click()
    page.wait_for_url("**/accounts/login/**")
    axe_check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")

    page.get_by_label("Nom d’utilisateur").fill("rep")
    page.get_by_label("Mot de passe").fill("not the password")
    with page.expect_navigation():
        page.get_by_role("main").get_by_role("button", name="Se connecter").click()
    axe_check(page)
    expect(page.get_by_role("alert")).to_contain_text("mot de passe valides")
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)

    page.get_by_label("Mot de passe").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("main").get_by_role("button", name="Se connecter").click()
    axe_check(page)
    # Back where they started, now signed in.
    assert page.url.endswith("/directory/")
    header = page.get_by_role("banner")
    expect(header).to_contain_text("rep")
    expect(header.get_by_role("button", name="Se déconnecter")).to_be_visible()

    with page.expect_navigation():
        header.get_by_role("button", name="Se déconnecter").click()
    axe_check(page)
    expect(page.get_by_role("banner").get_by_role("link", name="Se connecter")).to_be_visible()
