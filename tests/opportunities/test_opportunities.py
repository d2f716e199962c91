"""Opportunities: publishing, visibility, interests, introductions (mail), the pipeline, reminders."""

import io

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jumelage.core.models import AuditLog
from jumelage.directory.models import Representative
from jumelage.opportunities.models import Interest, Introduction, Opportunity, PipelineStep
from tests.factories import OrganisationFactory, UserFactory
from tests.opportunities.helpers import in_days, make_opportunity


def fr_representative(world, **fields):
    user = UserFactory(username="fr-rep", first_name="Claire", last_name="Martin", language="fr", **fields)
    Representative.objects.create(user=user, organisation=world.fr_org)
    return user


def test_representative_publishes_an_opportunity_from_the_page(world, client_factory, themes):
    client = client_factory(world.users["representative"])
    page = client.get("/opportunities/new/")
    assert "Wallonie Startup" in page.content.decode()
    response = client.post(
        "/opportunities/new/",
        {
            "organisation": world.be_org.pk,
            "kind": "technology_offer",
            "title": "Capteurs urbains à Namur",
            "summary": "Des capteurs de qualité de l’air pour les villes.",
            "description_fr": "Nous concevons des capteurs de qualité de l’air pour les bus et les trams.",
            "themes": [themes["mobility"].pk],
            "target_ecosystems": [world.frenchtech.pk],
            "target_countries_text": "fr, be",
            "deadline": in_days(30).isoformat(),
            "visibility": "public",
            "action": "publish",
        },
        follow=True,
    )
    opportunity = Opportunity.objects.get()
    assert opportunity.status == "published" and opportunity.published_at is not None
    assert opportunity.organisation == world.be_org
    assert opportunity.target_countries == ["FR", "BE"]
    assert list(opportunity.target_ecosystems.all()) == [world.frenchtech]
    assert list(opportunity.themes.all()) == [themes["mobility"]]
    assert "Capteurs urbains à Namur" in response.content.decode()
    assert AuditLog.objects.filter(action="opportunity.create", object_id=str(opportunity.pk)).exists()
    # Listed for everyone, visitors included.
    assert "Capteurs urbains à Namur" in client_factory().get("/opportunities/").content.decode()


def test_a_draft_is_seen_only_by_those_who_manage_it(world, client_factory):
    draft = make_opportunity(world, publish=False, title="Brouillon secret")
    assert draft.status == "draft"
    for role, expected in {
        "visitor": 404,
        "member": 404,
        "representative": 404,  # represents the Belgian organisation, not Paris Deeptech
        "node_staff": 200,  # French Tech Brussels curates Paris Deeptech
        "ecosystem_staff": 404,
        "admin": 200,
    }.items():
        response = client_factory(world.users[role]).get(f"/opportunities/{draft.pk}/")
        assert response.status_code == expected, role
        listed = (
            "Brouillon secret" in client_factory(world.users[role]).get("/opportunities/").content.decode()
        )
        assert listed == (role == "node_staff"), role  # its curators find it under "your drafts"
    admin = client_factory(world.users["admin"]).get("/opportunities/?status=draft").content.decode()
    assert "Brouillon secret" in admin


def test_visibility_members_and_staff_only(world, client_factory):
    members = make_opportunity(world, title="Pour les membres", visibility="members")
    staff = make_opportunity(world, title="Pour le personnel", visibility="staff")
    seen = {
        role: client_factory(world.users[role]).get("/opportunities/").content.decode()
        for role in ("visitor", "member", "representative", "node_staff", "ecosystem_staff")
    }
    assert "Pour les membres" not in seen["visitor"] and "Pour les membres" not in seen["member"]
    assert "Pour les membres" in seen["representative"]  # represents a Digital Wallonia member
    assert "Pour le personnel" not in seen["representative"]
    assert "Pour le personnel" in seen["ecosystem_staff"] and "Pour le personnel" in seen["node_staff"]
    assert client_factory().get(f"/opportunities/{members.pk}/").status_code == 404
    assert client_factory(world.users["representative"]).get(f"/opportunities/{staff.pk}/").status_code == 404


