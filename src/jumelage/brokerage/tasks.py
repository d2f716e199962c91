"""Background work of the brokerage (django-tasks; `jumelage worker`, or in-process in embedded mode):
scheduler runs, and the reminders before the answer deadline (`jumelage manage brokerage_reminders`,
from cron)."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django_tasks import task

from jumelage.brokerage.models import Brokerage, MeetingRequest, ScheduleRun

# Participants with requests awaiting their answer are reminded once, this long before answers close.
REMIND_BEFORE = timedelta(hours=48)


@task()
def run_scheduler(run_id: int) -> str:
    from jumelage.brokerage.scheduling import execute

    run = ScheduleRun.objects.select_related("brokerage__event").get(pk=run_id)
    return execute(run).status


def send_answer_reminders(now=None) -> int:
    """E-mail every participant who has requests awaiting their answer in an open brokerage whose
    answers close within REMIND_BEFORE: how many, and until when. Once per deadline (an organiser who
    moves the deadline gets a new round). Returns the number of e-mails sent."""
    from jumelage.brokerage import notify

    now = now or timezone.now()
    sent = 0
    due = Brokerage.objects.filter(
        status=Brokerage.Status.OPEN, answers_close_at__gt=now, answers_close_at__lte=now + REMIND_BEFORE
    ).exclude(answers_reminded_for=F("answers_close_at"))
    for brokerage in due.select_related("event"):
        with transaction.atomic():
            locked = Brokerage.objects.select_for_update().get(pk=brokerage.pk)
            if locked.answers_reminded_for == locked.answers_close_at:
                continue  # another process sent this round
            waiting = (
                locked.participants.annotate(
                    waiting=Count(
                        "received_requests", filter=Q(received_requests__status=MeetingRequest.Status.PENDING)
                    )
                )
                .filter(waiting__gt=0)
                .order_by("pk")
            )
            sent += notify.answer_reminders(locked, list(waiting))
            locked.answers_reminded_for = locked.answers_close_at
            locked.save(update_fields=["answers_reminded_for"])
    return sent


@task()
def remind_answers() -> int:
    return send_answer_reminders()
