"""Node pages, node editing and the label-change service."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from jumelage.core.models import AuditLog
from jumelage.directory.models import Membership
from jumelage.ecosystems.models import LabelChange, NetworkNode
from jumelage.ecosystems.services import record_label_change, update_node
from tests.factories import NodeFactory, OrganisationFactory, ThemeFactory


def test_label_change_service_changes_the_kind_and_keeps_history(world):
    node = NodeFactory(
        ecosystem=world.frenchtech, kind="community", name="French Tech Liège", slug="ft-liege"
    )
    staff = world.users["admin"]

    change = record_label_change(
        actor=staff,
        node=node,
        to_kind="hub",
        decided_on=datetime.date(2025, 3, 31),
        decided_by="Mission French Tech",
        evidence="Labelling call 2025, results letter",
    )

    node.refresh_from_db()
    assert node.kind == "hub"
    assert (change.from_kind, change.to_kind, change.decided_by) == (
        "community",
        "hub",
        "Mission French Tech",
    )
    assert list(node.label_history.values_list("from_kind", "to_kind")) == [("community", "hub")]
    entry = AuditLog.objects.get(action="node.label_change")
    assert entry.actor == staff and entry.object_id == str(node.pk)
    assert entry.data == {
        "from_kind": "community",
        "to_kind": "hub",
        "decided_on": "2025-03-31",
        "decided_by": "Mission French Tech",
    }


@pytest.mark.parametrize(
    ("to_kind", "decided_by", "decided_on", "field"),
    [
        ("hub", "Mission French Tech", datetime.date(2025, 1, 1), "to_kind"),  # already a hub
        ("galaxy", "Mission French Tech", datetime.date(2025, 1, 1), "to_kind"),
        ("community", "   ", datetime.date(2025, 1, 1), "decided_by"),
        (
            "community",
            "Mission French Tech",
            datetime.date.today() + datetime.timedelta(days=30),
            "decided_on",
        ),
    ],
)
def test_label_change_service_refuses_bad_input_and_writes_nothing(
    world, to_kind, decided_by, decided_on, field
):
    node = world.ftbxl  # a hub
    with pytest.raises(ValidationError) as caught:
        record_label_change(
            actor=None, node=node, to_kind=to_kind, decided_on=decided_on, decided_by=decided_by
        )
    assert field in caught.value.message_dict
    node.refresh_from_db()
    assert node.kind == "hub"
    assert not LabelChange.objects.exists()
    assert not AuditLog.objects.filter(action="node.label_change").exists()


def test_update_node_refuses_a_parent_cycle(world):
    child = NodeFactory(ecosystem=world.frenchtech, parent=world.ftbxl, name="FT Antwerp", slug="ft-antwerp")
    with pytest.raises(ValidationError) as caught:
        update_node(actor=None, node=world.ftbxl, data={"parent": child})
    assert "parent" in caught.value.message_dict
    world.ftbxl.refresh_from_db()
    assert world.ftbxl.parent is None


def test_node_page_shows_members_published_only_for_visitors(client, client_factory, world):
    body = client.get("/nodes/french-tech-brussels/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Paris Deeptech" in body and "Unpublished Org" not in body
    assert "1 member organisation" in body
    assert "/nodes/french-tech-brussels/edit/" not in body

    staff = client_factory(world.users["node_staff"])
    body = staff.get("/nodes/french-tech-brussels/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Paris Deeptech" in body and "Unpublished Org" in body
    assert "/nodes/french-tech-brussels/edit/" in body


def test_node_members_are_paginated(client, world):
    for n in range(23):
        org = OrganisationFactory(name=f"Member {n:02d}", slug=f"member-{n:02d}")
        Membership.objects.create(organisation=org, ecosystem=world.wallonia, node=world.awex)
    first = client.get("/nodes/awex/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "24 member organisations" in first
    assert "Page 1 of 2" in first and "Member 00" in first and "Wallonie Startup" not in first
    second = client.get("/nodes/awex/?page=2", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Wallonie Startup" in second and "Member 00" not in second
    assert client.get("/nodes/awex/?page=banana").status_code == 200


def test_node_page_shows_kind_parent_children_themes_and_label_history(client, world):
    theme = ThemeFactory(label_en="Fintech")
    world.ftbxl.themes.set([theme])
    world.ftbxl.city = "Brussels"
    world.ftbxl.save()
    NodeFactory(ecosystem=world.frenchtech, parent=world.ftbxl, name="FT Antwerp", slug="ft-antwerp")
    LabelChange.objects.create(
        node=world.ftbxl,
        from_kind="community",
        to_kind="hub",
        decided_on=datetime.date(2019, 6, 1),
        decided_by="Mission French Tech",
    )
    body = client.get("/nodes/french-tech-brussels/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "International hub" in body and "Brussels" in body and "<li>Fintech</li>" in body
    assert ">FT Antwerp</a>" in body
    row = re.sub(r">\s+<", "><", body)
    assert (
        "<td>2019-06-01</td><td>Community</td><td>International hub</td><td>Mission French Tech</td>" in row
    )


def test_edit_link_and_edit_page_only_for_the_nodes_staff(client_factory, world):
    expected = {
        "visitor": 403,
        "member": 403,
        "representative": 403,
        "ecosystem_staff": 403,  # Digital Wallonia: not their node
        "node_staff": 200,
        "admin": 200,
    }
    for role, status in expected.items():
        response = client_factory(world.users[role]).get("/nodes/french-tech-brussels/edit/")
        assert response.status_code == status, role


def test_node_staff_edit_their_node(client_factory, world):
    client = client_factory(world.users["node_staff"])
    theme = ThemeFactory(label_en="Fintech")
    response = client.post(
        "/nodes/french-tech-brussels/edit/",
        {
            "name": "French Tech Brussels",
            "short_name": "FTBXL",
            "city": "Bruxelles",
            "region": "Brussels-Capital",
            "country": "be",
            "website": "lafrenchtech.brussels",
            "themes": [str(theme.pk)],
        },
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert "The node French Tech Brussels was saved." in response.content.decode()
    node = NetworkNode.objects.get(slug="french-tech-brussels")
    assert (node.city, node.country, node.website) == ("Bruxelles", "BE", "https://lafrenchtech.brussels")
    assert list(node.themes.all()) == [theme]
    entry = AuditLog.objects.get(action="node.update")
    assert entry.actor == world.users["node_staff"] and "city" in entry.data["fields"]


def test_label_change_through_the_page(client_factory, world):
    client = client_factory(world.users["node_staff"])
    response = client.post(
        "/nodes/french-tech-brussels/label/",
        {
            "to_kind": "capital",
            "decided_on": "2025-02-01",
            "decided_by": "Mission French Tech",
            "evidence": "Letter",
        },
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert "is now: labelled city / capital" in response.content.decode()
    world.ftbxl.refresh_from_db()
    assert world.ftbxl.kind == "capital"
    assert LabelChange.objects.get().from_kind == "hub"

    # Missing decider: a clear message, nothing written.
    response = client.post(
        "/nodes/french-tech-brussels/label/",
        {"to_kind": "community", "decided_on": "2025-03-01", "decided_by": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "The label change was not recorded." in response.content.decode()
    assert LabelChange.objects.count() == 1

    # Staff of another ecosystem: refused.
    other = client_factory(world.users["ecosystem_staff"])
    response = other.post(
        "/nodes/french-tech-brussels/label/",
        {"to_kind": "community", "decided_on": "2025-03-01", "decided_by": "Someone"},
    )
    assert response.status_code == 403
    world.ftbxl.refresh_from_db()
    assert world.ftbxl.kind == "capital"


def test_node_page_query_count_does_not_grow_with_members(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/nodes/awex/").status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for n in range(2):
        org = OrganisationFactory(name=f"Extra {n}", slug=f"extra-{n}")
        Membership.objects.create(organisation=org, ecosystem=world.wallonia, node=world.awex)
    assert count() == one


def test_overview_query_count_does_not_grow_with_members(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/ecosystems/").status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for n in range(3):
        org = OrganisationFactory(name=f"Extra {n}", slug=f"extra-{n}", kind="investor", region=f"Region {n}")
        org.themes.set([ThemeFactory()])
        Membership.objects.create(organisation=org, ecosystem=world.frenchtech, node=world.ftbxl)
    assert count() == one


def test_update_node_names_the_fields_it_may_not_set_and_writes_nothing(world):
    name = world.ftbxl.name
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        update_node(actor=None, node=world.ftbxl, data={"name": "Renamed", "kind": "community"})
    assert caught.value.messages == ["This field cannot be set here: kind."]
    with translation.override("nl"), pytest.raises(ValidationError) as caught:
        update_node(actor=None, node=world.ftbxl, data={"kind": "community", "ecosystem": None})
    assert caught.value.messages == ["Deze velden kunnen hier niet worden ingesteld: ecosystem, kind."]
    world.ftbxl.refresh_from_db()
    assert (world.ftbxl.name, world.ftbxl.kind) == (name, "hub")
