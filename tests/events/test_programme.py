"""The co-programming board: proposals agreed only when every co-organiser approved, withdrawal,
publication, actors to mobilise built from directory filters, invitations and their answers."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from jumelage.core.models import AuditLog
from jumelage.directory.models import Membership, Person, Representative
from jumelage.ecosystems.models import EcosystemStaff
from jumelage.events.models import EventPartner, Invitation, Proposal
from jumelage.events.services import programme
from tests.factories import EcosystemFactory, OrganisationFactory, ThemeFactory, UserFactory, build_event


@pytest.fixture(autouse=True)
def _english():
    """Messages are read in English here (the French catalogue is the translators' job)."""
    with translation.override("en"):
        yield


@pytest.fixture
def event(world):
    return build_event(world)


@pytest.fixture
def dw(world):
    return world.users["ecosystem_staff"]


@pytest.fixture
def ftbxl(world):
    return world.users["node_staff"]


@pytest.fixture
def smart_city(db):
    return ThemeFactory(code="smart-city", label_en="Smart city", label_fr="Smart city")


def _theme_proposal(event, actor, theme):
    return programme.create_proposal(actor=actor, event=event, kind="theme", theme=theme)


def test_a_proposal_is_agreed_only_when_every_co_organiser_approved(event, dw, ftbxl, smart_city):
    proposal = _theme_proposal(event, dw, smart_city)
    assert proposal.status == "pending"
    assert proposal.title == "Smart city"  # the theme's label in the proposer's language
    assert proposal.proposed_by == dw
    assert proposal.proposed_for.brand_name == "Digital Wallonia"
    # Proposing is Digital Wallonia's approval; French Tech Brussels has not decided yet.
    assert [(a.partner.brand_name, a.approved) for a in proposal.approvals.all()] == [
        ("Digital Wallonia", True)
    ]

    programme.decide_proposal(actor=ftbxl, proposal=proposal, approved=True, comment="Yes, for Brussels too")
    proposal.refresh_from_db()
    assert proposal.status == "agreed"
    approval = proposal.approvals.get(partner__node__slug="french-tech-brussels")
    assert (approval.approved, approval.comment, approval.decided_by) == (
        True,
        "Yes, for Brussels too",
        ftbxl,
    )
    actions = list(AuditLog.objects.filter(object_id=str(proposal.pk)).values_list("action", flat=True))
    assert sorted(actions) == ["events.proposal.approve", "events.proposal.create"]


def test_one_rejection_rejects_and_needs_a_comment(event, dw, ftbxl, smart_city):
    proposal = _theme_proposal(event, dw, smart_city)
    with pytest.raises(ValidationError) as exc:
        programme.decide_proposal(actor=ftbxl, proposal=proposal, approved=False, comment="  ")
    assert "Say why you reject this proposal" in str(exc.value)
    assert proposal.approvals.count() == 1

    programme.decide_proposal(actor=ftbxl, proposal=proposal, approved=False, comment="Already covered")
    proposal.refresh_from_db()
    assert proposal.status == "rejected"
    # A decided proposal can't be decided again.
    with pytest.raises(ValidationError, match="no longer awaiting approval: it is rejected"):
        programme.decide_proposal(actor=ftbxl, proposal=proposal, approved=True)


def test_a_partner_decides_once(event, dw, ftbxl, smart_city, world):
    # A third co-organiser keeps the proposal pending after French Tech Brussels approved.
    third = EcosystemFactory(name="Third Ecosystem", slug="third")
    EventPartner.objects.create(event=event, ecosystem=third, role="co_organiser", position=2)
    proposal = _theme_proposal(event, dw, smart_city)
    programme.decide_proposal(actor=ftbxl, proposal=proposal, approved=True)
    with pytest.raises(ValidationError, match="French Tech Brussels has already decided"):
        programme.decide_proposal(actor=ftbxl, proposal=proposal, approved=True)
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_supporting_partners_and_others_neither_propose_nor_decide(event, dw, smart_city, world):
    supporting_staff = UserFactory(username="support-staff")
    supporter = EcosystemFactory(name="Supporter", slug="supporter")
    EcosystemStaff.objects.create(user=supporting_staff, ecosystem=supporter)
    EventPartner.objects.create(event=event, ecosystem=supporter, role="supporting", position=2)
    proposal = _theme_proposal(event, dw, smart_city)
    for user in (supporting_staff, world.users["member"], world.users["admin"]):
        with pytest.raises(PermissionDenied):
            programme.create_proposal(actor=user, event=event, kind="theme", theme=smart_city)
        with pytest.raises(PermissionDenied):
            programme.decide_proposal(actor=user, proposal=proposal, approved=True)
    # The supporting partner's approval is not needed: French Tech Brussels' is enough.
    programme.decide_proposal(actor=world.users["node_staff"], proposal=proposal, approved=True)
    proposal.refresh_from_db()
    assert proposal.status == "agreed"


def test_only_the_proposer_withdraws_and_only_while_pending(event, dw, ftbxl, smart_city):
    proposal = _theme_proposal(event, dw, smart_city)
    with pytest.raises(PermissionDenied, match="Only the person who made a proposal"):
        programme.withdraw_proposal(actor=ftbxl, proposal=proposal)
    programme.withdraw_proposal(actor=dw, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == "withdrawn"
    with pytest.raises(ValidationError, match="Only a proposal awaiting approval can be withdrawn"):
        programme.withdraw_proposal(actor=dw, proposal=proposal)
    assert AuditLog.objects.filter(action="events.proposal.withdraw", object_id=str(proposal.pk)).exists()


def test_speakers_come_from_the_directory_or_are_new(event, dw):
    person = Person.objects.create(name="Ada Lovelace")
    known = programme.create_proposal(actor=dw, event=event, kind="speaker", person=person)
    assert (known.title, known.person, known.speaker_name) == ("Ada Lovelace", person, "")
    new = programme.create_proposal(
        actor=dw, event=event, kind="speaker", speaker_name="Grace Hopper", speaker_email="grace@example.org"
    )
    assert (new.title, new.person, new.speaker_email) == ("Grace Hopper", None, "grace@example.org")
    with pytest.raises(ValidationError) as exc:
        programme.create_proposal(actor=dw, event=event, kind="speaker", speaker_name="No Mail")
    assert "give a new speaker's name and e-mail address" in str(exc.value)
    with pytest.raises(ValidationError, match="Name the company or startup to showcase"):
        programme.create_proposal(actor=dw, event=event, kind="showcase")
    assert event.proposals.count() == 2


def test_the_programme_is_published_only_when_nothing_is_pending(event, dw, ftbxl, smart_city, world):
    theme = _theme_proposal(event, dw, smart_city)
    showcase = programme.create_proposal(actor=ftbxl, event=event, kind="showcase", organisation=world.fr_org)
    with pytest.raises(ValidationError, match="2 proposal\\(s\\) still await approval"):
        programme.publish_programme(actor=dw, event=event)
    assert programme.published_programme(event) == []

    programme.decide_proposal(actor=ftbxl, proposal=theme, approved=True)
    programme.decide_proposal(actor=dw, proposal=showcase, approved=False, comment="Not this year")
    with pytest.raises(PermissionDenied):
        programme.publish_programme(actor=world.users["member"], event=event)
    programme.publish_programme(actor=ftbxl, event=event)
    event.refresh_from_db()
    assert event.programme_published_at is not None
    items = programme.published_programme(event)
    assert [(i.kind, i.title) for i in items] == [("theme", "Smart city")]
    assert AuditLog.objects.filter(action="events.programme.publish", object_id=str(event.pk)).exists()

    # Agreed after publication: shown once the partners publish again.
    speaker = programme.create_proposal(
        actor=dw, event=event, kind="speaker", speaker_name="Grace Hopper", speaker_email="g@example.org"
    )
    programme.decide_proposal(actor=ftbxl, proposal=speaker, approved=True)
    assert [i.title for i in programme.published_programme(event)] == ["Smart city"]
    programme.publish_programme(actor=dw, event=event)
    event.refresh_from_db()
    assert [i.title for i in programme.published_programme(event)] == ["Smart city", "Grace Hopper"]


def test_nothing_agreed_nothing_to_publish(event, dw):
    with pytest.raises(ValidationError, match="Nothing has been agreed yet"):
        programme.publish_programme(actor=dw, event=event)


# --- Actors to mobilise ----------------------------------------------------------------------------------


@pytest.fixture
def startups(world, smart_city):
    """Three Belgian smart-city startups (two with representatives), and one that doesn't match."""
    made = {}
    for slug, name in (("sensa", "Sensa"), ("parko", "Parko"), ("quiet", "Quiet Startup")):
        org = OrganisationFactory(name=name, slug=slug, country="BE", kind="startup")
        org.themes.add(smart_city)
        Membership.objects.create(organisation=org, ecosystem=world.wallonia)
        made[slug] = org
    made["french"] = OrganisationFactory(name="Lyon Mobility", slug="lyon-mobility", country="FR")
    made["french"].themes.add(smart_city)
    alice = UserFactory(username="alice", email="alice@sensa.example", language="fr")
    bob = UserFactory(username="bob", email="bob@parko.example", language="en")
    nomail = UserFactory(username="nomail", email="")
    Representative.objects.create(user=alice, organisation=made["sensa"])
    Representative.objects.create(user=bob, organisation=made["parko"])
    Representative.objects.create(user=nomail, organisation=made["quiet"])
    return made


QUERY = "country=BE&theme=smart-city&kind=startup"


def test_audience_preview_counts_and_names_who_matches(startups):
    preview = programme.preview_audience(QUERY)
    assert preview.error == ""
    assert preview.count == 3
    assert [o.name for o in preview.sample] == ["Parko", "Quiet Startup", "Sensa"]
    # A whole directory address works too.
    assert programme.preview_audience("http://x/directory/?" + QUERY).count == 3


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Name at least one directory filter"),
        ("colour=blue", "Unknown directory filter: colour"),
        ("theme=no-such-theme", "Unknown theme: “no-such-theme”"),
        ("country=Belgium", "A country is a two-letter ISO code"),
    ],
)
def test_bad_directory_filters_are_refused_with_the_reason(event, dw, query, message):
    assert message in programme.preview_audience(query).error
    with pytest.raises(ValidationError) as exc:
        programme.create_proposal(actor=dw, event=event, kind="mobilise", audience_query=query)
    assert message in str(exc.value)
    assert not event.proposals.exists()


