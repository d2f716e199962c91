"""The directory list page: search, facets with counts, pagination, htmx partial, visibility."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jumelage.directory import queries, services
from jumelage.directory.models import Membership, Organisation
from tests.factories import EcosystemFactory, NodeFactory, ThemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    """Pages in English, so that assertions read the msgids."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def make(name, *, memberships=(), themes=None, **fields):
    data = {"name": name, "kind": "startup", "country": "BE", **fields}
    return services.create_organisation(
        actor=None, data=data, themes=themes, memberships=memberships, audit=False
    )


def text(response) -> str:
    """The page as a user reads it: tags dropped, entities decoded, whitespace collapsed."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(body)).strip()


def option_text(response, name: str) -> list[str]:
    """The visible options of one facet's <select>."""
    body = response.content.decode()
    select = re.search(rf'<select id="facet-{name}" name="{name}">(.*?)</select>', body, re.S).group(1)
    return [
        html.unescape(re.sub(r"\s+", " ", o)).strip()
        for o in re.findall(r"<option[^>]*>(.*?)</option>", select, re.S)
    ]


def result_names(response) -> list[str]:
    return [
        html.unescape(n)
        for n in re.findall(
            r'<h3><a href="/organisations/[^"]+/">([^<]+)</a></h3>', response.content.decode()
        )
    ]


def test_results_show_name_kind_place_ecosystem_badge_and_tagline(client, world):
    make(
        "Soleil Wallon",
        city="Liège",
        tagline_fr="Stockage d'énergie solaire",
        memberships=[(world.wallonia, world.awex)],
    )
    response = client.get("/directory/", {"q": "energie"})
    assert response.status_code == 200
    page = text(response)
    assert result_names(response) == ["Soleil Wallon"]
    assert "Startup · Liège, Belgium" in page  # the country by name, in the reader's language
    assert "Stockage d'énergie solaire" in page
    assert '<span class="badge brand-digital-wallonia">DW</span>' in response.content.decode()
    assert "1 organisation for “energie”" in page
    assert 'value="energie"' in response.content.decode()  # the query is echoed in the search box


def test_markup_in_names_places_and_regions_is_shown_as_text(client, world):
    """Result rows and facet options are built in Python: every value must still be escaped."""
    make(
        "<b>Bold</b> & Co",
        city='Liège "<i>centre</i>"',
        region="<script>alert(1)</script>",
        tagline_fr="<img src=x onerror=alert(1)>",
        memberships=[(world.wallonia, world.awex)],
    )
    response = client.get("/directory/", {"q": "bold"})
    body = response.content.decode()
    assert "<b>Bold</b>" not in body and "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in body
    assert result_names(response) == ["<b>Bold</b> & Co"]
    page = text(response)
    assert 'Liège "<i>centre</i>", Belgium' in page
    assert "<img src=x onerror=alert(1)>" in page
    assert "<script>alert(1)</script> (1)" in option_text(response, "region")


def test_facet_counts_follow_the_current_results(client, world):
    make("Robot One", kind="startup", country="BE", region="Wallonie", memberships=[(world.wallonia, None)])
    make(
        "Robot Two",
        kind="startup",
        country="FR",
        region="Bretagne",
        memberships=[(world.frenchtech, world.ftbxl)],
    )
    make(
        "Robot Three",
        kind="company",
        country="FR",
        region="Bretagne",
        stage="seed",
        memberships=[(world.frenchtech, None)],
    )
    make("Other Thing", kind="company", country="FR")
    with_lang = {"HTTP_ACCEPT_LANGUAGE": "en"}
    response = client.get("/directory/", {"q": "robot"}, **with_lang)
    assert option_text(response, "kind") == ["All", "Startup (2)", "Company (1)"]
    assert option_text(response, "country") == ["All", "Belgium (1)", "France (2)"]
    assert option_text(response, "region") == ["All", "Bretagne (2)", "Wallonie (1)"]
    assert option_text(response, "ecosystem") == ["All", "Digital Wallonia (1)", "La French Tech (2)"]
    assert option_text(response, "node") == ["All", "French Tech Brussels (1)"]
    assert option_text(response, "stage") == ["All", "Seed (1)"]
    # Choosing a kind narrows the results and the other facets, but keeps the kind's siblings.
    response = client.get("/directory/", {"q": "robot", "kind": "startup"}, **with_lang)
    assert result_names(response) == ["Robot One", "Robot Two"]
    assert option_text(response, "kind") == ["All", "Startup (2)", "Company (1)"]
    assert option_text(response, "country") == ["All", "Belgium (1)", "France (1)"]
    assert 'value="startup" selected' in response.content.decode()
    assert "Kind: Startup" in text(response)


