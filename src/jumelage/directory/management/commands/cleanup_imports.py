"""Housekeeping for import jobs, to run daily (cron or a systemd timer; see docs/deployment.md)."""

from django.core.management.base import BaseCommand

from jumelage.directory import tasks
from jumelage.directory.models import ImportJob


class Command(BaseCommand):
    help = "End import jobs whose worker died, and delete uploaded files older than --days."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="Keep uploads this many days (default 7).")

    def handle(self, *args, days, **options):
        if days < 1:
            self.stderr.write("--days must be at least 1.")
            raise SystemExit(2)
        running = ImportJob.objects.filter(
            status__in=[ImportJob.Status.VALIDATING, ImportJob.Status.COMMITTING]
        )
        recovered = sum(tasks.recover_if_interrupted(job) for job in running.select_related("owner"))
        purged = tasks.purge_old_files(days=days)
        self.stdout.write(f"{recovered} interrupted job(s) ended; {purged} old upload(s) deleted.")
