"""Call pages and API: opening a call, applying with a deck (multipart), the jury's pages, ranking and
decisions, deck downloads kept from outsiders."""

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jumelage.events.models import Call, Submission
from jumelage.events.services import calls
from tests.events.test_calls import PDF, apply, make_call
from tests.factories import build_event

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def client_factory(client_factory):
    """These tests read English: every client of this module asks for it (pages and API)."""

    def make(user=None):
        client = client_factory(user)
        client.defaults.update(EN)
        return client

    return make


@pytest.fixture
def event(world):
    return build_event(world)


@pytest.fixture
def organiser(world):
    return world.users["ecosystem_staff"]


@pytest.fixture
def call(event, organiser):
    return make_call(event, organiser)


def _url(call, rest=""):
    return f"/events/smart-city-day/calls/{call.pk}/{rest}"


def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_organisers_open_a_call_through_the_form(event, world, client_factory):
    c = client_factory(world.users["node_staff"])
    now = timezone.now()
    data = {
        "kind": "pitch",
        "title": "Pitch night",
        "opens_at": _local(now),
        "closes_at": _local(now + timedelta(days=5)),
        "criterion_0": "Innovation",
        "weight_0": "3",
        "criterion_1": "Market",
        "weight_1": "",
    }
    response = c.post("/events/smart-city-day/calls/new/", data, **EN)
    assert response.status_code == 302
    call = Call.objects.get()
    assert [(x.name, x.weight) for x in call.criteria.all()] == [("Innovation", 3), ("Market", 1)]
    listing = client_factory().get("/events/smart-city-day/calls/", **EN).content.decode()
    assert "Pitch night" in listing and "Open until" in listing


def test_a_call_ending_before_it_starts_is_refused_on_the_form(event, world, client_factory):
    c = client_factory(world.users["node_staff"])
    now = timezone.now()
    data = {
        "kind": "talk",
        "title": "Talks",
        "opens_at": _local(now + timedelta(days=3)),
        "closes_at": _local(now + timedelta(days=2)),
        "criterion_0": "Relevance",
    }
    response = c.post("/events/smart-city-day/calls/new/", data, **EN)
    assert response.status_code == 400
    assert "The call must close after it opens." in response.content.decode()
    assert not Call.objects.exists()
    assert client_factory(world.users["member"]).get("/events/smart-city-day/calls/new/").status_code == 403


def test_a_startup_applies_with_its_deck_through_the_page(call, world, client_factory):
    c = client_factory(world.users["representative"])
    page = c.get(_url(call), **EN).content.decode()
    assert "Startup you represent" in page and "At most 10 MB." in page
    data = {
        "organisation": str(world.be_org.pk),
        "abstract": "Urban sensors",
        "speaker_name": "Rep",
        "speaker_email": "rep@example.org",
        "stage": "seed",
        "asks": ["investment", "partners"],
        "video_url": "https://video.example/ws",
        "deck": SimpleUploadedFile("Our deck.pdf", PDF, content_type="application/pdf"),
    }
    response = c.post(_url(call), data, follow=True, **EN)
    assert "Your application “Wallonie Startup” was received." in response.content.decode()
    submission = Submission.objects.get()
    assert (submission.organisation, submission.asks) == (world.be_org, ["investment", "partners"])

    # Twice for the same organisation: refused with the reason, nothing more saved.
    data["deck"] = SimpleUploadedFile("deck.pdf", PDF, content_type="application/pdf")
    again = c.post(_url(call), data, **EN)
    assert again.status_code == 400
    assert "Wallonie Startup has already applied to this call." in again.content.decode()
    assert Submission.objects.count() == 1


