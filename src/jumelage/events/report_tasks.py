"""Background task of the report area: thank the attendees of an event that is over (django-tasks; run
by `jumelage worker`, or in-process by the immediate backend)."""

from django.contrib.auth import get_user_model
from django_tasks import task

from jumelage.events.models import Event
from jumelage.events.services import reports


@task()
def send_event_thanks(event_id: int, actor_id: int | None = None) -> int:
    """Send the thank-you e-mails of one event (only to attendees not thanked yet). Returns how many."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return 0
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        return reports.send_thanks(event=event, actor=actor)
    except reports.ReportError:  # not over, or cancelled since it was queued: nothing to send
        return 0
