"""Co-programming and calls in a real browser: two co-organisers (Digital Wallonia staff and French
Tech Brussels staff) agree a programme and publish it; a startup applies to pitch, a juror scores it,
the organiser selects it and the startup confirms by the link of its e-mail. Every page is checked
with axe-core. The browsers speak English (the French catalogue of these pages is still to come)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jumelage.events.models import Proposal, Submission
from jumelage.events.services import calls
from tests.browser.helpers import axe_check, force_login, visit
from tests.factories import ThemeFactory, build_event

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _submit(page, name):
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()
    axe_check(page)


def test_two_co_organisers_agree_the_programme_and_publish_it(new_page, world):
    event = build_event(world)
    ThemeFactory(code="smart-city", label_en="Smart city", label_fr="Ville intelligente")

    dw = new_page(locale="en-GB")
    force_login(dw, world.users["ecosystem_staff"])
    visit(dw, f"/events/{event.slug}/programme/")
    expect(dw.get_by_role("heading", level=1)).to_have_text("Co-programming board: Smart City Day")
    expect(dw.get_by_text("No proposals yet.")).to_be_visible()

    # Who would a mobilisation reach? The preview answers without saving anything.
    dw.get_by_label("What do you propose?").select_option("mobilise")
    dw.get_by_label("Actors to mobilise: directory filters").fill("country=BE&kind=startup")
    _submit(dw, "Preview who the filters name")
    expect(dw.locator(".audience-preview")).to_contain_text("1 organisation in the directory matches.")
    expect(dw.locator(".audience-preview")).to_contain_text("Wallonie Startup")
    assert not Proposal.objects.exists()

    # Digital Wallonia proposes a theme.
    dw.get_by_label("What do you propose?").select_option("theme")
    dw.get_by_label("Actors to mobilise: directory filters").fill("")
    dw.get_by_label("Theme", exact=True).select_option(label="Smart city")
    dw.get_by_label("Details").fill("Mobility and sensors in Walloon and Brussels cities")
    _submit(dw, "Propose")
    expect(dw.get_by_role("status")).to_contain_text("Your proposal “Smart city” was added to the board.")
    expect(dw.locator(".proposal")).to_contain_text("Awaiting decision")
    expect(dw.get_by_role("button", name="Publish the programme")).to_have_count(0)

    # French Tech Brussels approves it; the proposal is agreed and can be published.
    ft = new_page(locale="en-GB")
    force_login(ft, world.users["node_staff"])
    visit(ft, f"/events/{event.slug}/programme/")
    ft.get_by_label("Comment for the partners (required to reject)").fill("Good for our startups too")
    _submit(ft, "Approve for French Tech Brussels")
    expect(ft.get_by_role("status")).to_contain_text("You approved “Smart city”; it is now agreed.")
    expect(ft.locator(".decisions")).to_contain_text("Good for our startups too")
    _submit(ft, "Publish the programme")
    expect(ft.get_by_role("status")).to_contain_text("The programme is published on the event's page.")
    expect(ft.locator(".programme-items")).to_contain_text("Smart city")
    event.refresh_from_db()
    assert event.programme_published_at is not None
    assert Proposal.objects.get().status == "agreed"

    # Digital Wallonia sees the same board: agreed, published.
    visit(dw, f"/events/{event.slug}/programme/")
    expect(dw.locator(".programme-status")).to_contain_text("Published on")


def test_a_startup_applies_is_scored_selected_and_confirms(new_page, world, smtp):
    event = build_event(world)
    rep_user = world.users["representative"]
    rep_user.language = "en"
    rep_user.save()
    now = timezone.now()
    call = calls.open_call(
        actor=world.users["ecosystem_staff"],
        event=event,
        kind="pitch",
        title="Smart city pitches",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
        criteria=[("Innovation", 2), ("Team", 1)],
    )
    base = f"/events/{event.slug}/calls/{call.pk}/"

    # The organiser invites French Tech Brussels' staff member to the jury.
    org = new_page(locale="en-GB")
    force_login(org, world.users["ecosystem_staff"])
    visit(org, base + "manage/")
    org.get_by_label("Invite a juror (user name or e-mail)").fill("ftbxl-staff")
    _submit(org, "Add to the jury")
    expect(org.get_by_role("status")).to_contain_text("is on the jury.")

    # The startup applies; a file that is not a PDF is refused first, with nothing saved.
    rep = new_page(locale="en-GB")
    force_login(rep, rep_user)
    visit(rep, base)
    rep.get_by_label("Startup you represent").select_option(label="Wallonie Startup")
    rep.get_by_label("What the startup does").fill("Urban sensors for parking and air quality.")
    rep.get_by_label("Stage").select_option("seed")
    rep.get_by_label("Investment").check()
    rep.get_by_label("Clients").check()
    rep.get_by_label("Video link").fill("https://video.example/wallonie-startup")
    rep.get_by_label(re.compile("^Deck")).set_input_files(
        {"name": "deck.pdf", "mimeType": "application/pdf", "buffer": b"GIF89a this is an image"}
    )
    _submit(rep, "Send my application")
    expect(rep.get_by_role("status")).to_contain_text("Nothing was saved.")
    expect(rep.locator(".field.has-error")).to_contain_text(
        "The deck must be a PDF or a PowerPoint (.pptx) file"
    )
    assert not Submission.objects.exists()
    rep.get_by_label(re.compile("^Deck")).set_input_files(
        {"name": "deck.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    _submit(rep, "Send my application")
    expect(rep.get_by_role("status")).to_contain_text("Your application “Wallonie Startup” was received.")
    submission = Submission.objects.get()
    assert (submission.stage, submission.asks) == ("seed", ["investment", "clients"])

    # The juror scores it.
    juror = new_page(locale="en-GB")
    force_login(juror, world.users["node_staff"])
    visit(juror, base + "review/")
    with juror.expect_navigation():
        juror.get_by_role("link", name="Wallonie Startup").click()
    axe_check(juror)
    juror.get_by_label("Innovation (weight 2)").fill("5")
    juror.get_by_label("Team (weight 1)").fill("2")
    _submit(juror, "Save my scores")
    expect(juror.get_by_role("status")).to_contain_text("Your scores for “Wallonie Startup” were saved.")

    # The organiser sees the weighted score and selects the startup; it is told by e-mail.
    visit(org, base + "manage/")
    expect(org.locator(".ranking")).to_contain_text("4.00")
    _submit(org, "Select Wallonie Startup")
    expect(org.get_by_role("status")).to_contain_text("is selected; the applicant was asked to confirm.")
    [mail] = smtp.to("rep@example.org")
    assert mail.subject == "Selected: Wallonie Startup at Smart City Day"
    link = re.search(r"http://\S+/events/selection/\S+/", mail.text()).group(0)

    # The startup confirms through the link of the e-mail.
    path = "/" + link.split("/", 3)[3]
    visit(rep, path)
    _submit(rep, "I confirm my participation")
    expect(rep.get_by_role("status")).to_contain_text("Thank you: your participation is confirmed.")
    submission.refresh_from_db()
    assert submission.status == "confirmed"
