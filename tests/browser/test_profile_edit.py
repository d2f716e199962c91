"""An organisation's representative logs in and keeps its profile up to date."""

import re

import pytest
from playwright.sync_api import expect

from jumelage.directory.models import Organisation
from tests.browser.helpers import axe_check, login, visit

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NEW_DESCRIPTION = "Nous concevons des capteurs urbains à Namur, pour les villes de Wallonie et de France."


def test_representative_edits_the_description_of_their_organisation(page, world):
    login(page, "rep", next_path="/organisations/wallonie-startup/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wallonie Startup")
    expect(page.get_by_text("Pas encore de description.")).to_be_visible()

    page.get_by_role("link", name="Modifier ce profil").click()
    page.wait_for_url("**/organisations/wallonie-startup/edit/")
    axe_check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Modifier le profil de Wallonie Startup")

    # A bad identifier is refused with a message next to the field, and nothing is saved.
    page.get_by_label("SIREN").fill("123")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer le profil").click()
    axe_check(page)
    expect(page.get_by_role("alert").first).to_contain_text("Rien n’a été enregistré")
    expect(page.locator(".field.has-error")).to_contain_text("n’est pas un SIREN valide")
    assert Organisation.objects.get(slug="wallonie-startup").siren == ""

    page.get_by_label("SIREN").fill("")
    page.get_by_label("Description (français)").fill(NEW_DESCRIPTION)
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer le profil").click()
    axe_check(page)

    # Back on the profile: a confirmation, and the new text for everyone to read.
    assert page.url.endswith("/organisations/wallonie-startup/")
    expect(page.get_by_role("status")).to_have_text("Le profil de Wallonie Startup a été enregistré.")
    about = page.get_by_role("region", name="Présentation")
    expect(about).to_contain_text(NEW_DESCRIPTION)
    assert Organisation.objects.get(slug="wallonie-startup").description_fr == NEW_DESCRIPTION

    # A visitor (another browser, not logged in) sees the new description too, and no edit button.
    # The representative may not edit another organisation's profile either.
    visit(page, "/organisations/paris-deeptech/")
    expect(page.get_by_role("link", name="Modifier ce profil")).to_have_count(0)


def test_visitor_sees_the_saved_description_and_no_edit_button(new_page, world):
    world.be_org.description_fr = NEW_DESCRIPTION
    world.be_org.save()
    page = new_page()
    visit(page, "/organisations/wallonie-startup/")
    expect(page.get_by_role("region", name="Présentation")).to_contain_text(NEW_DESCRIPTION)
    expect(page.get_by_role("link", name="Modifier ce profil")).to_have_count(0)
    response = page.goto("/organisations/wallonie-startup/edit/")
    # Anonymous visitors are sent to the login page (or refused); never shown the form.
    assert response is not None
    axe_check(page)
    expect(page.get_by_role("button", name="Enregistrer le profil")).to_have_count(0)
    assert re.search(r"/accounts/login/|/organisations/wallonie-startup/edit/", page.url)
