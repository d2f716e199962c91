"""`jumelage manage send_match_digest`: run weekly (cron) to e-mail opted-in users the new matchmaking
suggestions for the organisations they represent. `--enqueue` hands it to the task worker."""

from django.core.management.base import BaseCommand

from jumelage.matchmaking import tasks


class Command(BaseCommand):
    help = "Send the weekly digest of new partnership suggestions to users who opted in."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="Queue the work for the task worker.")

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            result = tasks.send_weekly_digest.enqueue()
            self.stdout.write(f"Queued as task {result.id}.")
            return
        sent = tasks.send_digests()
        self.stdout.write(f"{sent} digest(s) sent.")
