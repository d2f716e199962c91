"""Rows of the role × route matrix (tests/core/route_matrix.py) for the B2B brokerage pages.

In the world, Smart City Day has a brokerage with requests open; the representative (of Wallonie
Startup) takes part and has one accepted meeting with a second participant; one scheduler run exists.
Organisers are the staff of its lead (Digital Wallonia) and co-organiser (French Tech Brussels)."""

from tests.core.route_matrix import LOGIN, REDIRECT, Row, every, roles

B = "events/<slug:slug>/b2b/"
URL = "/events/smart-city-day/b2b/"

participant_only = roles(
    visitor=LOGIN, member=403, representative=200, node_staff=403, ecosystem_staff=403, admin=403
)
organisers = roles(
    visitor=LOGIN, member=403, representative=403, node_staff=200, ecosystem_staff=200, admin=200
)

ROWS = [
    Row(B, URL, every(200), shows="Smart City Day"),
    Row(
        B + "join/",
        URL + "join/",
        roles(
            visitor=LOGIN, member=200, representative=REDIRECT, node_staff=200, ecosystem_staff=200, admin=200
        ),
    ),
    Row(B + "participation/", URL + "participation/", participant_only, shows='name="offers"'),
    Row(
        B + "participation/leave/",
        URL + "participation/leave/",
        participant_only,
        shows=URL + 'participation/"',
    ),
    Row(B + "ask/<int:pk>/", URL + "ask/{w.b2b_other.pk}/", every(405), note="POST only"),
    Row(B + "requests/", URL + "requests/", participant_only),
    Row(B + "requests/<int:pk>/<str:action>/", URL + "requests/{w.b2b_request.pk}/accept/", every(405)),
    Row(B + "agenda/", URL + "agenda/", participant_only, shows=URL + "requests/"),
    Row(B + "agenda.<str:fmt>", URL + "agenda.ics", participant_only),
    Row(B + "meetings/<int:pk>/confirm/", URL + "meetings/{w.b2b_meeting.pk}/confirm/", every(405)),
    Row(B + "setup/", URL + "setup/", organisers, shows='name="tables"'),
    Row(B + "schedule/", URL + "schedule/", organisers, shows='name="time_limit"'),
    Row(B + "schedule/<int:pk>/", URL + "schedule/{w.b2b_run.pk}/", organisers),
    Row(B + "tables/", URL + "tables/", organisers, shows=URL + "dashboard/"),
    Row(B + "meetings/", URL + "meetings/", organisers, shows='name="slot"'),
    Row(B + "dashboard/", URL + "dashboard/", organisers, shows=URL + "export.xlsx"),
    Row(B + "export.<str:fmt>", URL + "export.csv", organisers),
]


def extend(world):
    from jumelage.brokerage import services
    from jumelage.brokerage.models import ScheduleRun
    from jumelage.events.models import Registration
    from tests.factories import UserFactory

    event = world.event
    start = event.starts_at
    brokerage = services.configure(
        event=event,
        actor=world.users["ecosystem_staff"],
        sessions=[services.SessionSpec("Morning", start, start.replace(hour=start.hour + 1))],
        tables=["T1", "T2"],
    )
    services.open_requests(brokerage=brokerage, actor=world.users["ecosystem_staff"])
    rep, other = world.users["representative"], UserFactory(username="b2b-other")
    for user, name in ((rep, "Rep"), (other, "Other")):
        Registration.objects.create(
            event=event, user=user, name=name, email=f"{name}@example.org", status="confirmed"
        )
    me = services.join(brokerage=brokerage, user=rep, organisation=world.be_org)
    world.b2b_other = services.join(brokerage=brokerage, user=other)
    world.b2b_request = services.send_request(requester=world.b2b_other, recipient=me)
    world.b2b_meeting = services.organiser_meeting(
        brokerage=brokerage, a=me, b=world.b2b_other, actor=world.users["ecosystem_staff"]
    )
    world.b2b_run = ScheduleRun.objects.create(brokerage=brokerage, status="ready")
    return world


A = "api/v1/events/<slug>/b2b/"
API = "/api/v1/events/smart-city-day/b2b/"
api_participant = roles(
    visitor=401, member=403, representative=200, node_staff=403, ecosystem_staff=403, admin=403
)
api_organisers = roles(
    visitor=401, member=403, representative=403, node_staff=200, ecosystem_staff=200, admin=200
)

ROWS += [
    Row(
        A + "participants",
        API + "participants",
        roles(visitor=401, member=403, representative=200, node_staff=200, ecosystem_staff=200, admin=200),
        shows="Other",
    ),
    Row(A + "requests", API + "requests", api_participant),
    Row(
        A + "requests",
        API + "requests",
        {**api_participant, "representative": 404},
        method="POST",
        json=True,
        data={"recipient": 0},
        note="no participant 0",
    ),
    Row(
        A + "requests/<request_id>/answer",
        API + "requests/{w.b2b_request.pk}/answer",
        {**api_participant, "representative": 422},
        method="POST",
        json=True,
        data={"accept": True},
        note="withdrawn when the organisers arranged the meeting: a 422 naming why",
    ),
    Row(
        A + "requests/<request_id>/withdraw",
        API + "requests/{w.b2b_request.pk}/withdraw",
        {**api_participant, "representative": 422},
        method="POST",
        json=True,
        note="already withdrawn (the organisers arranged the meeting): a 422 naming why",
    ),
    Row(A + "agenda", API + "agenda", api_participant),
    Row(A + "runs/<run_id>", API + "runs/{w.b2b_run.pk}", api_organisers, shows="ready"),
    Row(
        A + "runs",
        API + "runs",
        {**api_organisers, "node_staff": 202, "ecosystem_staff": 202, "admin": 202},
        method="POST",
        json=True,
        data={"time_limit": 1},
        shows='"status":"queued"',
    ),
    Row(
        A + "runs/<run_id>/publish",
        API + "runs/{w.b2b_run.pk}/publish",
        {**api_organisers, "node_staff": 422, "ecosystem_staff": 422, "admin": 422},
        method="POST",
        json=True,
        note="the run queued by the row above is newer: publishing the older draft is refused",
    ),
]
