"""Partnership agreements: the parties' staff record the agreement between their ecosystems or nodes,
its terms, action plan and steering meetings; everyone sees a public one in force, with what each party
brought and got counted from the platform, side by side."""

import datetime

import pytest
from django.utils import timezone

from jumelage.core.audit import AuditLog
from jumelage.events.models import Registration
from jumelage.opportunities.models import Introduction, PipelineStep
from jumelage.partnerships import queries, services
from jumelage.partnerships.models import Action, Partnership
from jumelage.relay import services as relay_services
from tests.factories import EventFactory, build_event
from tests.opportunities.helpers import make_opportunity


@pytest.fixture
def agreement(world):
    return services.create_partnership(
        actor=world.users["ecosystem_staff"],
        data={
            "title": "Digital Wallonia × French Tech Brussels",
            "status": "active",
            "signed_on": datetime.date(2017, 6, 16),
            "terms_fr": "Trois formes : événements communs, partenariats, présence internationale.",
            "terms_en": "Three forms: joint events, partnerships, international presence.",
        },
        brands=[world.wallonia, world.ftbxl],
    )


def test_staff_record_a_partnership_between_their_brand_and_another(world, client_factory):
    client = client_factory(world.users["node_staff"])
    page = client.get("/partnerships/new/").content.decode()
    assert "Parties" in page and "French Tech Brussels" in page
    response = client.post(
        "/partnerships/new/",
        {
            "title": "FT Brussels × AWEX",
            "status": "draft",
            "parties": [f"node:{world.ftbxl.pk}"],
            "public": "on",
        },
    )
    assert response.status_code == 400
    assert "Choose at least two parties: the ecosystems or nodes that agree." in response.content.decode()
    response = client.post(
        "/partnerships/new/",
        {
            "title": "FT Brussels × AWEX",
            "status": "draft",
            "parties": [f"node:{world.ftbxl.pk}", f"node:{world.awex.pk}"],
            "signed_on": "2026-05-01",
            "ends_on": "2026-01-01",
        },
    )
    assert response.status_code == 400
    assert "The end date must come after the date it was agreed." in response.content.decode()
    assert not Partnership.objects.exists()
    response = client.post(
        "/partnerships/new/",
        {
            "title": "FT Brussels × AWEX",
            "status": "draft",
            "parties": [f"node:{world.ftbxl.pk}", f"node:{world.awex.pk}"],
        },
        follow=True,
    )
    partnership = Partnership.objects.get()
    assert response.redirect_chain[-1][0] == f"/partnerships/{partnership.slug}/"
    assert [p.brand for p in partnership.parties.all()] == [world.ftbxl, world.awex]
    assert AuditLog.objects.filter(action="partnership.create", actor=world.users["node_staff"]).exists()
    # a draft is for the parties' staff only
    assert client_factory().get(f"/partnerships/{partnership.slug}/").status_code == 404
    assert (
        client_factory(world.users["ecosystem_staff"]).get(f"/partnerships/{partnership.slug}/").status_code
        == 200
    )


def test_a_staff_member_cannot_record_a_partnership_of_others(world, client_factory):
    client = client_factory(world.users["node_staff"])  # French Tech Brussels only
    response = client.post(
        "/partnerships/new/",
        {
            "title": "Not mine",
            "status": "active",
            "parties": [f"ecosystem:{world.wallonia.pk}", f"node:{world.awex.pk}"],
        },
    )
    assert response.status_code == 403
    assert (
        "You may only record a partnership of an ecosystem or node you are staff of."
        in response.content.decode()
    )
    assert not Partnership.objects.exists()


