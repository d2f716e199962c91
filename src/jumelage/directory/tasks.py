"""Background tasks of the directory (django-tasks; run by `jumelage worker`, or in-process by the
immediate backend in tests).

An import job reports its progress through a small JSON file next to the uploads (under the storage
root, which every app server shares): during a commit the import holds one database transaction, so
progress written to the database would not be visible to the page polling it until the very end
(and SQLite would not even let a second connection write).
"""

import json
import logging
import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from jumelage.directory import importing
from jumelage.directory.models import ImportJob

logger = logging.getLogger(__name__)

# A running job rewrites its progress file at least every few seconds; one untouched for this long
# belongs to a worker that died (killed, machine restarted).
STALE_AFTER_SECONDS = 15 * 60


def progress_path(job_id: int) -> Path:
    return Path(settings.STORAGE_ROOT) / "imports" / "progress" / f"{job_id}.json"


def read_progress(job: ImportJob) -> dict:
    """{"phase", "done", "total", "percent"} of a running job (empty when none was written yet)."""
    try:
        return json.loads(progress_path(job.pk).read_text())
    except (OSError, ValueError):
        return {}


class ProgressWriter:
    """Progress callback for importing.plan_import/commit_import: maps phases to one percentage and
    writes it at most every 0.3 s (atomically: write then rename)."""

    def __init__(self, job_id: int, *, commit: bool):
        self.path = progress_path(job_id)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.commit = commit
        self.last = 0.0
        self._write({"phase": "start", "done": 0, "total": 0, "percent": 0})  # the job is alive

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.3 and done < total:
            return
        self.last = now
        fraction = done / total if total else 1.0
        if self.commit:
            percent = 50 * fraction if phase == "validate" else 50 + 50 * fraction
        else:
            percent = 100 * fraction
        self._write({"phase": phase, "done": done, "total": total, "percent": int(percent)})

    def _write(self, record: dict) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(record))
        os.replace(tmp, self.path)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


@task()
def run_import_job(job_id: int, commit: bool = False) -> str:
    """Check (dry run) or commit the file of an ImportJob; the outcome goes to job.status/report.
    Never raises: whatever happens, the job ends as preview, done or failed with a message."""
    job = ImportJob.objects.select_related("owner", "ecosystem", "node").get(pk=job_id)
    language = job.owner.language if job.owner else settings.LANGUAGE_CODE
    with translation.override(language):
        status, report = _run(job, commit)
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, report=report, progress=100, finished_at=timezone.now()
    )
    if status == ImportJob.Status.DONE and job.file:
        # The rows are in the directory now: keep no copy of the file (it may hold personal data).
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(file="")
    return status


def _run(job: ImportJob, commit: bool) -> tuple[str, dict]:
    actor = job.owner
    if actor is None or not actor.is_active or not actor.has_perm("directory.import_organisations"):
        return ImportJob.Status.FAILED, {
            "file_error": _("The person who uploaded this file may no longer import.")
        }
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.COMMITTING if commit else ImportJob.Status.VALIDATING
    )
    progress = ProgressWriter(job.pk, commit=commit)
    kwargs = {
        "kind": job.kind,
        "actor": actor,
        "filename": job.original_name,
        "ecosystem": job.ecosystem,
        "node": job.node,
        "update_existing": job.update_existing,
        "progress": progress,
    }
    try:
        with _local_copy(job) as path:
            if commit:
                plan = importing.commit_import(path, **kwargs)
                status = ImportJob.Status.DONE
            else:
                plan = importing.plan_import(path, **kwargs)
                status = ImportJob.Status.FAILED if plan.file_error else ImportJob.Status.PREVIEW
    except importing.ImportRejected as exc:
        plan, status = exc.plan, ImportJob.Status.FAILED
    except Exception as exc:  # a job must end with a message, never stay "running"
        logger.exception("Import job %s failed", job.pk)
        return ImportJob.Status.FAILED, {
            "file_error": _("The import stopped on an unexpected error (%(error)s); nothing was imported.")
            % {"error": type(exc).__name__}
        }
    finally:
        progress.clear()
    report = plan.to_report()
    report["committed"] = status == ImportJob.Status.DONE
    return status, report


def recover_if_interrupted(job: ImportJob) -> bool:
    """If the worker running `job` died (its progress file is stale), end the job with a message and
    return True. A commit is one transaction, so an interrupted one wrote nothing: the job goes back to
    its preview so the same file can be committed again. An interrupted check ends as failed."""
    if job.status not in (ImportJob.Status.VALIDATING, ImportJob.Status.COMMITTING):
        return False
    path = progress_path(job.pk)
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return False  # not started yet: waiting for a worker
    if age < STALE_AFTER_SECONDS:
        return False
    language = job.owner.language if job.owner else settings.LANGUAGE_CODE
    with translation.override(language):
        if job.status == ImportJob.Status.COMMITTING:
            status = ImportJob.Status.PREVIEW
            report = dict(job.report or {})
            report["interrupted"] = _(
                "The import was interrupted before it finished (the worker stopped). Nothing was "
                "imported: you can import this file again."
            )
        else:
            status = ImportJob.Status.FAILED
            report = {
                "file_error": _(
                    "The check was interrupted (the worker stopped). Please upload the file again."
                )
            }
    changed = ImportJob.objects.filter(pk=job.pk, status=job.status).update(
        status=status, report=report, finished_at=timezone.now()
    )
    path.unlink(missing_ok=True)
    if changed:
        job.status, job.report = status, report
        logger.warning("Import job %s was interrupted; now %s", job.pk, status)
    return bool(changed)


def purge_old_files(*, days: int) -> int:
    """Delete the uploaded files of jobs that ended (or were left in preview) more than `days` ago:
    an upload may hold personal data and is not kept longer than needed. Returns how many."""
    cutoff = timezone.now() - timedelta(days=days)
    finished = (ImportJob.Status.PREVIEW, ImportJob.Status.FAILED, ImportJob.Status.DONE)
    purged = 0
    for job in ImportJob.objects.filter(status__in=finished, created_at__lt=cutoff).exclude(file=""):
        job.file.delete(save=False)
        changes = {"file": ""}
        if job.status == ImportJob.Status.PREVIEW:  # the preview can no longer be committed
            language = job.owner.language if job.owner else settings.LANGUAGE_CODE
            with translation.override(language):
                message = _("The file was deleted after %(days)s days without being imported.") % {
                    "days": days
                }
            changes |= {"status": ImportJob.Status.FAILED, "report": {**job.report, "file_error": message}}
        ImportJob.objects.filter(pk=job.pk).update(**changes)
        purged += 1
    return purged


class _local_copy:  # a context manager, named like one
    """The job's file as a local path (a temporary copy when the storage is not a local folder)."""

    def __init__(self, job: ImportJob):
        self.job, self.tmp = job, None

    def __enter__(self) -> str:
        if not self.job.file:
            raise FileNotFoundError(self.job.original_name)
        try:
            return self.job.file.path
        except NotImplementedError:
            suffix = Path(self.job.original_name).suffix
            with (
                self.job.file.open("rb") as src,
                tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as dst,
            ):
                for chunk in iter(lambda: src.read(1 << 20), b""):
                    dst.write(chunk)
            self.tmp = dst.name
            return self.tmp

    def __exit__(self, *exc) -> None:
        if self.tmp:
            os.unlink(self.tmp)
