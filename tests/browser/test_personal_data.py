"""GDPR in a real browser: a member finds their personal data from the header, downloads it, gives a
wrong password, then erases their account and is logged out. Every page is checked with axe-core."""

import json

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.browser.helpers import axe_check, login
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_a_member_downloads_their_data_then_erases_their_account(new_page, world):
    page = new_page(locale="en-GB")
    login(page, "member", next_path="/directory/")
    with page.expect_navigation():
        page.get_by_role("banner").get_by_role("link", name="member").click()
    axe_check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your personal data")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download all my data (JSON)").click()
    data = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert data["account"]["username"] == "member"

    with page.expect_navigation():
        page.get_by_role("link", name="Erase my account…").click()
    axe_check(page)
    page.get_by_label("Your password").fill("not my password")
    with page.expect_navigation():
        page.get_by_role("button", name="Erase my account and my data").click()
    axe_check(page)
    expect(page.get_by_role("alert")).to_contain_text("Nothing was erased")
    assert get_user_model().objects.filter(username="member").exists()

    page.get_by_label("Your password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Erase my account and my data").click()
    axe_check(page)
    expect(page.get_by_role("status")).to_contain_text("Your account and your personal data are erased.")
    expect(page.get_by_role("banner").get_by_role("link", name="Log in")).to_be_visible()
    assert not get_user_model().objects.filter(username="member").exists()
