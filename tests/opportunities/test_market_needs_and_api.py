"""The market-needs register (recording, aggregate chart) and the opportunities API."""

import json
from datetime import date

from jumelage.core.models import AuditLog
from jumelage.opportunities.models import Interest, Introduction, MarketNeed, Opportunity
from tests.opportunities.helpers import in_days, make_opportunity


def test_staff_record_a_need_and_see_it_aggregated_by_theme_and_market(world, client_factory, themes):
    client = client_factory(world.users["ecosystem_staff"])
    response = client.post(
        "/market-needs/new/",
        {
            "theme": themes["energy"].pk,
            "market": "FR",
            "sector": "Industrie",
            "organisation": "Paris Deeptech",
            "evidence": "Trois industriels lyonnais cherchent des jumeaux numériques de leurs réseaux.",
            "observed_on": "2026-03-10",
        },
        follow=True,
    )
    need = MarketNeed.objects.get()
    assert (need.theme, need.market, need.organisation, need.recorded_by) == (
        themes["energy"],
        "FR",
        world.fr_org,
        world.users["ecosystem_staff"],
    )
    assert "The market need was recorded." in response.content.decode()
    assert AuditLog.objects.filter(action="market_need.record").exists()
    MarketNeed.objects.create(
        theme=themes["energy"], market="BE", expressed_by="AWEX", evidence="x", observed_on=date(2025, 5, 1)
    )
    MarketNeed.objects.create(
        theme=themes["health"], market="BE", expressed_by="AWEX", evidence="y", observed_on=date(2026, 1, 2)
    )
    page = client.get("/market-needs/").content.decode()
    assert 'aria-labelledby="chart-needs-theme-title chart-needs-theme-desc"' in page
    assert "<title>French market — Energy: 1</title>" in page
    assert "<title>Belgian market — Energy: 1</title>" in page
    assert (
        "<title>Belgian market — 2025: 1</title>" in page and "<title>French market — 2026: 1</title>" in page
    )
    # The same figures as a table, and per quarter on demand; one market only on demand.
    assert '<th scope="row">Energy</th><td>1</td><td>1</td>' in page
    assert "2026 Q1" in client.get("/market-needs/?by=quarter").content.decode()
    only_be = client.get("/market-needs/?market=BE").content.decode()
    assert "Trois industriels lyonnais" not in only_be
    assert client.get("/market-needs/?market=DE").status_code == 400


def test_a_need_says_who_expressed_it(world, client_factory, themes):
    client = client_factory(world.users["representative"])
    response = client.post(
        "/market-needs/new/",
        {
            "theme": themes["energy"].pk,
            "market": "BE",
            "evidence": "Vu au salon.",
            "observed_on": "2026-01-05",
        },
    )
    assert response.status_code == 400
    assert "Say who expressed the need" in response.content.decode()
    response = client.post(
        "/market-needs/new/",
        {
            "theme": themes["energy"].pk,
            "market": "BE",
            "organisation": "Nobody Known",
            "evidence": "Vu au salon.",
            "observed_on": "2026-01-05",
        },
    )
    assert (
        response.status_code == 400
        and "No organisation you may act for is called" in response.content.decode()
    )
    response = client.post(
        "/market-needs/new/",
        {
            "theme": themes["energy"].pk,
            "market": "BE",
            "expressed_by": "Une PME de Charleroi",
            "evidence": "Vu au salon.",
            "observed_on": in_days(5).isoformat(),
        },
    )
    assert response.status_code == 400 and "cannot be observed in the future" in response.content.decode()
    assert not MarketNeed.objects.exists()


