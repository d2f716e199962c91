"""Role × route rows (tests/core/route_matrix.py) of the partnerships app.

`extend` adds world.partnership, public and in force between Digital Wallonia (the ecosystem
`ecosystem_staff` works for) and French Tech Brussels (the node `node_staff` works for), with one
action (world.action); and world.draft_partnership, still being negotiated between the same parties.
"""

from tests.core.route_matrix import LOGIN, REDIRECT, Row, every, roles

DETAIL = "partnerships/<slug:slug>/"
PARTIES = roles(visitor=LOGIN, member=403, representative=403, node_staff=200, ecosystem_staff=200, admin=200)
DRAFT = "Draft Matrix Partnership"


def _parties(answer):
    return roles(
        visitor=LOGIN, member=403, representative=403, node_staff=answer, ecosystem_staff=answer, admin=answer
    )


ROWS: list[Row] = [
    Row("partnerships/", "/partnerships/", every(200), shows="Matrix Partnership"),
    Row("partnerships/new/", "/partnerships/new/", PARTIES),
    Row("partnerships/new/", "/partnerships/new/", _parties(400), method="POST", note="an empty form"),
    Row(DETAIL, "/partnerships/{w.partnership.slug}/", every(200), shows="Matrix Partnership"),
    Row(
        DETAIL,
        "/partnerships/{w.draft_partnership.slug}/",
        roles(visitor=404, member=404, representative=404, node_staff=200, ecosystem_staff=200, admin=200),
        shows=DRAFT,
        hides=DRAFT,
    ),
    Row(DETAIL, "/partnerships/no-such-partnership/", every(404)),
    Row(DETAIL + "edit/", "/partnerships/{w.partnership.slug}/edit/", PARTIES, shows="Matrix Partnership"),
    Row(
        DETAIL + "edit/",
        "/partnerships/{w.draft_partnership.slug}/edit/",
        roles(visitor=LOGIN, member=404, representative=404, node_staff=200, ecosystem_staff=200, admin=200),
        hides=DRAFT,
    ),
    Row(DETAIL + "actions/", "/partnerships/{w.partnership.slug}/actions/", every(405)),
    Row(
        DETAIL + "actions/",
        "/partnerships/{w.partnership.slug}/actions/",
        _parties(400),
        method="POST",
        note="an action without a title",
    ),
    Row(
        DETAIL + "actions/<int:pk>/status/",
        "/partnerships/{w.partnership.slug}/actions/{w.action.pk}/status/",
        _parties(REDIRECT),
        method="POST",
        data={"status": "in_progress"},
    ),
    Row(
        DETAIL + "meetings/",
        "/partnerships/{w.partnership.slug}/meetings/",
        _parties(400),
        method="POST",
        note="a meeting without a date",
    ),
    # --- API ----------------------------------------------------------------------------------------
    Row("api/v1/partnerships", "/api/v1/partnerships", every(200), shows="Matrix Partnership"),
    Row(
        "api/v1/partnerships/<slug>",
        "/api/v1/partnerships/{w.partnership.slug}",
        every(200),
        shows="Joint event",
    ),
    Row(
        "api/v1/partnerships/<slug>",
        "/api/v1/partnerships/{w.draft_partnership.slug}",
        roles(visitor=404, member=404, representative=404, node_staff=200, ecosystem_staff=200, admin=200),
        shows=DRAFT,
        hides=DRAFT,
    ),
]


def extend(world):
    from jumelage.partnerships import services

    admin = world.users["admin"]
    world.partnership = services.create_partnership(
        actor=admin,
        data={"title": "Matrix Partnership", "status": "active", "terms_en": "Joint events."},
        brands=[world.wallonia, world.ftbxl],
    )
    world.action = services.add_action(
        actor=admin, partnership=world.partnership, data={"title": "Joint event"}
    )
    world.draft_partnership = services.create_partnership(
        actor=admin, data={"title": DRAFT, "status": "draft"}, brands=[world.wallonia, world.ftbxl]
    )
    return world
