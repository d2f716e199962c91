"""GET /api/v1/organisations: the directory's filters and full-text `q`, paginated, problem+json on bad input."""

import pytest

from jumelage.directory import services
from tests.factories import ThemeFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/organisations"


def make(name, *, memberships=(), themes=None, **fields):
    data = {"name": name, "kind": "startup", "country": "BE", **fields}
    return services.create_organisation(
        actor=None, data=data, themes=themes, memberships=memberships, audit=False
    )


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["items"]]


def test_lists_visible_organisations_by_name_with_a_count(client, world):
    body = client.get(URL).json()
    assert [i["slug"] for i in body["items"]] == ["paris-deeptech", "wallonie-startup"]
    assert body["count"] == 2
    assert body["items"][0] == {
        "slug": "paris-deeptech",
        "name": "Paris Deeptech",
        "kind": "startup",
        "city": "Paris",
        "region": "",
        "country": "FR",
        "website": "",
    }


def test_each_filter_narrows_the_list(client, world):
    smart = ThemeFactory(code="smart-city")
    mobility = ThemeFactory(code="mobility", parent=smart)
    make(
        "Alpha",
        kind="cluster",
        region="Wallonie",
        stage="growth",
        themes=[mobility],
        memberships=[(world.wallonia, world.awex)],
    )
    make(
        "Beta",
        kind="company",
        country="FR",
        region="Bretagne",
        stage="seed",
        themes=[smart],
        memberships=[(world.frenchtech, world.ftbxl)],
    )
    assert slugs(client.get(URL, {"ecosystem": "digital-wallonia"})) == ["alpha", "wallonie-startup"]
    assert slugs(client.get(URL, {"node": "french-tech-brussels"})) == ["beta", "paris-deeptech"]
    assert slugs(client.get(URL, {"kind": "cluster"})) == ["alpha"]
    assert slugs(client.get(URL, {"theme": "smart-city"})) == ["alpha", "beta"]
    assert slugs(client.get(URL, {"theme": "mobility"})) == ["alpha"]
    assert slugs(client.get(URL, {"country": "fr"})) == ["beta", "paris-deeptech"]
    assert slugs(client.get(URL, {"region": "BRETAGNE"})) == ["beta"]
    assert slugs(client.get(URL, {"stage": "growth"})) == ["alpha"]
    assert slugs(client.get(URL, {"country": "FR", "kind": "company"})) == ["beta"]


def test_q_searches_full_text_with_relevance_order(client, world):
    make("Aardvark Consulting", description_fr="Conseil aux acteurs de la mobilité.")
    make("Mobilité Bruxelles", description_fr="Transports.")
    make("Microsoft Belgium", kind="company")
    assert slugs(client.get(URL, {"q": "mobilites"})) == ["mobilite-bruxelles", "aardvark-consulting"]
    assert slugs(client.get(URL, {"q": "Microsft"})) == ["microsoft-belgium"]
    assert slugs(client.get(URL, {"q": "mobilite", "kind": "company"})) == []


def test_pagination(client, world):
    for i in range(5):
        make(f"Paged {i}", description_en="paging")
    body = client.get(URL, {"q": "paging", "limit": 2, "offset": 2}).json()
    assert body["count"] == 5
    assert [i["name"] for i in body["items"]] == ["Paged 2", "Paged 3"]


def test_unpublished_organisation_is_listed_only_for_those_who_may_see_it(client, role_clients, world):
    assert "unpublished-org" not in slugs(client.get(URL))
    assert "unpublished-org" not in slugs(role_clients["member"].get(URL))
    assert "unpublished-org" in slugs(role_clients["node_staff"].get(URL))
    assert "unpublished-org" in slugs(role_clients["admin"].get(URL))


@pytest.mark.parametrize(
    ("param", "value", "message"),
    [
        ("kind", "dragon", "Unknown kind of organisation: “dragon”."),
        ("stage", "late", "Unknown stage: “late”."),
        ("ecosystem", "atlantis", "Unknown ecosystem: “atlantis”."),
        ("node", "nowhere", "Unknown network node: “nowhere”."),
        ("theme", "no-such-theme", "Unknown theme: “no-such-theme”."),
        ("country", "Belgium", "A country is a two-letter ISO code such as BE or FR, not “Belgium”."),
        ("q", "x" * 201, "The search text is too long (200 characters at most)."),
    ],
)
def test_bad_filter_value_is_a_422_problem_naming_the_parameter(client, world, param, value, message):
    response = client.get(URL, {param: value}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 422
    assert body["errors"] == [{"field": param, "message": message}]


def test_bad_pagination_is_a_422_problem(client, world):
    response = client.get(URL, {"limit": "many"})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["limit"]


def test_same_answers_with_the_result_cache_off(client, world, monkeypatch):
    from jumelage.directory import queries

    monkeypatch.setattr(queries._result_cache, "size", 0)
    for i in range(5):
        make(f"Uncached {i}", description_en="uncached")
    body = client.get(URL, {"q": "uncached", "limit": 2, "offset": 3}).json()
    assert body["count"] == 5
    assert [i["name"] for i in body["items"]] == ["Uncached 3", "Uncached 4"]
    page = client.get("/directory/", {"q": "uncached"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "5 organisations for “uncached”" in page