def test_invitations_go_to_every_matching_organisation_in_each_language(
    event, dw, ftbxl, startups, smtp, django_capture_on_commit_callbacks
):
    proposal = programme.create_proposal(actor=dw, event=event, kind="mobilise", audience_query=QUERY)
    assert proposal.title == "Actors to mobilise (Kind: Startup, Country: Belgium, Theme: Smart city)"
    with pytest.raises(ValidationError, match="once every co-organiser has agreed"):
        programme.send_invitations(actor=dw, proposal=proposal)
    programme.decide_proposal(actor=ftbxl, proposal=proposal, approved=True)

    with django_capture_on_commit_callbacks(execute=True):
        report = programme.send_invitations(actor=ftbxl, proposal=proposal)
    assert (report.matched, report.created, report.already_invited, report.without_address) == (3, 2, 0, 1)
    rows = {i.organisation.slug: i for i in Invitation.objects.filter(event=event)}
    assert set(rows) == {"sensa", "parko"}
    assert all(i.status == "sent" and i.sent_at for i in rows.values())
    assert rows["parko"].email == "bob@parko.example"

    [fr] = smtp.to("alice@sensa.example")
    [en] = smtp.to("bob@parko.example")
    # Each in its reader's language: the date of the event is written the French way for Alice,
    # the English way for Bob.
    assert "Smart City Day" in fr.subject and "Sensa" in fr.text()
    assert _date_in(event, "fr") in fr.text() and _date_in(event, "fr") not in en.text()
    assert _date_in(event, "en") in en.text()
    assert "The organisers of Smart City Day" in en.text() and "invite Parko to take part" in en.text()
    assert f"/events/invitations/{rows['parko'].token}/" in en.text()
    assert "Digital Wallonia" in en.text() and "French Tech Brussels" in en.text()

    # Sending again invites no one twice.
    with django_capture_on_commit_callbacks(execute=True):
        again = programme.send_invitations(actor=dw, proposal=proposal)
    assert (again.created, again.already_invited, again.without_address) == (0, 2, 1)
    assert len(smtp.messages) == 2
    log = AuditLog.objects.filter(action="events.invitations.send").first()
    assert log.data["created"] == 0 and log.data["already_invited"] == 2


