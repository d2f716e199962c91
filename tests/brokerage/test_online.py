"""Online participation: where the organisers allow it, each table has a video link; who takes part
online gets it in the agenda, the calendar file, the PDF, the API and the e-mail, and the other side
learns that they join online."""

import pytest
from django.core.exceptions import ValidationError
from icalendar import Calendar

from jumelage.brokerage import services
from jumelage.brokerage.models import Table
from tests.brokerage.conftest import add_participant, day
from tests.brokerage.test_pages import login, text
from tests.events.test_badges import pdf_text

A1 = "https://meet.example.org/smart-city-a1"
A2 = "https://meet.example.org/smart-city-a2"


def reconfigure(brokerage, staff, *, tables, online_allowed=True):
    event = brokerage.event
    return services.configure(
        event=event,
        actor=staff,
        sessions=[
            services.SessionSpec("Morning", day(event, 9), day(event, 10)),
            services.SessionSpec("Afternoon", day(event, 14), day(event, 15)),
        ],
        tables=tables,
        meeting_minutes=25,
        pause_minutes=5,
        max_meetings=3,
        max_requests=3,
        online_allowed=online_allowed,
    )


def join_online(brokerage):
    return add_participant(brokerage, "Eva", "FR", offers="Remote audits", online=True)


def test_online_meetings_need_a_video_link_at_every_table(brokerage_world):
    brokerage, _people, staff = brokerage_world
    with pytest.raises(ValidationError) as refused:
        reconfigure(brokerage, staff, tables=[f"A1 | {A1}", "A2"])
    assert "Missing for: A2" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        reconfigure(brokerage, staff, tables=["A1 | meet dot example", f"A2 | {A2}"])
    assert "The video link of table “A1” is not a web address" in str(refused.value)
    brokerage.refresh_from_db()
    assert not brokerage.online_allowed  # nothing changed
    assert list(Table.objects.filter(brokerage=brokerage).values_list("name", "video_link")) == [
        ("A1", ""),
        ("A2", ""),
    ]


def test_nobody_joins_online_where_the_meetings_are_on_site_only(brokerage_world):
    brokerage, _people, _staff = brokerage_world
    with pytest.raises(ValidationError) as refused:
        join_online(brokerage)
    assert "on site only" in str(refused.value)
    assert not brokerage.participants.filter(name="Eva").exists()


def test_online_cannot_be_turned_off_while_someone_takes_part_online(brokerage_world):
    brokerage, _people, staff = brokerage_world
    brokerage = reconfigure(brokerage, staff, tables=[f"A1 | {A1}", f"A2 | {A2}"])
    join_online(brokerage)
    with pytest.raises(ValidationError) as refused:
        reconfigure(brokerage, staff, tables=["A1", "A2"], online_allowed=False)
    assert "Eva take part online" in str(refused.value)


def test_the_online_side_gets_the_table_s_video_link_everywhere(brokerage_world, smtp, publish_schedule):
    brokerage, people, staff = brokerage_world
    slug = brokerage.event.slug
    brokerage = reconfigure(brokerage, staff, tables=[f"A1 | {A1}", f"A2 | {A2}"])
    organiser = login(staff)
    setup_page = text(organiser.get(f"/events/{slug}/b2b/setup/"))
    assert f"A1 | {A1}" in setup_page  # the organiser sees the links they gave

    eva = join_online(brokerage)
    services.answer(
        request=services.send_request(requester=people["Anna"], recipient=eva), by=eva, accept=True
    )
    publish_schedule(brokerage, organiser)
    meeting = brokerage.meetings.get()
    link = meeting.table.video_link
    assert link in (A1, A2)
    assert "Eva (Eva SA) · online" in text(organiser.get(f"/events/{slug}/b2b/tables/"))

    # Eva, online: the link in her agenda page, calendar file, PDF, API and e-mail.
    client = login(eva.user)
    page = text(client.get(f"/events/{slug}/b2b/agenda/"))
    assert (
        f"online (table {meeting.table.name})" in page and f'<a href="{link}">Join the video call</a>' in page
    )
    [item] = Calendar.from_ical(client.get(f"/events/{slug}/b2b/agenda.ics").content).walk("VEVENT")
    assert str(item["LOCATION"]) == link and str(item["URL"]) == link
    assert link in pdf_text(client.get(f"/events/{slug}/b2b/agenda.pdf").content)
    [row] = client.get(f"/api/v1/events/{slug}/b2b/agenda").json()
    assert row["video_link"] == link and row["where"] == f"online (table {meeting.table.name})"
    assert link in smtp.to("eva@example.org")[0].text()

    # Anna, on site: her table, that Eva joins online, and the link to open at the table.
    anna = text(login(people["Anna"].user).get(f"/events/{slug}/b2b/agenda/"))
    assert f"table {meeting.table.name}, Eva joins online" in anna and link in anna
