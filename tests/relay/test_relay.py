"""Relays across the network: a node's staff pass an opportunity or an event on to other nodes, whose
staff are told by e-mail and share it with their community (listed on their node's page, with where it
came from) or decline it."""

import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from jumelage.core.audit import AuditLog
from jumelage.relay import services
from jumelage.relay.models import Relay
from tests.factories import EventFactory
from tests.opportunities.helpers import make_opportunity


def offered(page: str) -> set[int]:
    """The nodes the relay form offers (its checkboxes)."""
    return {int(pk) for pk in re.findall(r'name="to_nodes" value="(\d+)"', page)}


def relay_page(client, node, **query):
    return client.get(f"/nodes/{node.slug}/relays/new/", query)


def test_node_staff_relay_an_opportunity_and_the_receiving_staff_hear_of_it(
    net, client_factory, smtp, django_capture_on_commit_callbacks
):
    client = client_factory(net.users["node_staff"])
    page = relay_page(client, net.ftbxl, opportunity=net.opportunity.pk)
    assert page.status_code == 200
    body = page.content.decode()
    assert "AWEX" in body and "French Tech Paris" in body
    assert offered(body) == {net.awex.pk, net.paris.pk}  # every other node, not itself

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/nodes/{net.ftbxl.slug}/relays/new/",
            {
                "opportunity": net.opportunity.pk,
                "to_nodes": [net.awex.pk, net.paris.pk],
                "message": "Pour vos membres IoT.",
            },
            follow=True,
        )
    assert response.redirect_chain[-1][0] == f"/opportunities/{net.opportunity.pk}/"
    assert "Relayed to 2 nodes: AWEX, French Tech Paris." in response.content.decode()
    rows = Relay.objects.order_by("to_node__name")
    assert [(r.from_node, r.to_node, r.status, r.message) for r in rows] == [
        (net.ftbxl, net.awex, "pending", "Pour vos membres IoT."),
        (net.ftbxl, net.paris, "pending", "Pour vos membres IoT."),
    ]
    assert AuditLog.objects.filter(action="relay.send", actor=net.users["node_staff"]).count() == 1
    # AWEX has no staff of its own: the staff of Digital Wallonia hear of it, in English
    [to_dw] = smtp.to("dw@example.org")
    assert to_dw.subject == "French Tech Brussels relays “Capteurs pour bâtiments”"
    assert "the opportunity “Capteurs pour bâtiments” of Paris Deeptech" in to_dw.text()
    assert "Pour vos membres IoT." in to_dw.text()
    assert f"/nodes/{net.awex.slug}/relays/" in to_dw.text()
    [to_paris] = smtp.to("paris@example.org")
    assert to_paris.subject == "French Tech Brussels relaie «\u00a0Capteurs pour bâtiments\u00a0»"


def test_the_relay_form_names_what_is_wrong_and_writes_nothing(net, client_factory):
    client = client_factory(net.users["node_staff"])
    url = f"/nodes/{net.ftbxl.slug}/relays/new/"
    response = client.post(url, {"opportunity": net.opportunity.pk, "message": "x"})
    assert response.status_code == 400
    assert "Choose at least one node to relay to." in response.content.decode()
    response = client.post(
        url, {"opportunity": net.opportunity.pk, "to_nodes": [net.awex.pk], "message": "x" * 1001}
    )
    assert response.status_code == 400
    assert "1000 characters" in response.content.decode()
    assert not Relay.objects.exists()

    services.relay_item(
        actor=net.users["node_staff"], from_node=net.ftbxl, item=net.opportunity, to_nodes=[net.awex]
    )
    page = relay_page(client, net.ftbxl, opportunity=net.opportunity.pk).content.decode()
    assert offered(page) == {net.paris.pk}  # AWEX has it: no longer offered
    # a form opened before AWEX got it, sent after
    response = client.post(url, {"opportunity": net.opportunity.pk, "to_nodes": [net.awex.pk]})
    assert response.status_code == 400
    assert "cannot receive this item any more" in response.content.decode()
    assert Relay.objects.count() == 1


def test_a_node_receives_an_item_once_even_when_two_staff_relay_it_at_once(net):
    services.relay_item(actor=None, from_node=net.ftbxl, item=net.opportunity, to_nodes=[net.awex])
    with pytest.raises(IntegrityError), transaction.atomic():
        Relay.objects.create(opportunity=net.opportunity, from_node=net.paris, to_node=net.awex)
    with pytest.raises(IntegrityError), transaction.atomic():
        Relay.objects.create(opportunity=net.opportunity, from_node=net.awex, to_node=net.awex)