def _date_in(event, language):
    from django.utils import formats

    with translation.override(language):
        return formats.date_format(timezone.localtime(event.starts_at), "DATETIME_FORMAT")


def test_an_invited_organisation_answers_by_its_link(client, event, dw, ftbxl, startups):
    proposal = programme.create_proposal(actor=dw, event=event, kind="mobilise", audience_query=QUERY)
    programme.decide_proposal(actor=ftbxl, proposal=proposal, approved=True)
    programme.send_invitations(actor=dw, proposal=proposal)
    invitation = Invitation.objects.get(organisation__slug="sensa")
    url = f"/events/invitations/{invitation.token}/"

    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Sensa is invited to this event" in page.content.decode()

    bad = client.post(url, {"answer": "maybe"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400
    assert "Choose to accept or to decline the invitation." in bad.content.decode()

    done = client.post(url, {"answer": "accept"}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "Thank you: you accepted the invitation." in done.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == "accepted" and invitation.answered_at is not None
    assert programme.invitation_counts(event)[proposal.pk]["accepted"] == 1

    assert client.get("/events/invitations/not-a-token/").status_code == 404

    event.starts_at = timezone.now() - timezone.timedelta(days=2)
    event.ends_at = timezone.now() - timezone.timedelta(days=1)
    event.save()
    late = client.post(url, {"answer": "decline"}, HTTP_ACCEPT_LANGUAGE="en")
    assert late.status_code == 409
    assert "This event is over" in late.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == "accepted"


def test_proposal_status_choices_are_the_models():
    assert set(Proposal.Status.values) == {"pending", "agreed", "rejected", "withdrawn"}
