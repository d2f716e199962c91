"""E-mails of the brokerage, each in its recipient's language (core.mail)."""

from django.conf import settings
from django.urls import reverse

from jumelage.brokerage import agenda
from jumelage.brokerage.models import Brokerage, Participant
from jumelage.core import mail


def agenda_changed(brokerage_id: int, participant_ids: list[int]) -> int:
    """Tell each participant whose meetings moved (or were placed) what their agenda is now."""
    brokerage = Brokerage.objects.select_related("event").get(pk=brokerage_id)
    event = brokerage.event
    messages = []
    for p in Participant.objects.filter(pk__in=participant_ids):
        meetings = [{"slot": e.slot, "table": e.meeting.table, "with": e.other} for e in agenda.entries(p)]
        url = settings.SITE_URL + reverse("brokerage:agenda", args=[event.slug])
        messages.append(
            mail.Mail(
                to=p.email,
                language=p.language,
                template="brokerage/mail/agenda_changed",
                context={"event": event, "participant": p, "meetings": meetings, "agenda_url": url},
            )
        )
    return mail.send(messages)


def request_received(request) -> int:
    event = request.brokerage.event
    url = settings.SITE_URL + reverse("brokerage:requests", args=[event.slug])
    return mail.send(
        [
            mail.Mail(
                to=request.recipient.email,
                language=request.recipient.language,
                template="brokerage/mail/request_received",
                context={"event": event, "request": request, "requests_url": url},
            )
        ]
    )


def request_answered(request) -> int:
    event = request.brokerage.event
    url = settings.SITE_URL + reverse("brokerage:requests", args=[event.slug])
    return mail.send(
        [
            mail.Mail(
                to=request.requester.email,
                language=request.requester.language,
                template="brokerage/mail/request_answered",
                context={"event": event, "request": request, "requests_url": url},
            )
        ]
    )
