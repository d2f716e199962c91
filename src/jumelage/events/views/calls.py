"""Calls for talks and pitches: the public call page and application, the jury's review, the
organisers' ranking and decisions, and the selected applicant's confirmation (by signed link)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jumelage.core.forms import apply_service_errors
from jumelage.directory.models import Stage
from jumelage.events.models import Call, Session, Submission
from jumelage.events.queries import partners_in_order
from jumelage.events.services import calls as services
from jumelage.events.views.common import event_view

MANAGE = "events.manage_calls"
CRITERIA_ROWS = 5
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class CallForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of call"), choices=Call.Kind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("What you are looking for"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    opens_at = forms.DateTimeField(
        label=gettext_lazy("Opens"), input_formats=DATETIME_FORMATS, widget=DateTimeInput()
    )
    closes_at = forms.DateTimeField(
        label=gettext_lazy("Closes"), input_formats=DATETIME_FORMATS, widget=DateTimeInput()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(CRITERIA_ROWS):
            self.fields[f"criterion_{i}"] = forms.CharField(
                label=_("Criterion %(n)d") % {"n": i + 1}, max_length=120, required=False
            )
            self.fields[f"weight_{i}"] = forms.IntegerField(
                label=_("Weight of criterion %(n)d") % {"n": i + 1},
                min_value=1,
                max_value=100,
                required=False,
            )

    def criteria(self):
        return [
            (self.cleaned_data.get(f"criterion_{i}", ""), self.cleaned_data.get(f"weight_{i}"))
            for i in range(CRITERIA_ROWS)
        ]


class ApplyForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title of the talk"), max_length=200, required=False)
    organisation = forms.ChoiceField(label=gettext_lazy("Startup you represent"), required=False)
    startup_name = forms.CharField(
        label=gettext_lazy("Or the startup's name"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("If the startup is not in the directory, or you don't represent it there."),
    )
    abstract = forms.CharField(label=gettext_lazy("Summary"), widget=forms.Textarea(attrs={"rows": 5}))
    speaker_name = forms.CharField(label=gettext_lazy("Speaker"), max_length=200)
    speaker_email = forms.EmailField(label=gettext_lazy("Speaker's e-mail"))
    stage = forms.ChoiceField(
        label=gettext_lazy("Stage"), choices=[("", "—"), *Stage.choices], required=False
    )
    asks = forms.MultipleChoiceField(
        label=gettext_lazy("Looking for"),
        choices=Submission.Ask.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    deck = forms.FileField(
        label=gettext_lazy("Deck (PDF or PowerPoint .pptx)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.pptx,application/pdf"}),
    )
    video_url = forms.CharField(label=gettext_lazy("Video link"), max_length=300, required=False)

    def __init__(self, *args, call, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.pitch = call.kind == Call.Kind.PITCH
        orgs = services.represented_organisations(user)
        self.fields["organisation"].choices = [("", "—"), *((str(o.pk), o.name) for o in orgs)]
        self.orgs = {str(o.pk): o for o in orgs}
        limit = services.deck_max_bytes() / 1048576
        self.fields["deck"].help_text = _("At most %(max)s MB.") % {"max": f"{limit:g}"}
        if call.kind == Call.Kind.DELEGATION:
            for name in ("title", "startup_name", "stage"):
                del self.fields[name]
            self.fields["organisation"].label = _("Organisation you represent")
            self.fields["organisation"].help_text = _(
                "The delegation is made of organisations of the directory: it is shown with its profile."
            )
            self.fields["abstract"].label = _("What it will show or look for there")
            self.fields["abstract"].help_text = _(
                "Shown on the event page if the organisation joins the delegation."
            )
            self.fields["speaker_name"].label = _("Contact person")
            self.fields["speaker_email"].label = _("Contact person's e-mail")
            self.fields["deck"].label = _("Brochure (PDF or PowerPoint .pptx, optional)")
            self.fields["video_url"].label = _("Video link (optional)")
        elif self.pitch:
            del self.fields["title"]
            self.fields["abstract"].label = _("What the startup does")
        else:
            self.fields["title"].required = True
            for name in ("organisation", "startup_name", "stage", "asks", "deck"):
                del self.fields[name]
            self.fields["organisation"] = forms.ChoiceField(
                label=_("On behalf of an organisation you represent"),
                choices=[("", "—"), *((str(o.pk), o.name) for o in orgs)],
                required=False,
            )

    def clean_organisation(self):
        value = self.cleaned_data.get("organisation")
        return self.orgs.get(value) if value else None


def _get_call(event, pk) -> Call:
    return get_object_or_404(Call.objects.prefetch_related("criteria"), event=event, pk=pk)


@event_view()
def call_list(request, event):
    calls = list(event.calls.prefetch_related("criteria").order_by("closes_at", "pk"))
    now = timezone.now()
    return render(
        request,
        "events/call_list.html",
        {
            "event": event,
            "partners": partners_in_order(event),
            "calls": calls,
            "now": now,
            "may_manage": request.user.has_perm(MANAGE, event),
        },
    )


@event_view(MANAGE)
def call_create(request, event):
    form = CallForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                call = services.open_call(
                    actor=request.user,
                    event=event,
                    kind=data["kind"],
                    title=data["title"],
                    description=data["description"],
                    opens_at=data["opens_at"],
                    closes_at=data["closes_at"],
                    criteria=form.criteria(),
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The call “%(title)s” is open.") % {"title": call.title})
                return redirect("events:call-manage", event.slug, call.pk)
        status = 400
        messages.error(request, _("The call was not opened: correct the fields below."))
    return render(
        request,
        "events/call_form.html",
        {"event": event, "form": form, "rows": range(CRITERIA_ROWS)},
        status=status,
    )


def _call_context(request, event, call, form=None):
    user = request.user
    now = timezone.now()
    mine = []
    if user.is_authenticated:
        mine = list(call.submissions.filter(submitted_by=user).select_related("organisation"))
    is_open = call.opens_at <= now < call.closes_at
    if form is None and is_open and user.is_authenticated:
        form = ApplyForm(
            call=call,
            user=user,
            initial={"speaker_name": user.get_full_name() or user.username, "speaker_email": user.email},
        )
    return {
        "event": event,
        "partners": partners_in_order(event),
        "call": call,
        "criteria": list(call.criteria.all()),
        "is_open": is_open,
        "not_yet": now < call.opens_at,
        "form": form,
        "mine": mine,
        "is_juror": services.juror_for(user, call) is not None,
        "may_manage": user.has_perm(MANAGE, event),
    }


@event_view()
def call_detail(request, event, pk):
    """The call: what it asks for, its criteria, and the application form (signed-in users)."""
    call = _get_call(event, pk)
    if request.method != "POST":
        return render(request, "events/call_detail.html", _call_context(request, event, call))
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = ApplyForm(request.POST, request.FILES, call=call, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            submission = services.submit(
                actor=request.user,
                call=call,
                title=data.get("title", ""),
                abstract=data["abstract"],
                speaker_name=data["speaker_name"],
                speaker_email=data["speaker_email"],
                organisation=data.get("organisation"),
                startup_name=data.get("startup_name", ""),
                stage=data.get("stage", ""),
                asks=data.get("asks", []),
                deck=data.get("deck"),
                video_url=data.get("video_url", ""),
                language=request.LANGUAGE_CODE,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Your application “%(title)s” was received. The organisers will tell you their decision by e-mail."
                )
                % {"title": submission.title},
            )
            return redirect("events:call-detail", event.slug, call.pk)
    messages.error(request, _("Your application was not sent: correct the fields below. Nothing was saved."))
    return render(request, "events/call_detail.html", _call_context(request, event, call, form), status=400)


@event_view(MANAGE)
def call_manage(request, event, pk):
    """Organisers: the jury, the weighted ranking, select or reject, place confirmed pitches."""
    call = _get_call(event, pk)
    return render(request, "events/call_manage.html", _manage_context(event, call))


def _manage_context(event, call):
    return {
        "event": event,
        "call": call,
        "criteria": list(call.criteria.all()),
        "jurors": list(call.jurors.select_related("user").order_by("user__username")),
        "ranking": services.ranking(call),
        "sessions": list(Session.objects.filter(event=event).order_by("starts_at", "pk")),
    }


def _manage_refuse(request, event, call, message, status=400):
    messages.error(request, message)
    return render(request, "events/call_manage.html", _manage_context(event, call), status=status)


@require_POST
@event_view(MANAGE)
def juror_add(request, event, pk):
    call = _get_call(event, pk)
    try:
        juror = services.invite_juror(actor=request.user, call=call, identifier=request.POST.get("juror", ""))
    except ValidationError as exc:
        return _manage_refuse(request, event, call, " ".join(exc.messages))
    messages.success(request, _("%(user)s is on the jury.") % {"user": juror.user})
    return redirect("events:call-manage", event.slug, call.pk)


def _get_submission(call, sid) -> Submission:
    return get_object_or_404(
        Submission.objects.select_related("organisation", "submitted_by", "session"), call=call, pk=sid
    )


@event_view()
def submission_detail(request, event, pk, sid):
    """One application: its organisers, the applicant and (unless in conflict) the jurors see it; a
    juror scores it here."""
    call = _get_call(event, pk)
    submission = _get_submission(call, sid)
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    manager = user.has_perm(MANAGE, event)
    juror = services.juror_for(user, call)
    conflicted = user.pk in services.conflicted_user_ids(submission)
    applicant = submission.submitted_by_id == user.pk
    if not (manager or applicant or (juror and not conflicted)):
        raise Http404(_("No such application."))
    criteria = list(call.criteria.all())
    status = 200
    errors = {}
    if request.method == "POST":
        if juror is None:
            raise PermissionDenied(_("Only the call's jurors may score its submissions."))
        if conflicted:
            raise PermissionDenied(_("You have a conflict of interest with this application."))
        values = {c.pk: request.POST.get(f"criterion_{c.pk}", "") for c in criteria}
        try:
            services.score_submission(
                actor=user, submission=submission, values=values, comment=request.POST.get("comment", "")
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            messages.error(
                request,
                _("Your scores were not saved: %(errors)s")
                % {"errors": " ".join(m for ms in errors.values() for m in ms)},
            )
            status = 400
        else:
            messages.success(
                request, _("Your scores for “%(title)s” were saved.") % {"title": submission.title}
            )
            return redirect("events:call-review", event.slug, call.pk)
    my_scores = {}
    if juror:
        my_scores = {s.criterion_id: s for s in submission.scores.filter(juror=juror)}
    rows = [
        {
            "criterion": c,
            "value": request.POST.get(f"criterion_{c.pk}")
            if request.method == "POST"
            else getattr(my_scores.get(c.pk), "value", ""),
            "error": " ".join(errors.get(f"criterion_{c.pk}", [])),
        }
        for c in criteria
    ]
    return render(
        request,
        "events/call_submission.html",
        {
            "event": event,
            "call": call,
            "submission": submission,
            "rows": rows,
            "may_score": juror is not None and not conflicted,
            "may_manage": manager,
            "applicant": applicant,
            "comment": next(iter(my_scores.values())).comment if my_scores else "",
        },
        status=status,
    )


@event_view()
def review(request, event, pk):
    """A juror's list: the applications they score and those excluded for a conflict of interest."""
    call = _get_call(event, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    juror = services.juror_for(request.user, call)
    if juror is None:
        raise PermissionDenied(_("Only the call's jurors review its applications."))
    ok, excluded = services.reviewable(juror)
    scored = set(juror.scores.values_list("submission_id", flat=True))
    return render(
        request,
        "events/call_review.html",
        {"event": event, "call": call, "rows": [(s, s.pk in scored) for s in ok], "excluded": excluded},
    )


@require_POST
@event_view(MANAGE)
def submission_decide(request, event, pk, sid):
    call = _get_call(event, pk)
    submission = _get_submission(call, sid)
    decision = request.POST.get("decision")
    if decision not in ("select", "reject"):
        return _manage_refuse(request, event, call, _("Choose to select or to reject the application."))
    try:
        services.decide_submission(actor=request.user, submission=submission, selected=decision == "select")
    except ValidationError as exc:
        return _manage_refuse(request, event, call, " ".join(exc.messages), status=409)
    if decision == "select":
        messages.success(
            request,
            _("“%(title)s” is selected; the applicant was asked to confirm.") % {"title": submission.title},
        )
    else:
        messages.success(
            request, _("“%(title)s” is not selected; the applicant was told.") % {"title": submission.title}
        )
    return redirect("events:call-manage", event.slug, call.pk)


@require_POST
@event_view(MANAGE)
def submission_place(request, event, pk, sid):
    call = _get_call(event, pk)
    submission = _get_submission(call, sid)
    session = None
    if request.POST.get("session"):
        value = request.POST["session"]
        session = Session.objects.filter(pk=value).first() if value.isdigit() else None
        if session is None:
            return _manage_refuse(request, event, call, _("No such session."))
    try:
        services.place_submission(actor=request.user, submission=submission, session=session)
    except ValidationError as exc:
        return _manage_refuse(request, event, call, " ".join(exc.messages))
    messages.success(request, _("The schedule of “%(title)s” was saved.") % {"title": submission.title})
    return redirect("events:call-manage", event.slug, call.pk)


@require_POST
@event_view()
def submission_withdraw(request, event, pk, sid):
    call = _get_call(event, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    submission = _get_submission(call, sid)
    if submission.submitted_by_id != request.user.pk:
        raise Http404(_("No such application."))
    try:
        services.withdraw_submission(actor=request.user, submission=submission)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return render(request, "events/call_detail.html", _call_context(request, event, call), status=409)
    messages.success(request, _("You withdrew “%(title)s”.") % {"title": submission.title})
    return redirect("events:call-detail", event.slug, call.pk)


@event_view()
def submission_deck(request, event, pk, sid):
    """The deck, for organisers, the applicant and jurors without a conflict (never a public address)."""
    call = _get_call(event, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    submission = _get_submission(call, sid)
    user = request.user
    juror = services.juror_for(user, call)
    allowed = (
        user.has_perm(MANAGE, event)
        or submission.submitted_by_id == user.pk
        or (juror is not None and user.pk not in services.conflicted_user_ids(submission))
    )
    if not allowed or not submission.deck:
        raise Http404(_("No such deck."))
    name = submission.deck.name.rsplit("/", 1)[-1].split("-", 1)[-1]
    content_type = "application/pdf" if name.endswith(".pdf") else services.PPTX_TYPE
    return FileResponse(
        submission.deck.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )


def submission_answer(request, token):
    """The selected applicant confirms or declines (the link of the selection e-mail; no login)."""
    submission = services.submission_for_token(token)
    if submission is None:
        raise Http404(_("This link is not valid (it may be incomplete)."))
    event = submission.call.event
    status = 200
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer not in ("confirm", "decline"):
            messages.error(request, _("Choose to confirm or to decline."))
            status = 400
        else:
            try:
                submission = services.answer_selection(submission=submission, confirm=answer == "confirm")
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                status = 409
            else:
                messages.success(
                    request,
                    _("Thank you: your participation is confirmed.")
                    if answer == "confirm"
                    else _("Thank you: you declined; the organisers are told."),
                )
                return redirect("events:submission-answer", token)
    return render(
        request,
        "events/call_answer.html",
        {
            "submission": submission,
            "event": event,
            "call": submission.call,
            "partners": partners_in_order(event),
        },
        status=status,
    )


P = "events/<slug:slug>/calls/<int:pk>/"
urlpatterns = [
    path("events/<slug:slug>/calls/", call_list, name="call-list"),
    path("events/<slug:slug>/calls/new/", call_create, name="call-create"),
    path(P, call_detail, name="call-detail"),
    path(P + "manage/", call_manage, name="call-manage"),
    path(P + "jurors/", juror_add, name="call-juror-add"),
    path(P + "review/", review, name="call-review"),
    path(P + "submissions/<int:sid>/", submission_detail, name="submission-detail"),
    path(P + "submissions/<int:sid>/decide/", submission_decide, name="submission-decide"),
    path(P + "submissions/<int:sid>/place/", submission_place, name="submission-place"),
    path(P + "submissions/<int:sid>/withdraw/", submission_withdraw, name="submission-withdraw"),
    path(P + "submissions/<int:sid>/deck/", submission_deck, name="submission-deck"),
    path("events/selection/<str:token>/", submission_answer, name="submission-answer"),
]
