import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Run the Jumelage app server (gunicorn). In embedded mode it also runs a background-task worker "
        "and applies pending migrations first; in production run `jumelage worker` processes separately."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("JUMELAGE_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("JUMELAGE_WORKERS", "2")))
        parser.add_argument("--no-migrate", action="store_true", help="do not apply pending migrations first")
        parser.add_argument(
            "--no-task-worker",
            action="store_true",
            help="do not start the in-process task worker (default: started in embedded mode only)",
        )

    def handle(self, *args, bind, workers, no_migrate, no_task_worker, **options):
        if not no_migrate:
            prepare_database(verbosity=0)
        self.stdout.write(f"Jumelage is running at http://{bind}/ (Ctrl+C to stop)")
        self.stdout.flush()
        sys.exit(
            run_server(bind=bind, workers=workers, task_worker=not (no_task_worker or settings.PRODUCTION))
        )


def prepare_database(verbosity: int = 1) -> None:
    """Apply migrations and create the database cache table (idempotent)."""
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=verbosity)
    call_command("createcachetable", verbosity=verbosity)


def children_env(bind: str) -> dict:
    """The environment of the server and worker processes. Without JUMELAGE_SITE_URL, the links in
    e-mails and PDFs point at the address being served (``--bind``), not at the default port."""
    env = dict(os.environ)
    if "JUMELAGE_SITE_URL" not in env and not settings.PRODUCTION:
        host, _sep, port = bind.rpartition(":")
        if host in ("", "0.0.0.0", "::", "[::]"):  # noqa: S104 (reading the bind address, not binding)
            host = "127.0.0.1"
        env["JUMELAGE_SITE_URL"] = f"http://{host}:{port}"
    return env


def run_server(*, bind: str, workers: int, task_worker: bool) -> int:
    """Run gunicorn (and, if asked, one task worker) until interrupted; returns gunicorn's exit code."""
    python = sys.executable
    children = []
    env = children_env(bind)
    if task_worker:
        children.append(
            subprocess.Popen([python, "-m", "jumelage.cli", "worker", "--interval", "0.5"], env=env)  # noqa: S603 (our own command)
        )
    server = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [
            python,
            "-m",
            "gunicorn",
            "jumelage.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "5",
        ],
        env=env,
    )
    children.append(server)

    def stop(signum, frame):
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        code = server.wait()
    finally:
        stop(None, None)
        for child in children:
            child.wait(timeout=15)
    return code
