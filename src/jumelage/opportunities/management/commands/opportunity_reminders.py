"""`jumelage manage opportunity_reminders`: run daily (cron) to expire opportunities past their
deadline and e-mail owners whose opportunities expire within two weeks. `--enqueue` hands the work to
the task worker instead of doing it here."""

from django.core.management.base import BaseCommand

from jumelage.opportunities import tasks


class Command(BaseCommand):
    help = "Expire opportunities past their deadline and send renewal reminders before expiry."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="Queue the work for the task worker.")

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            result = tasks.send_renewal_reminders.enqueue()
            self.stdout.write(f"Queued as task {result.id}.")
            return
        expired, reminded = tasks.run_reminders()
        self.stdout.write(f"{expired} opportunity(ies) expired, {reminded} renewal reminder(s) sent.")
