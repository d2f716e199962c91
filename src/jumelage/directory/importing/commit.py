"""The all-or-nothing commit: validate again inside one transaction, then write in batches."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Unpack

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jumelage.core.audit import log_action
from jumelage.directory import search, services
from jumelage.directory.importing.planning import plan_import
from jumelage.directory.importing.report import (
    PROGRESS_EVERY,
    ImportOptions,
    ImportPlan,
    ImportRejected,
    ProgressCallback,
)
from jumelage.directory.models import Affiliation, Membership, Organisation, Person

_BATCH = 1000


def commit_import(path: str | os.PathLike, *, kind: str, **options: Unpack[ImportOptions]) -> ImportPlan:
    """Validate the file again and write it in one transaction: every row or none. Raises
    ImportRejected (nothing written) when the file or any row is bad. Logs one audit entry. Takes the
    same keyword arguments as plan_import."""
    filename = options["filename"] = options.get("filename") or Path(path).name
    actor, progress = options.get("actor"), options.get("progress")
    with transaction.atomic():
        plan = plan_import(path, kind=kind, **options)
        if not plan.ok:
            raise ImportRejected(plan)
        try:
            if kind == "organisations":
                _write_organisations(plan, actor, progress)
            else:
                _write_people(plan, progress)
        except IntegrityError as exc:
            # A constraint the dry run could not see (a concurrent change): the transaction is undone.
            plan.file_error = _(
                "The database refused the import (%(error)s), probably because of a change made at the "
                "same time. Nothing was imported: run it again."
            ) % {"error": str(exc).splitlines()[0][:200]}
            raise ImportRejected(plan) from exc
        log_action(
            actor=actor,
            action="directory.import",
            kind=kind,
            file=filename,
            rows=plan.total_rows,
            created=plan.count("create"),
            updated=plan.count("update"),
            skipped=plan.count("skip"),
            via="cli" if actor is None else "web",
        )
    return plan


def _batches(items: list, size: int = _BATCH):
    for start in range(0, len(items), size):
        yield start, items[start : start + size]


def _write_organisations(plan: ImportPlan, actor, progress: ProgressCallback | None) -> None:
    creates = [r for r in plan.rows if r.action == "create"]
    updates = [r for r in plan.rows if r.action == "update"]
    total = len(creates) + len(updates)
    through = Organisation.themes.through
    terms: dict[str, None] = {}
    name_words: set[str] = set()
    for start, batch in _batches(creates):
        for row in batch:
            # The search columns go in with the INSERT (the search index follows them), instead of
            # one UPDATE per organisation afterwards.
            row.obj.search_names, row.obj.search_document, words, row_terms = search.index_fields(row.obj)
            terms.update(dict.fromkeys(row_terms))
            name_words.update(words)
        Organisation.objects.bulk_create([r.obj for r in batch])
        through.objects.bulk_create(
            [through(organisation_id=r.obj.pk, theme_id=t) for r in batch for t in r.theme_ids]
        )
        Membership.objects.bulk_create(
            [
                Membership(organisation=r.obj, ecosystem_id=e, node_id=n)
                for r in batch
                for e, n in r.memberships
            ]
        )
        if progress:
            progress("write", start + len(batch), total)
    if creates:
        # The search vocabulary (typo candidates); search.py has no public bulk entry point for it yet.
        search.add_terms(Organisation.objects.db, terms, name_words)
        # bulk_create sends no signals: drop the cached directory results ourselves.
        search.bump_index_version(Organisation.objects.db)
    for i, row in enumerate(updates, start=len(creates) + 1):
        org = services.update_organisation(actor=actor, organisation=row.obj, data=row.data, themes=None)
        if row.theme_ids:
            org.themes.add(*row.theme_ids)
        for eco_id, node_id in row.memberships:
            Membership.objects.get_or_create(organisation=org, ecosystem_id=eco_id, node_id=node_id)
        if progress and (i % PROGRESS_EVERY == 0 or i == total):
            progress("write", i, total)


def _write_people(plan: ImportPlan, progress: ProgressCallback | None) -> None:
    creates = [r for r in plan.rows if r.action == "create"]
    through = Person.expertise.through
    for start, batch in _batches(creates):
        Person.objects.bulk_create([r.obj for r in batch])
        through.objects.bulk_create(
            [through(person_id=r.obj.pk, theme_id=t) for r in batch for t in r.theme_ids]
        )
        Affiliation.objects.bulk_create(
            [
                Affiliation(person=r.obj, organisation_id=r.organisation_id, role=r.role)
                for r in batch
                if r.organisation_id
            ]
        )
        if progress:
            progress("write", start + len(batch), len(creates))
