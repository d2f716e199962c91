from django.db.models import Q
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from jumelage.events.models import Event


def event_list(request):
    """Upcoming events the caller may see (placeholder list; the events area fleshes it out)."""
    events = [
        e
        for e in Event.objects.filter(
            ~Q(status=Event.Status.DRAFT), ends_at__gte=timezone.now()
        ).prefetch_related("partners__ecosystem", "partners__node")
        if request.user.has_perm("events.view_event", e)
    ]
    return render(request, "events/event_list.html", {"events": events})


urlpatterns = [
    path("events/", event_list, name="event-list"),
]