def test_only_what_is_published_and_not_over_can_be_relayed(net, client_factory):
    client = client_factory(net.users["node_staff"])
    net.opportunity.status = "closed"
    net.opportunity.save()
    page = relay_page(client, net.ftbxl, opportunity=net.opportunity.pk)
    assert (
        "Only a published opportunity or a published event that is not over can be relayed."
        in page.content.decode()
    )
    assert '<form method="post"' not in page.content.decode()
    past = EventFactory(
        slug="past-day",
        title="Past Day",
        starts_at=timezone.now() - timedelta(days=3),
        ends_at=timezone.now() - timedelta(days=2),
    )
    page = relay_page(client, net.ftbxl, event=past.slug)
    assert "not over can be relayed" in page.content.decode()
    assert relay_page(client, net.ftbxl).status_code == 404
    assert relay_page(client, net.ftbxl, opportunity="abc").status_code == 404


def test_shared_items_are_listed_on_the_node_page_with_where_they_came_from(net, client_factory):
    [relay] = services.relay_item(
        actor=net.users["node_staff"], from_node=net.ftbxl, item=net.opportunity, to_nodes=[net.awex]
    )
    visitor = client_factory()
    assert "Capteurs pour bâtiments" not in visitor.get(f"/nodes/{net.awex.slug}/").content.decode()

    dw = client_factory(net.users["ecosystem_staff"])
    inbox = dw.get(f"/nodes/{net.awex.slug}/relays/").content.decode()
    assert "1 to decide" in inbox and "Capteurs pour bâtiments" in inbox
    response = dw.post(
        f"/nodes/{net.awex.slug}/relays/{relay.pk}/decide/", {"decision": "share"}, follow=True
    )
    assert "“Capteurs pour bâtiments” is shared with the community of AWEX" in response.content.decode()
    relay.refresh_from_db()
    assert (relay.status, relay.decided_by) == ("shared", net.users["ecosystem_staff"])

    page = visitor.get(f"/nodes/{net.awex.slug}/").content.decode()
    assert "Capteurs pour bâtiments" in page and "relayed by French Tech Brussels" in page
    opportunity_page = visitor.get(f"/opportunities/{net.opportunity.pk}/").content.decode()
    assert (
        "Shared with their community by:" in opportunity_page
        and "AWEX</a>, relayed by French Tech Brussels" in opportunity_page
    )

    # changed their mind: no longer listed, and the reason is kept for the sender to read
    dw.post(
        f"/nodes/{net.awex.slug}/relays/{relay.pk}/decide/", {"decision": "decline", "reason": "Hors sujet"}
    )
    assert "Capteurs pour bâtiments" not in visitor.get(f"/nodes/{net.awex.slug}/").content.decode()
    sent = client_factory(net.users["node_staff"]).get(f"/nodes/{net.ftbxl.slug}/relays/").content.decode()
    assert "Declined · Hors sujet" in sent


def test_a_shared_item_is_shown_only_to_those_its_own_visibility_allows(net, client_factory):
    net.opportunity.visibility = "staff"
    net.opportunity.save()
    [relay] = services.relay_item(actor=None, from_node=net.ftbxl, item=net.opportunity, to_nodes=[net.awex])
    services.decide_relay(actor=None, relay=relay, share=True)
    assert "Capteurs pour bâtiments" not in client_factory().get(f"/nodes/{net.awex.slug}/").content.decode()
    staff_view = client_factory(net.users["node_staff"]).get(f"/nodes/{net.awex.slug}/").content.decode()
    assert "Capteurs pour bâtiments" in staff_view


def test_passing_on_keeps_the_origin(net, client_factory):
    [relay] = services.relay_item(actor=None, from_node=net.ftbxl, item=net.opportunity, to_nodes=[net.awex])
    dw = client_factory(net.users["ecosystem_staff"])
    page = dw.get(f"/nodes/{net.awex.slug}/relays/new/?via={relay.pk}").content.decode()
    assert "Received from French Tech Brussels" in page
    assert offered(page) == {net.paris.pk}  # not back to French Tech Brussels, which has it
    response = dw.post(f"/nodes/{net.awex.slug}/relays/new/", {"via": relay.pk, "to_nodes": [net.paris.pk]})
    assert response.status_code == 302 and response["Location"] == f"/nodes/{net.awex.slug}/relays/"
    onward = Relay.objects.get(to_node=net.paris)
    assert (onward.from_node, onward.via) == (net.awex, relay)
    services.decide_relay(actor=net.paris_staff, relay=onward, share=True)
    page = client_factory().get(f"/nodes/{net.paris.slug}/").content.decode()
    assert "relayed by AWEX, who received it from French Tech Brussels" in page