def test_the_public_page_shows_the_brands_the_terms_in_the_readers_language_and_the_plan(
    agreement, world, client_factory
):
    visitor = client_factory()
    page = visitor.get(f"/partnerships/{agreement.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.index("Digital Wallonia") < page.index("French Tech Brussels")  # the agreed order
    assert "Agreed on 16 June 2017" in page or "Agreed on June 16, 2017" in page
    assert "Three forms: joint events" in page and "Trois formes" not in page
    assert "No action in the plan yet." in page and "No steering meeting recorded yet." in page
    assert "Add an action" not in page  # only the parties' staff
    listed = visitor.get("/partnerships/").content.decode()
    assert "Digital Wallonia × French Tech Brussels" in listed


def test_the_parties_keep_the_action_plan_and_steering_meetings(agreement, world, client_factory):
    staff = client_factory(world.users["node_staff"])
    url = f"/partnerships/{agreement.slug}/"
    missing = staff.post(url + "actions/", {"status": "planned"})
    assert missing.status_code == 400
    assert "The action was not added: correct the fields below." in missing.content.decode()
    ftbxl = agreement.parties.get(node=world.ftbxl)
    added = staff.post(
        url + "actions/",
        {
            "title": "Relay to the French Tech hubs",
            "owner": ftbxl.pk,
            "due_on": "2026-12-31",
            "status": "planned",
        },
    )
    assert added.status_code == 302 and added["Location"].endswith("#actions")
    action = Action.objects.get()
    assert (action.owner, action.due_on) == (ftbxl, datetime.date(2026, 12, 31))
    staff.post(url + f"actions/{action.pk}/status/", {"status": "done"})
    action.refresh_from_db()
    assert action.status == "done"
    assert staff.post(url + f"actions/{action.pk}/status/", {"status": "finished"}).status_code == 400

    recorded = staff.post(
        url + "meetings/", {"held_on": "2026-09-15", "place": "Namur", "decisions": "A joint smart-city day."}
    )
    assert recorded.status_code == 302
    page = client_factory().get(url).content.decode()
    assert "Relay to the French Tech hubs" in page and "Done" in page
    assert "A joint smart-city day." in page and "Namur" in page
    # a member may read but not change
    member = client_factory(world.users["member"])
    assert member.post(url + "meetings/", {"held_on": "2026-09-16"}).status_code == 403


def test_indicators_count_what_each_party_brought_and_got(agreement, world):
    event = build_event(world)  # Digital Wallonia leads, French Tech Brussels co-organises
    lead, co = event.partners.get(role="lead"), event.partners.get(role="co_organiser")
    for n, via in enumerate([lead, lead, co]):
        Registration.objects.create(
            event=event, name=f"Guest {n}", email=f"guest{n}@example.org", status="confirmed", via_partner=via
        )
    offer = make_opportunity(world, title="Offre")
    [relay] = relay_services.relay_item(actor=None, from_node=world.ftbxl, item=offer, to_nodes=[world.awex])
    relay_services.decide_relay(actor=None, relay=relay, share=True)
    introduction = Introduction.objects.create(
        first_organisation=world.be_org, second_organisation=world.fr_org
    )
    PipelineStep.objects.create(
        introduction=introduction,
        stage="introduced",
        happened_on=timezone.localdate(),
        ecosystem=world.wallonia,
    )

    parties = queries.parties_of(agreement)
    rows = {row.label: row.values for row in queries.indicators(agreement, parties)}
    assert rows["Joint events"] == [1, 1]
    assert rows["Joint events it led"] == [1, 0]
    assert rows["Confirmed registrations it brought to joint events"] == [2, 1]
    assert rows["Items it relayed to the other parties' nodes"] == [0, 1]  # FTBXL → AWEX (a DW node)
    assert rows["Of which shared with their community"] == [0, 1]
    assert rows["Partnerships in the pipeline credited to it"] == [1, 0]
    # Wallonie Startup; Paris Deeptech (French Tech Brussels' unpublished member is not counted)
    assert rows["Published member organisations"] == [1, 1]


def test_the_parties_pages_list_their_partnerships(agreement, world, client_factory):
    draft = services.create_partnership(
        actor=None, data={"title": "Secret Draft", "status": "draft"}, brands=[world.wallonia, world.ftbxl]
    )
    visitor = client_factory()
    for path in (f"/ecosystems/{world.wallonia.slug}/", f"/nodes/{world.ftbxl.slug}/"):
        page = visitor.get(path).content.decode()
        assert f'href="/partnerships/{agreement.slug}/"' in page and "Secret Draft" not in page
    assert (
        f'href="/partnerships/{agreement.slug}/"'
        not in visitor.get(f"/nodes/{world.awex.slug}/").content.decode()
    )
    staff = client_factory(world.users["node_staff"]).get(f"/nodes/{world.ftbxl.slug}/").content.decode()
    assert f'href="/partnerships/{draft.slug}/"' in staff


def test_the_api_gives_the_agreement_with_its_plan_and_indicators(agreement, world, client_factory):
    services.add_action(
        actor=None,
        partnership=agreement,
        data={"title": "Relay", "owner": agreement.parties.get(node=world.ftbxl), "status": "in_progress"},
    )
    listed = client_factory().get("/api/v1/partnerships").json()
    assert [p["slug"] for p in listed["items"]] == [agreement.slug]
    assert listed["items"][0]["parties"] == [
        {"kind": "ecosystem", "slug": "digital-wallonia", "name": "Digital Wallonia"},
        {"kind": "node", "slug": "french-tech-brussels", "name": "French Tech Brussels"},
    ]
    detail = client_factory().get(f"/api/v1/partnerships/{agreement.slug}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert detail["signed_on"] == "2017-06-16" and detail["terms_en"].startswith("Three forms")
    assert detail["actions"] == [
        {
            "title": "Relay",
            "details": "",
            "carried_by": "french-tech-brussels",
            "due_on": None,
            "status": "in_progress",
            "event": None,
        }
    ]
    assert {"label": "Joint events", "values": [0, 0]} in detail["indicators"]
    assert client_factory().get("/api/v1/partnerships/no-such").status_code == 404


def test_an_action_can_only_name_a_public_event(agreement, world, client_factory):
    public = build_event(world)
    members_only = EventFactory(slug="members-day", title="Members Day", visibility="members")
    staff = client_factory(world.users["node_staff"])
    page = staff.get(f"/partnerships/{agreement.slug}/").content.decode()
    assert public.title in page and members_only.title not in page
    response = staff.post(
        f"/partnerships/{agreement.slug}/actions/",
        {"title": "Day", "status": "planned", "event": members_only.pk},
    )
    assert response.status_code == 400 and not agreement.actions.exists()
