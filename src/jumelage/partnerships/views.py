"""Partnership pages: the list, an agreement with its parties' brands side by side, its terms, action
plan, steering meetings and indicators; forms for the parties' staff."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jumelage.core.forms import apply_service_errors
from jumelage.partnerships import queries, services
from jumelage.partnerships.forms import (
    ActionForm,
    ActionStatusForm,
    MeetingForm,
    NewPartnershipForm,
    PartnershipForm,
)
from jumelage.partnerships.models import Action, Partnership


def partnership_path(partnership: Partnership) -> str:
    return reverse("partnerships:detail", args=[partnership.slug])


def _login_or_forbid(request, message: str):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied(message)


def _get(request, slug: str) -> Partnership:
    """The partnership, if the user may see it (404 otherwise: its existence is not disclosed)."""
    return get_object_or_404(queries.visible_to(request.user), slug=slug)


def _terms(partnership: Partnership) -> tuple[str, str]:
    """The terms in the reader's language, else the first language that has them: (text, language)."""
    lang = (translation.get_language() or "fr")[:2]
    for code in (lang, "fr", "en", "nl"):
        text = getattr(partnership, f"terms_{code}", "")
        if text:
            return text, code
    return "", lang


def partnership_list(request):
    partnerships = list(
        queries.visible_to(request.user).prefetch_related("parties__ecosystem", "parties__node")
    )
    return render(
        request,
        "partnerships/list.html",
        {"partnerships": partnerships, "can_add": request.user.has_perm("partnerships.add_partnership")},
    )


def _detail(request, partnership, *, action_form=None, meeting_form=None, status=200):
    parties = queries.parties_of(partnership)
    can_edit = request.user.has_perm("partnerships.change_partnership", partnership)
    if can_edit:
        action_form = action_form or ActionForm(partnership=partnership)
        meeting_form = meeting_form or MeetingForm()
    terms, terms_lang = _terms(partnership)
    return render(
        request,
        "partnerships/detail.html",
        {
            "partnership": partnership,
            "parties": parties,
            "terms": terms,
            "terms_lang": terms_lang,
            "actions": list(partnership.actions.select_related("owner__ecosystem", "owner__node", "event")),
            "meetings": list(partnership.meetings.all()),
            "indicators": queries.indicators(partnership, parties),
            "can_edit": can_edit,
            "action_form": action_form,
            "meeting_form": meeting_form,
            "statuses": Action.Status.choices,
        },
        status=status,
    )


def partnership_detail(request, slug: str):
    return _detail(request, _get(request, slug))


def partnership_create(request):
    if not request.user.has_perm("partnerships.add_partnership"):
        return _login_or_forbid(request, _("Only ecosystem and node staff may record a partnership."))
    form = NewPartnershipForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "parties"}
            try:
                partnership = services.create_partnership(actor=request.user, data=data, brands=form.brands())
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request, _("The partnership “%(title)s” is recorded.") % {"title": partnership.title}
                )
                return redirect("partnerships:detail", slug=partnership.slug)
        status = 400
    return render(request, "partnerships/form.html", {"form": form, "partnership": None}, status=status)


def _editable(request, slug: str) -> Partnership:
    partnership = _get(request, slug)
    if not request.user.has_perm("partnerships.change_partnership", partnership):
        raise PermissionDenied(_("Only the staff of the parties may change this partnership."))
    return partnership


@login_required
def partnership_edit(request, slug: str):
    partnership = _editable(request, slug)
    form = PartnershipForm(request.POST or None, instance=Partnership.objects.get(pk=partnership.pk))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_partnership(
                    actor=request.user, partnership=partnership, data=form.cleaned_data
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The partnership was saved."))
                return redirect("partnerships:detail", slug=partnership.slug)
        status = 400
    return render(
        request, "partnerships/form.html", {"form": form, "partnership": partnership}, status=status
    )


@require_POST
@login_required
def action_add(request, slug: str):
    partnership = _editable(request, slug)
    form = ActionForm(request.POST, partnership=partnership)
    if form.is_valid():
        try:
            action = services.add_action(actor=request.user, partnership=partnership, data=form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("“%(title)s” is in the action plan.") % {"title": action.title})
            return redirect(f"{partnership_path(partnership)}#actions")
    messages.error(request, _("The action was not added: correct the fields below."))
    return _detail(request, partnership, action_form=form, status=400)


@require_POST
@login_required
def action_status(request, slug: str, pk: int):
    partnership = _editable(request, slug)
    action = get_object_or_404(Action, pk=pk, partnership=partnership)
    form = ActionStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the statuses."))
        return _detail(request, partnership, status=400)
    action = services.update_action(
        actor=request.user, action=action, data={"status": form.cleaned_data["status"]}
    )
    messages.success(
        request,
        _("“%(title)s”: %(status)s.") % {"title": action.title, "status": action.get_status_display()},
    )
    return redirect(f"{partnership_path(partnership)}#actions")


@require_POST
@login_required
def meeting_add(request, slug: str):
    partnership = _editable(request, slug)
    form = MeetingForm(request.POST)
    if form.is_valid():
        try:
            services.record_meeting(actor=request.user, partnership=partnership, data=form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The steering meeting is recorded."))
            return redirect(f"{partnership_path(partnership)}#meetings")
    messages.error(request, _("The meeting was not recorded: correct the fields below."))
    return _detail(request, partnership, meeting_form=form, status=400)