def test_an_event_is_relayed_by_its_address(net, client_factory):
    event = EventFactory(slug="iot-day", title="IoT Day")
    client = client_factory(net.users["node_staff"])
    start = client.get(f"/relays/new/?from={net.ftbxl.slug}&event={event.slug}")
    assert (
        start.status_code == 302
        and start["Location"] == f"/nodes/{net.ftbxl.slug}/relays/new/?event={event.slug}"
    )
    response = client.post(
        f"/nodes/{net.ftbxl.slug}/relays/new/", {"event": event.slug, "to_nodes": [net.paris.pk]}
    )
    assert response["Location"] == f"/events/{event.slug}/"
    assert Relay.objects.get().event == event
    event_page = client.get(f"/events/{event.slug}/").content.decode()
    assert "Relay to other nodes on behalf of French Tech Brussels" in event_page


def test_only_the_nodes_staff_read_its_relays(net, client_factory):
    member = client_factory(net.users["member"]).get(f"/nodes/{net.ftbxl.slug}/relays/")
    assert member.status_code == 403
    assert "Only the staff of French Tech Brussels or of its ecosystem" in member.content.decode()
    anonymous = client_factory().get(f"/nodes/{net.ftbxl.slug}/relays/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    empty = client_factory(net.users["node_staff"]).get(f"/nodes/{net.ftbxl.slug}/relays/").content.decode()
    assert "Nothing has been relayed to this node yet." in empty
    assert "This node has not relayed anything yet" in empty


def test_a_staff_members_data_export_holds_their_relays(net, client_factory):
    from jumelage.core.privacy import export_account

    [relay] = services.relay_item(
        actor=net.users["node_staff"],
        from_node=net.ftbxl,
        item=net.opportunity,
        to_nodes=[net.awex],
        message="Voir",
    )
    services.decide_relay(actor=net.users["ecosystem_staff"], relay=relay, share=False, reason="Non")
    sent = export_account(net.users["node_staff"])["relays_sent"]
    assert [(r["item"], r["to"], r["message"]) for r in sent] == [("Capteurs pour bâtiments", "AWEX", "Voir")]
    decided = export_account(net.users["ecosystem_staff"])["relays_decided"]
    assert [(r["node"], r["decision"], r["reason"]) for r in decided] == [("AWEX", "declined", "Non")]


def test_the_node_page_pages_what_it_shared_and_keeps_the_members_page(net, client_factory):
    for n in range(11):
        item = make_opportunity(net, title=f"Offre {n:02d}")
        [relay] = services.relay_item(actor=None, from_node=net.ftbxl, item=item, to_nodes=[net.awex])
        services.decide_relay(actor=None, relay=relay, share=True)
    visitor = client_factory()
    first = visitor.get(f"/nodes/{net.awex.slug}/?page=1").content.decode()
    assert first.count("relayed by French Tech Brussels") == 10  # ten per page, newest first
    assert "Offre 10" in first and "Offre 00" not in first
    assert 'href="?page=1&amp;relayed_page=2#relayed" rel="next"' in first
    second = visitor.get(f"/nodes/{net.awex.slug}/?page=1&relayed_page=2").content.decode()
    assert "Offre 00" in second and "Offre 10" not in second
    assert 'href="?page=1&amp;relayed_page=1#relayed" rel="prev"' in second


def test_relay_lists_cost_the_same_queries_for_one_item_or_three(net, client_factory):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def relay_one(n):
        item = make_opportunity(net, title=f"Offre {n}")
        [relay] = services.relay_item(actor=None, from_node=net.ftbxl, item=item, to_nodes=[net.awex])
        [onward] = services.relay_item(
            actor=None, from_node=net.awex, item=item, to_nodes=[net.paris], via=relay
        )
        services.decide_relay(actor=None, relay=relay, share=True)
        services.decide_relay(actor=None, relay=onward, share=True)

    dw = client_factory(net.users["ecosystem_staff"])
    pages = [f"/nodes/{net.awex.slug}/relays/", f"/nodes/{net.awex.slug}/", f"/nodes/{net.paris.slug}/"]

    def counts():
        out = []
        for page in pages:
            with CaptureQueriesContext(connection) as queries:
                assert dw.get(page).status_code == 200
            out.append(len(queries))
        return out

    relay_one(0)
    one = counts()
    relay_one(1)
    relay_one(2)
    assert counts() == one
