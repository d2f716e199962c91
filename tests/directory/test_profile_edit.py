"""Editing an organisation's profile: who may, what is saved, what is refused and how."""

import re

from django.test import Client

from jumelage.core.models import AuditLog
from jumelage.directory import services
from jumelage.directory.models import Organisation
from tests.factories import ThemeFactory

REPRESENTATIVE_FIELDS = [
    "tagline_fr",
    "description_fr",
    "description_nl",
    "description_en",
    "website",
    "street",
    "postcode",
    "city",
    "region",
    "country",
    "founding_year",
    "size_band",
    "stage",
    "enterprise_number",
    "siren",
    "vat_number",
]


def form_data(org: Organisation, **changes) -> dict:
    """What the edit form posts when nothing is changed, plus `changes`."""
    data = {name: getattr(org, name) or "" for name in REPRESENTATIVE_FIELDS}
    data["aliases_text"] = "\n".join(org.aliases)
    data["themes"] = [str(pk) for pk in org.themes.values_list("pk", flat=True)]
    data["updated_at"] = org.updated_at.isoformat()
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def edit_url(org) -> str:
    return f"/organisations/{org.slug}/edit/"


def test_representative_edits_their_own_organisation(client_factory, world):
    rep = world.users["representative"]
    client = client_factory(rep)
    theme = ThemeFactory(label_en="Smart city")
    org = world.be_org

    response = client.post(
        edit_url(org),
        form_data(
            org,
            tagline_fr="Capteurs urbains",
            description_en="Urban sensors.",
            website="wallonie-startup.example.be",
            founding_year="2019",
            aliases_text="WS\n  Wallonia   Startup \nws\n",
            siren="732 829 320",
            enterprise_number="BE 0123 456 749",
            themes=[str(theme.pk)],
        ),
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    body = response.content.decode()
    assert response.redirect_chain == [(f"/organisations/{org.slug}/", 302)]
    assert "The profile of Wallonie Startup was saved." in body

    org.refresh_from_db()
    assert org.tagline_fr == "Capteurs urbains"
    assert org.description_en == "Urban sensors."
    assert org.website == "https://wallonie-startup.example.be"
    assert org.founding_year == 2019
    assert org.aliases == ["WS", "Wallonia Startup"]  # one per line, spaces tidied, duplicates dropped
    assert org.siren == "732829320" and org.enterprise_number == "0123.456.749"  # stored canonical
    assert list(org.themes.all()) == [theme]

    entry = AuditLog.objects.get(action="organisation.update", object_id=str(org.pk))
    assert entry.actor == rep
    assert {"tagline_fr", "description_en", "siren", "aliases"} <= set(entry.data["fields"])


def test_representative_cannot_change_staff_fields(client_factory, world):
    client = client_factory(world.users["representative"])
    org = world.be_org
    body = client.get(edit_url(org)).content.decode()
    assert 'name="tagline_fr"' in body
    assert 'name="name"' not in body and 'name="published"' not in body and 'name="kind"' not in body

    # Even posted by hand, the staff fields are ignored.
    client.post(edit_url(org), form_data(org, name="Renamed", published="", kind="investor"))
    org.refresh_from_db()
    assert (org.name, org.published, org.kind) == ("Wallonie Startup", True, "startup")


def test_representative_gets_403_on_another_organisation(client_factory, world):
    client = client_factory(world.users["representative"])
    other = world.fr_org
    before = other.updated_at

    assert client.get(edit_url(other)).status_code == 403
    response = client.post(edit_url(other), form_data(other, tagline_fr="Piraté"))
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.tagline_fr == "" and other.updated_at == before
    assert not AuditLog.objects.filter(action="organisation.update").exists()


def test_visitor_and_plain_member_may_not_edit(client_factory, world):
    anonymous = client_factory()
    response = anonymous.post(edit_url(world.be_org), form_data(world.be_org, tagline_fr="x"))
    assert response.status_code == 403
    member = client_factory(world.users["member"])
    assert member.get(edit_url(world.be_org)).status_code == 403
    world.be_org.refresh_from_db()
    assert world.be_org.tagline_fr == ""


def test_node_staff_edit_only_members_of_their_node_and_may_change_staff_fields(client_factory, world):
    client = client_factory(world.users["node_staff"])  # staff of French Tech Brussels
    org = world.fr_org
    body = client.get(edit_url(org)).content.decode()
    assert 'name="name"' in body and 'name="published"' in body

    response = client.post(
        edit_url(org), form_data(org, name="Paris Deeptech SAS", kind="scaleup", published="on")
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.name, org.kind) == ("Paris Deeptech SAS", "scaleup")
    assert AuditLog.objects.get(action="organisation.update").actor == world.users["node_staff"]

    # Digital Wallonia's organisation is not a member of their node.
    assert client.get(edit_url(world.be_org)).status_code == 403
    response = client.post(edit_url(world.be_org), form_data(world.be_org, kind="investor"))
    assert response.status_code == 403
    world.be_org.refresh_from_db()
    assert world.be_org.kind == "startup"


def test_ecosystem_staff_edit_members_of_their_ecosystem_only(client_factory, world):
    client = client_factory(world.users["ecosystem_staff"])  # Digital Wallonia
    response = client.post(
        edit_url(world.be_org),
        form_data(world.be_org, city="Liège", name="Wallonie Startup", kind="startup", published="on"),
    )
    assert response.status_code == 302
    world.be_org.refresh_from_db()
    assert world.be_org.city == "Liège"
    assert client.get(edit_url(world.fr_org)).status_code == 403


def test_bad_siren_is_named_and_nothing_is_written(client_factory, world):
    client = client_factory(world.users["representative"])
    org = world.be_org
    before = org.updated_at

    response = client.post(
        edit_url(org),
        form_data(org, tagline_fr="Nouveau slogan", siren="732 829 321"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was saved. Please correct the fields marked below." in body
    error = re.search(r'<p class="error" id="id_siren_error">(.*?)</p>', body, re.S)
    assert error is not None
    assert "is not a valid SIREN" in error.group(1) and "Luhn" in error.group(1)
    org.refresh_from_db()
    assert org.siren == "" and org.tagline_fr == "" and org.updated_at == before
    assert not AuditLog.objects.filter(action="organisation.update").exists()


def test_other_bad_values_get_their_own_messages(client_factory, world):
    client = client_factory(world.users["representative"])
    org = world.be_org
    response = client.post(
        edit_url(org),
        form_data(
            org,
            enterprise_number="0123.456.748",
            vat_number="XX123",
            founding_year="1500",
            country="Narnia",
            website="not a url",
        ),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "is not a valid Belgian enterprise number" in body and "mod-97" in body
    assert "is not a valid EU VAT number" in body
    assert "Ensure this value is greater than or equal to 1800." in body
    assert "Enter the country as a two-letter code, e.g. BE or FR." in body
    assert "Enter a valid URL." in body
    org.refresh_from_db()
    assert org.enterprise_number == "" and org.country == "BE"


def test_siren_already_used_by_another_organisation_is_refused(client_factory, world):
    world.fr_org.siren = "732829320"
    world.fr_org.save()
    client = client_factory(world.users["representative"])
    response = client.post(
        edit_url(world.be_org), form_data(world.be_org, siren="732829320"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Another organisation in the directory already has this number." in body
    assert "Paris Deeptech" not in body  # the other organisation is not named
    world.be_org.refresh_from_db()
    assert world.be_org.siren == ""


def test_a_save_made_meanwhile_is_not_overwritten(client_factory, world):
    client = client_factory(world.users["representative"])
    org = world.be_org
    opened = form_data(org, tagline_fr="Ma version")  # the form as opened, before the other save

    services.update_organisation(
        actor=world.users["ecosystem_staff"], organisation=org, data={"tagline_fr": "Leur version"}
    )
    response = client.post(edit_url(org), opened, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert "Someone else saved this profile after you opened it." in response.content.decode()
    org.refresh_from_db()
    assert org.tagline_fr == "Leur version"


def test_form_without_csrf_token_is_refused_with_a_clear_page(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["representative"])
    org = world.be_org
    response = client.post(edit_url(org), form_data(org, tagline_fr="Forgé"), HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert response.status_code == 403
    assert "<h1>This form could not be accepted</h1>" in body
    assert "Nothing was saved" in body
    org.refresh_from_db()
    assert org.tagline_fr == ""


def test_edit_form_lists_themes_by_full_path_and_prefills_values(client_factory, world):
    parent = ThemeFactory(label_en="Smart city")
    ThemeFactory(label_en="Mobility", parent=parent)
    world.be_org.aliases = ["WS", "Wallonia Startup"]
    world.be_org.save()
    body = client_factory(world.users["representative"]).get(
        edit_url(world.be_org), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = body.content.decode()
    assert ">Smart city › Mobility</option>" in html
    assert "WS\nWallonia Startup</textarea>" in html
    assert '<label for="id_siren">' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_refusal_page_says_why(client_factory, world):
    response = client_factory(world.users["representative"]).get(
        edit_url(world.fr_org), HTTP_ACCEPT_LANGUAGE="en"
    )
    body = response.content.decode()
    assert response.status_code == 403
    assert "You may only edit the organisations you represent or curate." in body
