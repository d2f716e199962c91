"""The web import: upload, dry-run report, progress polling, commit; and every way to send bad input."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from jumelage.core.models import AuditLog
from jumelage.directory.models import ImportJob, Membership, Organisation
from jumelage.directory.tasks import ProgressWriter

GOOD = (
    b"name,kind,country,city,siren\n"
    b"Nmrtec,startup,FR,Strasbourg,433572203\n"
    b"Exemple Namurois,company,BE,Namur,\n"
)
BAD = GOOD + b"Broken,startup,FR,Paris,123\n"


@pytest.fixture(autouse=True)
def _setup(settings):
    # Run tasks in-process and at once, as the embedded mode's tests need no worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def english_client(user, **kwargs) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en", **kwargs)
    if user is not None:
        user.language = "en"
        user.save(update_fields=["language"])
        client.force_login(user)
    return client


def upload(client, content: bytes, *, name="orgs.csv", **data):
    form = {"file": SimpleUploadedFile(name, content, content_type="text/csv"), "kind": "organisations"}
    return client.post("/directory/import/", form | data)


def text(response) -> str:
    return response.content.decode()


def test_staff_checks_a_file_then_commits_it(world, django_capture_on_commit_callbacks):
    staff = world.users["ecosystem_staff"]
    client = english_client(staff)
    before = Organisation.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, GOOD, target=f"eco:{world.wallonia.pk}")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/directory/import/{job.pk}/"

    page = text(client.get(response["Location"]))
    assert "Preview" in page and "line 2: Nmrtec" in page and "Import these rows" in page
    assert Organisation.objects.count() == before  # a dry run writes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/directory/import/{job.pk}/commit/")
    assert response.status_code == 302

    page = text(client.get(f"/directory/import/{job.pk}/"))
    assert "Imported: 2 new records." in page
    assert Organisation.objects.count() == before + 2
    assert Membership.objects.filter(organisation__siren="433572203", ecosystem=world.wallonia).exists()
    assert AuditLog.objects.filter(action="directory.import", actor=staff).count() == 1
    job.refresh_from_db()
    assert job.status == "done" and not job.file  # the uploaded copy is removed once imported

    again = client.post(f"/directory/import/{job.pk}/commit/")
    assert again.status_code == 409
    assert "only a checked file without bad rows can" in text(again)
    assert Organisation.objects.count() == before + 2


def test_bad_rows_are_listed_and_cannot_be_committed(world, django_capture_on_commit_callbacks):
    client = english_client(world.users["ecosystem_staff"])
    before = Organisation.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, BAD, target=f"eco:{world.wallonia.pk}")
    job = ImportJob.objects.get()

    page = text(client.get(response["Location"]))
    assert (
        "<td>4</td><td>siren</td><td>“123” is not a valid SIREN: it needs 9 digits that pass the Luhn "
        "check (SIREN &#x27;123&#x27; must have 9 digits).</td>" in page
    )
    assert "Import these rows" not in page
    assert "Fix the file and upload it again" in page

    response = client.post(f"/directory/import/{job.pk}/commit/")
    assert response.status_code == 409
    assert Organisation.objects.count() == before


def test_file_level_error_is_shown(world, django_capture_on_commit_callbacks):
    client = english_client(world.users["ecosystem_staff"])
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, "name;kind;country\nSociété;startup;BE\n".encode("cp1252"))

    page = text(client.get(response["Location"]))
    assert "Line 2 is not valid UTF-8 (byte 0xE9)" in page
    assert ImportJob.objects.get().status == "failed"


def test_progress_is_polled_while_the_job_runs(world):
    staff = world.users["ecosystem_staff"]
    client = english_client(staff)
    job = ImportJob.objects.create(owner=staff, kind="organisations", original_name="big.csv")
    ProgressWriter(job.pk, commit=False)("validate", 250, 1000)

    part = text(client.get(f"/directory/import/{job.pk}/status/"))

    assert 'hx-trigger="every 1s"' in part and f'hx-get="/directory/import/{job.pk}/status/"' in part
    assert '<progress id="import-progress" max="100" value="25"' in part
    assert "250 of 1000 rows (25%)" in part
    assert "No task worker has picked up" not in part

    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(minutes=1))
    part = text(client.get(f"/directory/import/{job.pk}/status/"))
    assert "No task worker has picked up this import yet" in part and "jumelage worker" in part


def test_finished_job_stops_polling(world, django_capture_on_commit_callbacks):
    client = english_client(world.users["ecosystem_staff"])
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, GOOD, target=f"eco:{world.wallonia.pk}")
    job = ImportJob.objects.get()

    part = text(client.get(f"/directory/import/{job.pk}/status/"))

    assert "hx-trigger" not in part and "To create" in part


def test_someone_elses_job_is_not_found(world):
    job = ImportJob.objects.create(
        owner=world.users["ecosystem_staff"], kind="organisations", original_name="x.csv"
    )
    client = english_client(world.users["node_staff"])

    assert client.get(f"/directory/import/{job.pk}/").status_code == 404
    assert client.post(f"/directory/import/{job.pk}/commit/").status_code == 404


def test_missing_csrf_token_is_refused(world):
    client = english_client(world.users["ecosystem_staff"], enforce_csrf_checks=True)

    response = upload(client, GOOD, target=f"eco:{world.wallonia.pk}")

    assert response.status_code == 403
    assert "Nothing was saved: the form did not carry the security token" in text(response)
    assert ImportJob.objects.count() == 0


@pytest.mark.parametrize("role", ["visitor", "member", "representative"])
def test_only_staff_may_import(world, role):
    client = english_client(world.users[role])
    before = Organisation.objects.count()

    response = upload(client, GOOD)

    assert response.status_code == 403
    assert "Only platform admins and ecosystem or node staff may import" in text(response)
    assert ImportJob.objects.count() == 0 and Organisation.objects.count() == before


def test_huge_upload_is_refused_before_reading_it(world, settings):
    settings.IMPORT_MAX_BYTES = 1000
    client = english_client(world.users["ecosystem_staff"])

    response = upload(client, b"name,kind,country\n" + b"x" * 200_000)

    assert response.status_code == 413
    assert "The file is too large: the largest file accepted is 1000" in text(response)
    assert ImportJob.objects.count() == 0


def test_upload_over_the_limit_is_cut_off_while_streaming(world, settings):
    settings.IMPORT_MAX_BYTES = 1000  # body under limit + margin: only the upload handler can tell
    client = english_client(world.users["ecosystem_staff"])

    response = upload(client, b"name,kind,country\n" + b"x" * 5000)

    assert response.status_code == 413
    assert "The file is too large" in text(response)
    assert ImportJob.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("orgs.pdf", GOOD, "“orgs.pdf” is not a CSV or XLSX file (expected .csv or .xlsx)."),
        ("orgs.csv", b"", "The submitted file is empty."),
    ],
)
def test_wrong_files_are_refused_by_the_form(world, name, content, message):
    client = english_client(world.users["ecosystem_staff"])

    response = upload(client, content, name=name)

    assert response.status_code == 400
    assert message in text(response)
    assert ImportJob.objects.count() == 0


def test_target_outside_the_users_scope_is_refused(world):
    client = english_client(world.users["node_staff"])  # French Tech Brussels only

    response = upload(client, GOOD, target=f"eco:{world.wallonia.pk}")

    assert response.status_code == 400
    assert "Select a valid choice." in text(response)
    assert ImportJob.objects.count() == 0


def test_upload_page_lists_columns_and_recent_imports(world):
    staff = world.users["node_staff"]
    ImportJob.objects.create(owner=staff, kind="people", original_name="speakers.xlsx", status="done")
    client = english_client(staff)

    page = text(client.get("/directory/import/"))

    assert "<h1>Import organisations and people</h1>" in page
    assert "speakers.xlsx" in page and "enterprise_number" in page
    assert (
        f'<option value="node:{world.ftbxl.pk}" selected>La French Tech › French Tech Brussels</option>'
        in page
    )


def test_xlsx_upload_is_checked_like_csv(world, django_capture_on_commit_callbacks):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["name", "kind", "country", "siren"])
    workbook.active.append(["Nmrtec", "startup", "FR", 433572203])
    workbook.active.append(["Formule", "startup", "FR", "=A2"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    client = english_client(world.users["ecosystem_staff"])

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, buffer.getvalue(), name="orgs.xlsx", target=f"eco:{world.wallonia.pk}")

    page = text(client.get(response["Location"]))
    assert "XLSX" in page and "line 2: Nmrtec" in page
    assert (
        "<td>3</td><td>siren</td><td>“=A2” starts with “=”, which a spreadsheet would run as a formula"
        in page
    )
