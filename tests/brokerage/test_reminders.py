"""Before answers close, participants with requests awaiting their answer are reminded once by e-mail."""

import io
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from jumelage.brokerage import services
from jumelage.brokerage.models import Brokerage
from jumelage.brokerage.tasks import send_answer_reminders


def test_one_reminder_per_deadline_to_those_with_requests_awaiting_an_answer(brokerage_world, smtp):
    brokerage, p, _staff = brokerage_world
    services.send_request(requester=p["Anna"], recipient=p["Bruno"])
    services.send_request(requester=p["Dirk"], recipient=p["Bruno"])
    answered = services.send_request(requester=p["Anna"], recipient=p["Chloé"])
    services.answer(request=answered, by=p["Chloé"], accept=True)
    now = timezone.now()
    Brokerage.objects.filter(pk=brokerage.pk).update(answers_close_at=now + timedelta(days=5))

    assert send_answer_reminders(now) == 0  # the deadline is still far
    Brokerage.objects.filter(pk=brokerage.pk).update(answers_close_at=now + timedelta(hours=20))
    out = io.StringIO()
    call_command("brokerage_reminders", stdout=out)
    assert out.getvalue() == "1 reminder(s) sent.\n"
    [mail] = smtp.messages  # Bruno only: Chloé has answered, Anna and Dirk have nothing to answer
    assert mail.recipients == ["bruno@example.org"]
    # (a non-ASCII subject is folded after "Subject:"; the reader unfolds it)
    assert mail.subject.strip() == "2 meeting requests await your answer — Smart City Day"
    assert (
        "Answers close on" in mail.text() and f"/events/{brokerage.event.slug}/b2b/requests/" in mail.text()
    )

    assert send_answer_reminders(now) == 0  # once per deadline
    Brokerage.objects.filter(pk=brokerage.pk).update(answers_close_at=now + timedelta(hours=30))
    assert send_answer_reminders(now) == 1  # the organisers moved the deadline: a new round
    Brokerage.objects.filter(pk=brokerage.pk).update(
        answers_close_at=now + timedelta(hours=10), status=Brokerage.Status.SCHEDULED
    )
    assert send_answer_reminders(now) == 0  # the schedule is published: nothing to remind
