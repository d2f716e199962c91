"""Role × route rows of the report area: the partners' report and its exports, pitch outcomes, the
thank-you e-mails, the attendee's feedback form, and the events admin.

world.event (Smart City Day, in 30 days) is led by Digital Wallonia (ecosystem_staff) with French Tech
Brussels (node_staff) as co-organiser; world.report_past is the same partnership's event that ended
yesterday. Registrations hold a token: the feedback form needs no account."""

from tests.core.route_matrix import LOGIN, REDIRECT, Row, admin_model_rows, every, roles

REPORT = "events/<slug:slug>/report/"
EXPORT = "events/<slug:slug>/report/export.<str:fmt>"
ATTENDEES = "events/<slug:slug>/report/attendees.<str:fmt>"
OUTCOME = "events/<slug:slug>/report/pitches/<int:pk>/outcome/"
THANKS = "events/<slug:slug>/report/thanks/"
FEEDBACK = "events/<slug:slug>/feedback/<str:token>/"

STAFF_ONLY = roles(
    visitor=LOGIN, member=403, representative=403, node_staff=200, ecosystem_staff=200, admin=200
)


def _staff(answer):
    return roles(
        visitor=LOGIN, member=403, representative=403, node_staff=answer, ecosystem_staff=answer, admin=answer
    )


ROWS: list[Row] = [
    Row(REPORT, "/events/{w.event.slug}/report/", STAFF_ONLY, shows="Smart City Day"),
    Row(REPORT, "/events/{w.report_past.slug}/report/", STAFF_ONLY, shows="Report Partners Evening"),
    Row(REPORT, "/events/no-such-event/report/", every(404)),
    Row(EXPORT, "/events/{w.event.slug}/report/export.csv", STAFF_ONLY, shows="Smart City Day"),
    Row(EXPORT, "/events/{w.event.slug}/report/export.xlsx", STAFF_ONLY),
    Row(EXPORT, "/events/{w.event.slug}/report/export.pdf", _staff(404)),
    # The attendee list: partner staff only, and nothing beyond what the registrants gave.
    Row(ATTENDEES, "/events/{w.report_past.slug}/report/attendees.csv", STAFF_ONLY, shows="Aline Report"),
    Row(ATTENDEES, "/events/{w.report_past.slug}/report/attendees.xlsx", STAFF_ONLY),
    Row(ATTENDEES, "/events/{w.report_past.slug}/report/attendees.pdf", _staff(404)),
    Row(OUTCOME, "/events/{w.event.slug}/report/pitches/{w.report_pitch.pk}/outcome/", every(405)),
    Row(
        OUTCOME,
        "/events/{w.event.slug}/report/pitches/{w.report_pitch.pk}/outcome/",
        _staff(REDIRECT),
        method="POST",
        data={"outcome": "Two pilots signed"},
    ),
    Row(
        OUTCOME,
        "/events/{w.event.slug}/report/pitches/999999/outcome/",
        _staff(404),
        method="POST",
        data={"outcome": "Nothing"},
    ),
    Row(THANKS, "/events/{w.event.slug}/report/thanks/", every(405)),
    # Not over yet: refused with the reason.
    Row(THANKS, "/events/{w.event.slug}/report/thanks/", _staff(409), method="POST"),
    Row(THANKS, "/events/{w.report_past.slug}/report/thanks/", _staff(REDIRECT), method="POST"),
    # The feedback form: the registration's token is the key.
    Row(
        FEEDBACK,
        "/events/{w.event.slug}/feedback/{w.report_registration.token}/",
        every(200),
        shows="Smart City Day",
    ),
    Row(FEEDBACK, "/events/{w.event.slug}/feedback/not-a-token/", every(404)),
    Row(FEEDBACK, "/events/{w.report_past.slug}/feedback/{w.event_registration_token}/", every(404)),
    Row(
        FEEDBACK,
        "/events/{w.report_past.slug}/feedback/{w.report_past_registration.token}/",
        every(400),
        method="POST",
        data={"rating": "9"},
        note="a rating out of 1–5: the form comes back with the error, nothing written",
    ),
    Row(
        FEEDBACK,
        "/events/{w.report_past.slug}/feedback/{w.report_past_registration.token}/",
        every(200),
        method="POST",
        data={"rating": "4", "comment": "Useful"},
        shows="Report Partners Evening",
    ),
    Row(
        FEEDBACK,
        "/events/{w.report_past.slug}/feedback/{w.report_past_registration.token}/",
        every(409),
        method="POST",
        data={"rating": "5"},
        note="feedback is given once",
    ),
    # --- admin (core.admin.RulesModelAdmin: the events' rules) ---
    *admin_model_rows("events/event", obj="{w.event.pk}"),
    *admin_model_rows("events/session", obj="{w.report_session.pk}"),
    *admin_model_rows("events/proposal", obj="{w.report_proposal.pk}"),
    *admin_model_rows("events/invitation", obj="{w.report_invitation.pk}"),
    *admin_model_rows("events/call", obj="{w.report_call.pk}"),
    *admin_model_rows("events/submission", obj="{w.report_pitch.pk}"),
    *admin_model_rows("events/registration", obj="{w.report_registration.pk}", add=403),
    *admin_model_rows("events/feedback", obj="{w.report_feedback.pk}", add=403),
]


