"""`jumelage manage create_api_token USER --ecosystem SLUG | --node SLUG [--name NAME]`

Creates a REST API bearer token for USER, limited to one ecosystem or node, and prints it once: only its
digest is stored, so it can't be shown again (create another and delete the old one in the admin).
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jumelage.core.api_auth import create_api_token
from jumelage.ecosystems.models import Ecosystem, NetworkNode


class Command(BaseCommand):
    help = "Create a REST API token for a user, scoped to one ecosystem or one node; prints it once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--ecosystem", metavar="SLUG", help="limit the token to this ecosystem")
        scope.add_argument("--node", metavar="SLUG", help="limit the token to this network node")
        parser.add_argument("--name", default="", help="what the token is for (shown in the admin)")

    def handle(self, *args, username, ecosystem, node, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        eco_obj = node_obj = None
        if ecosystem:
            eco_obj = Ecosystem.objects.filter(slug=ecosystem).first()
            if eco_obj is None:
                raise CommandError(f"No ecosystem {ecosystem!r}.")
        else:
            node_obj = NetworkNode.objects.select_related("ecosystem").filter(slug=node).first()
            if node_obj is None:
                raise CommandError(f"No node {node!r}.")
        try:
            token, row = create_api_token(
                user=user,
                name=name or f"{username} @ {ecosystem or node}",
                ecosystem=eco_obj,
                node=node_obj,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stderr.write(
            f"Token {row.name!r} for {username}, scoped to {eco_obj or node_obj}. It is shown once:"
        )
        self.stdout.write(token)
