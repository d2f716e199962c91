"""The relay API: another hub's own system, with a token scoped to its node, pulls what it received,
decides, and relays onwards; errors name what is wrong and write nothing."""

import json

from django.test import Client

from jumelage.core.api_auth import create_api_token
from jumelage.relay import services
from jumelage.relay.models import Relay


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def post(client, path, body, **headers):
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def test_a_node_token_pulls_its_relays_decides_and_passes_on(net, smtp):
    services.relay_item(
        actor=net.users["node_staff"],
        from_node=net.ftbxl,
        item=net.opportunity,
        to_nodes=[net.paris],
        message="Voir",
    )
    token, _row = create_api_token(user=net.paris_staff, name="hub system", node=net.paris)
    client = Client()
    received = client.get(f"/api/v1/nodes/{net.paris.slug}/relays", **bearer(token)).json()
    assert received["count"] == 1
    [row] = received["items"]
    assert (row["opportunity"], row["from_node"], row["status"], row["message"]) == (
        net.opportunity.pk,
        "french-tech-brussels",
        "pending",
        "Voir",
    )
    # the token is for French Tech Paris only
    assert client.get(f"/api/v1/nodes/{net.ftbxl.slug}/relays", **bearer(token)).status_code == 403

    decided = post(client, f"/api/v1/relays/{row['id']}/decision", {"share": True}, **bearer(token))
    assert decided.status_code == 200 and decided.json()["status"] == "shared"
    shared = Client().get(f"/api/v1/nodes/{net.paris.slug}/shared").json()
    assert [r["opportunity"] for r in shared["items"]] == [net.opportunity.pk]

    onward = post(
        client,
        "/api/v1/relays",
        {"from_node": net.paris.slug, "via": row["id"], "to_nodes": ["awex"]},
        **bearer(token),
    )
    assert onward.status_code == 201
    [out] = onward.json()
    assert (out["from_node"], out["to_node"], out["came_from"]) == (
        "french-tech-paris",
        "awex",
        "french-tech-brussels",
    )


def test_relaying_by_api_names_what_is_wrong_and_writes_nothing(net):
    client = Client()
    client.force_login(net.users["node_staff"])
    base = {"from_node": net.ftbxl.slug, "opportunity": net.opportunity.pk}
    unknown = post(client, "/api/v1/relays", {**base, "to_nodes": ["awex", "nowhere"]})
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == [{"field": "to_nodes", "message": "unknown node(s): nowhere"}]
    both = post(client, "/api/v1/relays", {**base, "event": "x", "to_nodes": ["awex"]})
    assert both.status_code == 422 and "exactly one of opportunity, event or via" in both.text
    assert not Relay.objects.exists()
    assert post(client, "/api/v1/relays", {**base, "to_nodes": ["awex"]}).status_code == 201
    again = post(client, "/api/v1/relays", {**base, "to_nodes": ["awex"]})
    assert again.status_code == 422 and "Already received or relayed by: AWEX." in again.text
    assert Relay.objects.count() == 1
