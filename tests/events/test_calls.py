"""Calls for talks and pitches: opening a call, applying (deck checks), jury scores with conflicts of
interest excluded, ranking, selection mails, confirmation, placing in a session."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from jumelage.core.models import AuditLog
from jumelage.directory.models import Affiliation, Person, Representative
from jumelage.events.models import Call, Session, Submission
from jumelage.events.services import calls
from tests.factories import OrganisationFactory, UserFactory, build_event

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def event(world):
    return build_event(world)


@pytest.fixture
def organiser(world):
    return world.users["ecosystem_staff"]


def make_call(event, organiser, **fields):
    now = timezone.now()
    values = {
        "kind": "pitch",
        "title": "Smart city pitches",
        "opens_at": now - timedelta(days=1),
        "closes_at": now + timedelta(days=10),
        "criteria": [("Innovation", 2), ("Team", 1)],
    }
    values.update(fields)
    return calls.open_call(actor=organiser, event=event, **values)


@pytest.fixture
def call(event, organiser):
    return make_call(event, organiser)


def pdf(name="deck.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def pptx(name="deck.pptx"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("ppt/presentation.xml", "<presentation/>")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def apply(call, user, **fields):
    values = {
        "abstract": "Sensors for smart parking.",
        "startup_name": "Parko",
        "stage": "seed",
        "asks": ["investment", "clients"],
        "deck": pdf(),
        "video_url": "https://video.example/parko",
    }
    values.update(fields)
    return calls.submit(actor=user, call=call, **values)


# --- Opening a call --------------------------------------------------------------------------------------


def test_organisers_open_a_call_with_weighted_criteria(event, organiser, world):
    call = make_call(event, organiser)
    assert [(c.name, c.weight) for c in call.criteria.all()] == [("Innovation", 2), ("Team", 1)]
    assert AuditLog.objects.filter(action="events.call.open", object_id=str(call.pk)).exists()
    with pytest.raises(PermissionDenied):
        make_call(event, world.users["member"])


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"closes_at": timezone.now() - timedelta(days=2)},
            "closes_at",
            "The call must close after it opens.",
        ),
        (
            {"opens_at": timezone.now() - timedelta(days=5), "closes_at": timezone.now() - timedelta(days=1)},
            "closes_at",
            "The closing date is in the past.",
        ),
        (
            {"closes_at": timezone.now() + timedelta(days=60)},
            "closes_at",
            "The call must close before the event starts.",
        ),
        ({"criteria": []}, "criteria", "Give at least one criterion"),
        ({"criteria": [("Team", 1), ("team", 2)]}, "criteria", "Criterion “team” is named twice."),
        ({"criteria": [("Team", 0)]}, "criteria", "must be between 1 and 100"),
        (
            {"kind": "party"},
            "kind",
            "Choose a call for speakers, a call for startup pitches or a call for companies to join the delegation.",
        ),
    ],
)
def test_bad_call_dates_and_criteria_are_refused(event, organiser, fields, field, message):
    with pytest.raises(ValidationError) as exc:
        make_call(event, organiser, **fields)
    assert message in " ".join(exc.value.message_dict[field])
    assert not Call.objects.exists()


def test_jurors_are_existing_users_named_by_user_name_or_e_mail(call, organiser, world):
    juror = calls.invite_juror(actor=organiser, call=call, identifier="FTBXL-STAFF")
    assert juror.user == world.users["node_staff"]
    by_mail = calls.invite_juror(actor=organiser, call=call, identifier="member@example.org")
    assert by_mail.user == world.users["member"]
    with pytest.raises(ValidationError, match="already on this jury"):
        calls.invite_juror(actor=organiser, call=call, identifier="member")
    with pytest.raises(ValidationError, match="No account has the user name or e-mail “nobody”"):
        calls.invite_juror(actor=organiser, call=call, identifier="nobody")
    assert call.jurors.count() == 2


# --- Applying --------------------------------------------------------------------------------------------


def test_a_startup_applies_with_a_pdf_deck(call, world):
    user = world.users["representative"]
    submission = apply(call, user, organisation=world.be_org, startup_name="")
    assert submission.title == "Wallonie Startup"
    assert (submission.stage, submission.asks, submission.status) == (
        "seed",
        ["investment", "clients"],
        "submitted",
    )
    assert submission.deck.name.endswith("-deck.pdf")
    with submission.deck.open("rb") as stored:
        assert stored.read() == PDF
    assert submission.speaker_email == "rep@example.org"


def test_a_pptx_deck_is_accepted(call, world):
    submission = apply(call, world.users["member"], deck=pptx())
    assert submission.deck.name.endswith(".pptx")


def _nothing_saved(call, tmp_media):
    assert not Submission.objects.filter(call=call).exists()
    decks = list((tmp_media / "events").rglob("*")) if (tmp_media / "events").exists() else []
    assert [p for p in decks if p.is_file()] == []


@pytest.mark.parametrize(
    ("deck", "message"),
    [
        (
            SimpleUploadedFile("deck.pdf", b"GIF89a not a pdf at all", content_type="application/pdf"),
            "must be a PDF or a PowerPoint",
        ),
        (
            SimpleUploadedFile("deck.pptx", b"PK\x03\x04broken zip", content_type="application/zip"),
            "must be a PDF or a PowerPoint",
        ),
        (SimpleUploadedFile("deck.pdf", b"", content_type="application/pdf"), "The deck file is empty."),
    ],
)
def test_a_deck_of_the_wrong_type_is_refused_and_nothing_is_saved(call, world, settings, deck, message):
    with pytest.raises(ValidationError) as exc:
        apply(call, world.users["member"], deck=deck)
    assert message in " ".join(exc.value.message_dict["deck"])
    _nothing_saved(call, settings.MEDIA_ROOT)


def test_a_deck_too_large_is_refused(call, world, settings):
    settings.EVENTS_DECK_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as exc:
        apply(call, world.users["member"], deck=pdf(data=PDF + b"0" * 2000))
    assert "The deck is too large (0.0 MB): 0.000976562 MB at most." in exc.value.message_dict["deck"] or (
        "too large" in exc.value.message_dict["deck"][0]
    )
    _nothing_saved(call, settings.MEDIA_ROOT)


def test_pitch_fields_and_video_link_are_checked(call, world):
    with pytest.raises(ValidationError) as exc:
        apply(
            call,
            world.users["member"],
            startup_name="",
            stage="",
            asks=["money"],
            deck=None,
            video_url="javascript:x",
        )
    errors = exc.value.message_dict
    assert errors["organisation"] == ["Name the startup: one you represent, or its name."]
    assert errors["stage"] == ["Choose the startup's stage."]
    assert "investment, clients and/or partners" in errors["asks"][0]
    assert errors["deck"] == ["Attach the startup's deck (PDF or PowerPoint)."]
    assert "must be a web address" in errors["video_url"][0]
    with pytest.raises(ValidationError, match="only apply for an organisation you represent"):
        apply(call, world.users["member"], organisation=world.be_org)


def test_applying_twice_for_the_same_organisation_is_refused(call, world):
    rep = world.users["representative"]
    apply(call, rep, organisation=world.be_org)
    with pytest.raises(ValidationError, match="Wallonie Startup has already applied to this call"):
        apply(call, rep, organisation=world.be_org, deck=pdf())
    apply(call, world.users["member"], startup_name="Parko")
    with pytest.raises(ValidationError, match="parko has already applied"):
        apply(call, world.users["node_staff"], startup_name="parko", deck=pdf())
    assert call.submissions.count() == 2


def test_applying_after_the_call_closed_is_refused(call, world):
    call.opens_at = timezone.now() - timedelta(days=3)
    call.closes_at = timezone.now() - timedelta(minutes=1)
    call.save()
    with pytest.raises(
        ValidationError, match=r"This call closed on .*: applications are no longer accepted\."
    ):
        apply(call, world.users["member"])
    assert not call.submissions.exists()


# --- Jury, conflicts, ranking ------------------------------------------------------------------------------


@pytest.fixture
def jury(call, organiser, world):
    """Three jurors: node staff, an independent expert, and the representative of Wallonie Startup."""
    expert = UserFactory(username="expert")
    for name in ("ftbxl-staff", "expert", "rep"):
        calls.invite_juror(actor=organiser, call=call, identifier=name)
    return {"node": world.users["node_staff"], "expert": expert, "rep": world.users["representative"]}


def test_a_juror_from_the_applying_organisation_neither_sees_nor_scores_it(call, jury, world):
    wallonie = apply(call, world.users["representative"], organisation=world.be_org)
    parko = apply(call, world.users["member"])
    juror = calls.juror_for(jury["rep"], call)
    ok, excluded = calls.reviewable(juror)
    assert (ok, excluded) == ([parko], [wallonie])
    with pytest.raises(PermissionDenied, match="conflict of interest"):
        calls.score_submission(
            actor=jury["rep"], submission=wallonie, values={c.pk: 5 for c in call.criteria.all()}
        )
    assert not wallonie.scores.exists()


def test_an_affiliated_juror_is_excluded_too(call, jury, world):
    person = Person.objects.create(name="Expert Person", user=jury["expert"])
    Affiliation.objects.create(person=person, organisation=world.fr_org, role="CTO")
    rep = UserFactory(username="paris-rep")
    Representative.objects.create(user=rep, organisation=world.fr_org)
    paris = apply(call, rep, organisation=world.fr_org, startup_name="")
    assert calls.conflicted_user_ids(paris) == {rep.pk, jury["expert"].pk}
    with pytest.raises(PermissionDenied):
        calls.score_submission(actor=jury["expert"], submission=paris, values={})
    [row] = calls.ranking(call)
    assert row.excluded_jurors == [jury["expert"]]


def test_scores_must_be_whole_numbers_from_0_to_5(call, jury, world):
    parko = apply(call, world.users["member"])
    innovation, team = call.criteria.all()
    for bad in (6, -1, "four", ""):
        with pytest.raises(ValidationError) as exc:
            calls.score_submission(
                actor=jury["node"], submission=parko, values={innovation.pk: bad, team.pk: 3}
            )
        assert "from 0 to 5" in " ".join(exc.value.messages)
    assert not parko.scores.exists()
    with pytest.raises(PermissionDenied, match="Only the call's jurors"):
        calls.score_submission(
            actor=world.users["admin"], submission=parko, values={innovation.pk: 3, team.pk: 3}
        )


def test_the_ranking_is_the_weighted_mean_of_the_jurors_scores(call, jury, world):
    wallonie = apply(call, world.users["representative"], organisation=world.be_org)
    parko = apply(call, world.users["member"])
    innovation, team = call.criteria.all()  # weights 2 and 1
    calls.score_submission(actor=jury["node"], submission=parko, values={innovation.pk: 5, team.pk: 2})  # 4.0
    calls.score_submission(
        actor=jury["expert"], submission=parko, values={innovation.pk: 4, team.pk: 4}
    )  # 4.0
    calls.score_submission(
        actor=jury["node"], submission=wallonie, values={innovation.pk: 3, team.pk: 0}
    )  # 2.0
    # Scoring again replaces the juror's earlier scores.
    calls.score_submission(
        actor=jury["node"], submission=wallonie, values={innovation.pk: 3, team.pk: 3}
    )  # 3.0
    rows = calls.ranking(call)
    assert [(r.rank, r.submission.title, r.score, r.jurors_scored) for r in rows] == [
        (1, "Parko", 4.0, 2),
        (2, "Wallonie Startup", 3.0, 1),
    ]
    assert rows[1].excluded_jurors == [jury["rep"]]
    assert AuditLog.objects.filter(action="events.submission.score").count() == 4


# --- Decisions, mails, confirmation, sessions --------------------------------------------------------------


def test_selected_and_rejected_applicants_are_told_in_their_language(
    call, organiser, world, smtp, django_capture_on_commit_callbacks
):
    english = UserFactory(username="eng", email="eng@example.org", language="en")
    french = UserFactory(username="fra", email="fra@example.org", language="fr")
    parko = apply(call, english)
    sensa = apply(call, french, startup_name="Sensa")
    with django_capture_on_commit_callbacks(execute=True):
        calls.decide_submission(actor=organiser, submission=parko, selected=True)
        calls.decide_submission(actor=organiser, submission=sensa, selected=False)
    parko.refresh_from_db()
    assert parko.status == "selected" and parko.decided_at is not None
    [selected] = smtp.to("eng@example.org")
    assert selected.subject == "Selected: Parko at Smart City Day"
    assert "was selected by the jury of “Smart city pitches”" in selected.text()
    token = calls.answer_token(parko)
    assert f"/events/selection/{token}/" in selected.text()
    [rejected] = smtp.to("fra@example.org")
    assert "Sensa" in rejected.subject
    assert "/events/selection/" not in rejected.text()
    with pytest.raises(ValidationError, match="already selected"):
        calls.decide_submission(actor=organiser, submission=parko, selected=True)
    with pytest.raises(PermissionDenied):
        calls.decide_submission(actor=world.users["member"], submission=sensa, selected=True)


def test_the_selected_applicant_confirms_by_the_link_and_is_placed_in_a_session(
    client, call, organiser, world, event
):
    parko = apply(call, world.users["member"])
    token = calls.answer_token(parko)
    url = f"/events/selection/{token}/"
    early = client.post(url, {"answer": "confirm"}, HTTP_ACCEPT_LANGUAGE="en")
    assert early.status_code == 409
    assert "There is nothing to confirm: this application is submitted." in early.content.decode()

    calls.decide_submission(actor=organiser, submission=parko, selected=True)
    session = Session.objects.create(
        event=event,
        title="Pitches",
        kind="pitches",
        starts_at=event.starts_at,
        ends_at=event.starts_at + timedelta(hours=1),
    )
    with pytest.raises(ValidationError, match="Only a confirmed talk or pitch"):
        calls.place_submission(actor=organiser, submission=parko, session=session)

    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert "I confirm my participation" in page.content.decode()
    done = client.post(url, {"answer": "confirm"}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "Thank you: your participation is confirmed." in done.content.decode()
    parko.refresh_from_db()
    assert parko.status == "confirmed" and parko.answered_at is not None

    calls.place_submission(actor=organiser, submission=parko, session=session)
    parko.refresh_from_db()
    assert parko.session == session
    assert client.get("/events/selection/forged-token/").status_code == 404


def test_a_session_of_another_event_is_refused(call, organiser, world, event):
    parko = apply(call, world.users["member"])
    calls.decide_submission(actor=organiser, submission=parko, selected=True)
    calls.answer_selection(submission=parko, confirm=True)
    other = build_event_other(world)
    session = Session.objects.create(
        event=other,
        title="Elsewhere",
        starts_at=other.starts_at,
        ends_at=other.starts_at + timedelta(hours=1),
    )
    with pytest.raises(ValidationError, match="That session belongs to another event"):
        calls.place_submission(actor=organiser, submission=parko, session=session)


def build_event_other(world):
    from tests.factories import EventFactory

    return EventFactory(slug="other-event", title="Other")


def test_withdrawn_applications_free_the_organisation(call, world):
    rep = world.users["representative"]
    first = apply(call, rep, organisation=world.be_org)
    calls.withdraw_submission(actor=rep, submission=first)
    again = apply(call, rep, organisation=world.be_org)
    assert again.status == "submitted"
    with pytest.raises(PermissionDenied):
        calls.withdraw_submission(actor=world.users["member"], submission=again)


def test_organisations_for_a_user_are_those_they_represent(world):
    OrganisationFactory(name="Not mine")
    assert list(calls.represented_organisations(world.users["representative"])) == [world.be_org]


def test_a_talk_needs_a_title_and_takes_no_deck(event, organiser, world):
    talks = make_call(event, organiser, kind="talk", title="Call for speakers")
    with pytest.raises(ValidationError) as exc:
        calls.submit(actor=world.users["member"], call=talks, abstract="About data", deck=None)
    assert "title" in exc.value.message_dict
    talk = calls.submit(
        actor=world.users["member"],
        call=talks,
        title="Open data for cities",
        abstract="About data",
        stage="seed",
        asks=["investment"],
    )
    assert (talk.title, talk.stage, talk.asks, bool(talk.deck)) == ("Open data for cities", "", [], False)
