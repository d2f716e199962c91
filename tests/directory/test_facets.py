"""The directory's in-memory index (jumelage.directory.facets) gives the same results, counts and facet
counts as plain ORM queries, for every role, and follows every write through the shared index version."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.utils import translation

from jumelage.directory import facets, queries, search, services
from jumelage.directory.models import Organisation, OrganisationKind, Representative, Stage, Theme
from jumelage.ecosystems.models import Ecosystem, NetworkNode
from tests.factories import ThemeFactory, UserFactory

pytestmark = pytest.mark.django_db


def make(name, *, memberships=(), themes=None, **fields):
    data = {"name": name, "kind": "startup", "country": "BE", **fields}
    return services.create_organisation(
        actor=None, data=data, themes=themes, memberships=memberships, audit=False
    )


@pytest.fixture
def directory(world):
    """The world plus organisations spread over every facet: a three-level theme tree, two spellings
    of one region, organisations in both ecosystems, unpublished ones seen only by some roles."""
    smart = ThemeFactory(code="smart-city", label_en="Smart city")
    mobility = ThemeFactory(code="mobility", label_en="Mobility", parent=smart)
    bikes = ThemeFactory(code="bikes", label_en="Bikes", parent=mobility)
    health = ThemeFactory(code="health", label_en="Health")
    w, ft, awex, ftbxl = world.wallonia, world.frenchtech, world.awex, world.ftbxl
    make(
        "Robot Liège",
        description_fr="Robots de soudure",
        region="Wallonie",
        stage="seed",
        themes=[bikes],
        memberships=[(w, awex)],
    )
    make(
        "Robot Rennes",
        description_fr="Robots agricoles",
        country="FR",
        region="Bretagne",
        kind="company",
        themes=[mobility, health],
        memberships=[(ft, ftbxl)],
    )
    make(
        "Brest Robotique",
        description_en="Underwater robots",
        country="FR",
        region="bretagne",
        stage="seed",
        themes=[smart, bikes],
        memberships=[(ft, None), (w, None)],
    )
    make(
        "Hidden Robot",
        description_en="Robots in stealth",
        country="FR",
        region="Bretagne",
        published=False,
        themes=[health],
        memberships=[(ft, ftbxl)],
    )
    hidden_be = make(
        "Hidden Walloon",
        description_fr="Robots discrets",
        kind="investor",
        published=False,
        memberships=[(w, None)],
    )
    make("Plain Company", kind="company", country="NL", region="Utrecht", stage="growth")
    make("Robotless Orphan", description_en="No robots here", published=False)
    Representative.objects.create(user=world.users["member"], organisation=hidden_be)
    queries.clear_result_cache()
    return world


def _users(world) -> dict:
    return {role: user or AnonymousUser() for role, user in world.users.items()}


def _orm_facet_counts(user, params) -> dict[str, dict[str, int]]:
    """Each facet's counts by plain ORM queries: the visible directory, the search, every other filter,
    then COUNT(DISTINCT) per value."""
    visible = queries.visible_to(user)
    active = queries.parse_filters(params)
    active.words = search.prepare_query(active.q) if active.q else []
    searched = search.match_organisations(visible, active.words)

    def base(name):
        return queries.apply_filters(searched, active, exclude=name)

    def counts(name, lookups):
        out = {}
        for value, lookup in lookups:
            n = base(name).filter(**lookup).distinct().count()
            if n:
                out[value] = n
        return out

    def descendants(theme):
        out, todo = [], [theme]
        while todo:
            t = todo.pop()
            out.append(t.pk)
            todo.extend(t.children.all())
        return out

    regions = {
        r.casefold(): r for r in Organisation.objects.exclude(region="").values_list("region", flat=True)
    }
    return {
        "kind": counts("kind", [(k, {"kind": k}) for k in OrganisationKind.values]),
        "stage": counts("stage", [(s, {"stage": s}) for s in Stage.values]),
        "country": counts("country", [(c, {"country": c}) for c in ("BE", "FR", "NL")]),
        "region": counts("region", [(r.casefold(), {"region__iexact": r}) for r in regions.values()]),
        "ecosystem": counts(
            "ecosystem", [(e.slug, {"memberships__ecosystem": e}) for e in Ecosystem.objects.all()]
        ),
        "node": counts("node", [(n.slug, {"memberships__node": n}) for n in NetworkNode.objects.all()]),
        # A theme counts what is tagged with it or below it (what choosing it shows).
        "theme": counts("theme", [(t.code, {"themes__in": descendants(t)}) for t in Theme.objects.all()]),
    }


PARAMS = [
    {},
    {"q": "robot"},
    {"q": "robo"},  # the last word is a prefix
    {"q": "robots", "kind": "company"},
    {"ecosystem": "digital-wallonia"},
    {"node": "french-tech-brussels"},
    {"theme": "smart-city"},
    {"theme": "mobility"},
    {"region": "BRETAGNE"},
    {"country": "FR", "stage": "seed"},
    {"q": "robot", "ecosystem": "la-french-tech", "theme": "health"},
    {"q": "Robto Rennes"},  # a typo in a name
]


@pytest.mark.parametrize("params", PARAMS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "all")
def test_results_and_facet_counts_equal_plain_orm_counts_for_every_role(directory, params):
    for role, user in _users(directory).items():
        found = queries.search_directory(user, params, facets=True)
        expected, _active = queries.filter_organisations(queries.visible_to(user), params)
        expected_ids = list(expected.values_list("pk", flat=True))
        assert list(found.ids) == expected_ids, role  # same rows, same relevance order
        assert found.count() == len(expected_ids), role
        assert [o.pk for o in found[0:25]] == expected_ids[:25], role
        shown = {
            name: {(o.value.casefold() if name == "region" else o.value): o.count for o in options if o.count}
            for name, options in found.facets.items()
        }
        assert shown == _orm_facet_counts(user, params), (role, params)


def test_facets_mark_the_chosen_values_and_keep_their_siblings(directory):
    found = queries.search_directory(AnonymousUser(), {"q": "robot", "region": "bretagne"}, facets=True)
    # Both spellings count under one option, shown with the first spelling.
    assert [(o.label, o.count, o.selected) for o in found.facets["region"]] == [
        ("Bretagne", 2, True),
        ("Wallonie", 1, False),
    ]
    assert [o.name for o in found[0:25]] == ["Brest Robotique", "Robot Rennes"]
    # A tree; each theme counts what is tagged with it or below it.
    with translation.override("en"):
        found = queries.search_directory(AnonymousUser(), {"q": "robot", "region": "bretagne"}, facets=True)
    assert [(o.label, o.count, o.depth) for o in found.facets["theme"]] == [
        ("Health", 1, 0),
        ("Smart city", 2, 0),
        ("Mobility", 2, 1),
        ("Bikes", 1, 2),
    ]


def test_the_index_sees_what_visible_to_shows_for_every_role(directory):
    index = facets.current_index()
    for role, user in _users(directory).items():
        seen = set(index.ids[facets.visible_mask(index, user)].tolist())
        assert seen == set(queries.visible_to(user).values_list("pk", flat=True)), role
    names = set(Organisation.objects.filter(pk__in=seen).values_list("name", flat=True))
    assert {"Hidden Robot", "Hidden Walloon", "Robotless Orphan"} <= names  # the admin saw everything


def test_a_new_role_widens_what_the_index_shows(directory):
    user = UserFactory(username="late-staff")
    assert "Hidden Walloon" not in [o.name for o in queries.search_directory(user, {"q": "robots"})[0:25]]
    from jumelage.ecosystems.models import EcosystemStaff

    EcosystemStaff.objects.create(user=user, ecosystem=directory.wallonia)
    user = type(user).objects.get(pk=user.pk)  # a new request: role sets are read again
    names = [o.name for o in queries.search_directory(user, {"q": "robots"})[0:25]]
    assert names == ["Brest Robotique", "Robot Liège", "Robot Rennes", "Hidden Walloon"]  # names first


def _kind_counts(params=None) -> dict[str, int]:
    found = queries.search_directory(AnonymousUser(), params or {}, facets=True)
    return {o.value: o.count for o in found.facets["kind"]}


def test_an_edit_bumps_the_index_version_and_the_next_search_shows_it(directory):
    assert _kind_counts({"q": "robot"}) == {"startup": 2, "company": 1}
    version = search.index_version()
    org = Organisation.objects.get(name="Robot Liège")
    services.update_organisation(actor=None, organisation=org, data={"kind": "cluster"})
    assert search.index_version() != version
    assert _kind_counts({"q": "robot"}) == {"startup": 1, "company": 1, "cluster": 1}
    assert facets.current_index().version == search.index_version()
    found = queries.search_directory(AnonymousUser(), {"kind": "cluster"}, facets=True)
    assert [o.name for o in found[0:25]] == ["Robot Liège"]


def test_a_write_made_by_another_process_is_seen_through_the_shared_version(directory):
    """Another app-server process writes to the shared database and changes the version in the shared
    (database) cache; this process's index must not serve its old counts."""
    assert _kind_counts() == {"startup": 4, "company": 2}
    built = facets.current_index()
    # What the other process leaves behind: new rows (here without this process's signals) and a new version.
    Organisation.objects.filter(name="Plain Company").update(kind="university")
    cache.set(search.VERSION_KEY, "written-by-another-process", None)
    assert _kind_counts() == {"startup": 4, "company": 1, "university": 1}
    assert facets.current_index() is not built
    assert facets.current_index().version == "written-by-another-process"


