"""`jumelage manage brokerage_reminders`: run daily or hourly (cron) to remind participants who have
meeting requests awaiting their answer, once, in the two days before the answer deadline. `--enqueue`
hands the work to the task worker instead of doing it here."""

from django.core.management.base import BaseCommand

from jumelage.brokerage import tasks


class Command(BaseCommand):
    help = "Remind participants of meeting requests awaiting their answer before answers close."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="Queue the work for the task worker.")

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            result = tasks.remind_answers.enqueue()
            self.stdout.write(f"Queued as task {result.id}.")
            return
        self.stdout.write(f"{tasks.send_answer_reminders()} reminder(s) sent.")
