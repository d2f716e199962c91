"""What a user saw walking through the directory (second walkthrough): the search text echoed back
capitalised ('numerique' became 'Numerique'), and themes sorted with 'Électronique' after 'Ville
intelligente' in French, on the profile form and in the theme filter."""

import re

import pytest

from jumelage.directory import services
from tests.factories import ThemeFactory

pytestmark = pytest.mark.django_db

FRENCH_THEMES = [
    ("walk2-biotech", "Biotechnologies"),
    ("walk2-electronique", "Électronique & photonique"),
    ("walk2-fintech", "Fintech"),
    ("walk2-ville", "Ville intelligente"),
]


def _themes():
    return [
        ThemeFactory(code=code, label_fr=label, label_en=label, label_nl=label)
        for code, label in FRENCH_THEMES
    ]


def _positions(page: str, labels) -> list[int]:
    return [page.index(label.replace("&", "&amp;")) for label in labels]


def test_the_search_text_is_echoed_as_typed(client, world):
    services.create_organisation(
        actor=None,
        data={"name": "Numerique Namur", "kind": "startup", "country": "BE"},
        memberships=[],
        audit=False,
    )
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get("/directory/", {"q": "numerique"}).content.decode()
    assert re.search(r"<li>Search: <strong>numerique</strong>", page)
    assert "<strong>Numerique</strong>" not in page


def test_the_echoed_search_text_is_escaped(client, world):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get("/directory/", {"q": "<b>x</b>"}).content.decode()
    assert "<b>x</b>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page


def test_the_profile_form_sorts_themes_ignoring_accents(client_factory, world):
    _themes()
    rep = client_factory(world.users["representative"])
    rep.cookies["django_language"] = "fr"
    page = rep.get(f"/organisations/{world.be_org.slug}/edit/").content.decode()
    positions = _positions(page, [label for _, label in FRENCH_THEMES])
    assert positions == sorted(positions)


def test_the_theme_filter_sorts_themes_ignoring_accents(client, world):
    themes = _themes()
    services.create_organisation(
        actor=None,
        data={"name": "Tout Thème", "kind": "startup", "country": "BE"},
        themes=themes,
        memberships=[],
        audit=False,
    )
    client.cookies["django_language"] = "fr"
    page = client.get("/directory/").content.decode()
    select = re.search(r'<select id="facet-theme" name="theme">(.*?)</select>', page, re.S).group(1)
    positions = _positions(select, [label for _, label in FRENCH_THEMES])
    assert positions == sorted(positions)


def test_the_active_filters_write_french_colons(client, world):
    client.cookies["django_language"] = "fr"
    page = client.get("/directory/", {"q": "numerique"}).content.decode()
    assert re.search(r"<li>\w+\u00a0: <strong>numerique</strong>", page)
