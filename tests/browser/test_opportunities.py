"""An opportunity's whole path in a real browser: a French company publishes it, the matching Walloon
startup finds it among its suggestions, expresses interest, the publisher accepts, both receive the
introduction e-mail (over real SMTP) and the partnership enters the pipeline. Every page is checked with
axe-core (the fixtures fail the test on any serious or critical violation)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jumelage.directory import services as directory_services
from jumelage.directory.models import Representative, Theme
from jumelage.opportunities.models import Interest, Introduction, Opportunity, PipelineStep
from tests.browser.helpers import axe_check, login, visit
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.usefixtures("immediate_tasks"),
]

TITLE = "Air-quality sensors for buses and trams"


@pytest.fixture
def partners(world):
    smart = Theme.objects.create(code="smart-city", label_fr="Ville intelligente", label_en="Smart city")
    mobility = Theme.objects.create(code="mobility", parent=smart, label_fr="Mobilité", label_en="Mobility")
    directory_services.update_organisation(
        actor=None,
        organisation=world.be_org,
        data={"description_en": "We design air-quality sensors for buses, trams and city streets in Namur."},
        themes=[mobility],
    )
    fr_rep = UserFactory(
        username="claire", first_name="Claire", email="claire@paris-deeptech.example", language="fr"
    )
    Representative.objects.create(user=fr_rep, organisation=world.fr_org)
    be_rep = world.users["representative"]
    be_rep.first_name, be_rep.language = "Jan", "nl"
    be_rep.save()
    return {"fr_rep": fr_rep, "be_rep": be_rep, "mobility": mobility}


def test_publish_suggested_across_the_border_interest_accept_introduction(new_page, world, partners, smtp):
    # 1. Paris Deeptech's representative publishes a technology request.
    owner = new_page(locale="en-GB")
    login(owner, "claire", next_path="/opportunities/new/")
    expect(owner.get_by_role("heading", level=1)).to_have_text("Publish an opportunity")
    owner.get_by_label("Kind").select_option("technology_request")
    owner.get_by_label("Title").fill(TITLE)
    owner.get_by_label("Summary").fill(
        "We look for a Walloon partner to equip public transport with sensors."
    )
    owner.get_by_label("Description (English)").fill(
        "We are looking for a company that designs air-quality sensors for buses and trams."
    )
    owner.get_by_label("Themes").select_option(label="Smart city › Mobility")
    owner.get_by_label("Deadline").fill((timezone.localdate() + timedelta(days=45)).isoformat())
    with owner.expect_navigation():
        owner.get_by_role("button", name="Publish", exact=True).click()
    axe_check(owner)
    expect(owner.get_by_role("status")).to_contain_text("is published")
    opportunity = Opportunity.objects.get(title=TITLE)
    assert opportunity.status == "published"

    # 2. The matching organisation on the other side is suggested, with the reason (htmx loads it).
    suggestions = owner.locator("section.suggestions")
    expect(suggestions.get_by_role("link", name="Wallonie Startup")).to_be_visible()
    expect(suggestions).to_contain_text("shared themes: Mobility")
    expect(suggestions).to_contain_text("cross-border")
    axe_check(owner)

    # 3. Wallonie Startup's representative finds it among the suggestions on its own profile.
    startup = new_page(locale="en-GB")
    login(startup, "rep", next_path="/organisations/wallonie-startup/")
    mine = startup.locator("section.suggestions")
    expect(mine.get_by_role("link", name=f"{TITLE} (Paris Deeptech)")).to_be_visible()
    axe_check(startup)
    with startup.expect_navigation():
        mine.get_by_role("link", name=f"{TITLE} (Paris Deeptech)").click()
    axe_check(startup)

    # 4. … and expresses interest; an empty message is refused first.
    with startup.expect_navigation():
        startup.get_by_role("button", name="Send my interest").click()
    axe_check(startup)
    expect(startup.get_by_role("alert").first).to_contain_text("Your interest was not sent")
    assert not Interest.objects.exists()
    startup.get_by_label("Your message").fill("Our sensors already equip 40 buses in Namur. Shall we talk?")
    with startup.expect_navigation():
        startup.get_by_role("button", name="Send my interest").click()
    axe_check(startup)
    expect(startup.get_by_role("status")).to_contain_text("Your interest was sent to Paris Deeptech")

    # 5. The publisher accepts it.
    visit(owner, f"/opportunities/{opportunity.pk}/")
    axe_check(owner)
    interests = owner.get_by_role("table")
    expect(interests).to_contain_text("Our sensors already equip 40 buses in Namur.")
    with owner.expect_navigation():
        owner.get_by_role("button", name="Accept the interest of Wallonie Startup").click()
    axe_check(owner)
    expect(owner.get_by_role("heading", level=1)).to_have_text(
        "Partnership of Paris Deeptech and Wallonie Startup"
    )
    steps = owner.get_by_role("table")
    expect(steps).to_contain_text("Introduced")
    expect(steps).to_contain_text("La French Tech")
    introduction = Introduction.objects.get()
    assert introduction.stage == "introduced"

    # 6. Both sides received the introduction e-mail over SMTP, each naming the other.
    to_owner = [
        m
        for m in smtp.to("claire@paris-deeptech.example")
        if "Wallonie Startup" in m.text() and "Jan" in m.text()
    ]
    to_startup = [m for m in smtp.to(partners["be_rep"].email) if "claire@paris-deeptech.example" in m.text()]
    assert len(to_owner) == 1 and len(to_startup) == 1
    assert f"/introductions/{introduction.pk}/" in to_startup[0].text()

    # 7. The startup records the first meeting: the pipeline moves on, dated and credited.
    visit(startup, f"/introductions/{introduction.pk}/")
    axe_check(startup)
    startup.get_by_label("New stage").select_option("met")
    startup.get_by_label("Made happen by (ecosystem)").select_option(label="Digital Wallonia")
    with startup.expect_navigation():
        startup.get_by_role("button", name="Record the step").click()
    axe_check(startup)
    expect(startup.get_by_role("status")).to_contain_text("The partnership moved to “met”")
    expect(startup.get_by_role("table")).to_contain_text("Digital Wallonia")
    assert PipelineStep.objects.filter(stage="met", ecosystem=world.wallonia).exists()

    # 8. The pipeline page lists it for the startup's side.
    visit(startup, "/pipeline/")
    axe_check(startup)
    expect(startup.get_by_role("link", name=TITLE)).to_be_visible()


def test_market_needs_page_with_its_chart_is_accessible(new_page, world, partners):
    from datetime import date

    from jumelage.opportunities.models import MarketNeed

    for market, day in (("BE", date(2025, 4, 1)), ("FR", date(2026, 2, 1)), ("FR", date(2026, 3, 1))):
        MarketNeed.objects.create(
            theme=partners["mobility"], market=market, expressed_by="AWEX", evidence="Seen", observed_on=day
        )
    page = new_page(locale="en-GB")
    login(page, "dw-staff", next_path="/market-needs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Market needs")
    expect(page.get_by_role("img", name="Market needs by theme")).to_be_visible()
    axe_check(page)


def test_opportunity_pages_pass_axe_for_each_role_including_empty_states_and_errors(new_page, world):
    from tests.browser.helpers import force_login

    draft = Opportunity.objects.create(
        organisation=world.be_org,
        kind="business_offer",
        title="Draft for axe",
        summary="A draft",
        deadline=timezone.localdate() + timedelta(days=10),
    )
    visitor = new_page(locale="en-GB")
    for path in ("/opportunities/", "/opportunities/?kind=investment", "/opportunities/?theme=unknown"):
        visit(visitor, path, expect_status=400 if "unknown" in path else 200)
    paths = {
        "representative": [
            "/opportunities/new/",
            f"/opportunities/{draft.pk}/",
            f"/opportunities/{draft.pk}/edit/",
            f"/opportunities/{draft.pk}/suggestions/",
            "/pipeline/",
            "/market-needs/",
            "/market-needs/new/",
            "/matchmaking/digest/",
            "/organisations/wallonie-startup/suggestions/",
        ],
        "node_staff": ["/pipeline/", "/opportunities/new/"],
    }
    for role, role_paths in paths.items():
        page = new_page(locale="en-GB")
        force_login(page, world.users[role])
        for path in role_paths:
            visit(page, path)
    # A form sent back with its errors.
    page = new_page(locale="en-GB")
    force_login(page, world.users["representative"])
    visit(page, "/opportunities/new/")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish", exact=True).click()
    axe_check(page)
    expect(page.get_by_role("alert").first).to_contain_text("Nothing was saved")
