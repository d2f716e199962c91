"""After the event: the partners' report (figures, charts, exports), pitch outcomes, the feedback form
an attendee opens from the thank-you e-mail, and the button that sends those e-mails."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from jumelage.events import report_exports
from jumelage.events.models import Call, Registration, Submission
from jumelage.events.services import reports
from jumelage.events.views.common import event_view


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("Your rating"),
        choices=[(str(r), str(r)) for r in reports.RATINGS],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("From 1 (very disappointing) to 5 (excellent)."),
        error_messages={
            "required": gettext_lazy("Choose a rating from 1 to 5."),
            "invalid_choice": gettext_lazy("Choose a rating from 1 to 5."),
        },
    )
    comment = forms.CharField(
        label=gettext_lazy("Your comment (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=gettext_lazy("Outcome after the event"), required=False, max_length=4000, widget=forms.Textarea
    )


def _plain(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@event_view("events.view_report")
def report(request, event):
    data = reports.build_report(event=event, user=request.user)
    can_manage = request.user.has_perm("events.change_event", event)
    return render(
        request,
        "events/report_page.html",
        {
            "event": event,
            "report": data,
            "can_manage": can_manage,
            "can_export_attendees": request.user.has_perm("events.change_event", event),
            "outcome_forms": {s.pk: OutcomeForm(initial={"outcome": s.outcome}) for s in data.pitches}
            if can_manage
            else {},
            "thanks_pending": reports.thanks_pending(event).count()
            if can_manage and data.phase == "after"
            else 0,
        },
    )


def _filename(event, what: str, fmt: str) -> str:
    return f"{event.slug}-{what}-{timezone.localdate():%Y-%m-%d}.{fmt}"


def _tables_response(tables, fmt: str, filename: str) -> HttpResponse:
    body = (
        report_exports.tables_csv(tables).encode("utf-8")
        if fmt == "csv"
        else report_exports.tables_xlsx(tables)
    )
    response = HttpResponse(body, content_type=report_exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@event_view("events.view_report")
def report_export(request, event, fmt):
    if fmt not in report_exports.FORMATS:
        raise Http404(_("Export formats: CSV and XLSX."))
    tables = report_exports.report_tables(reports.build_report(event=event, user=request.user))
    return _tables_response(tables, fmt, _filename(event, "report", fmt))


@event_view("events.change_event")  # e-mail addresses: the organisers only, not supporting partners
def attendee_export(request, event, fmt):
    if fmt not in report_exports.FORMATS:
        raise Http404(_("Export formats: CSV and XLSX."))
    return _tables_response([report_exports.attendee_table(event)], fmt, _filename(event, "attendees", fmt))


@require_POST
@event_view("events.change_event")
def pitch_outcome(request, event, pk):
    submission = get_object_or_404(
        Submission.objects.select_related("call__event"),
        pk=pk,
        call__event=event,
        call__kind__in=[Call.Kind.PITCH, Call.Kind.DELEGATION],
    )
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        return _plain(
            _("The outcome was not saved: %(errors)s") % {"errors": " ".join(form.errors.get("outcome", []))},
            400,
        )
    try:
        reports.set_pitch_outcome(
            actor=request.user, submission=submission, outcome=form.cleaned_data["outcome"]
        )
    except reports.ReportError as exc:
        raise PermissionDenied(exc.message) from exc
    if submission.call.kind == Call.Kind.DELEGATION:
        text, anchor = _("The follow-up of “%(title)s” was saved."), "#delegation"
    else:
        text, anchor = _("The outcome of the pitch “%(title)s” was saved."), "#pitches"
    messages.success(request, text % {"title": submission.title})
    return redirect(reverse("events:report", kwargs={"slug": event.slug}) + anchor)


@require_POST
@event_view("events.change_event")
def send_thanks(request, event):
    """Queue the thank-you e-mails (a background task: many recipients, each in their language)."""
    if reports.phase(event) != "after":
        return _plain(_("The thank-you e-mails can be sent once the event is over."), 409)
    from jumelage.events.report_tasks import send_event_thanks

    send_event_thanks.enqueue(event_id=event.pk, actor_id=request.user.pk)
    messages.success(
        request,
        _("The thank-you e-mails are on their way to the attendees who were checked in and not yet thanked."),
    )
    return redirect("events:report", slug=event.slug)


@require_http_methods(["GET", "POST"])
def feedback(request, slug, token):
    """The feedback form an attendee reaches through the link in the thank-you e-mail: the token is the
    key (no account needed). One answer per registration, once the event is over."""
    registration = get_object_or_404(
        Registration.objects.select_related("event"), token=token, event__slug=slug
    )
    event = registration.event
    refusal = reports.feedback_refusal(registration)
    form = FeedbackForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if refusal:
            status = 409
        elif form.is_valid():
            try:
                reports.give_feedback(
                    registration=registration,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                )
            except reports.ReportError as exc:
                refusal, status = exc.message, exc.status
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
                status = 400
            else:
                return render(
                    request,
                    "events/report_feedback_thanks.html",
                    {"event": event, "registration": registration},
                )
        else:
            status = 400
    return render(
        request,
        "events/report_feedback.html",
        {"event": event, "registration": registration, "form": form, "refusal": refusal},
        status=status,
    )


urlpatterns = [
    path("events/<slug:slug>/report/", report, name="report"),
    path("events/<slug:slug>/report/export.<str:fmt>", report_export, name="report-export"),
    path("events/<slug:slug>/report/attendees.<str:fmt>", attendee_export, name="report-attendees"),
    path("events/<slug:slug>/report/pitches/<int:pk>/outcome/", pitch_outcome, name="report-pitch-outcome"),
    path("events/<slug:slug>/report/thanks/", send_thanks, name="report-thanks"),
    path("events/<slug:slug>/feedback/<str:token>/", feedback, name="report-feedback"),
]