def test_a_wrong_deck_on_the_page_is_refused_and_nothing_saved(call, world, client_factory, settings):
    c = client_factory(world.users["member"])
    data = {
        "startup_name": "Parko",
        "abstract": "x",
        "speaker_name": "M",
        "speaker_email": "m@example.org",
        "stage": "seed",
        "asks": ["clients"],
        "deck": SimpleUploadedFile("deck.pdf", b"MZ\x90\x00 an executable", content_type="application/pdf"),
    }
    response = c.post(_url(call), data, **EN)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Your application was not sent: correct the fields below. Nothing was saved." in page
    assert "The deck must be a PDF or a PowerPoint (.pptx) file; this file is neither." in page
    assert not Submission.objects.exists()
    settings.EVENTS_DECK_MAX_BYTES = 100
    data["deck"] = SimpleUploadedFile("deck.pdf", PDF + b" " * 200, content_type="application/pdf")
    big = c.post(_url(call), data, **EN)
    assert "The deck is too large" in big.content.decode()
    assert not Submission.objects.exists()


def test_applying_after_closing_on_the_page(call, world, client_factory):
    call.opens_at = timezone.now() - timedelta(days=5)
    call.closes_at = timezone.now() - timedelta(days=1)
    call.save()
    c = client_factory(world.users["member"])
    assert "This call is closed." in c.get(_url(call), **EN).content.decode()
    data = {"startup_name": "Late", "abstract": "x", "speaker_name": "M", "speaker_email": "m@example.org"}
    response = c.post(_url(call), data, **EN)
    assert response.status_code == 400
    assert "applications are no longer accepted" in response.content.decode()
    assert not Submission.objects.exists()


def test_the_jury_scores_on_its_pages_and_conflicts_are_shown_as_excluded(
    call, world, organiser, client_factory
):
    calls.invite_juror(actor=organiser, call=call, identifier="rep")
    calls.invite_juror(actor=organiser, call=call, identifier="ftbxl-staff")
    mine = apply(call, world.users["representative"], organisation=world.be_org, startup_name="")
    other = apply(call, world.users["member"])
    rep = client_factory(world.users["representative"])
    review = rep.get(_url(call, "review/"), **EN).content.decode()
    assert "Excluded: conflict of interest" in review
    assert f"submissions/{mine.pk}/" not in review and f"submissions/{other.pk}/" in review
    # The applicant sees their own application, but can't score it.
    own = rep.get(_url(call, f"submissions/{mine.pk}/"), **EN).content.decode()
    assert "Your scores (0 to 5)" not in own
    assert rep.post(_url(call, f"submissions/{mine.pk}/"), {}).status_code == 403

    node = client_factory(world.users["node_staff"])
    innovation, team = call.criteria.all()
    bad = node.post(
        _url(call, f"submissions/{mine.pk}/"),
        {f"criterion_{innovation.pk}": "7", f"criterion_{team.pk}": "3"},
        **EN,
    )
    assert bad.status_code == 400
    assert "The score for “Innovation” must be a whole number from 0 to 5." in bad.content.decode()
    ok = node.post(
        _url(call, f"submissions/{mine.pk}/"),
        {f"criterion_{innovation.pk}": "4", f"criterion_{team.pk}": "1"},
        **EN,
    )
    assert ok.status_code == 302
    assert mine.scores.count() == 2

    manage = client_factory(organiser).get(_url(call, "manage/"), **EN).content.decode()
    assert "3.00" in manage  # (4×2 + 1×1) / 3
    assert "rep" in manage.split("Wallonie Startup", 1)[1]  # listed as excluded on that row
    # Outsiders don't see an application at all.
    assert client_factory(world.users["admin"]).get(_url(call, f"submissions/{mine.pk}/")).status_code == 200
    outsider = client_factory(world.users["member"])  # applied too, but not for Wallonie Startup
    assert outsider.get(_url(call, f"submissions/{mine.pk}/")).status_code == 404


def test_organisers_select_and_the_deck_stays_private(call, world, organiser, client_factory):
    submission = apply(call, world.users["member"])
    org = client_factory(organiser)
    response = org.post(
        _url(call, f"submissions/{submission.pk}/decide/"), {"decision": "select"}, follow=True, **EN
    )
    assert "“Parko” is selected; the applicant was asked to confirm." in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == "selected"
    deck = org.get(_url(call, f"submissions/{submission.pk}/deck/"))
    assert deck.status_code == 200 and b"".join(deck.streaming_content) == PDF
    assert deck["Content-Type"] == "application/pdf"
    assert (
        client_factory(world.users["representative"])
        .get(_url(call, f"submissions/{submission.pk}/deck/"))
        .status_code
        == 404
    )


