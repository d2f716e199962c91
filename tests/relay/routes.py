"""Role × route rows (tests/core/route_matrix.py) of the relay app.

In build_world, `node_staff` is staff of French Tech Brussels (La French Tech) and `ecosystem_staff` of
Digital Wallonia, hence of AWEX. `extend` adds world.relay: the public opportunity of Paris Deeptech
(world.opportunity, from tests/opportunities/routes.py) relayed by French Tech Brussels to AWEX.
"""

from tests.core.route_matrix import LOGIN, REDIRECT, Row, every, roles

INBOX = "nodes/<slug:slug>/relays/"
NEW = "nodes/<slug:slug>/relays/new/"
DECIDE = "nodes/<slug:slug>/relays/<int:pk>/decide/"

FTBXL_STAFF = roles(
    visitor=LOGIN, member=403, representative=403, node_staff=200, ecosystem_staff=403, admin=200
)
AWEX_STAFF = roles(
    visitor=LOGIN, member=403, representative=403, node_staff=403, ecosystem_staff=200, admin=200
)

ROWS: list[Row] = [
    Row(INBOX, "/nodes/{w.ftbxl.slug}/relays/", FTBXL_STAFF, shows="Matrix Opportunity"),
    Row(INBOX, "/nodes/{w.awex.slug}/relays/", AWEX_STAFF, shows="Matrix Opportunity"),
    Row(INBOX, "/nodes/no-such-node/relays/", {**every(404), "visitor": LOGIN}),
    Row(
        NEW, "/nodes/{w.ftbxl.slug}/relays/new/?opportunity={w.be_opportunity.pk}", FTBXL_STAFF, shows="AWEX"
    ),
    Row(
        NEW,
        "/nodes/{w.ftbxl.slug}/relays/new/?opportunity={w.be_opportunity.pk}",
        roles(visitor=LOGIN, member=403, representative=403, node_staff=400, ecosystem_staff=403, admin=400),
        method="POST",
        note="no node chosen: the form comes back with its error",
    ),
    Row(
        NEW,
        "/nodes/{w.ftbxl.slug}/relays/new/",
        roles(visitor=LOGIN, member=403, representative=403, node_staff=404, ecosystem_staff=403, admin=404),
        note="nothing to relay named",
    ),
    Row(
        NEW,
        "/nodes/{w.awex.slug}/relays/new/?via={w.relay.pk}",
        AWEX_STAFF,
        shows="Matrix Opportunity",
        note="passing on what AWEX received",
    ),
    Row(
        DECIDE,
        "/nodes/{w.awex.slug}/relays/{w.relay.pk}/decide/",
        roles(
            visitor=LOGIN,
            member=403,
            representative=403,
            node_staff=403,
            ecosystem_staff=REDIRECT,
            admin=REDIRECT,
        ),
        method="POST",
        data={"decision": "share"},
    ),
    Row(
        DECIDE,
        "/nodes/{w.ftbxl.slug}/relays/{w.relay.pk}/decide/",
        roles(visitor=LOGIN, member=403, representative=403, node_staff=404, ecosystem_staff=403, admin=404),
        method="POST",
        data={"decision": "share"},
        note="a relay decides only at the node that received it",
    ),
    Row(DECIDE, "/nodes/{w.awex.slug}/relays/{w.relay.pk}/decide/", every(405)),
    Row(
        "relays/new/",
        "/relays/new/?from={w.ftbxl.slug}&opportunity={w.be_opportunity.pk}",
        every(REDIRECT),
        note="the item page's form names the node in the query",
    ),
    Row("relays/new/", "/relays/new/?opportunity={w.be_opportunity.pk}", every(404)),
    # --- API ----------------------------------------------------------------------------------------
    Row(
        "api/v1/nodes/<slug>/relays",
        "/api/v1/nodes/{w.ftbxl.slug}/relays?box=sent",
        roles(visitor=401, member=403, representative=403, node_staff=200, ecosystem_staff=403, admin=200),
        shows="awex",
    ),
    Row(
        "api/v1/nodes/<slug>/relays",
        "/api/v1/nodes/{w.awex.slug}/relays",
        roles(visitor=401, member=403, representative=403, node_staff=403, ecosystem_staff=200, admin=200),
        shows="french-tech-brussels",
    ),
    Row("api/v1/nodes/<slug>/relays", "/api/v1/nodes/no-such-node/relays", {**every(404), "visitor": 401}),
    Row("api/v1/nodes/<slug>/shared", "/api/v1/nodes/{w.awex.slug}/shared", every(200)),
    Row(
        "api/v1/relays",
        "/api/v1/relays",
        roles(visitor=401, member=403, representative=403, node_staff=404, ecosystem_staff=403, admin=404),
        method="POST",
        json=True,
        data={"from_node": "french-tech-brussels", "event": "no-such-event", "to_nodes": ["awex"]},
    ),
    Row(
        "api/v1/relays",
        "/api/v1/relays",
        roles(visitor=401, member=403, representative=403, node_staff=422, ecosystem_staff=403, admin=422),
        method="POST",
        json=True,
        data={"from_node": "french-tech-brussels", "to_nodes": ["awex"]},
        note="nothing named to relay",
    ),
    Row(
        "api/v1/relays/<pk>/decision",
        "/api/v1/relays/{w.relay.pk}/decision",
        roles(visitor=401, member=404, representative=404, node_staff=404, ecosystem_staff=200, admin=200),
        method="POST",
        json=True,
        data={"share": True},
    ),
]


def extend(world):
    from jumelage.relay import services

    world.relay = services.relay_item(
        actor=world.users["node_staff"], from_node=world.ftbxl, item=world.opportunity, to_nodes=[world.awex]
    )[0]
    return world
