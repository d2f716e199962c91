"""What every event page does first: find the event and check the caller may see (and act on) it; and
small helpers the areas share."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from jumelage.events.models import Event

VIEW = "events.view_event"


def get_event(request, slug: str, perm: str = VIEW) -> Event:
    """The event named by `slug` if the caller may see it (404 otherwise, so drafts and members-only
    events don't leak) and holds `perm` on it (403 otherwise)."""
    event = get_object_or_404(Event, slug=slug)
    if not request.user.has_perm(VIEW, event):
        raise Http404
    if perm != VIEW and not request.user.has_perm(perm, event):
        raise PermissionDenied
    return event


def event_view(perm: str = VIEW):
    """Decorator: resolve `slug` to the event (see get_event) and pass it to the view instead. Anonymous
    callers who lack the permission are sent to the login page rather than shown an error."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, slug, *args, **kwargs):
            try:
                event = get_event(request, slug, perm)
            except (Http404, PermissionDenied):
                if not request.user.is_authenticated and Event.objects.filter(slug=slug).exists():
                    return redirect_to_login(request.get_full_path())
                raise
            return view(request, event, *args, **kwargs)

        return wrapper

    return decorator
