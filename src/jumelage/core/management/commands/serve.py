import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the Jumelage app server (gunicorn). Migrates the embedded database first."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("JUMELAGE_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("JUMELAGE_WORKERS", "2")))
        parser.add_argument("--no-migrate", action="store_true", help="do not apply pending migrations first")

    def handle(self, *args, bind, workers, no_migrate, **options):
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        if not no_migrate:
            prepare_database(verbosity=0)
        self.stdout.write(f"Jumelage is running at http://{bind}/ (Ctrl+C to stop)")
        sys.stdout.flush()
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "jumelage.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--capture-output",
            "--graceful-timeout",
            "5",
        ]
        os.execv(sys.executable, argv)  # noqa: S606 (replaces this process with gunicorn, fixed arguments)


def prepare_database(verbosity: int = 1) -> None:
    """Apply migrations and create the database cache table (idempotent)."""
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=verbosity)
    call_command("createcachetable", verbosity=verbosity)
