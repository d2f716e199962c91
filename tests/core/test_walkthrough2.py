"""The header's language switch (second walkthrough): a Dutch-speaking user switched the site to
Dutch, yet their account kept French, so every e-mail sent to them (answers to an interest,
introductions, the digest) came in French. The switch now also saves a logged-in user's language."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def test_switching_language_saves_it_for_the_logged_in_user(client_factory, world):
    member = world.users["member"]
    assert member.language == "fr"
    response = client_factory(member).post("/i18n/setlang/", {"language": "nl", "next": "/events/"})
    assert response.status_code == 302
    assert response["Location"] == "/events/"
    assert response.cookies["django_language"].value == "nl"
    member.refresh_from_db()
    assert member.language == "nl"


def test_the_saved_language_shows_on_the_personal_data_page(client_factory, world):
    c = client_factory(world.users["member"])
    c.post("/i18n/setlang/", {"language": "en", "next": "/accounts/data/"})
    page = c.get("/accounts/data/").content.decode()
    assert "<dt>Language</dt><dd>English</dd>" in page


def test_an_unknown_language_changes_nothing(client_factory, world):
    member = world.users["member"]
    client_factory(member).post("/i18n/setlang/", {"language": "de", "next": "/"})
    member.refresh_from_db()
    assert member.language == "fr"


def test_a_visitor_can_still_switch_language(client):
    response = client.post("/i18n/setlang/", {"language": "nl", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "nl"
    assert get_user_model().objects.filter(language="nl").count() == 0


def test_a_get_changes_nothing(client_factory, world):
    member = world.users["member"]
    response = client_factory(member).get("/i18n/setlang/", {"language": "nl", "next": "/"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.language == "fr"


def test_every_row_of_the_personal_data_summary_starts_with_a_capital(client_factory, world):
    c = client_factory(world.users["member"])
    c.cookies["django_language"] = "fr"
    page = c.get("/accounts/data/").content.decode()
    # "API tokens" shares its French translation with the model's plural name, written in lower case.
    assert '<th scope="row">Jetons d’API</th>' in page
    assert '<th scope="row">jetons' not in page
