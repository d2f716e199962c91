"""Import jobs whose worker died, and uploads kept no longer than needed."""

import datetime as dt
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from jumelage.directory.models import ImportJob, Organisation
from jumelage.directory.tasks import STALE_AFTER_SECONDS, ProgressWriter, progress_path
from tests.directory.test_import_web import GOOD, english_client, upload


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _age(path, seconds):
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_a_commit_whose_worker_died_goes_back_to_its_preview(world, django_capture_on_commit_callbacks):
    staff = world.users["ecosystem_staff"]
    client = english_client(staff)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, GOOD, target=f"eco:{world.wallonia.pk}")
    job = ImportJob.objects.get()
    assert job.status == "preview"
    # A worker claimed the commit, wrote progress, then was killed: its transaction rolled back.
    ImportJob.objects.filter(pk=job.pk).update(status="committing")
    ProgressWriter(job.pk, commit=True)("write", 1, 2)
    page = client.get(f"/directory/import/{job.pk}/").content.decode()
    assert "Importing" in page  # still alive as far as anyone can tell

    _age(progress_path(job.pk), STALE_AFTER_SECONDS + 60)
    page = client.get(f"/directory/import/{job.pk}/").content.decode()
    job.refresh_from_db()
    assert job.status == "preview"
    assert "interrupted before it finished" in page and "Nothing was imported" in page
    assert not progress_path(job.pk).exists()

    before = Organisation.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/directory/import/{job.pk}/commit/")
    job.refresh_from_db()
    assert job.status == "done" and Organisation.objects.count() == before + 2


def test_a_check_whose_worker_died_fails_with_a_message(world):
    staff = world.users["ecosystem_staff"]
    staff.language = "en"  # the message is written in the uploader's language
    staff.save()
    job = ImportJob.objects.create(
        owner=staff, kind="organisations", original_name="x.csv", status="validating"
    )
    ProgressWriter(job.pk, commit=False)
    _age(progress_path(job.pk), STALE_AFTER_SECONDS + 1)
    call_command("cleanup_imports")
    job.refresh_from_db()
    assert job.status == "failed" and "upload the file again" in job.report["file_error"]


def test_a_queued_commit_without_a_worker_is_left_alone(world):
    staff = world.users["ecosystem_staff"]
    job = ImportJob.objects.create(
        owner=staff, kind="organisations", original_name="x.csv", status="committing"
    )
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    call_command("cleanup_imports")
    job.refresh_from_db()
    assert job.status == "committing"  # no progress file: it has not started, a worker will take it


def test_old_uploads_are_deleted_and_a_stale_preview_says_so(world):
    staff = world.users["ecosystem_staff"]
    staff.language = "en"
    staff.save()
    old, recent = (
        ImportJob.objects.create(
            owner=staff, kind="organisations", original_name=f"{n}.csv", status="preview"
        )
        for n in ("old", "recent")
    )
    for job in (old, recent):
        job.file.save(f"{job.original_name}", ContentFile(GOOD))
    ImportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    old_path = old.file.path

    call_command("cleanup_imports", days=7)

    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.file and not os.path.exists(old_path)
    assert old.status == "failed" and "deleted after 7 days" in old.report["file_error"]
    assert recent.file and recent.status == "preview"


@pytest.mark.parametrize("days", [0, -3])
def test_cleanup_refuses_a_retention_below_one_day(world, days):
    with pytest.raises(SystemExit):
        call_command("cleanup_imports", days=days)
