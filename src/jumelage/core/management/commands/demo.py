import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from jumelage.core.management.commands.serve import prepare_database


class Command(BaseCommand):
    help = (
        "Create or upgrade the embedded database, load the demo data (once), create a demo login for "
        "each role, print the URL and the logins, then start the server."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("JUMELAGE_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("JUMELAGE_WORKERS", "2")))
        parser.add_argument(
            "--no-serve", action="store_true", help="load and print, but do not start the server"
        )

    def handle(self, *args, bind, workers, no_serve, **options):
        from jumelage.demo.loader import ensure_demo_accounts, load_demo, logins_file

        prepare_database(verbosity=0)
        report = load_demo()
        logins = ensure_demo_accounts()
        write = self.stdout.write
        if report.organisations_created:
            write(
                _("Demo data loaded: %(orgs)d organisations, %(nodes)d network nodes.")
                % {"orgs": report.organisations_created, "nodes": report.nodes_created}
            )
        else:
            write(_("Demo data already loaded."))
        for name, count in report.by_ecosystem.items():
            write(_("  %(ecosystem)s: %(count)d organisations") % {"ecosystem": name, "count": count})
        host, _sep, port = bind.rpartition(":")
        if host in {"", "0.0.0.0", "[::]"}:  # noqa: S104 (only to print a URL a browser can open)
            host = "127.0.0.1"
        url = f"http://{host}:{port}/"
        write("")
        write(self.style.SUCCESS(_("Jumelage demo: %(url)s") % {"url": url}))
        write(_("Demo logins (kept in %(file)s):") % {"file": logins_file()})
        width = max(len(login.role) for login in logins)
        for login in logins:
            write(f"  {login.role:<{width}}  {login.username:<22} {login.password}")
        write("")
        if no_serve:
            return
        if settings.DEBUG:
            self.stderr.write(_("Note: JUMELAGE_DEBUG is on; the demo is meant to run with it off."))
        call_command("serve", bind=bind, workers=workers, no_migrate=True)
