"""What every brokerage page does first: find the event's brokerage, check the caller's permission on it,
and render with what the sub-navigation needs."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from jumelage.brokerage.models import Brokerage, Participant
from jumelage.events.views.common import get_event

PER_PAGE = 30


def brokerage_view(perm: str, *, create: bool = False):
    """Resolve the event's brokerage (404 when the event is not visible or has none, unless `create`)
    and check `perm` on it: anonymous callers go to the login page, others get a 403 (on the participants'
    pages, one saying how to take part)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, slug, *args, **kwargs):
            try:
                event = get_event(request, slug)
            except Http404:
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                raise
            brokerage = Brokerage.objects.filter(event=event).first()
            if brokerage is None:
                if not create:
                    raise Http404(_("This event has no B2B meetings."))
                brokerage = Brokerage(event=event)
            if not request.user.is_authenticated and not request.user.has_perm(perm, brokerage):
                return redirect_to_login(request.get_full_path())
            if perm == "brokerage.take_part" and me(request, brokerage) is None:
                # someone who does not take part (an admin passes every permission check but takes
                # part in nothing): a 403 that says why and where to join, not the bare one
                return render_page(request, brokerage, "brokerage/not_participant.html", {}, status=403)
            if not request.user.has_perm(perm, brokerage):
                raise PermissionDenied
            return view(request, brokerage, *args, **kwargs)

        return wrapper

    return decorator


def render_page(request, brokerage, template: str, context: dict, status: int = 200):
    """Render a brokerage page with what its sub-navigation needs: the brokerage, its event, the
    caller's participant row and what the caller may open."""
    context = {
        "brokerage": brokerage,
        "event": brokerage.event,
        "participant": context.get("participant", me(request, brokerage)),
        "perms_setup": request.user.has_perm("brokerage.setup", brokerage),
        "perms_dashboard": brokerage.pk and request.user.has_perm("brokerage.view_dashboard", brokerage),
        **context,
    }
    return render(request, template, context, status=status)


def me(request, brokerage) -> Participant | None:
    """The caller's participant row in this brokerage (looked up once per request)."""
    if not request.user.is_authenticated or brokerage.pk is None:
        return None
    cache = request.__dict__.setdefault("_b2b_participant", {})
    if brokerage.pk not in cache:
        cache[brokerage.pk] = brokerage.participants.filter(user=request.user).first()
    return cache[brokerage.pk]


def refused(request, exc: ValidationError) -> None:
    """Show a service's refusal as error messages."""
    for message in exc.messages:
        messages.error(request, message)


def form_status(request) -> int:
    """A form page answers 400 when it is shown again after a POST (something was refused)."""
    return 400 if request.method == "POST" else 200