def test_every_facet_filters(client, world):
    smart = ThemeFactory(code="smart-city", label_en="Smart city")
    mobility = ThemeFactory(code="mobility", label_en="Mobility", parent=smart)
    a = make(
        "Alpha",
        kind="cluster",
        country="BE",
        region="Wallonie",
        stage="growth",
        themes=[mobility],
        memberships=[(world.wallonia, world.awex)],
    )
    b = make(
        "Beta",
        kind="startup",
        country="FR",
        region="Bretagne",
        stage="seed",
        themes=[smart],
        memberships=[(world.frenchtech, world.ftbxl)],
    )
    make("Gamma", kind="startup", country="FR", region="Occitanie")
    cases = {
        "ecosystem": ("digital-wallonia", [a.name, "Wallonie Startup"]),
        "node": ("french-tech-brussels", [b.name, "Paris Deeptech"]),
        "kind": ("cluster", [a.name]),
        "theme": ("smart-city", [a.name, b.name]),  # a parent theme includes its children
        "country": ("be", [a.name, "Wallonie Startup"]),
        "region": ("bretagne", [b.name]),
        "stage": ("seed", [b.name]),
    }
    for param, (value, expected) in cases.items():
        response = client.get("/directory/", {param: value})
        assert result_names(response) == expected, param
    theme_options = option_text(client.get("/directory/", HTTP_ACCEPT_LANGUAGE="en"), "theme")
    assert theme_options == ["All", "Smart city (2)", "– Mobility (1)"]


def test_parameters_combine_with_the_search(client, world):
    make("Robot BE", country="BE", description_en="robots")
    make("Robot FR", country="FR", description_en="robots")
    response = client.get("/directory/", {"q": "robots", "country": "FR"})
    assert result_names(response) == ["Robot FR"]
    assert "Country: France" in text(response)
    # The removal link for the country keeps the search.
    assert 'href="?q=robots"' in response.content.decode()


def test_empty_state_helps(client, world):
    response = client.get("/directory/", {"q": "zzzyyyxxx"})
    page = text(response)
    assert response.status_code == 200
    assert "No organisation matches “zzzyyyxxx” with these filters." in page
    assert "Check the spelling, use fewer or more general words, or remove a filter." in page


