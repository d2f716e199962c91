from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from jumelage.core import privacy
from jumelage.core.audit import log_action
from jumelage.events import personal_data as events_data


class Command(BaseCommand):
    help = (
        "Erase the personal data of a person who asks for it by e-mail (GDPR): the accounts with that "
        "address, as their own 'Erase my account' does, and the registrations and speaker entries made "
        "with it without an account. Platform administrators' accounts are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="the address the person gave")
        parser.add_argument("--yes", action="store_true", help="erase; without it, only say what would go")

    def handle(self, *args, email, yes, **options):
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"“{email}” is not an e-mail address.") from exc
        accounts = list(get_user_model().objects.filter(email__iexact=email))
        admins = [u.username for u in accounts if u.is_superuser]
        if admins:
            raise CommandError(
                f"{', '.join(admins)} is a platform administrator: remove their rights in the admin first."
            )
        if not yes:
            self.stdout.write(
                f"Would erase {len(accounts)} account(s) with this address and the registrations and speaker "
                "entries made with it. Run again with --yes to erase."
            )
            return
        counts: dict[str, int] = {}
        with transaction.atomic():
            for user in accounts:
                for key, n in privacy.erase_account(user).items():
                    counts[key] = counts.get(key, 0) + n
            rest = events_data.erase_by_email(email=email)
            log_action(actor=None, action="person.erase", **rest)
        for key, n in rest.items():
            counts[key] = counts.get(key, 0) + n
        self.stdout.write(
            "Erased: "
            + (", ".join(f"{k.replace('_', ' ')} {n}" for k, n in sorted(counts.items()) if n) or "nothing")
        )
