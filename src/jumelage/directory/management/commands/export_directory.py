"""`jumelage export FILE`: write the directory (optionally filtered like the list page) to CSV or XLSX."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from jumelage.directory import exporting, queries

FILTERS = queries.FILTER_PARAMS


class Command(BaseCommand):
    help = (
        "Export organisations to a .csv or .xlsx file, with the directory's filters. Without --user only "
        "published organisations are exported; with --user, what that user may see."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="output file, ending in .csv or .xlsx")
        for name in FILTERS:
            parser.add_argument(f"--{name}", default="", help=f"filter: {name} (as in the directory's URL)")
        parser.add_argument("--user", help="export what this user may see")

    def handle(self, *args, file, user, **options):
        fmt = file.rsplit(".", 1)[-1].lower() if "." in file else ""
        if fmt not in exporting.FORMATS:
            raise CommandError(f"{file}: the file name must end in .csv or .xlsx")
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"No user named {user!r}.")
        params = {name: options[name] for name in FILTERS if options.get(name)}
        try:
            qs, _active = queries.filter_organisations(queries.visible_to(account), params)
        except queries.FilterError as exc:
            raise CommandError(f"--{exc.param}: {exc.message}") from exc
        try:
            count = exporting.write_export(qs, file, fmt)
        except OSError as exc:
            raise CommandError(f"Cannot write {file}: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Exported {count} organisation(s) to {file}."))
