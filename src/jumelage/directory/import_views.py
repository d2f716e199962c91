"""The web import: upload a file, watch the dry run, read the report, commit. The work itself runs in
a task (jumelage.directory.tasks.run_import_job) through jumelage.directory.importing."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from jumelage.directory import importing, tasks
from jumelage.directory.models import ImportJob
from jumelage.ecosystems.models import Ecosystem, NetworkNode
from jumelage.ecosystems.rules import staff_ecosystem_ids, staff_node_ids

PERM = "directory.import_organisations"
EXTENSIONS = (".csv", ".tsv", ".txt", ".xlsx")
# Room for the other form fields and the multipart framing around the file.
_BODY_MARGIN = 64 * 1024
WAITING_FOR_WORKER_AFTER = 10  # seconds


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops storing an upload as soon as it passes settings.IMPORT_MAX_BYTES (for bodies sent
    without a Content-Length, or lying about it); the view then answers 413 with a message."""

    def __init__(self, request):
        super().__init__(request)
        self.limit = settings.IMPORT_MAX_BYTES

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.request.import_too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def _targets(user) -> list[tuple[str, str]]:
    """Where this user may put imported organisations: ("eco:<id>"|"node:<id>", label)."""
    if user.is_superuser:
        ecosystems = Ecosystem.objects.all()
        nodes = NetworkNode.objects.select_related("ecosystem")
    else:
        ecosystems = Ecosystem.objects.filter(pk__in=staff_ecosystem_ids(user))
        nodes = NetworkNode.objects.filter(pk__in=staff_node_ids(user)).select_related("ecosystem")
    choices = [(f"eco:{e.pk}", str(e)) for e in ecosystems]
    choices += [(f"node:{n.pk}", f"{n.ecosystem} › {n.name}") for n in nodes]
    return choices


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        help_text=gettext_lazy("CSV in UTF-8 or an Excel .xlsx file; the first line names the columns."),
    )
    kind = forms.ChoiceField(label=gettext_lazy("The file lists"), choices=ImportJob.Kind.choices)
    target = forms.ChoiceField(
        label=gettext_lazy("Add imported organisations to"),
        required=False,
        help_text=gettext_lazy("Used for rows whose ecosystem and node columns are empty."),
    )
    update_existing = forms.BooleanField(
        label=gettext_lazy("Update organisations already in the directory (same identifier or website)"),
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        choices = _targets(user)
        if user.is_superuser:
            choices = [("", _("— no ecosystem —")), *choices]
        self.fields["target"].choices = choices
        if len(choices) == 1:
            self.fields["target"].initial = choices[0][0]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError(
                _("“%(name)s” is not a CSV or XLSX file (expected .csv or .xlsx).") % {"name": upload.name}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        try:
            importing.check_size(upload.size)
        except importing.ImportFileError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload

    def clean_target(self):
        value = self.cleaned_data.get("target") or ""
        self.ecosystem = self.node = None
        if value.startswith("eco:"):
            self.ecosystem = Ecosystem.objects.get(pk=int(value[4:]))
        elif value.startswith("node:"):
            self.node = NetworkNode.objects.select_related("ecosystem").get(pk=int(value[5:]))
        return value


def forbidden(request):
    if not request.user.is_authenticated:
        message = _("Only platform admins and ecosystem or node staff may import. Log in first.")
    else:
        message = _("Only platform admins and ecosystem or node staff may import; your account is neither.")
    return render(request, "directory/import_forbidden.html", {"message": message}, status=403)


def _too_large(request, form=None):
    message = _(
        "The file is too large: the largest file accepted is %(limit)s. Split it into smaller files."
    ) % {"limit": filesizeformat(settings.IMPORT_MAX_BYTES)}
    return _upload_page(request, form or ImportForm(user=request.user), status=413, error=message)


def upload_entry(request):
    """Refuse what we can before anything reads the body (permission, announced size); then install
    the size-limiting upload handler and only then let CSRF protection read the form."""
    if not request.user.has_perm(PERM):
        return forbidden(request)
    if request.method == "POST":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.IMPORT_MAX_BYTES + _BODY_MARGIN:
            return _too_large(request)
        request.upload_handlers.insert(0, SizeLimitUploadHandler(request))
    return upload(request)


@csrf_protect
def upload(request):
    form = ImportForm(user=request.user)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, user=request.user)
        if getattr(request, "import_too_large", False):
            return _too_large(request, form)
        if form.is_valid():
            upload_file = form.cleaned_data["file"]
            job = ImportJob(
                owner=request.user,
                kind=form.cleaned_data["kind"],
                original_name=Path(upload_file.name).name[:255],
                size=upload_file.size,
                ecosystem=form.ecosystem,
                node=form.node,
                update_existing=form.cleaned_data["update_existing"],
            )
            job.file.save(Path(upload_file.name).name, upload_file, save=False)
            job.save()
            _enqueue(job, commit=False)
            return redirect("directory:import-job", pk=job.pk)
        return _upload_page(request, form, status=400)
    return _upload_page(request, form)


def _upload_page(request, form, *, status=200, error=""):
    jobs = ImportJob.objects.filter(owner=request.user)[:10]
    context = {
        "form": form,
        "jobs": jobs,
        "error": error,
        "max_size": filesizeformat(settings.IMPORT_MAX_BYTES),
        "organisation_columns": importing.ORGANISATION_COLUMNS,
        "people_columns": importing.PEOPLE_COLUMNS,
    }
    return render(request, "directory/import.html", context, status=status)


def _enqueue(job: ImportJob, *, commit: bool) -> None:
    # The job row is committed before the task is queued, so a worker always finds it.
    transaction.on_commit(lambda: tasks.run_import_job.enqueue(job.pk, commit))


def _get_job(request, pk) -> ImportJob:
    job = ImportJob.objects.select_related("ecosystem", "node").filter(pk=pk).first()
    if job is None or not (job.owner_id == request.user.pk or request.user.is_superuser):
        raise Http404(_("No such import."))
    return job


def _job_context(job: ImportJob) -> dict:
    tasks.recover_if_interrupted(job)
    running = job.status in (
        ImportJob.Status.QUEUED,
        ImportJob.Status.VALIDATING,
        ImportJob.Status.COMMITTING,
    )
    progress = tasks.read_progress(job) if running else {}
    waiting = (
        job.status == ImportJob.Status.QUEUED
        and (timezone.now() - job.created_at).total_seconds() > WAITING_FOR_WORKER_AFTER
    )
    report = job.report or {}
    return {
        "job": job,
        "running": running,
        "percent": progress.get("percent", 0),
        "done": progress.get("done", 0),
        "total": progress.get("total", report.get("total_rows", 0)),
        "phase": progress.get("phase", ""),
        "waiting_for_worker": waiting,
        "report": report,
        "can_commit": job.status == ImportJob.Status.PREVIEW
        and not report.get("file_error")
        and not report.get("bad_rows")
        and (report.get("create") or report.get("update")),
    }


def job_page(request, pk):
    if not request.user.has_perm(PERM):
        return forbidden(request)
    job = _get_job(request, pk)
    return render(request, "directory/import_job.html", _job_context(job))


def job_status(request, pk):
    """The part of the job page that htmx polls every second while the job runs."""
    if not request.user.has_perm(PERM):
        return forbidden(request)
    job = _get_job(request, pk)
    return render(request, "directory/partials/import_job_status.html", _job_context(job))


@require_POST
def commit(request, pk):
    if not request.user.has_perm(PERM):
        return forbidden(request)
    job = _get_job(request, pk)
    with transaction.atomic():
        # Only one commit per job, even if the button is pressed twice.
        claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEW).update(
            status=ImportJob.Status.COMMITTING
        )
        if not claimed or not _job_context(job)["can_commit"]:
            if claimed:
                ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.PREVIEW)
            job.refresh_from_db()
            context = _job_context(job) | {
                "error": _("This import cannot be committed: only a checked file without bad rows can.")
            }
            return render(request, "directory/import_job.html", context, status=409)
        _enqueue(job, commit=True)
    return redirect("directory:import-job", pk=job.pk)
