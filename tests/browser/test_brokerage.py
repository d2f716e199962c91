"""B2B meetings in the browser: a participant asks, the other accepts, the organiser runs the scheduler
and publishes, the participant reads the agenda and downloads its calendar file."""

from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from jumelage.brokerage.models import Meeting, MeetingSeat
from jumelage.directory.models import Theme
from tests.brokerage.conftest import build_brokerage
from tests.browser.helpers import axe_check, login, visit

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_request_accept_schedule_publish_and_agenda(new_page, world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    brokerage, people, _staff = build_brokerage(world)
    base = f"/events/{brokerage.event.slug}/b2b"
    parking = Theme.objects.create(code="smart-parking", label_fr="Stationnement", label_en="Smart parking")
    people["Anna"].themes.set([parking])
    people["Bruno"].themes.set([parking])

    anna = new_page(locale="en-GB")
    login(anna, "anna", next_path=f"{base}/")
    expect(anna.get_by_role("heading", level=1)).to_have_text("B2B meetings at Smart City Day")
    # The engine suggests Bruno (shared theme, other country) and says why; the catalogue filters by theme.
    suggestions = anna.get_by_role("region", name="Suggested for you")
    expect(suggestions.get_by_role("listitem").first).to_contain_text("shared themes: Smart parking")
    anna.get_by_label("Theme").select_option("smart-parking")
    with anna.expect_navigation():
        anna.get_by_role("button", name="Filter").click()
    catalogue = anna.get_by_role("region", name="Participants")
    expect(catalogue.get_by_role("heading", level=3)).to_have_count(1)
    expect(catalogue.get_by_role("heading", level=3)).to_contain_text("Bruno")
    axe_check(anna)
    anna.get_by_text("Ask Bruno for a meeting").first.click()
    anna.get_by_label("Message").first.fill("Shall we talk about smart parking?")
    with anna.expect_navigation():
        anna.get_by_role("button", name="Send the request").first.click()
    axe_check(anna)
    expect(anna.get_by_role("status")).to_contain_text("Your request was sent to Bruno.")

    bruno = new_page(locale="en-GB")
    login(bruno, "bruno", next_path=f"{base}/requests/")
    expect(bruno.get_by_text("Shall we talk about smart parking?")).to_be_visible()
    with bruno.expect_navigation():
        bruno.get_by_role("button", name="Accept").click()
    axe_check(bruno)
    expect(bruno.get_by_role("status")).to_contain_text("Meeting accepted.")

    organiser = new_page(locale="en-GB")
    login(organiser, "dw-staff", next_path=f"{base}/schedule/")
    expect(organiser.get_by_role("heading", level=1)).to_have_text("Schedule the meetings")
    organiser.get_by_label("Time limit (seconds)").fill("5")
    with organiser.expect_navigation():
        organiser.get_by_role("button", name="Run the scheduler").click()
    axe_check(organiser)
    expect(organiser.get_by_text("Draft ready")).to_be_visible()
    assert not Meeting.objects.filter(slot__isnull=False).exists()  # a draft changes nothing
    with organiser.expect_navigation():
        organiser.get_by_role("button", name="Publish this schedule and tell the participants").click()
    axe_check(organiser)
    expect(organiser.get_by_role("heading", level=1)).to_have_text("Table plan")
    expect(organiser.get_by_role("main")).to_contain_text("Anna")
    visit(organiser, f"{base}/dashboard/")  # figures, a chart per breakdown with its table (axe-checked)
    expect(organiser.get_by_role("region", name="Meetings by theme")).to_contain_text("Smart parking")
    # The organisers lock the meeting to the first slot of the other session, from the meetings page.
    placed = Meeting.objects.get(slot__isnull=False)
    target = brokerage.slots.exclude(session=placed.slot.session).order_by("number").first()
    visit(organiser, f"{base}/meetings/")
    organiser.get_by_label("Slot for Anna — Bruno").select_option(str(target.pk))
    with organiser.expect_navigation():
        organiser.get_by_role("button", name="Lock", exact=True).click()
    expect(organiser.get_by_role("status")).to_contain_text("Locked: ")
    axe_check(organiser)
    placed.refresh_from_db()
    assert placed.slot == target and placed.locked
    visit(organiser, f"{base}/setup/")  # sessions and tables (axe-checked)

    visit(anna, f"{base}/agenda/")
    expect(anna.get_by_role("table")).to_contain_text("Bruno SA")
    with anna.expect_download() as download:
        anna.get_by_role("link", name="Add to my calendar (.ics)").click()
    calendar = Calendar.from_ical(Path(download.value.path()).read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1 and "Bruno" in str(events[0]["SUMMARY"])

    # Anna changes her participation: the session without her meeting off, then sees what leaving does.
    busy = MeetingSeat.objects.select_related("slot__session").get(participant__name="Anna").slot.session
    free = brokerage.sessions.exclude(pk=busy.pk).get()
    visit(anna, f"{base}/participation/")
    anna.get_by_label(free.name, exact=True).check()
    with anna.expect_navigation():
        anna.get_by_role("button", name="Save").click()
    axe_check(anna)
    expect(anna.get_by_role("status")).to_contain_text("Your participation is updated.")
    visit(anna, f"{base}/participation/leave/")
    expect(anna.get_by_role("main")).to_contain_text("You have 1 agreed meeting")