# --- API -------------------------------------------------------------------------------------------------


def test_api_apply_with_a_multipart_deck_list_and_score(call, world, organiser, client_factory):
    assert (
        client_factory().get("/api/v1/events/smart-city-day/calls").json()["items"][0]["criteria"][0]["name"]
        == "Innovation"
    )
    member = client_factory(world.users["member"])
    url = f"/api/v1/events/smart-city-day/calls/{call.pk}/submissions"
    bad = member.post(
        url,
        {
            "abstract": "x",
            "startup_name": "Parko",
            "stage": "seed",
            "asks": ["clients"],
            "deck": SimpleUploadedFile("d.pdf", b"nope", content_type="application/pdf"),
        },
    )
    assert bad.status_code == 422
    assert "must be a PDF or a PowerPoint" in json.dumps(bad.json())
    assert not Submission.objects.exists()
    created = member.post(
        url,
        {
            "abstract": "x",
            "startup_name": "Parko",
            "stage": "seed",
            "asks": ["clients", "partners"],
            "deck": SimpleUploadedFile("d.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["title"], body["asks"], body["has_deck"]) == ("Parko", ["clients", "partners"], True)

    assert member.get(url).status_code == 403
    calls.invite_juror(actor=organiser, call=call, identifier="ftbxl-staff")
    innovation, team = call.criteria.all()
    node = client_factory(world.users["node_staff"])
    score_url = f"{url}/{body['id']}/scores"
    out_of_range = node.post(
        score_url, json.dumps({"scores": {innovation.pk: 9, team.pk: 1}}), content_type="application/json"
    )
    assert out_of_range.status_code == 422
    assert "from 0 to 5" in json.dumps(out_of_range.json())
    scored = node.post(
        score_url, json.dumps({"scores": {innovation.pk: 5, team.pk: 2}}), content_type="application/json"
    )
    assert scored.status_code == 200 and sorted(s["value"] for s in scored.json()) == [2, 5]
    assert (
        member.post(score_url, json.dumps({"scores": {}}), content_type="application/json").status_code == 403
    )

    ranking = client_factory(organiser).get(url).json()
    assert ranking["items"][0]["score"] == 4.0 and ranking["items"][0]["rank"] == 1


def test_the_ranking_page_costs_the_same_queries_for_one_or_three_applications(
    call, world, organiser, client_factory
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    calls.invite_juror(actor=organiser, call=call, identifier="ftbxl-staff")
    innovation, team = call.criteria.all()
    client = client_factory(organiser)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_url(call, "manage/")).status_code == 200
        return len(ctx.captured_queries)

    # (The first one names an organisation, so the conflict look-ups run in both cases.)
    first = apply(call, world.users["representative"], organisation=world.be_org, startup_name="")
    calls.score_submission(
        actor=world.users["node_staff"], submission=first, values={innovation.pk: 3, team.pk: 3}
    )
    one = count()
    apply(call, world.users["member"])
    apply(call, world.users["admin"], startup_name="Third")
    assert count() == one


def test_api_application_retried_with_the_same_idempotency_key_is_stored_once(call, world, client_factory):
    member = client_factory(world.users["member"])
    url = f"/api/v1/events/smart-city-day/calls/{call.pk}/submissions"

    def post():
        return member.post(
            url,
            {
                "abstract": "x",
                "startup_name": "Parko",
                "stage": "seed",
                "asks": ["clients"],
                "deck": SimpleUploadedFile("d.pdf", PDF, content_type="application/pdf"),
            },
            HTTP_IDEMPOTENCY_KEY="apply-parko-1",
        )

    first, again = post(), post()
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert Submission.objects.count() == 1


def test_a_forged_session_is_refused_not_a_server_error(call, world, organiser, client_factory):
    submission = apply(call, world.users["member"])
    c = client_factory(organiser)
    for forged in ("abc", "999999"):
        response = c.post(_url(call, f"submissions/{submission.pk}/place/"), {"session": forged}, **EN)
        assert response.status_code == 400
        assert "No such session." in response.content.decode()
    submission.refresh_from_db()
    assert submission.session is None
