"""Bad input on opportunities: a clear message naming what is wrong, nothing half-written, never a 500."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from jumelage.opportunities import services
from jumelage.opportunities.models import MAX_DESCRIPTION, Opportunity
from tests.opportunities.helpers import in_days, make_opportunity


def _form(world, **overrides):
    data = {
        "organisation": world.be_org.pk,
        "kind": "business_offer",
        "title": "Offre",
        "summary": "Résumé",
        "description_fr": "Une description.",
        "deadline": in_days(30).isoformat(),
        "visibility": "public",
        "action": "publish",
    }
    data.update(overrides)
    return data


def test_empty_description_cannot_be_published_but_a_draft_can(world, client_factory):
    client = client_factory(world.users["representative"])
    response = client.post("/opportunities/new/", _form(world, description_fr=""))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was saved." in body
    assert "Describe the opportunity in at least one language" in body
    assert not Opportunity.objects.exists()
    # Whitespace only counts as empty.
    response = client.post("/opportunities/new/", _form(world, description_fr="   \n  "))
    assert response.status_code == 400 and not Opportunity.objects.exists()
    response = client.post("/opportunities/new/", _form(world, description_fr="", action="draft"))
    assert response.status_code == 302
    assert Opportunity.objects.get().status == "draft"


def test_an_enormous_description_is_refused_with_its_limit(world, client_factory):
    client = client_factory(world.users["representative"])
    response = client.post("/opportunities/new/", _form(world, description_nl="x" * (MAX_DESCRIPTION + 1)))
    assert response.status_code == 400
    assert f"Ensure this value has at most {MAX_DESCRIPTION:,}".replace(
        ",", ""
    ) in response.content.decode().replace(",", "")
    assert not Opportunity.objects.exists()
    # The API says the same, as problem+json naming the field.
    api = client.post(
        "/api/v1/opportunities",
        json.dumps(
            {
                "organisation": "wallonie-startup",
                "kind": "business_offer",
                "title": "Offre",
                "summary": "Résumé",
                "description_en": "x" * (MAX_DESCRIPTION + 1),
                "deadline": in_days(30).isoformat(),
            }
        ),
        content_type="application/json",
    )
    assert api.status_code == 422 and api["Content-Type"] == "application/problem+json"
    assert api.json()["errors"][0]["field"] == "description_en"
    assert not Opportunity.objects.exists()


def test_unknown_themes_are_refused(world, client_factory):
    client = client_factory(world.users["representative"])
    response = client.post("/opportunities/new/", _form(world, themes=["999999"]))
    assert response.status_code == 400
    assert "Select a valid choice. 999999 is not one of the available choices." in response.content.decode()
    api = client.post(
        "/api/v1/opportunities",
        json.dumps(
            {
                "organisation": "wallonie-startup",
                "kind": "business_offer",
                "title": "Offre",
                "summary": "Résumé",
                "description_fr": "Texte",
                "deadline": in_days(30).isoformat(),
                "themes": ["no-such-theme", "energy-x"],
            }
        ),
        content_type="application/json",
    )
    assert api.status_code == 422
    assert api.json()["errors"] == [
        {"field": "themes", "message": "unknown theme code(s): energy-x, no-such-theme"}
    ]
    assert not Opportunity.objects.exists()


def test_a_past_deadline_is_refused_on_publish(world, client_factory):
    client = client_factory(world.users["representative"])
    response = client.post("/opportunities/new/", _form(world, deadline=in_days(-1).isoformat()))
    assert response.status_code == 400
    assert "has passed: give a date from today on to publish it" in response.content.decode()
    assert not Opportunity.objects.exists()
    with pytest.raises(ValidationError) as exc:
        make_opportunity(world, deadline=in_days(-10))
    assert "deadline" in exc.value.message_dict


def test_bad_country_codes_are_named(world, client_factory):
    client = client_factory(world.users["representative"])
    response = client.post("/opportunities/new/", _form(world, target_countries_text="BE, France, 12"))
    assert response.status_code == 400
    assert "Not country codes: FRANCE, 12" in response.content.decode()
    assert not Opportunity.objects.exists()


def test_text_in_an_unexpected_language_is_kept_and_flagged_to_its_owner(world, client_factory):
    opportunity = make_opportunity(
        world,
        description_fr="",
        description_nl="We are looking for a partner in Wallonia to build sensors for the buses of our city.",
    )
    owner_page = (
        client_factory(world.users["node_staff"]).get(f"/opportunities/{opportunity.pk}/").content.decode()
    )
    assert "The Dutch description seems to be written in another language (English)." in owner_page
    visitor_page = client_factory().get(f"/opportunities/{opportunity.pk}/").content.decode()
    assert "seems to be written in another language" not in visitor_page
    assert "We are looking for a partner in Wallonia" in visitor_page


def test_unknown_kind_and_visibility_are_refused_by_the_service(world):
    with pytest.raises(ValidationError) as exc:
        make_opportunity(world, kind="partnership", visibility="everyone")
    assert set(exc.value.message_dict) >= {"kind", "visibility"}
    assert not Opportunity.objects.exists()


def test_fields_the_service_does_not_know_are_refused(world):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.create_opportunity(
            actor=world.users["admin"],
            organisation=world.fr_org,
            data={"title": "x", "status": "published"},
        )
    assert exc.value.messages == ["This field cannot be set here: status."]


def test_pipeline_step_in_the_future_or_before_the_previous_one(world, client_factory, committed):
    from jumelage.opportunities.models import Interest

    opportunity = make_opportunity(world)
    interest = services.express_interest(
        actor=world.users["representative"],
        opportunity=opportunity,
        organisation=world.be_org,
        message="Bonjour",
    )
    with committed():
        services.decide_interest(actor=world.users["node_staff"], interest=interest, accept=True)
    introduction = Interest.objects.get().introduction
    client = client_factory(world.users["node_staff"])
    response = client.post(
        f"/introductions/{introduction.pk}/steps/", {"stage": "met", "happened_on": in_days(3).isoformat()}
    )
    assert (
        response.status_code == 400 and "A step cannot be dated in the future." in response.content.decode()
    )
    response = client.post(
        f"/introductions/{introduction.pk}/steps/", {"stage": "met", "happened_on": in_days(-3).isoformat()}
    )
    assert response.status_code == 400 and "cannot come before the previous one" in response.content.decode()
    introduction.refresh_from_db()
    assert introduction.stage == "introduced" and introduction.steps.count() == 1
    # Straight to lost is allowed; after it, nothing more.
    client.post(
        f"/introductions/{introduction.pk}/steps/", {"stage": "lost", "happened_on": in_days(0).isoformat()}
    )
    introduction.refresh_from_db()
    assert introduction.stage == "lost"
    with pytest.raises(ValidationError, match="cannot move"):
        services.record_step(
            actor=world.users["admin"], introduction=introduction, stage="met", happened_on=in_days(0)
        )


def test_interest_twice_at_once_is_stopped_by_the_database(world):
    """The unique constraint is the last word when two requests pass the Python check together."""
    from django.db import IntegrityError, transaction

    from jumelage.opportunities.models import Interest

    opportunity = make_opportunity(world)
    Interest.objects.create(opportunity=opportunity, organisation=world.be_org, message="un")
    with pytest.raises(IntegrityError), transaction.atomic():
        Interest.objects.create(opportunity=opportunity, organisation=world.be_org, message="deux")
    assert Interest.objects.count() == 1