def test_register_is_for_staff_and_members(world, client_factory):
    assert client_factory(world.users["member"]).get("/market-needs/").status_code == 403
    anonymous = client_factory().get("/market-needs/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert (
        "No market need recorded yet."
        in client_factory(world.users["node_staff"]).get("/market-needs/").content.decode()
    )


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_api_create_list_interest_decide_and_step(world, client_factory, themes, committed):
    rep = client_factory(world.users["representative"])
    created = _post(
        rep,
        "/api/v1/opportunities",
        {
            "organisation": "wallonie-startup",
            "kind": "market_entry",
            "title": "Atterrir à Lille",
            "summary": "Nous cherchons un premier client dans les Hauts-de-France.",
            "description_fr": "Une jeune pousse namuroise veut s’installer à Lille.",
            "deadline": in_days(45).isoformat(),
            "themes": ["smart-city"],
            "target_ecosystems": ["la-french-tech"],
            "target_countries": ["fr"],
            "publish": True,
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (
        body["status"] == "published"
        and body["themes"] == ["smart-city"]
        and body["target_countries"] == ["FR"]
    )
    # Someone else's organisation: refused.
    refused = _post(
        rep,
        "/api/v1/opportunities",
        {
            "organisation": "paris-deeptech",
            "kind": "business_offer",
            "title": "x",
            "summary": "y",
            "deadline": in_days(5).isoformat(),
        },
    )
    assert refused.status_code == 403
    listed = client_factory().get("/api/v1/opportunities?kind=market_entry").json()
    assert [item["title"] for item in listed["items"]] == ["Atterrir à Lille"]
    assert client_factory().get("/api/v1/opportunities?kind=nonsense").status_code == 422

    from jumelage.directory.models import Representative
    from tests.factories import UserFactory

    fr_user = UserFactory(username="fr-api")
    Representative.objects.create(user=fr_user, organisation=world.fr_org)
    fr = client_factory(fr_user)
    pk = body["id"]
    interest = _post(
        fr, f"/api/v1/opportunities/{pk}/interests", {"organisation": "paris-deeptech", "message": "Bonjour"}
    )
    assert interest.status_code == 201 and interest.json()["status"] == "pending"
    again = _post(
        fr, f"/api/v1/opportunities/{pk}/interests", {"organisation": "paris-deeptech", "message": "Encore"}
    )
    assert again.status_code == 422
    assert "already expressed interest" in again.json()["errors"][0]["message"]
    own = _post(
        rep, f"/api/v1/opportunities/{pk}/interests", {"organisation": "wallonie-startup", "message": "moi"}
    )
    assert own.status_code == 422 and "your own organisation" in own.json()["errors"][0]["message"]
    assert Interest.objects.count() == 1

    with committed():
        decided = _post(rep, f"/api/v1/interests/{interest.json()['id']}/decision", {"accept": True})
    assert decided.status_code == 200 and decided.json()["status"] == "accepted"
    introduction = Introduction.objects.get()
    step = _post(
        fr,
        f"/api/v1/introductions/{introduction.pk}/steps",
        {"stage": "met", "happened_on": in_days(0).isoformat(), "node": "french-tech-brussels"},
    )
    assert step.status_code == 201
    assert [s["stage"] for s in step.json()["steps"]] == ["introduced", "met"]
    assert step.json()["steps"][1]["ecosystem"] == "la-french-tech"
    listed = fr.get("/api/v1/introductions").json()
    assert listed["count"] == 1 and listed["items"][0]["stage"] == "met"
    assert client_factory(world.users["member"]).get("/api/v1/introductions").json()["count"] == 0


def test_api_patch_and_visibility(world, client_factory):
    opportunity = make_opportunity(world, visibility="staff")
    assert client_factory().get(f"/api/v1/opportunities/{opportunity.pk}").status_code == 404
    staff = client_factory(world.users["node_staff"])
    changed = staff.patch(
        f"/api/v1/opportunities/{opportunity.pk}",
        json.dumps({"visibility": "public", "deadline": in_days(10).isoformat()}),
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["visibility"] == "public"
    assert Opportunity.objects.get().deadline == in_days(10)
    past = staff.patch(
        f"/api/v1/opportunities/{opportunity.pk}",
        json.dumps({"deadline": in_days(-1).isoformat()}),
        content_type="application/json",
    )
    assert past.status_code == 422 and past.json()["errors"][0]["field"] == "deadline"
    assert Opportunity.objects.get().deadline == in_days(10)
