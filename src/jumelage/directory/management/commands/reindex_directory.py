"""`jumelage manage reindex_directory`: rebuild the directory's full-text index (after a bulk load)."""

import time

from django.core.management.base import BaseCommand

from jumelage.directory import search
from jumelage.directory.models import Organisation


class Command(BaseCommand):
    help = "Recompute the search text of every organisation and refresh the full-text indexes."

    def handle(self, *args, **options):
        total = Organisation.objects.count()
        started = time.monotonic()

        def progress(done: int) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"{done}/{total}")

        done = search.reindex_all(progress=progress)
        self.stdout.write(
            self.style.SUCCESS(f"Indexed {done} organisations in {time.monotonic() - started:.1f} s.")
        )
