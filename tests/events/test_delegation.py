"""Trade-show delegations: a call for companies to join the delegation of an event abroad (CES, MWC),
applications by the representatives of organisations of the directory, selection, confirmation, the
delegation listed on the event page under the partners' banner, and the follow-up in the report."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from jumelage.events.models import Session
from jumelage.events.services import calls
from tests.factories import build_event

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def show(world):
    """Smart City Day, as a presence at a trade show in Barcelona (led by Digital Wallonia with French
    Tech Brussels)."""
    event = build_event(
        world,
        city="Barcelona",
        country="ES",
        starts_at=timezone.now() + timedelta(days=60),
        ends_at=timezone.now() + timedelta(days=63),
    )
    event.kind = "trade_show"
    event.save()
    return event


@pytest.fixture
def call(show, world):
    now = timezone.now()
    return calls.open_call(
        actor=world.users["ecosystem_staff"],
        event=show,
        kind="delegation",
        title="Join the pavilion at Mobile World Congress",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=20),
        criteria=[("Export readiness", 2), ("Fit with the show", 1)],
    )


def apply(call, user, **fields):
    values = {
        "abstract": "We will show our 5G asset-tracking tags and look for distributors.",
        "speaker_name": "Anna",
        "speaker_email": "anna@example.org",
        "asks": ["clients", "partners"],
    }
    values.update(fields)
    return calls.submit(actor=user, call=call, **values)


def test_an_organisation_applies_without_a_deck_and_is_named_by_its_profile(call, world):
    application = apply(call, world.users["representative"], organisation=world.be_org)
    assert (application.title, application.organisation, application.stage, application.deck.name) == (
        "Wallonie Startup",
        world.be_org,
        "",
        "",
    )
    assert application.asks == ["clients", "partners"]


def test_an_application_names_an_organisation_and_what_it_looks_for(call, world):
    with pytest.raises(ValidationError) as refused:
        apply(call, world.users["representative"], asks=[])
    assert refused.value.message_dict == {
        "organisation": ["Choose the organisation you represent that would join the delegation."],
        "asks": ["Say what the company is looking for there: clients, partners and/or investment."],
    }
    with pytest.raises(ValidationError, match="only apply for an organisation you represent"):
        apply(call, world.users["member"], organisation=world.be_org)


def test_the_application_form_asks_for_the_organisation_not_a_startup_or_its_stage(
    call, client_factory, world
):
    client = client_factory(world.users["representative"])
    page = client.get(f"/events/{call.event.slug}/calls/{call.pk}/", **EN).content.decode()
    assert "Organisation you represent" in page and "What it will show or look for there" in page
    assert "Stage" not in page and "Or the startup&#x27;s name" not in page
    response = client.post(
        f"/events/{call.event.slug}/calls/{call.pk}/",
        {
            "abstract": "Tags.",
            "speaker_name": "Anna",
            "speaker_email": "anna@example.org",
            "asks": ["clients"],
        },
        **EN,
    )
    assert response.status_code == 400
    assert (
        "Choose the organisation you represent that would join the delegation." in response.content.decode()
    )
    response = client.post(
        f"/events/{call.event.slug}/calls/{call.pk}/",
        {
            "organisation": str(world.be_org.pk),
            "abstract": "Tags.",
            "speaker_name": "Anna",
            "speaker_email": "anna@example.org",
            "asks": ["clients"],
        },
        **EN,
    )
    assert response.status_code == 302
    assert call.submissions.get().organisation == world.be_org


def test_a_confirmed_member_is_listed_on_the_event_page_and_followed_up_in_the_report(
    call, show, world, client_factory
):
    organiser = world.users["ecosystem_staff"]
    member = apply(call, world.users["representative"], organisation=world.be_org)
    visitor = client_factory()
    assert "The delegation" not in visitor.get(f"/events/{show.slug}/", **EN).content.decode()

    calls.decide_submission(actor=organiser, submission=member, selected=True)
    assert (
        "The delegation" not in visitor.get(f"/events/{show.slug}/", **EN).content.decode()
    )  # not yet confirmed
    calls.answer_selection(submission=member, confirm=True)
    page = visitor.get(f"/events/{show.slug}/", **EN).content.decode()
    assert "1 organisation takes part under the partners' shared banner." in page
    assert f'<a href="/organisations/{world.be_org.slug}/">Wallonie Startup</a> · Namur (Belgium)' in page

    session = Session.objects.create(
        event=show,
        title="Stand demos",
        kind="talk",
        starts_at=show.starts_at,
        ends_at=show.starts_at + timedelta(hours=1),
    )
    with pytest.raises(ValidationError, match="not placed in a session"):
        calls.place_submission(actor=organiser, submission=member, session=session)

    staff = client_factory(organiser)
    report = staff.get(f"/events/{show.slug}/report/", **EN).content.decode()
    assert "The delegation and its follow-up" in report and "<td>clients, partners</td>" in report
    saved = staff.post(
        f"/events/{show.slug}/report/pitches/{member.pk}/outcome/",
        {"outcome": "Two distributors met; one order for 500 tags."},
        **EN,
    )
    assert saved.status_code == 302 and saved["Location"].endswith("/report/#delegation")
    member.refresh_from_db()
    assert member.outcome == "Two distributors met; one order for 500 tags."
