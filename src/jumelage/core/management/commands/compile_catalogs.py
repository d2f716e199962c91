from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Compile the gettext catalogs (.po → .mo) of Jumelage in pure Python, so installing needs no "
        "GNU gettext on the machine (Django's compilemessages calls msgfmt)."
    )

    def handle(self, *args, **options):
        compiled = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                try:
                    catalog = polib.pofile(str(po_path))
                except (OSError, ValueError) as exc:
                    raise CommandError(f"{po_path}: cannot read the catalog: {exc}") from exc
                catalog.save_as_mofile(str(po_path.with_suffix(".mo")))
                compiled += 1
        if not compiled:
            raise CommandError("No .po catalog found under LOCALE_PATHS.")
        self.stdout.write(f"Compiled {compiled} catalogs.")
