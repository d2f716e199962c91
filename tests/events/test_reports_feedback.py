"""After the event: the thank-you e-mail (real SMTP on loopback) with each attendee's feedback link, and
the feedback form it opens (once only, and only once the event is over)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext

from jumelage.core.models import AuditLog
from jumelage.events.models import Feedback, Registration
from jumelage.events.services import reports
from tests.factories import build_event

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def ended(world):
    """Smart City Day, over since an hour: two attendees checked in (Dutch, French), one confirmed who
    did not come, one on the waiting list."""
    now = timezone.now()
    event = build_event(world, starts_at=now - timedelta(hours=9), ends_at=now - timedelta(hours=1))
    came = event.starts_at + timedelta(minutes=15)

    def reg(name, **fields):
        fields.setdefault("status", "confirmed")
        return Registration.objects.create(
            event=event, name=name, email=f"{name.lower()}@example.org", **fields
        )

    return event, {
        "nl": reg("Noor", language="nl", checked_in_at=came),
        "fr": reg("Louise", language="fr", checked_in_at=came),
        "absent": reg("Absent", language="en"),
        "waiting": reg("Waiting", status="waitlisted", language="en"),
    }


def feedback_path(registration):
    return f"/events/{registration.event.slug}/feedback/{registration.token}/"


# --- The thank-you e-mail ---------------------------------------------------------------------------


def test_checked_in_attendees_are_thanked_once_in_their_language(ended, smtp, settings):
    event, regs = ended
    settings.SITE_URL = "https://jumelage.example"

    assert reports.send_thanks(event=event) == 2

    assert {m.recipients[0] for m in smtp.messages} == {"noor@example.org", "louise@example.org"}
    (nl,) = smtp.to("noor@example.org")
    (fr,) = smtp.to("louise@example.org")
    with translation.override("nl"):
        dutch = gettext("Thank you for coming to %(title)s") % {"title": "Smart City Day"}
    assert nl.subject == dutch != "Thank you for coming to Smart City Day"  # in Dutch, not English
    # Rendered in each recipient's language: the date's month name and the HTML's lang say so.
    assert 'lang="nl"' in nl.html() and 'lang="fr"' in fr.html()
    with translation.override("nl"):
        assert date_format(timezone.localtime(event.starts_at), "j F Y") in nl.text()
    with translation.override("fr"):
        assert date_format(timezone.localtime(event.starts_at), "j F Y") in fr.text()
    # The personal feedback link, and every partner's brand side by side.
    assert f"https://jumelage.example/events/smart-city-day/feedback/{regs['nl'].token}/" in nl.text()
    assert f'href="https://jumelage.example/events/smart-city-day/feedback/{regs["fr"].token}/"' in fr.html()
    assert nl.text().index("Digital Wallonia") < nl.text().index("French Tech Brussels")

    # Run again (say the daily command): nobody is thanked twice; a late check-in is thanked alone.
    assert reports.send_thanks(event=event) == 0
    Registration.objects.filter(pk=regs["absent"].pk).update(checked_in_at=timezone.now())
    assert reports.send_thanks(event=event) == 1
    assert len(smtp.messages) == 3 and smtp.to("absent@example.org")
    assert AuditLog.objects.filter(action=reports.THANKS_ACTION).count() == 3


def test_no_thanks_before_the_event_is_over(world, smtp):
    event = build_event(world)
    Registration.objects.create(
        event=event, name="Early", email="early@example.org", status="confirmed", checked_in_at=timezone.now()
    )
    with pytest.raises(reports.ReportError, match="once the event is over"):
        reports.send_thanks(event=event)
    assert smtp.messages == []


def test_no_thanks_for_a_cancelled_event(ended, smtp):
    event, _regs = ended
    event.status = "cancelled"
    event.save(update_fields=["status"])
    with pytest.raises(reports.ReportError, match="did not take place"):
        reports.send_thanks(event=event)
    assert smtp.messages == []


def test_the_command_thanks_recently_ended_events(ended, smtp):
    out = StringIO()
    call_command("send_event_thanks", stdout=out)
    assert "smart-city-day: 2 thank-you e-mails sent." in out.getvalue()
    assert len(smtp.messages) == 2
    out = StringIO()
    call_command("send_event_thanks", "smart-city-day", stdout=out)
    assert "0 thank-you e-mails sent in all." in out.getvalue()
    with pytest.raises(CommandError, match="no-such-event"):
        call_command("send_event_thanks", "no-such-event")


def test_organisers_send_the_thanks_from_the_report_through_the_task(
    ended, smtp, settings, world, client_factory
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    event, _regs = ended
    client = client_factory(world.users["node_staff"])
    page = client.get(f"/events/{event.slug}/report/", **EN).content.decode()
    assert "Send the thank-you e-mail with the feedback link to 2 attendees" in page

    response = client.post(f"/events/{event.slug}/report/thanks/", **EN)
    assert response.status_code == 302
    assert len(smtp.messages) == 2
    page = client.get(f"/events/{event.slug}/report/", **EN).content.decode()
    assert "The thank-you e-mails are on their way" in page
    assert "Every attendee checked in has been sent the thank-you e-mail" in page
    assert AuditLog.objects.get(action="event.thanks_sent").actor == world.users["node_staff"]
    # Not an organiser: refused, nothing sent.
    assert (
        client_factory(world.users["member"]).post(f"/events/{event.slug}/report/thanks/").status_code == 403
    )


# --- The feedback form --------------------------------------------------------------------------------


def test_an_attendee_gives_feedback_once(ended, client):
    _event, regs = ended
    path = feedback_path(regs["nl"])
    page = client.get(path, **EN)
    assert page.status_code == 200
    assert "Thank you for coming, Noor." in page.content.decode()

    response = client.post(path, {"rating": "4", "comment": "  Great pitches  "}, **EN)
    assert response.status_code == 200
    assert "Your feedback on Smart City Day was recorded." in response.content.decode()
    feedback = Feedback.objects.get(registration=regs["nl"])
    assert (feedback.rating, feedback.comment) == (4, "Great pitches")

    again = client.post(path, {"rating": "1", "comment": "Changed my mind"}, **EN)
    assert again.status_code == 409
    assert "You have already given your feedback on this event" in again.content.decode()
    assert Feedback.objects.get(registration=regs["nl"]).rating == 4
    assert Feedback.objects.count() == 1
    # Opening the link again says so too, without a form.
    reopened = client.get(path, **EN).content.decode()
    assert "already given your feedback" in reopened and 'name="rating"' not in reopened


def test_feedback_before_the_event_ends_is_refused_clearly(world, client):
    event = build_event(world)
    reg = Registration.objects.create(
        event=event, name="Early", email="early@example.org", status="confirmed"
    )
    page = client.get(feedback_path(reg), **EN).content.decode()
    assert "Feedback opens when the event is over" in page
    assert 'name="rating"' not in page
    response = client.post(feedback_path(reg), {"rating": "5"}, **EN)
    assert response.status_code == 409
    assert "Feedback opens when the event is over" in response.content.decode()
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("rating", ["", "0", "6", "five"])
def test_a_bad_rating_is_refused_and_nothing_written(ended, client, rating):
    _event, regs = ended
    response = client.post(feedback_path(regs["fr"]), {"rating": rating, "comment": "kept"}, **EN)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose a rating from 1 to 5." in html
    assert "kept</textarea>" in html  # what they wrote is not lost
    assert not Feedback.objects.exists()


def test_only_a_confirmed_seat_gives_feedback_and_tokens_are_per_event(ended, client, world):
    event, regs = ended
    response = client.post(feedback_path(regs["waiting"]), {"rating": "3"}, **EN)
    assert response.status_code == 409
    assert "Only people who held a confirmed seat" in response.content.decode()
    other = build_event_elsewhere(world)
    assert client.get(f"/events/{other.slug}/feedback/{regs['fr'].token}/").status_code == 404
    assert client.get(f"/events/{event.slug}/feedback/nope/").status_code == 404
    assert not Feedback.objects.exists()


def build_event_elsewhere(world):
    from tests.factories import EventFactory

    return EventFactory(slug="another-event", title="Another event")


def test_the_task_sends_nothing_for_an_event_not_over(world, smtp):
    from jumelage.events.report_tasks import send_event_thanks

    event = build_event(world)
    Registration.objects.create(
        event=event, name="Early", email="early@example.org", status="confirmed", checked_in_at=timezone.now()
    )
    assert send_event_thanks.call(event.pk) == 0
    assert send_event_thanks.call(999999) == 0
    assert smtp.messages == []
