"""The organisation profile page: language and fallback, consent, visibility, identifiers, brands."""

import json
import re

from jumelage.directory.models import Affiliation, Membership, Person
from tests.factories import ThemeFactory


def page(client, slug, lang="fr"):
    response = client.get(f"/organisations/{slug}/", HTTP_ACCEPT_LANGUAGE=lang)
    return response, response.content.decode()


def test_profile_shows_the_description_in_the_visitors_language(client, world):
    org = world.be_org
    org.description_fr, org.description_en = "Une jeune pousse namuroise.", "A young company from Namur."
    org.save()

    _, english = page(client, org.slug, "en")
    assert "A young company from Namur." in english
    assert "Une jeune pousse namuroise." not in english
    assert '<div class="description" lang="en">' in english
    assert 'class="note"' not in english  # no fallback notice when the language is there

    _, french = page(client, org.slug, "fr")
    assert "Une jeune pousse namuroise." in french
    assert "A young company from Namur." not in french


def test_profile_falls_back_to_another_language_and_says_which(client, world):
    org = world.be_org
    org.description_fr = "Une jeune pousse namuroise."
    org.save()

    response, dutch = page(client, org.slug, "nl")
    assert response.status_code == 200
    # Shown in French, marked as French for screen readers, with a notice naming the language.
    assert '<div class="description" lang="fr">' in dutch
    assert "Une jeune pousse namuroise." in dutch
    notice = re.search(r'<p class="note">(.*?)</p>', dutch, re.S)
    assert notice is not None
    assert "Frans" in notice.group(1)  # the language's name, in the visitor's language (Dutch)


def test_profile_without_description_says_so(client, world):
    _, body = page(client, world.fr_org.slug)
    assert 'class="empty"' in body


def test_only_people_with_public_profile_consent_appear(client, world):
    alice = Person.objects.create(name="Alice Martin", public_profile=True, languages=["fr"])
    bob = Person.objects.create(name="Bob Secret", public_profile=False, languages=["nl"])
    Affiliation.objects.create(person=alice, organisation=world.be_org, role="CEO")
    Affiliation.objects.create(person=bob, organisation=world.be_org, role="Hidden CTO")

    for who in ("visitor", "member", "representative", "ecosystem_staff"):
        user = world.users[who]
        if user is not None:
            client.force_login(user)
        _, body = page(client, world.be_org.slug)
        assert "Alice Martin, CEO" in body
        assert "Bob Secret" not in body and "Hidden CTO" not in body, who
        client.logout()


def test_unpublished_profile_is_404_for_visitors_and_shown_to_its_curators(client, client_factory, world):
    response, body = page(client, world.hidden.slug)
    assert response.status_code == 404
    assert "Unpublished Org" not in body

    curator = client_factory(world.users["node_staff"])  # staff of French Tech Brussels, where it is a member
    response, body = page(curator, world.hidden.slug, "en")
    assert response.status_code == 200
    assert "Unpublished Org" in body
    assert "only its editors see this page" in body

    other_staff = client_factory(world.users["ecosystem_staff"])  # Digital Wallonia: not theirs
    assert page(other_staff, world.hidden.slug)[0].status_code == 404


def test_profile_shows_facts_identifiers_themes_memberships_and_source(client, world):
    parent = ThemeFactory(label_fr="Ville intelligente", label_en="Smart city")
    child = ThemeFactory(label_fr="Mobilité", label_en="Mobility", parent=parent)
    org = world.be_org
    org.aliases = ["WS", "Wallonia Startup"]
    org.tagline_fr = "Des capteurs pour la ville"
    org.website = "https://wallonie-startup.example.be/"
    org.street, org.postcode, org.region = "Rue de Fer 1", "5000", "Wallonie"
    org.founding_year, org.size_band, org.stage = 2019, "10-49", "seed"
    org.enterprise_number, org.siren, org.vat_number = "0123.456.749", "732829320", "BE0123456749"
    org.source = "Source: CORDIS, European Commission (2017 extract); transformed."
    org.save()
    org.themes.set([child])

    _, body = page(client, org.slug, "en")
    assert "WS, Wallonia Startup" in body
    assert '<p class="lead" lang="fr">Des capteurs pour la ville</p>' in body
    assert "https://wallonie-startup.example.be/" in body
    assert "Rue de Fer 1" in body and "5000 Namur" in body and "Wallonie, Belgium" in body
    assert (
        "Wallonie, Belgique" in page(client, org.slug, "fr")[1]
    )  # the country named in the reader's language
    assert "2019" in body and "10–49 employees" in body and "Seed" in body
    assert "0123.456.749" in body
    assert "732 829 320" in body  # SIREN printed in groups of three
    assert "BE 0123.456.749" in body
    assert "<li>Smart city › Mobility</li>" in body
    assert 'class="membership brand-digital-wallonia"' in body
    assert ">AWEX</a>" in body
    assert "CORDIS, European Commission (2017 extract); transformed." in body
    assert " style=" not in body  # CSP: brands come from classes, never inline styles


def test_profile_carries_schema_org_json_ld_without_private_people(client, world):
    alice = Person.objects.create(name="Alice Martin", public_profile=True)
    bob = Person.objects.create(name="Bob Secret", public_profile=False)
    Affiliation.objects.create(person=alice, organisation=world.be_org, role="CEO")
    Affiliation.objects.create(person=bob, organisation=world.be_org, role="CTO")
    world.be_org.name = "Wallonie </script><script>alert(1)</script> Startup"
    world.be_org.save()

    _, body = page(client, world.be_org.slug)
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert data["@type"] == "Organization"
    assert data["name"] == "Wallonie </script><script>alert(1)</script> Startup"
    assert data["member"] == [{"@type": "Person", "name": "Alice Martin", "jobTitle": "CEO"}]
    assert "<script>alert(1)" not in body  # escaped everywhere, in the JSON-LD too


def test_edit_link_only_for_those_who_may_edit(client_factory, world):
    edit_url = f"/organisations/{world.be_org.slug}/edit/"
    expected = {
        "visitor": False,
        "member": False,
        "representative": True,
        "node_staff": False,  # French Tech Brussels: be_org is not their member
        "ecosystem_staff": True,  # Digital Wallonia
        "admin": True,
    }
    for role, shown in expected.items():
        _, body = page(client_factory(world.users[role]), world.be_org.slug)
        assert (edit_url in body) is shown, role


def test_profile_query_count_does_not_grow_with_people_themes_and_memberships(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/organisations/{world.be_org.slug}/").status_code == 200
        return len(ctx.captured_queries)

    person = Person.objects.create(name="P0", public_profile=True)
    Affiliation.objects.create(person=person, organisation=world.be_org, role="R0")
    world.be_org.themes.set([ThemeFactory()])
    one = count()
    for n in range(1, 3):
        person = Person.objects.create(name=f"P{n}", public_profile=True)
        Affiliation.objects.create(person=person, organisation=world.be_org, role=f"R{n}")
        world.be_org.themes.add(ThemeFactory(parent=ThemeFactory()))
        Membership.objects.create(
            organisation=world.be_org, ecosystem=world.frenchtech if n == 1 else world.wallonia
        )
    assert count() == one
