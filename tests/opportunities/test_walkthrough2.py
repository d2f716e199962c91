"""What a visitor saw on a published opportunity (second walkthrough): nothing said how to answer it.
A visitor now gets a link to log in (and come back), a member without an organisation is told why
there is no form, and a representative still gets the form."""

import pytest

from tests.opportunities.helpers import in_days, make_opportunity

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def test_a_visitor_is_asked_to_log_in_to_express_interest(client, world):
    opportunity = make_opportunity(world)
    page = client.get(f"/opportunities/{opportunity.pk}/").content.decode()
    assert "Log in to express interest." in page
    assert f'href="/accounts/login/?next=/opportunities/{opportunity.pk}/"' in page
    assert "Send my interest" not in page


def test_a_visitor_is_not_invited_to_a_closed_opportunity(client, world):
    opportunity = make_opportunity(world, publish=False)
    opportunity.status = opportunity.Status.PUBLISHED
    opportunity.deadline = in_days(-1)
    opportunity.save(update_fields=["status", "deadline"])
    response = client.get(f"/opportunities/{opportunity.pk}/")
    assert response.status_code == 200
    assert opportunity.title in response.content.decode()
    assert "Log in to express interest." not in response.content.decode()


def test_a_member_without_an_organisation_is_told_why_there_is_no_form(client_factory, world):
    opportunity = make_opportunity(world)
    page = client_factory(world.users["member"]).get(f"/opportunities/{opportunity.pk}/").content.decode()
    assert "Only representatives of an organisation may express interest in an opportunity." in page
    assert "Log in to express interest." not in page


def test_a_representative_still_gets_the_form_and_no_note(client_factory, world):
    opportunity = make_opportunity(world)
    page = client_factory(world.users["representative"]).get(f"/opportunities/{opportunity.pk}/")
    body = page.content.decode()
    assert page.context["interest_form"] is not None
    assert "Only representatives of an organisation" not in body
    assert "Log in to express interest." not in body


def test_the_introduction_page_writes_french_colons(client_factory, world):
    from jumelage.opportunities import services
    from jumelage.opportunities.models import Interest

    opportunity = make_opportunity(world)
    interest = services.express_interest(
        actor=world.users["representative"],
        opportunity=opportunity,
        organisation=world.be_org,
        message="Bonjour",
    )
    services.decide_interest(actor=world.users["node_staff"], interest=interest, accept=True)
    introduction = Interest.objects.get().introduction
    staff = client_factory(world.users["node_staff"])
    staff.cookies["django_language"] = "fr"
    page = staff.get(f"/introductions/{introduction.pk}/").content.decode()
    assert "Étape actuelle\u00a0: <strong>" in page
    assert "Étape actuelle: " not in page
    staff.cookies["django_language"] = "en"
    assert "Current stage: <strong>" in staff.get(f"/introductions/{introduction.pk}/").content.decode()


def test_switching_language_on_the_interest_form_with_errors_goes_back_to_the_opportunity(
    client_factory, world
):
    opportunity = make_opportunity(world)
    rep = client_factory(world.users["representative"])
    url = f"/opportunities/{opportunity.pk}/interest/"
    refused = rep.post(url, {"organisation": world.be_org.pk, "message": ""})
    assert refused.status_code == 400
    # The header's language form sends the user back to this address with a GET.
    switched = rep.post("/i18n/setlang/", {"language": "fr", "next": url}, follow=True)
    assert switched.redirect_chain[-1][0] == f"/opportunities/{opportunity.pk}/"
    assert switched.status_code == 200
    assert "Manifester votre intérêt" in switched.content.decode()
