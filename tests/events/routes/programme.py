"""Role × route rows of the co-programming board and invitation answers (pages and API).

world.event (Smart City Day) is led by Digital Wallonia (ecosystem_staff) with French Tech Brussels
(node_staff) as co-organiser: both are co-organisers' staff and may propose, decide and publish; the
platform admin reads the board but decides for no partner (403 on writes). Rows run in order within a
role's walk, so those that change the board (withdraw) come last.
"""

from tests.core.route_matrix import LOGIN, REDIRECT, Row, every, roles

EV = "/events/{w.event.slug}/programme/"
STAFF_ONLY = roles(
    visitor=LOGIN, member=403, representative=403, node_staff=200, ecosystem_staff=200, admin=200
)
API = "/api/v1/events/{w.event.slug}/"

ROWS: list[Row] = [
    Row("events/<slug:slug>/programme/", EV, STAFF_ONLY, shows="Matrix theme proposal"),
    Row(
        "events/<slug:slug>/programme/",
        EV,
        roles(visitor=LOGIN, member=403, representative=403, node_staff=400, ecosystem_staff=400, admin=403),
        method="POST",
        note="an empty proposal: the form comes back with its errors; the admin proposes for no partner",
    ),
    Row(
        "events/<slug:slug>/programme/publish/",
        EV + "publish/",
        roles(visitor=LOGIN, member=403, representative=403, node_staff=409, ecosystem_staff=409, admin=403),
        method="POST",
        note="proposals are pending: nothing is published",
    ),
    Row(
        "events/<slug:slug>/programme/<int:pk>/decide/",
        EV + "{w.proposal.pk}/decide/",
        roles(visitor=LOGIN, member=403, representative=403, node_staff=400, ecosystem_staff=400, admin=403),
        method="POST",
        note="no decision given: refused with the reason",
    ),
    Row(
        "events/<slug:slug>/programme/<int:pk>/invite/",
        EV + "{w.mobilise.pk}/invite/",
        roles(
            visitor=LOGIN,
            member=403,
            representative=403,
            node_staff=REDIRECT,
            ecosystem_staff=REDIRECT,
            admin=403,
        ),
        method="POST",
    ),
    Row(
        "events/invitations/<str:token>/",
        "/events/invitations/{w.invitation.token}/",
        every(200),
        shows="Wallonie Startup",
    ),
    Row(
        "events/invitations/<str:token>/",
        "/events/invitations/{w.invitation.token}/",
        every(400),
        method="POST",
        note="no answer given",
    ),
    Row("events/invitations/<str:token>/", "/events/invitations/not-a-token/", every(404)),
    # --- API ---
    Row(
        "api/v1/events/<slug>/proposals",
        API + "proposals",
        roles(visitor=401, member=403, representative=403, node_staff=200, ecosystem_staff=200, admin=200),
        shows="Matrix theme proposal",
    ),
    Row(
        "api/v1/events/<slug>/proposals",
        API + "proposals",
        roles(visitor=401, member=403, representative=403, node_staff=201, ecosystem_staff=201, admin=403),
        method="POST",
        json=True,
        data={"kind": "speaker", "speaker_name": "Matrix Speaker", "speaker_email": "speaker@example.org"},
        shows="Matrix Speaker",
    ),
    Row(
        "api/v1/events/<slug>/proposals/<proposal_id>/decision",
        API + "proposals/{w.api_proposal.pk}/decision",
        roles(visitor=401, member=403, representative=403, node_staff=200, ecosystem_staff=422, admin=403),
        method="POST",
        json=True,
        data={"approved": True},
        note="Digital Wallonia proposed it (its approval); French Tech Brussels' approval agrees it",
    ),
    Row(
        "api/v1/events/<slug>/programme/publish",
        API + "programme/publish",
        roles(visitor=401, member=403, representative=403, node_staff=422, ecosystem_staff=422, admin=403),
        method="POST",
        note="a proposal is pending",
    ),
    # Last: the proposer withdraws (others may not).
    Row(
        "events/<slug:slug>/programme/<int:pk>/withdraw/",
        EV + "{w.proposal.pk}/withdraw/",
        roles(
            visitor=LOGIN, member=403, representative=403, node_staff=403, ecosystem_staff=REDIRECT, admin=403
        ),
        method="POST",
    ),
]


def extend(world):
    from jumelage.events.models import Invitation
    from jumelage.events.services import programme

    dw, ftbxl = world.users["ecosystem_staff"], world.users["node_staff"]
    world.proposal = programme.create_proposal(
        actor=dw, event=world.event, kind="theme", theme=world.theme, title="Matrix theme proposal"
    )
    world.api_proposal = programme.create_proposal(
        actor=dw, event=world.event, kind="showcase", organisation=world.be_org
    )
    world.blocker = programme.create_proposal(
        actor=ftbxl, event=world.event, kind="speaker", speaker_name="Pending", speaker_email="p@example.org"
    )
    world.mobilise = programme.create_proposal(
        actor=dw, event=world.event, kind="mobilise", audience_query="country=BE"
    )
    programme.decide_proposal(actor=ftbxl, proposal=world.mobilise, approved=True)
    world.invitation = Invitation.objects.create(
        event=world.event, proposal=world.mobilise, organisation=world.be_org, email="rep@example.org"
    )
    return world
