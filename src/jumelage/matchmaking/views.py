""" "Suggested for you": the suggestions of an opportunity or an organisation (a page, and the partial
htmx loads into the opportunity and organisation pages), feedback on them, and the digest opt-in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jumelage.matchmaking import service
from jumelage.matchmaking.models import OPPORTUNITY, ORGANISATION, DigestSubscription, Suggestion


def _subject(request, kind: str, ref):
    """The opportunity or organisation named by the URL, if the caller may see it (404 otherwise),
    and whether the caller may manage it (give feedback, ask for a refresh)."""
    user = request.user
    if kind == OPPORTUNITY:
        from jumelage.opportunities.queries import visible_to

        obj = visible_to(user).select_related("organisation").filter(pk=ref).first()
        if obj is None:
            raise Http404(_("No such opportunity."))
        return obj, user.has_perm("opportunities.change_opportunity", obj)
    from jumelage.directory.queries import visible_to

    obj = visible_to(user).filter(slug=ref).first()
    if obj is None:
        raise Http404(_("No such organisation."))
    return obj, user.has_perm("directory.change_organisation", obj)


def _suggestions(request, kind: str, ref):
    subject, can_manage = _subject(request, kind, ref)
    items = service.suggestions_for(request.user, kind, subject.pk)
    pending = False
    if not items and can_manage and not service.has_been_computed(kind, subject.pk):
        from jumelage.matchmaking import tasks

        tasks.refresh_suggestions.enqueue(kind, subject.pk)
        # A worker picks it up shortly (an immediate backend has already run it).
        items = service.suggestions_for(request.user, kind, subject.pk)
        pending = not items and not service.has_been_computed(kind, subject.pk)
    context = {
        "subject": subject,
        "kind": kind,
        "organisations": [s for s in items if s.kind == ORGANISATION],
        "opportunities": [s for s in items if s.kind == OPPORTUNITY],
        "can_manage": can_manage,
        "pending": pending,
        "back": reverse("opportunities:opportunity-detail", args=[subject.pk])
        if kind == OPPORTUNITY
        else reverse("directory:organisation-detail", args=[subject.slug]),
        "title": subject.title if kind == OPPORTUNITY else subject.name,
    }
    if request.htmx or request.GET.get("partial"):
        return render(request, "matchmaking/_suggestions.html", context)
    return render(request, "matchmaking/suggestions.html", context)


def opportunity_suggestions(request, pk: int):
    return _suggestions(request, OPPORTUNITY, pk)


def organisation_suggestions(request, slug: str):
    return _suggestions(request, ORGANISATION, slug)


@require_POST
def feedback(request, pk: int):
    """Accept (useful) or dismiss (not shown again) one suggestion, on behalf of its subject."""
    row = Suggestion.objects.filter(pk=pk).first()
    if row is None:
        raise Http404(_("No such suggestion."))
    if row.subject_kind == OPPORTUNITY:
        from jumelage.opportunities.models import Opportunity

        subject = Opportunity.objects.filter(pk=row.subject_id).first()
        allowed = subject is not None and request.user.has_perm("opportunities.change_opportunity", subject)
        back = reverse("opportunities:opportunity-detail", args=[row.subject_id])
    else:
        from jumelage.directory.models import Organisation

        subject = Organisation.objects.filter(pk=row.subject_id).first()
        allowed = subject is not None and request.user.has_perm("directory.change_organisation", subject)
        back = reverse("directory:organisation-detail", args=[subject.slug]) if subject else "/"
    if not allowed:
        raise PermissionDenied(_("Only those who manage it may give feedback on its suggestions."))
    verdict = request.POST.get("verdict", "")
    if verdict not in {"accept", "dismiss"}:
        return HttpResponse(
            _("Say whether the suggestion is useful (accept) or not (dismiss)."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    service.record_feedback(actor=request.user, suggestion=row, accepted=verdict == "accept")
    text = (
        _("Thank you: marked as useful.")
        if verdict == "accept"
        else _("Dismissed: it will not be suggested again.")
    )
    if request.htmx:
        return HttpResponse(f'<p class="note" role="status">{text}</p>')
    messages.success(request, text)
    return redirect(back)


def digest(request):
    """Opt in to (or out of) the weekly e-mail of new suggestions."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    sub = DigestSubscription.objects.filter(user=request.user).first()
    if request.method == "POST":
        active = request.POST.get("active") == "on"
        from jumelage.core.audit import log_action

        sub, _created = DigestSubscription.objects.update_or_create(
            user=request.user, defaults={"active": active}
        )
        log_action(actor=request.user, action="digest.subscribe" if active else "digest.unsubscribe", obj=sub)
        messages.success(
            request,
            _("You will receive the weekly digest of new suggestions.")
            if active
            else _("You will no longer receive the weekly digest."),
        )
        return redirect("matchmaking:digest")
    return render(
        request,
        "matchmaking/digest.html",
        {
            "active": bool(sub and sub.active),
            "represents": request.user.represents.select_related("organisation"),
        },
    )


urlpatterns = [
    path("opportunities/<int:pk>/suggestions/", opportunity_suggestions, name="opportunity-suggestions"),
    path("organisations/<slug:slug>/suggestions/", organisation_suggestions, name="organisation-suggestions"),
    path("suggestions/<int:pk>/feedback/", feedback, name="feedback"),
    path("matchmaking/digest/", digest, name="digest"),
]