def test_bad_filter_value_is_a_clear_400(client, world):
    response = client.get("/directory/", {"kind": "dragon"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Unknown kind of organisation: “dragon”." in text(response)
    response = client.get("/directory/", {"ecosystem": "atlantis"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Unknown ecosystem: “atlantis”." in text(response)
    response = client.get("/directory/", {"q": "x" * 500}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "The search text is too long" in text(response)


def test_htmx_gets_only_the_results_part(client, world):
    from jumelage.directory import search

    search.reindex_all()  # the factories do not index
    response = client.get("/directory/", {"q": "paris"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and "<h1>" not in body
    assert result_names(response) == ["Paris Deeptech"]
    assert "1 organisation for “paris”" in text(response)
    full = client.get("/directory/", {"q": "paris"})
    assert 'hx-get="/directory/"' in full.content.decode()
    assert 'hx-target="#directory-results"' in full.content.decode()


def test_search_finds_world_orgs_after_reindex(client, world):
    from jumelage.directory import search

    search.reindex_all()
    assert result_names(client.get("/directory/", {"q": "deeptech"})) == ["Paris Deeptech"]
    assert result_names(client.get("/directory/", {"q": "wallonie"})) == ["Wallonie Startup"]


def test_export_links_carry_the_filters(client, world):
    response = client.get("/directory/", {"q": "robot", "country": "FR"})
    body = response.content.decode()
    assert 'href="/directory/export.csv?q=robot&amp;country=FR"' in body
    assert 'href="/directory/export.xlsx?q=robot&amp;country=FR"' in body


def test_pagination_keeps_filters(client, world):
    for i in range(30):
        make(f"Paged {i:02d}", country="FR", description_en="paging")
    response = client.get("/directory/", {"q": "paging"})
    assert len(result_names(response)) == 25
    assert "Page 1 of 2" in text(response)
    assert 'href="?q=paging&amp;page=2"' in response.content.decode()
    response = client.get("/directory/", {"q": "paging", "page": "2"})
    assert result_names(response) == [f"Paged {i}" for i in range(25, 30)]


@pytest.mark.parametrize("role", ["visitor", "member"])
def test_unpublished_organisation_is_hidden_from_visitors(role_clients, role, world):
    response = role_clients[role].get("/directory/")
    assert "Unpublished Org" not in result_names(response)
    assert "Paris Deeptech" in result_names(response)


@pytest.mark.parametrize("role", ["node_staff", "admin"])
def test_unpublished_organisation_is_visible_to_its_curators(role_clients, role, world):
    assert "Unpublished Org" in result_names(role_clients[role].get("/directory/"))


def test_unpublished_organisation_is_visible_to_its_representative(client_factory, world):
    from jumelage.directory.models import Representative
    from tests.factories import UserFactory

    rep = UserFactory(username="hidden-rep")
    Representative.objects.create(user=rep, organisation=world.hidden)
    assert "Unpublished Org" in result_names(client_factory(rep).get("/directory/"))
    # and the search finds it for them, but not for a visitor
    from jumelage.directory import search

    search.index_organisation(world.hidden)
    assert result_names(client_factory(rep).get("/directory/", {"q": "unpublished"})) == ["Unpublished Org"]
    assert result_names(client_factory().get("/directory/", {"q": "unpublished"})) == []


def _count_queries(client, params) -> int:
    queries.clear_result_cache()  # count a real search, not a cache hit
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/directory/", params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_results(client, db):
    eco = EcosystemFactory(slug="eco-a", name="Eco A")
    node = NodeFactory(ecosystem=eco, slug="node-a", name="Node A")
    theme = ThemeFactory(code="t-a")
    make("Counted 0", description_en="counting", themes=[theme], memberships=[(eco, node)])
    params = {"q": "counting", "kind": "startup", "theme": "t-a"}
    client.get("/directory/", params)  # warm whatever is cached per process
    one = _count_queries(client, params)
    for i in (1, 2):
        make(f"Counted {i}", description_en="counting", themes=[theme], memberships=[(eco, node)])
    three = _count_queries(client, params)
    assert len(Organisation.objects.filter(name__startswith="Counted")) == 3
    assert Membership.objects.count() == 3
    assert one == three


def test_repeated_search_is_served_from_the_cache_until_a_write(client, world):
    make("Cached Robot", description_en="cached robots")
    queries.clear_result_cache()
    params = {"q": "cached robots"}
    cold = _count_queries_keep_cache(client, params)
    warm = _count_queries_keep_cache(client, params)
    assert warm < cold
    # Any write the results depend on shows at once: a new organisation, an unpublished one, a membership.
    make("Cached Robot Two", description_en="cached robots")
    assert result_names(client.get("/directory/", params)) == ["Cached Robot", "Cached Robot Two"]
    org = Organisation.objects.get(name="Cached Robot")
    org.published = False
    org.save()
    assert result_names(client.get("/directory/", params)) == ["Cached Robot Two"]
    Membership.objects.create(
        organisation=Organisation.objects.get(name="Cached Robot Two"), ecosystem=world.wallonia
    )
    response = client.get("/directory/", {**params, "ecosystem": "digital-wallonia"})
    assert result_names(response) == ["Cached Robot Two"]


def _count_queries_keep_cache(client, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        client.get("/directory/", params)
    return len(ctx.captured_queries)


def test_a_new_role_shows_at_once_despite_the_cache(client_factory, world):
    from jumelage.directory.models import Representative
    from tests.factories import UserFactory

    user = UserFactory(username="soon-rep")
    client = client_factory(user)
    assert "Unpublished Org" not in result_names(client.get("/directory/"))
    Representative.objects.create(user=user, organisation=world.hidden)
    assert "Unpublished Org" in result_names(client.get("/directory/"))