def test_deleting_and_unpublishing_leave_results_and_counts(directory):
    assert queries.search_directory(AnonymousUser(), {"q": "robot"}).count() == 3
    Organisation.objects.get(name="Robot Rennes").delete()
    org = Organisation.objects.get(name="Robot Liège")
    services.update_organisation(actor=None, organisation=org, data={"published": False})
    found = queries.search_directory(AnonymousUser(), {"q": "robot"}, facets=True)
    assert [o.name for o in found[0:25]] == ["Brest Robotique"]
    assert {o.value: o.count for o in found.facets["ecosystem"]} == {
        "digital-wallonia": 1,
        "la-french-tech": 1,
    }


@pytest.mark.parametrize(
    "q", ["robot", "robo", "ro", "robots soudure", "Robto", "brest", "underwater", "zzz"]
)
def test_matching_ids_agree_with_the_orm_match_and_rank(directory, q):
    words = search.prepare_query(q)
    ids, name_ids = search.matching_ids(words)
    everything = Organisation.objects.all()
    assert sorted(ids) == sorted(search.match_organisations(everything, words).values_list("pk", flat=True))
    ranked = search.rank_organisations(search.match_organisations(everything, words), words)
    assert sorted(name_ids) == sorted(ranked.filter(search_rank=1).values_list("pk", flat=True))
    # The one-round-trip form (known terms read with the match) finds the same words and ids, typo
    # alternatives included ("Robto").
    same_words, same_ids, same_name_ids = search.prepare_and_match(q)
    assert same_words == words
    assert sorted(same_ids) == sorted(ids) and sorted(same_name_ids) == sorted(name_ids)


def test_result_pages_past_the_cached_ids_come_from_the_database(directory, client, monkeypatch):
    monkeypatch.setattr(queries, "CACHED_IDS", 2)
    first = client.get("/api/v1/organisations", {"q": "robot", "offset": 2, "limit": 5}).json()
    again = client.get("/api/v1/organisations", {"q": "robot", "offset": 2, "limit": 5}).json()  # a cache hit
    assert first == again
    assert first["count"] == 3
    assert [i["name"] for i in first["items"]] == ["Robot Rennes"]


def test_index_memory_is_reported_and_small(directory):
    index = facets.current_index()
    assert index.size == Organisation.objects.count()
    assert 0 < index.nbytes < 64 * index.size + 4096
