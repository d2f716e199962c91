"""Role × route rows of calls for proposals (pages and API).

world.call is an open pitch call of Smart City Day; node_staff (French Tech Brussels, a co-organiser)
is its juror; `member` applied (world.submission, with a PDF deck). Organisers are the staff of both
co-organisers and platform admins. Rows run in order within a role's walk: the applicant's withdrawal
comes last.
"""

from tests.core.route_matrix import LOGIN, REDIRECT, Row, every, roles

C = "/events/{w.event.slug}/calls/"
CALL = C + "{w.call.pk}/"
SUB = CALL + "submissions/{w.submission.pk}/"
P = "events/<slug:slug>/calls/<int:pk>/"
ORGANISERS = roles(
    visitor=LOGIN, member=403, representative=403, node_staff=200, ecosystem_staff=200, admin=200
)
ORGANISERS_400 = roles(
    visitor=LOGIN, member=403, representative=403, node_staff=400, ecosystem_staff=400, admin=400
)
API = "/api/v1/events/{w.event.slug}/calls"

ROWS: list[Row] = [
    Row("events/<slug:slug>/calls/", C, every(200), shows="Matrix pitch call"),
    Row("events/<slug:slug>/calls/new/", C + "new/", ORGANISERS),
    Row("events/<slug:slug>/calls/new/", C + "new/", ORGANISERS_400, method="POST", note="an empty call"),
    Row(P, CALL, every(200), shows="Matrix pitch call"),
    Row(
        P,
        CALL,
        {**every(400), "visitor": LOGIN},
        method="POST",
        note="an empty application: refused with the reasons, nothing saved",
    ),
    Row(P + "manage/", CALL + "manage/", ORGANISERS, shows="Matrix Pitch Co"),
    Row(P + "jurors/", CALL + "jurors/", ORGANISERS_400, method="POST", note="no juror named"),
    Row(
        P + "review/",
        CALL + "review/",
        roles(visitor=LOGIN, member=403, representative=403, node_staff=200, ecosystem_staff=403, admin=403),
        shows="Matrix Pitch Co",
        note="jurors only",
    ),
    Row(
        P + "submissions/<int:sid>/",
        SUB,
        roles(visitor=LOGIN, member=200, representative=404, node_staff=200, ecosystem_staff=200, admin=200),
        shows="Matrix Pitch Co",
        hides="Matrix Pitch Co",
        note="organisers, jurors without a conflict and the applicant",
    ),
    Row(
        P + "submissions/<int:sid>/",
        SUB,
        roles(visitor=LOGIN, member=403, representative=404, node_staff=400, ecosystem_staff=403, admin=403),
        method="POST",
        note="scoring: only the juror, and an empty score sheet is refused",
    ),
    Row(
        P + "submissions/<int:sid>/decide/",
        SUB + "decide/",
        ORGANISERS_400,
        method="POST",
        note="no decision",
    ),
    Row(
        P + "submissions/<int:sid>/place/",
        SUB + "place/",
        ORGANISERS_400,
        method="POST",
        data={"session": "999999"},
        note="no such session",
    ),
    Row(
        P + "submissions/<int:sid>/deck/",
        SUB + "deck/",
        roles(visitor=LOGIN, member=200, representative=404, node_staff=200, ecosystem_staff=200, admin=200),
    ),
    Row(
        "events/selection/<str:token>/",
        "/events/selection/{w.submission_token}/",
        every(200),
        shows="Matrix Pitch Co",
    ),
    Row(
        "events/selection/<str:token>/",
        "/events/selection/{w.submission_token}/",
        every(400),
        method="POST",
        note="no answer given",
    ),
    Row("events/selection/<str:token>/", "/events/selection/forged/", every(404)),
    # --- API ---
    Row("api/v1/events/<slug>/calls", API, every(200), shows="Matrix pitch call"),
    Row(
        "api/v1/events/<slug>/calls/<call_id>/submissions",
        API + "/{w.call.pk}/submissions",
        roles(visitor=401, member=403, representative=403, node_staff=200, ecosystem_staff=200, admin=200),
        shows="Matrix Pitch Co",
    ),
    Row(
        "api/v1/events/<slug>/calls/<call_id>/submissions",
        API + "/{w.call.pk}/submissions",
        {**every(422), "visitor": 401},
        method="POST",
        data={"abstract": "x", "startup_name": "Another Pitch Co", "stage": "seed", "asks": "clients"},
        note="no deck attached: refused, nothing saved",
    ),
    Row(
        "api/v1/events/<slug>/calls/<call_id>/submissions/<submission_id>/scores",
        API + "/{w.call.pk}/submissions/{w.submission.pk}/scores",
        roles(visitor=401, member=403, representative=403, node_staff=422, ecosystem_staff=403, admin=403),
        method="POST",
        json=True,
        data={"scores": {}},
        note="only the juror; an empty score sheet is refused",
    ),
    # Last: the applicant withdraws.
    Row(
        P + "submissions/<int:sid>/withdraw/",
        SUB + "withdraw/",
        roles(
            visitor=LOGIN, member=REDIRECT, representative=404, node_staff=404, ecosystem_staff=404, admin=404
        ),
        method="POST",
    ),
]


def extend(world):
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from jumelage.events.services import calls

    now = timezone.now()
    world.call = calls.open_call(
        actor=world.users["ecosystem_staff"],
        event=world.event,
        kind="pitch",
        title="Matrix pitch call",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=10),
        criteria=[("Innovation", 2), ("Team", 1)],
    )
    calls.invite_juror(actor=world.users["ecosystem_staff"], call=world.call, identifier="ftbxl-staff")
    world.submission = calls.submit(
        actor=world.users["member"],
        call=world.call,
        abstract="Matrix pitch",
        startup_name="Matrix Pitch Co",
        stage="seed",
        asks=["clients"],
        deck=SimpleUploadedFile("deck.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    )
    world.submission_token = calls.answer_token(world.submission)
    return world
