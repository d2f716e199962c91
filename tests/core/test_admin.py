"""The Django admin: entered by is_staff users only, scoped by the same rules as the pages."""

import re

from jumelage.core.models import AuditLog
from jumelage.directory.models import Organisation
from jumelage.ecosystems.models import LabelChange


def staff_client(client_factory, user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return client_factory(user)


def listed(html: str) -> set[str]:
    """Names linked from an admin change list."""
    return set(re.findall(r'<th class="field-name"><a href="[^"]+">([^<]+)</a>', html))


def test_admin_entry_needs_is_staff(client_factory, world):
    response = client_factory(world.users["node_staff"]).get("/admin/")  # no is_staff
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    response = client_factory().get("/admin/directory/organisation/")
    assert response.status_code == 302


def test_node_staff_sees_only_their_nodes_organisations(client_factory, world):
    client = staff_client(client_factory, world.users["node_staff"])  # French Tech Brussels
    html = client.get("/admin/directory/organisation/").content.decode()
    assert listed(html) == {"Paris Deeptech", "Unpublished Org"}

    # The organisation of another ecosystem is out of reach, even by its address.
    response = client.get(f"/admin/directory/organisation/{world.be_org.pk}/change/", follow=True)
    assert response.redirect_chain[-1][0] == "/admin/"
    assert 'name="name" value="Wallonie Startup"' not in response.content.decode()


def test_node_staff_admin_index_shows_directory_but_not_accounts(client_factory, world):
    client = staff_client(client_factory, world.users["node_staff"])
    html = client.get("/admin/").content.decode()
    assert "/admin/directory/organisation/" in html
    assert "/admin/ecosystems/networknode/" in html
    assert "/admin/core/user/" not in html and "/admin/core/auditlog/" not in html
    assert client.get("/admin/core/user/").status_code == 403


def test_node_staff_sees_only_their_node_and_its_label_history(client_factory, world):
    LabelChange.objects.create(
        node=world.awex, to_kind="export_agency", decided_on="2020-01-01", decided_by="Walloon government"
    )
    client = staff_client(client_factory, world.users["node_staff"])
    html = client.get("/admin/ecosystems/networknode/").content.decode()
    assert listed(html) == {"French Tech Brussels"}
    html = client.get("/admin/ecosystems/labelchange/").content.decode()
    assert "AWEX" not in html
    assert client.get("/admin/ecosystems/ecosystem/").status_code == 403  # not ecosystem staff


def test_ecosystem_staff_sees_their_ecosystems_organisations(client_factory, world):
    client = staff_client(client_factory, world.users["ecosystem_staff"])  # Digital Wallonia
    html = client.get("/admin/directory/organisation/").content.decode()
    assert listed(html) == {"Wallonie Startup"}
    html = client.get("/admin/ecosystems/ecosystem/").content.decode()
    assert "Digital Wallonia" in html and "La French Tech" not in html


def test_platform_admin_sees_everything(client_factory, world):
    client = client_factory(world.users["admin"])
    html = client.get("/admin/directory/organisation/").content.decode()
    assert listed(html) == {"Wallonie Startup", "Paris Deeptech", "Unpublished Org"}
    assert client.get("/admin/core/user/").status_code == 200
    assert client.get("/admin/core/auditlog/").status_code == 200


def _change_form(org: Organisation, **changes) -> dict:
    data = {
        "kind": org.kind,
        "name": org.name,
        "slug": org.slug,
        "aliases": "[]",
        "tagline_fr": org.tagline_fr,
        "country": org.country,
        "city": org.city,
        "published": "on" if org.published else "",
        "extra": "{}",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "affiliations-TOTAL_FORMS": "0",
        "affiliations-INITIAL_FORMS": "0",
        "representatives-TOTAL_FORMS": "0",
        "representatives-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_node_staff_change_through_admin_goes_through_services(client_factory, world):
    client = staff_client(client_factory, world.users["node_staff"])
    org = world.fr_org
    membership = org.memberships.get()
    data = _change_form(
        org,
        tagline_fr="Deeptech à Paris",
        enterprise_number="0123456749",
        **{
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": str(membership.pk),
            "memberships-0-organisation": str(org.pk),
            "memberships-0-ecosystem": str(world.frenchtech.pk),
            "memberships-0-node": str(world.ftbxl.pk),
        },
    )
    response = client.post(f"/admin/directory/organisation/{org.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    org.refresh_from_db()
    assert org.tagline_fr == "Deeptech à Paris"
    assert org.enterprise_number == "0123.456.749"  # normalised by the service
    entry = AuditLog.objects.get(action="organisation.update")
    assert entry.actor == world.users["node_staff"]
    assert set(entry.data["fields"]) == {"tagline_fr", "enterprise_number"}

    # Posting to an organisation outside their scope changes nothing.
    before = world.be_org.updated_at
    client.post(
        f"/admin/directory/organisation/{world.be_org.pk}/change/", _change_form(world.be_org, tagline_fr="x")
    )
    world.be_org.refresh_from_db()
    assert world.be_org.tagline_fr == "" and world.be_org.updated_at == before


def test_import_jobs_in_admin_are_scoped_to_their_owner(client_factory, world):
    from jumelage.directory.models import ImportJob

    ImportJob.objects.create(owner=world.users["node_staff"], kind="organisations", original_name="mine.csv")
    ImportJob.objects.create(
        owner=world.users["ecosystem_staff"], kind="organisations", original_name="theirs.csv"
    )
    client = staff_client(client_factory, world.users["node_staff"])
    html = client.get("/admin/directory/importjob/").content.decode()
    assert "mine.csv" in html and "theirs.csv" not in html
    html = client_factory(world.users["admin"]).get("/admin/directory/importjob/").content.decode()
    assert "mine.csv" in html and "theirs.csv" in html


def test_node_staff_add_an_organisation_in_admin_with_a_membership_of_their_node(client_factory, world):
    client = staff_client(client_factory, world.users["node_staff"])
    base = {
        "kind": "startup",
        "name": "Brussels Newco",
        "slug": "brussels-newco",
        "aliases": "[]",
        "country": "BE",
        "published": "on",
        "memberships-INITIAL_FORMS": "0",
        "affiliations-TOTAL_FORMS": "0",
        "affiliations-INITIAL_FORMS": "0",
    }
    # Without a membership the organisation would vanish from their lists: refused, nothing written.
    response = client.post(
        "/admin/directory/organisation/add/",
        {**base, "memberships-TOTAL_FORMS": "0"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "Give at least one membership of your ecosystem or node" in response.content.decode()
    assert not Organisation.objects.filter(slug="brussels-newco").exists()

    # A node of another ecosystem is not even offered.
    response = client.post(
        "/admin/directory/organisation/add/",
        {
            **base,
            "memberships-TOTAL_FORMS": "1",
            "memberships-0-ecosystem": str(world.wallonia.pk),
            "memberships-0-node": str(world.awex.pk),
        },
    )
    assert response.status_code == 200
    assert not Organisation.objects.filter(slug="brussels-newco").exists()

    response = client.post(
        "/admin/directory/organisation/add/",
        {
            **base,
            "memberships-TOTAL_FORMS": "1",
            "memberships-0-ecosystem": str(world.frenchtech.pk),
            "memberships-0-node": str(world.ftbxl.pk),
        },
    )
    assert response.status_code == 302
    org = Organisation.objects.get(slug="brussels-newco")
    assert list(org.memberships.values_list("node__slug", flat=True)) == ["french-tech-brussels"]
    assert AuditLog.objects.get(action="organisation.create").actor == world.users["node_staff"]
    assert "Brussels Newco" in client.get("/admin/directory/organisation/").content.decode()
