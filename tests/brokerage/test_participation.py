"""After joining: a participant changes what they offer and seek, their themes, availability and
attendance; cancelling an agreed meeting frees the slot and tells the other side by e-mail."""

from django.utils import formats, timezone

from jumelage.brokerage import services
from jumelage.brokerage.models import MeetingRequest, MeetingSeat
from jumelage.directory.models import Theme
from tests.brokerage.test_pages import login, text


def test_a_participant_changes_offers_themes_and_availability(brokerage_world):
    brokerage, people, _staff = brokerage_world
    theme = Theme.objects.create(code="mobility-test", label_fr="Mobilité", label_en="Mobility")
    slot = brokerage.slots.get(number=2)
    afternoon = brokerage.sessions.get(name="Afternoon")
    anna = login(people["Anna"].user)
    url = f"/events/{brokerage.event.slug}/b2b/participation/"
    form = text(anna.get(url))
    assert "Anna offers" in form and 'name="online"' not in form  # on site only here
    day = formats.date_format(timezone.localtime(slot.starts_at), "SHORT_DATE_FORMAT")
    assert f"Morning, {day} 10:00–10:25" in form  # Brussels time (the fixture's slot starts at 09:00 UTC)

    response = anna.post(
        url,
        {
            "offers": "Parking sensors",
            "seeks": "Cities",
            "themes": [theme.pk],
            "unavailable": [slot.pk],
            "unavailable_sessions": [afternoon.pk],
        },
        follow=True,
    )
    assert "Your participation is updated." in text(response)
    anna_row = people["Anna"]
    anna_row.refresh_from_db()
    assert (anna_row.offers, anna_row.seeks) == ("Parking sensors", "Cities")
    away = {s.number for s in anna_row.unavailable.all()}
    assert list(anna_row.themes.all()) == [theme] and away == {2, 3, 4}  # slot 2 and the afternoon's two
    form = text(anna.get(url))  # the whole session shows ticked as such
    assert (
        f'name="unavailable_sessions" value="{afternoon.pk}" id="id_unavailable_sessions_1" checked' in form
    )
    third = brokerage.slots.get(number=3).pk  # an afternoon slot: covered by the session, not ticked alone
    assert f'value="{third}" id="id_unavailable_2">' in form


def test_a_slot_with_a_meeting_cannot_be_made_unavailable_and_nothing_is_saved(
    brokerage_world, publish_schedule
):
    brokerage, people, staff = brokerage_world
    slug = brokerage.event.slug
    services.answer(
        request=services.send_request(requester=people["Anna"], recipient=people["Bruno"]),
        by=people["Bruno"],
        accept=True,
    )
    organiser = login(staff)
    publish_schedule(brokerage, organiser)
    busy = MeetingSeat.objects.get(participant=people["Anna"]).slot

    response = login(people["Anna"].user).post(
        f"/events/{slug}/b2b/participation/",
        {"offers": "Something else", "seeks": "partners", "unavailable": [busy.pk]},
    )
    assert response.status_code == 400
    assert "You already have a meeting at" in text(response)
    people["Anna"].refresh_from_db()
    assert people["Anna"].offers == "Anna offers" and not people["Anna"].unavailable.exists()


def test_cancelling_an_agreed_meeting_frees_the_slot_and_tells_the_other_side(
    brokerage_world, smtp, publish_schedule
):
    brokerage, people, staff = brokerage_world
    slug = brokerage.event.slug
    request = services.send_request(requester=people["Anna"], recipient=people["Bruno"])
    services.answer(request=request, by=people["Bruno"], accept=True)
    organiser = login(staff)
    publish_schedule(brokerage, organiser)
    meeting = brokerage.meetings.select_related("slot", "table").get()
    when, table = meeting.slot, meeting.table.name
    before = len(smtp.to("bruno@example.org"))

    response = login(people["Anna"].user).post(
        f"/events/{slug}/b2b/requests/{request.pk}/withdraw/", follow=True
    )
    assert "Meeting cancelled; Bruno was told by e-mail." in text(response)
    request.refresh_from_db()
    assert request.status == MeetingRequest.Status.CANCELLED
    assert not MeetingSeat.objects.filter(meeting=meeting).exists()
    mails = smtp.to("bruno@example.org")[before:]
    assert [m.subject for m in mails] == ["Anna cancelled your meeting"]
    body = mails[0].text()
    assert f"table {table}" in body and "Smart City Day" in body
    assert formats.date_format(timezone.localtime(when.starts_at), "SHORT_DATETIME_FORMAT") in body
    assert "Bruno" not in text(login(people["Anna"].user).get(f"/events/{slug}/b2b/agenda/")).split("<h1>")[1]


def test_leaving_erases_the_participation_and_tells_the_other_side_of_each_agreed_meeting(
    brokerage_world, smtp, publish_schedule
):
    brokerage, people, staff = brokerage_world
    slug = brokerage.event.slug
    agreed = services.send_request(requester=people["Anna"], recipient=people["Bruno"])
    services.answer(request=agreed, by=people["Bruno"], accept=True)
    services.send_request(requester=people["Dirk"], recipient=people["Anna"])  # pending: just ends
    organiser = login(staff)
    publish_schedule(brokerage, organiser)
    table = brokerage.meetings.select_related("table").get().table.name
    before = len(smtp.to("bruno@example.org"))

    anna = login(people["Anna"].user)
    page = text(anna.get(f"/events/{slug}/b2b/participation/leave/"))
    assert "You have 1 agreed meeting: it is cancelled and the other side is told by e-mail." in page
    response = anna.post(f"/events/{slug}/b2b/participation/leave/", follow=True)
    assert "your participation is erased" in text(response)
    assert not brokerage.participants.filter(name="Anna").exists()
    assert not MeetingRequest.objects.filter(requester__name="Dirk").exists()
    assert not brokerage.meetings.exists() and not MeetingSeat.objects.exists()
    [mail] = smtp.to("bruno@example.org")[before:]
    assert mail.subject == "Anna cancelled your meeting" and f"table {table}" in mail.text()
    assert not smtp.to("dirk@example.org")  # a pending request needs no e-mail