def test_members_visibility_limited_to_target_ecosystems(world, client_factory):
    other = OrganisationFactory(name="Autre écosystème")
    from tests.factories import EcosystemFactory

    third = EcosystemFactory(name="Third Ecosystem", slug="third")
    targeted = make_opportunity(
        world, organisation=other, title="Seulement le troisième", visibility="members"
    )
    targeted.target_ecosystems.set([third])
    rep = client_factory(world.users["representative"])  # a Digital Wallonia member's representative
    assert rep.get(f"/opportunities/{targeted.pk}/").status_code == 404


def test_interest_accept_introduction_mail_and_pipeline(world, client_factory, smtp, committed):
    opportunity = make_opportunity(world, deadline=in_days(40))
    fr_rep = fr_representative(world)
    be_rep = world.users["representative"]
    be_rep.language = "nl"
    be_rep.first_name = "Jan"
    be_rep.save()

    with committed():
        response = client_factory(be_rep).post(
            f"/opportunities/{opportunity.pk}/interest/",
            {"organisation": world.be_org.pk, "message": "Nos capteurs équipent déjà 40 bus à Namur."},
            follow=True,
        )
    interest = Interest.objects.get()
    assert interest.organisation == world.be_org and interest.status == "pending"
    assert "Your interest was sent to Paris Deeptech" in response.content.decode()
    received = smtp.to(fr_rep.email)
    assert len(received) == 1 and "Wallonie Startup" in received[0].subject
    assert "40 bus à Namur" in received[0].text()

    # The owner sees the interest on the opportunity page and accepts it.
    owner = client_factory(fr_rep)
    page = owner.get(f"/opportunities/{opportunity.pk}/").content.decode()
    assert "Nos capteurs équipent déjà 40 bus à Namur." in page
    with committed():
        response = owner.post(f"/interests/{interest.pk}/decision/", {"decision": "accept"}, follow=True)
    introduction = Introduction.objects.get()
    assert introduction.stage == "introduced"
    step = PipelineStep.objects.get()
    assert (step.stage, step.happened_on) == ("introduced", in_days(0))
    assert step.ecosystem == world.frenchtech and step.node == world.ftbxl  # the owner's membership
    assert "both of you received an introduction e-mail" in response.content.decode()

    # Both sides get the introduction, each in their own language (month names from Django's catalogs).
    month_fr = {1: "janvier", 2: "février", 3: "mars", 4: "avril", 5: "mai", 6: "juin", 7: "juillet"}
    month_fr |= {8: "août", 9: "septembre", 10: "octobre", 11: "novembre", 12: "décembre"}
    month_nl = {1: "januari", 2: "februari", 3: "maart", 4: "april", 5: "mei", 6: "juni", 7: "juli"}
    month_nl |= {8: "augustus", 9: "september", 10: "oktober", 11: "november", 12: "december"}
    month = opportunity.deadline.month
    to_owner = [
        m for m in smtp.to(fr_rep.email) if "Introduction" in m.subject or "Mise en relation" in m.subject
    ]
    to_interested = smtp.to(be_rep.email)
    assert len(to_owner) == 1 and len(to_interested) == 1
    assert "Wallonie Startup" in to_owner[0].text() and f"{month_fr[month]}" in to_owner[0].text()
    assert "Paris Deeptech" in to_interested[0].text() and f"{month_nl[month]}" in to_interested[0].text()
    assert be_rep.email in to_owner[0].text() and fr_rep.email in to_interested[0].text()
    assert to_owner[0].subject == "Mise en relation\u00a0: Wallonie Startup"
    assert to_interested[0].subject == "Kennismaking: Paris Deeptech"
    assert "Wij brengen u met elkaar in contact." in to_interested[0].text()

    # The interested side records the meeting; the step is dated and credited.
    client = client_factory(be_rep)
    response = client.post(
        f"/introductions/{introduction.pk}/steps/",
        {"stage": "met", "happened_on": in_days(0).isoformat(), "ecosystem": world.wallonia.pk},
        follow=True,
    )
    introduction.refresh_from_db()
    assert introduction.stage == "met"
    met = PipelineStep.objects.get(stage="met")
    assert met.ecosystem == world.wallonia and met.recorded_by == be_rep
    # Backwards is refused with the reason, nothing written.
    response = client.post(
        f"/introductions/{introduction.pk}/steps/",
        {"stage": "introduced", "happened_on": in_days(0).isoformat()},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert PipelineStep.objects.count() == 2

    # Staff of each side see the partnership of their members; totals per ecosystem.
    ftbxl = client_factory(world.users["node_staff"]).get("/pipeline/").content.decode()
    assert "Wallonie Startup" in ftbxl and "Cross-ecosystem totals" in ftbxl
    dw = client_factory(world.users["ecosystem_staff"]).get("/pipeline/").content.decode()
    assert "Wallonie Startup" in dw
    assert client_factory(world.users["member"]).get("/pipeline/").status_code == 403


def test_interest_twice_is_refused_and_nothing_is_written(world, client_factory):
    opportunity = make_opportunity(world)
    client = client_factory(world.users["representative"])
    data = {"organisation": world.be_org.pk, "message": "Intéressés !"}
    assert client.post(f"/opportunities/{opportunity.pk}/interest/", data).status_code == 302
    response = client.post(f"/opportunities/{opportunity.pk}/interest/", data)
    assert response.status_code == 400
    assert "Wallonie Startup has already expressed interest in this opportunity." in response.content.decode()
    assert Interest.objects.count() == 1


def test_interest_in_ones_own_opportunity_is_refused(world, client_factory):
    own = make_opportunity(world, organisation=world.be_org)
    response = client_factory(world.users["representative"]).post(
        f"/opportunities/{own.pk}/interest/", {"organisation": world.be_org.pk, "message": "moi-même"}
    )
    assert response.status_code == 403
    assert "your own organisation" in response.content.decode()
    assert not Interest.objects.exists()
    # The service says the same to any caller.
    import pytest
    from django.core.exceptions import ValidationError

    from jumelage.opportunities import services

    with pytest.raises(ValidationError, match="your own organisation"):
        services.express_interest(
            actor=world.users["admin"], opportunity=own, organisation=world.be_org, message="x"
        )


def test_interest_after_the_deadline_is_refused(world, client_factory):
    opportunity = make_opportunity(world)
    Opportunity.objects.filter(pk=opportunity.pk).update(deadline=in_days(-1))
    response = client_factory(world.users["representative"]).post(
        f"/opportunities/{opportunity.pk}/interest/",
        {"organisation": world.be_org.pk, "message": "trop tard"},
    )
    assert response.status_code == 403
    assert "no longer open" in response.content.decode()
    assert not Interest.objects.exists()


def test_an_empty_interest_message_is_refused(world, client_factory):
    opportunity = make_opportunity(world)
    response = client_factory(world.users["representative"]).post(
        f"/opportunities/{opportunity.pk}/interest/", {"organisation": world.be_org.pk, "message": "   "}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Interest.objects.exists()


def test_declined_interest_mails_the_interested_side(world, client_factory, smtp, committed):
    opportunity = make_opportunity(world)
    fr_rep = fr_representative(world)
    be_rep = world.users["representative"]
    client_factory(be_rep).post(
        f"/opportunities/{opportunity.pk}/interest/", {"organisation": world.be_org.pk, "message": "Bonjour"}
    )
    interest = Interest.objects.get()
    with committed():
        client_factory(fr_rep).post(f"/interests/{interest.pk}/decision/", {"decision": "decline"})
    interest.refresh_from_db()
    assert interest.status == "declined" and not Introduction.objects.exists()
    assert len(smtp.to(be_rep.email)) == 1
    # A second answer is refused (409), nothing changes.
    response = client_factory(fr_rep).post(f"/interests/{interest.pk}/decision/", {"decision": "accept"})
    assert response.status_code == 409 and "already answered" in response.content.decode()
    assert not Introduction.objects.exists()


def test_renewal_reminder_once_per_deadline_and_expiry(world, smtp):
    fr_rep = fr_representative(world)
    soon = make_opportunity(world, title="Bientôt", deadline=in_days(5))
    later = make_opportunity(world, title="Plus tard", deadline=in_days(90))
    past = make_opportunity(world, title="Passée", deadline=in_days(3))
    Opportunity.objects.filter(pk=past.pk).update(deadline=in_days(-2))

    call_command("opportunity_reminders", stdout=io.StringIO())
    mails = smtp.to(fr_rep.email)
    assert len(mails) == 1 and "Bientôt" in mails[0].subject
    assert f"/opportunities/{soon.pk}/edit/" in mails[0].text()
    assert Opportunity.objects.get(pk=past.pk).status == "expired"
    assert Opportunity.objects.get(pk=later.pk).status == "published"
    call_command("opportunity_reminders", stdout=io.StringIO())
    assert len(smtp.to(fr_rep.email)) == 1  # not twice for the same deadline


def test_owner_renews_an_expired_opportunity(world, client_factory):
    opportunity = make_opportunity(world)
    Opportunity.objects.filter(pk=opportunity.pk).update(status="expired", deadline=in_days(-3))
    client = client_factory(world.users["node_staff"])
    response = client.post(f"/opportunities/{opportunity.pk}/status/", {"action": "publish"})
    assert response.status_code == 400 and "has passed" in response.content.decode()
    assert Opportunity.objects.get(pk=opportunity.pk).status == "expired"
    response = client.post(
        f"/opportunities/{opportunity.pk}/status/", {"action": "publish", "deadline": in_days(20).isoformat()}
    )
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.deadline) == ("published", in_days(20))
    client.post(f"/opportunities/{opportunity.pk}/status/", {"action": "close"})
    assert Opportunity.objects.get(pk=opportunity.pk).status == "closed"


def test_list_filters_and_a_bad_filter(world, client_factory, themes):
    make_opportunity(world, title="Mobilité", themes=[themes["mobility"]])
    make_opportunity(world, title="Santé", themes=[themes["health"]], kind="investment")
    client = client_factory()
    page = client.get("/opportunities/?theme=smart-city").content.decode()  # includes its sub-themes
    assert "Mobilité" in page and "Santé" not in page
    page = client.get("/opportunities/?kind=investment").content.decode()
    assert "Santé" in page and "Mobilité" not in page
    response = client.get("/opportunities/?theme=no-such-theme")
    assert response.status_code == 400 and "Unknown theme" in response.content.decode()
    empty = client.get("/opportunities/?q=introuvable").content.decode()
    assert "No opportunity matches these filters." in empty


def test_list_query_count_does_not_grow_with_items(world, client_factory):
    client = client_factory(world.users["representative"])
    make_opportunity(world, title="Un")
    client.get("/opportunities/")
    with CaptureQueriesContext(connection) as one:
        client.get("/opportunities/")
    make_opportunity(world, title="Deux")
    make_opportunity(world, title="Trois")
    with CaptureQueriesContext(connection) as three:
        page = client.get("/opportunities/").content.decode()
    assert "Trois" in page
    assert len(three) == len(one)


def test_staff_publish_on_behalf_of_a_member_only(world, client_factory):
    client = client_factory(world.users["ecosystem_staff"])  # Digital Wallonia staff
    data = {
        "kind": "talent",
        "title": "Développeurs recherchés",
        "summary": "Deux postes à Namur.",
        "description_fr": "Nous recrutons deux développeurs.",
        "deadline": in_days(20).isoformat(),
        "visibility": "members",
        "action": "publish",
    }
    refused = client.post("/opportunities/new/", {**data, "organisation": "Paris Deeptech"})
    assert refused.status_code == 400
    assert "No organisation you may act for is called “Paris Deeptech”" in refused.content.decode()
    response = client.post("/opportunities/new/", {**data, "organisation": "Wallonie Startup"})
    assert response.status_code == 302
    opportunity = Opportunity.objects.get()
    assert (
        opportunity.organisation == world.be_org and opportunity.created_by == world.users["ecosystem_staff"]
    )
