"""After the event: a co-organiser's staff open the report (charts, tables, their own share), record a
pitch's outcome; an attendee gives feedback from the link in the thank-you e-mail; the partners' pages
list the event. Every page is checked with axe-core."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jumelage.events.models import Call, Feedback, Registration, Submission
from tests.browser.helpers import axe_check, force_login, visit
from tests.factories import build_event

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def ended(world):
    now = timezone.now()
    event = build_event(world, starts_at=now - timedelta(hours=9), ends_at=now - timedelta(hours=1))
    lead = event.partners.get(role="lead")
    ftbxl = event.partners.get(role="co_organiser")
    came = event.starts_at + timedelta(minutes=10)
    regs = [
        Registration.objects.create(
            event=event,
            name="Ana Wallon",
            email="ana@example.org",
            status="confirmed",
            organisation=world.be_org,
            country="BE",
            via_partner=lead,
            checked_in_at=came,
        ),
        Registration.objects.create(
            event=event,
            name="Paul Paris",
            email="paul@example.org",
            status="confirmed",
            organisation=world.fr_org,
            country="FR",
            via_partner=ftbxl,
            checked_in_at=came,
        ),
        Registration.objects.create(
            event=event,
            name="Fred Free",
            email="fred@example.org",
            status="confirmed",
            organisation_name="Freelance",
            organisation_kind="company",
            country="FR",
            via_partner=ftbxl,
        ),
    ]
    Feedback.objects.create(registration=regs[0], rating=5, comment="Des contacts utiles")
    call = Call.objects.create(
        event=event,
        kind="pitch",
        title="Pitches",
        opens_at=now - timedelta(days=20),
        closes_at=now - timedelta(days=5),
    )
    Submission.objects.create(
        call=call,
        organisation=world.be_org,
        title="Capteurs urbains",
        abstract="…",
        speaker_name="Ana",
        speaker_email="ana@example.org",
        status="confirmed",
    )
    return event, regs


def test_co_organiser_staff_read_the_report_and_record_an_outcome(new_page, world, ended):
    event, _regs = ended
    page = new_page(locale="en-GB")
    force_login(page, world.users["node_staff"])
    visit(page, f"/events/{event.slug}/report/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Report: Smart City Day")
    expect(page.locator(".own-share-summary")).to_contain_text(
        "Your share: French Tech Brussels brought 2 of the 3 confirmed registrations (66.7%)"
    )
    own = page.locator("#table-partners tr.own-share")
    expect(own).to_have_count(1)
    expect(own).to_contain_text("French Tech Brussels")
    # Four breakdowns and the ratings: each an SVG image with a name, and its table beside it.
    expect(page.locator("svg.bar-chart[role=img]")).to_have_count(5)
    expect(page.get_by_role("img", name="By country")).to_be_visible()
    expect(page.locator("#table-country tbody tr")).to_have_count(2)
    expect(page.locator("#table-country tbody tr").first).to_contain_text("France")
    expect(page.locator(".report-comments")).to_contain_text("Des contacts utiles")
    expect(page.get_by_role("link", name="Attendee list as XLSX")).to_be_visible()

    page.get_by_label("Outcome of “Capteurs urbains”").fill("Deux projets pilotes")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the outcome").click()
    axe_check(page)
    expect(page.get_by_role("status")).to_contain_text(
        "The outcome of the pitch “Capteurs urbains” was saved."
    )
    assert Submission.objects.get(title="Capteurs urbains").outcome == "Deux projets pilotes"


def test_an_attendee_gives_feedback_once_from_the_email_link(new_page, ended):
    event, regs = ended
    page = new_page(locale="en-GB")
    path = f"/events/{event.slug}/feedback/{regs[1].token}/"
    visit(page, path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your feedback on Smart City Day")

    page.get_by_role("radio", name="4").check()
    page.get_by_label("Your comment (optional)").fill("Bien organisé")
    with page.expect_navigation():
        page.get_by_role("button", name="Send my feedback").click()
    axe_check(page)
    expect(page.get_by_role("status")).to_contain_text("Your feedback on Smart City Day was recorded.")
    feedback = Feedback.objects.get(registration=regs[1])
    assert (feedback.rating, feedback.comment) == (4, "Bien organisé")

    visit(page, path)
    expect(page.get_by_role("alert")).to_contain_text("You have already given your feedback on this event.")
    expect(page.get_by_role("radio")).to_have_count(0)


def test_a_missing_rating_is_explained_next_to_the_field(new_page, ended):
    event, regs = ended
    page = new_page(locale="en-GB")
    visit(page, f"/events/{event.slug}/feedback/{regs[2].token}/")
    page.get_by_label("Your comment (optional)").fill("Sans note")
    with page.expect_navigation():
        page.get_by_role("button", name="Send my feedback").click()
    axe_check(page)
    expect(page.locator("#rating-error")).to_have_text("Choose a rating from 1 to 5.")
    expect(page.get_by_label("Your comment (optional)")).to_have_value("Sans note")
    assert not Feedback.objects.filter(registration=regs[2]).exists()


def test_partner_pages_list_the_event_with_each_role(page, world, ended):
    visit(page, f"/ecosystems/{world.wallonia.slug}/")
    events = page.locator(".event-partnerships")
    expect(events.get_by_role("link", name="Smart City Day")).to_be_visible()
    visit(page, f"/nodes/{world.ftbxl.slug}/")
    expect(page.locator(".event-partnerships").get_by_role("link", name="Smart City Day")).to_be_visible()
