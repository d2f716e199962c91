"""The co-programming board page and the proposals API: what partner staff see and do."""

import json

import pytest

from jumelage.events.models import Invitation, Proposal
from jumelage.events.services import programme
from tests.factories import ThemeFactory, build_event

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def client_factory(client_factory):
    """These tests read English: every client of this module asks for it (pages and API)."""

    def make(user=None):
        client = client_factory(user)
        client.defaults.update(EN)
        return client

    return make


@pytest.fixture
def event(world):
    return build_event(world)


@pytest.fixture
def theme(db):
    return ThemeFactory(code="smart-city", label_en="Smart city", label_fr="Ville intelligente")


@pytest.fixture
def dw_client(world, client_factory):
    return client_factory(world.users["ecosystem_staff"])


@pytest.fixture
def ftbxl_client(world, client_factory):
    return client_factory(world.users["node_staff"])


BOARD = "/events/smart-city-day/programme/"


def test_the_board_lists_proposals_with_each_co_organisers_decision(event, world, theme, dw_client):
    programme.create_proposal(actor=world.users["ecosystem_staff"], event=event, kind="theme", theme=theme)
    page = dw_client.get(BOARD, **EN).content.decode()
    assert "Co-programming board: Smart City Day" in page
    assert "Smart city" in page
    assert "Proposed by dw-staff for Digital Wallonia" in page
    assert "Awaiting decision" in page  # French Tech Brussels
    assert "1 proposal awaits approval." in page
    assert "Publish the programme" not in page


