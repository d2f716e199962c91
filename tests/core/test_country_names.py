"""Countries are stored as ISO codes and shown by name, in the reader's language."""

from django.test import Client

from jumelage.core.countries import country_name
from tests.directory.test_list import make, option_text, text
from tests.factories import build_event


def test_unknown_or_empty_codes_are_shown_as_they_are():
    assert country_name("ZZ") == "ZZ" and country_name("") == "" and country_name(None) == ""


def test_event_and_organisation_pages_name_the_country_in_the_readers_language(world):
    event = build_event(world, venue="Palais des congrès", city="Liège", country="BE", online=False)
    page = text(Client(HTTP_ACCEPT_LANGUAGE="fr").get(f"/events/{event.slug}/"))
    assert "Palais des congrès Liège, Belgique" in page
    assert "Themadag · Liège (België)" in text(Client(HTTP_ACCEPT_LANGUAGE="nl").get("/events/"))
    org = make("Robot Wallon", country="BE", city="Namur", region="Wallonie", description_fr="robots")
    assert "Wallonie, Belgique" in text(Client(HTTP_ACCEPT_LANGUAGE="fr").get(f"/organisations/{org.slug}/"))


def test_the_directory_country_filter_lists_names_in_the_readers_alphabetical_order(world):
    make("Robot DE", country="DE", description_en="robots")
    make("Robot BE", country="BE", description_en="robots")
    make("Robot ES", country="ES", description_en="robots")
    response = Client(HTTP_ACCEPT_LANGUAGE="fr").get("/directory/", {"q": "robots"})
    assert option_text(response, "country")[1:] == ["Allemagne (1)", "Belgique (1)", "Espagne (1)"]
    response = Client(HTTP_ACCEPT_LANGUAGE="nl").get("/directory/", {"q": "robots", "country": "ES"})
    assert option_text(response, "country")[1:] == ["België (1)", "Duitsland (1)", "Spanje (1)"]
    assert "Land: Spanje" in text(response)
