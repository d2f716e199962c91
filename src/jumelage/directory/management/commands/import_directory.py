"""`jumelage import FILE`: check (dry run, the default) or import a CSV/XLSX file of organisations or
people, with a progress bar. Same code path as the web import (jumelage.directory.importing)."""

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from jumelage.directory import importing
from jumelage.ecosystems.models import Ecosystem, NetworkNode

PHASES = {"validate": "checking", "write": "writing"}


class Command(BaseCommand):
    help = (
        "Import organisations (or people, with --people) from a CSV or XLSX file. Without --commit only "
        "checks the file and prints what would happen. Columns: see docs/import-format.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--people", action="store_true", help="the file lists people, not organisations")
        parser.add_argument("--commit", action="store_true", help="write to the database (all rows or none)")
        parser.add_argument(
            "--update",
            action="store_true",
            help="update organisations matched by identifier or website domain",
        )
        parser.add_argument(
            "--ecosystem", help="slug of the ecosystem for rows with no ecosystem/node column"
        )
        parser.add_argument("--node", help="slug of the node for rows with no ecosystem/node column")
        parser.add_argument(
            "--user",
            help="import as this user (their staff rights apply); default: the operator, with full rights",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, file, people, commit, update, ecosystem, node, user, no_progress, **options):
        kind = "people" if people else "organisations"
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"No user named {user!r}.")
        try:
            eco = Ecosystem.objects.get(slug=ecosystem) if ecosystem else None
        except Ecosystem.DoesNotExist:
            raise CommandError(f"No ecosystem with the slug {ecosystem!r}.") from None
        try:
            nod = NetworkNode.objects.select_related("ecosystem").get(slug=node) if node else None
        except NetworkNode.DoesNotExist:
            raise CommandError(f"No node with the slug {node!r}.") from None

        bar = _Bar(self.stderr, disable=no_progress)
        kwargs = {
            "kind": kind,
            "actor": actor,
            "ecosystem": eco,
            "node": nod,
            "update_existing": update,
            "progress": bar,
        }
        try:
            if commit:
                plan = importing.commit_import(file, **kwargs)
            else:
                plan = importing.plan_import(file, **kwargs)
        except importing.ImportRejected as exc:
            plan = exc.plan
        finally:
            bar.close()
        if plan.file_error:
            raise CommandError(plan.file_error)
        self._report(plan)
        if plan.errors:
            raise CommandError(f"{plan.bad_lines} bad row(s): nothing was imported. Fix them and run again.")
        if commit:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Imported {plan.count('create')} new {kind}, updated {plan.count('update')}, "
                    f"skipped {plan.count('skip')} duplicate(s)."
                )
            )
        else:
            self.stdout.write("Dry run: nothing was written. Run again with --commit to import.")

    def _report(self, plan: importing.ImportPlan) -> None:
        delimiter = {"\t": "tab"}.get(plan.delimiter, plan.delimiter)
        fmt = plan.file_format.upper() + (f", {plan.encoding}" if plan.encoding else "")
        fmt += f", delimiter {delimiter!r}" if delimiter else ""
        self.stdout.write(f"{plan.filename}: {plan.total_rows} row(s) ({fmt})")
        self.stdout.write(
            f"  to create: {plan.count('create')}, to update: {plan.count('update')}, "
            f"duplicates skipped: {plan.count('skip')}, bad rows: {plan.bad_lines}"
        )
        for row in plan.rows:
            if row.action in ("skip", "update"):
                self.stdout.write(f"  line {row.line}: {row.action} {row.label!r}: {row.reason}")
        for error in plan.errors:
            self.stdout.write(self.style.ERROR(f"  {error}"))


class _Bar:
    """tqdm progress bar, one per phase (checking, writing), on stderr."""

    def __init__(self, stream, *, disable: bool):
        self.stream, self.disable = stream, disable
        self.bar, self.phase = None, None

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self.phase != phase:
            self.close()
            self.phase = phase
            out = getattr(self.stream, "_out", self.stream) or sys.stderr
            self.bar = tqdm(
                total=total,
                desc=PHASES.get(phase, phase),
                unit="row",
                file=out,
                disable=self.disable,
                ascii=True,
            )
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