def test_staff_propose_through_the_form(event, world, theme, dw_client):
    dw = event.partners.get(ecosystem=world.wallonia)
    response = dw_client.post(
        BOARD,
        {"kind": "theme", "partner": dw.pk, "theme": theme.pk, "title": "", "details": "Mobility"},
        **EN,
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert (proposal.title, proposal.details, proposal.proposed_for) == ("Smart city", "Mobility", dw)
    page = dw_client.get(BOARD, **EN).content.decode()
    assert "Your proposal “Smart city” was added to the board." in page


def test_a_bad_proposal_comes_back_with_its_errors_and_nothing_saved(event, world, dw_client):
    dw = event.partners.get(ecosystem=world.wallonia)
    response = dw_client.post(
        BOARD, {"kind": "mobilise", "partner": dw.pk, "audience_query": "theme=nowhere"}, **EN
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The proposal was not saved: correct the fields below." in page
    assert "Unknown theme: “nowhere”." in page
    response = dw_client.post(BOARD, {"kind": "showcase", "partner": dw.pk, "organisation": "no-such"}, **EN)
    assert "No organisation “no-such” in the directory." in response.content.decode()
    assert not Proposal.objects.exists()


def test_the_preview_button_shows_who_the_filters_name_without_saving(event, world, dw_client):
    dw = event.partners.get(ecosystem=world.wallonia)
    response = dw_client.post(
        BOARD, {"kind": "mobilise", "partner": dw.pk, "audience_query": "country=BE", "preview": "1"}, **EN
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 organisation in the directory matches." in page  # Wallonie Startup (published, BE)
    assert "Wallonie Startup" in page
    assert not Proposal.objects.exists()


def test_co_organisers_agree_and_publish_through_the_board(event, world, theme, dw_client, ftbxl_client):
    proposal = programme.create_proposal(
        actor=world.users["ecosystem_staff"], event=event, kind="theme", theme=theme
    )
    refused = dw_client.post(f"{BOARD}publish/", **EN)
    assert refused.status_code == 409
    assert "1 proposal(s) still await approval" in refused.content.decode()

    no_comment = ftbxl_client.post(f"{BOARD}{proposal.pk}/decide/", {"decision": "reject"}, **EN)
    assert no_comment.status_code == 400
    assert "Say why you reject this proposal" in no_comment.content.decode()

    ftbxl_client.post(f"{BOARD}{proposal.pk}/decide/", {"decision": "approve", "comment": "Good"}, **EN)
    proposal.refresh_from_db()
    assert proposal.status == "agreed"
    page = ftbxl_client.get(BOARD, **EN).content.decode()
    assert "You approved “Smart city”; it is now agreed." in page
    assert "Publish the programme" in page

    published = ftbxl_client.post(f"{BOARD}publish/", follow=True, **EN).content.decode()
    assert "The programme is published on the event&#x27;s page." in published
    event.refresh_from_db()
    assert event.programme_published_at is not None


def test_member_and_visitors_do_not_see_the_board(event, client, client_factory, world):
    assert client_factory(world.users["member"]).get(BOARD).status_code == 403
    assert client.get(BOARD).status_code == 302  # to the login page


def test_the_board_shows_invitation_counts(event, world, dw_client, ftbxl_client):
    proposal = programme.create_proposal(
        actor=world.users["ecosystem_staff"], event=event, kind="mobilise", audience_query="country=BE"
    )
    programme.decide_proposal(actor=world.users["node_staff"], proposal=proposal, approved=True)
    world.users["representative"].email = "rep@wallonie.example"
    world.users["representative"].save()
    response = ftbxl_client.post(f"{BOARD}{proposal.pk}/invite/", follow=True, **EN)
    page = response.content.decode()
    assert "1 invitation(s) created and sent; 0 organisation(s) already invited; 0 without" in page
    invitation = Invitation.objects.get()
    assert invitation.organisation == world.be_org and invitation.email == "rep@wallonie.example"
    assert "Not sent yet" in page  # the counts list (the mail goes after the commit)


# --- API -------------------------------------------------------------------------------------------------

API = "/api/v1/events/smart-city-day/proposals"


def test_api_lists_creates_and_decides_proposals(event, world, theme, dw_client, ftbxl_client):
    created = dw_client.post(
        API, json.dumps({"kind": "theme", "theme": "smart-city"}), content_type="application/json"
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["kind"], body["status"], body["proposed_for"]) == ("theme", "pending", "Digital Wallonia")
    assert body["decisions"][0]["partner"] == "Digital Wallonia"

    listing = ftbxl_client.get(API).json()
    assert listing["count"] == 1 and listing["items"][0]["theme"] == "smart-city"

    decided = ftbxl_client.post(
        f"{API}/{body['id']}/decision", json.dumps({"approved": True}), content_type="application/json"
    )
    assert decided.status_code == 200 and decided.json()["status"] == "agreed"
    again = ftbxl_client.post(
        f"{API}/{body['id']}/decision", json.dumps({"approved": True}), content_type="application/json"
    )
    assert again.status_code == 422
    assert "no longer awaiting approval" in again.json()["errors"][0]["message"]

    published = ftbxl_client.post("/api/v1/events/smart-city-day/programme/publish")
    assert published.status_code == 200 and published.json()["programme_published_at"]


def test_api_refuses_bad_input_and_outsiders(event, world, client_factory, dw_client):
    bad = dw_client.post(
        API, json.dumps({"kind": "mobilise", "audience_query": "colour=red"}), content_type="application/json"
    )
    assert bad.status_code == 422
    assert "Unknown directory filter: colour" in json.dumps(bad.json())
    unknown = dw_client.post(
        API, json.dumps({"kind": "theme", "theme": "nope"}), content_type="application/json"
    )
    assert unknown.status_code == 422
    member = client_factory(world.users["member"])
    assert member.get(API).status_code == 403
    assert member.post(API, json.dumps({"kind": "theme"}), content_type="application/json").status_code == 403
    assert not Proposal.objects.exists()


def _board_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(BOARD, **EN).status_code == 200
    return len(ctx.captured_queries)


def test_the_board_costs_the_same_queries_for_one_or_three_proposals(event, world, dw_client):
    dw, ftbxl = world.users["ecosystem_staff"], world.users["node_staff"]
    first = programme.create_proposal(actor=dw, event=event, kind="theme", theme=ThemeFactory())
    programme.decide_proposal(actor=ftbxl, proposal=first, approved=True, comment="ok")
    one = _board_queries(dw_client)
    programme.create_proposal(actor=ftbxl, event=event, kind="showcase", organisation=world.be_org)
    programme.create_proposal(
        actor=dw, event=event, kind="speaker", speaker_name="Grace Hopper", speaker_email="g@example.org"
    )
    assert _board_queries(dw_client) == one


def test_supporting_partners_read_the_board_but_neither_propose_nor_decide(
    event, world, theme, client_factory
):
    from jumelage.ecosystems.models import EcosystemStaff
    from jumelage.events.models import EventPartner
    from tests.factories import EcosystemFactory, UserFactory

    supporter = EcosystemFactory(name="Supporter Network", slug="supporter")
    EventPartner.objects.create(event=event, ecosystem=supporter, role="supporting", position=2)
    staff = UserFactory(username="supporter-staff")
    EcosystemStaff.objects.create(user=staff, ecosystem=supporter)
    proposal = programme.create_proposal(
        actor=world.users["ecosystem_staff"], event=event, kind="theme", theme=theme
    )
    c = client_factory(staff)
    page = c.get(BOARD, **EN).content.decode()
    assert "Co-programming board: Smart City Day" in page and proposal.title in page
    assert "Approve for" not in page and 'id="propose-heading"' not in page
    # Only the two co-organisers are asked to decide.
    assert page.count("Awaiting decision") == 1
    assert c.post(BOARD, {"kind": "theme", "theme": theme.pk}).status_code == 403
    assert c.post(f"{BOARD}{proposal.pk}/decide/", {"decision": "approve"}).status_code == 403
    assert proposal.approvals.count() == 1


def test_a_forged_partner_on_a_decision_is_refused_not_a_server_error(event, world, theme, ftbxl_client):
    proposal = programme.create_proposal(
        actor=world.users["ecosystem_staff"], event=event, kind="theme", theme=theme
    )
    for forged in ("abc", "999999"):
        response = ftbxl_client.post(
            f"{BOARD}{proposal.pk}/decide/", {"decision": "approve", "partner": forged}, **EN
        )
        assert response.status_code == 400
        assert "Choose one of the event&#x27;s co-organisers." in response.content.decode()
    # Deciding for Digital Wallonia (not their partner) is forbidden.
    dw_partner = event.partners.get(ecosystem=world.wallonia)
    forbidden = ftbxl_client.post(
        f"{BOARD}{proposal.pk}/decide/", {"decision": "approve", "partner": dw_partner.pk}
    )
    assert forbidden.status_code == 403
    assert proposal.approvals.count() == 1