def extend(world):
    from datetime import timedelta

    from django.db.models import F
    from django.utils import timezone

    from jumelage.events.models import (
        Call,
        Event,
        EventPartner,
        Feedback,
        Invitation,
        Proposal,
        Registration,
        Session,
        Submission,
    )
    from tests.factories import OrganisationFactory

    event = world.event
    lead = event.partners.get(role="lead")
    world.report_session = Session.objects.create(
        event=event,
        title="Report opening",
        starts_at=event.starts_at,
        ends_at=event.starts_at + timedelta(hours=1),
    )
    world.report_proposal = Proposal.objects.create(
        event=event, kind="theme", title="Report theme", proposed_for=lead
    )
    invited = OrganisationFactory(name="Report Invitee", slug="report-invitee")
    world.report_invitation = Invitation.objects.create(event=event, organisation=invited)
    world.report_call = Call.objects.create(
        event=event,
        kind=Call.Kind.PITCH,
        title="Report pitches",
        opens_at=timezone.now() - timedelta(days=10),
        closes_at=timezone.now() + timedelta(days=10),
    )
    world.report_pitch = Submission.objects.create(
        call=world.report_call,
        organisation=world.be_org,
        title="Report sensors",
        abstract="Urban sensors",
        speaker_name="Report Speaker",
        speaker_email="speaker@example.org",
    )
    world.report_registration = Registration.objects.create(
        event=event, name="Report Registrant", email="report-registrant@example.org", status="confirmed"
    )
    world.event_registration_token = world.report_registration.token
    # Seats are counted beside the registrations (as the registration service does).
    Event.objects.filter(pk=event.pk).update(confirmed_count=F("confirmed_count") + 1)
    event.refresh_from_db(fields=["confirmed_count"])

    now = timezone.now()
    past = Event.objects.create(
        slug="report-partners-evening",
        title="Report Partners Evening",
        kind="networking",
        status="published",
        starts_at=now - timedelta(days=1, hours=3),
        ends_at=now - timedelta(days=1),
        city="Namur",
        country="BE",
        capacity=30,
    )
    EventPartner.objects.create(event=past, ecosystem=world.wallonia, role="lead", position=0)
    ftbxl = EventPartner.objects.create(event=past, node=world.ftbxl, role="co_organiser", position=1)
    world.report_past = past
    world.report_past_registration = Registration.objects.create(
        event=past,
        name="Aline Report",
        email="report-aline@example.org",
        status="confirmed",
        via_partner=ftbxl,
        checked_in_at=past.starts_at + timedelta(minutes=5),
    )
    given = Registration.objects.create(
        event=past, name="Bruno Report", email="report-bruno@example.org", status="confirmed"
    )
    world.report_feedback = Feedback.objects.create(registration=given, rating=5, comment="Great")
    Event.objects.filter(pk=past.pk).update(confirmed_count=2)
    return world
