"""Schedule management (organisers): rooms, sessions with times, rooms and speakers, pitches placed in
sessions. The public agenda is on the event page (views/events.py)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jumelage.core.forms import apply_service_errors
from jumelage.events.core_forms import RoomForm, SessionForm
from jumelage.events.models import Event, Room, Session, Submission
from jumelage.events.services import schedule as services
from jumelage.events.views.common import event_view

MANAGE = "events.change_event"


def _placeable(event: Event):
    return (
        Submission.objects.filter(
            call__event=event, status__in=[Submission.Status.SELECTED, Submission.Status.CONFIRMED]
        )
        .select_related("organisation", "session", "call")
        .order_by("call__title", "title")
    )


def _page(request, event, *, room_form=None, status=200, place_error=None):
    sessions = (
        event.sessions.select_related("room").prefetch_related("speakers").order_by("starts_at", "room__name")
    )
    return render(
        request,
        "events/schedule_manage.html",
        {
            "event": event,
            "rooms": event.rooms.order_by("name"),
            "sessions": sessions,
            "room_form": room_form or RoomForm(),
            "submissions": _placeable(event),
            "place_error": place_error,
        },
        status=status,
    )


@event_view(MANAGE)
def schedule(request, event: Event):
    return _page(request, event)


@require_POST
@event_view(MANAGE)
def room_add(request, event: Event):
    form = RoomForm(request.POST)
    if form.is_valid():
        try:
            services.create_room(
                actor=request.user,
                event=event,
                name=form.cleaned_data["name"],
                capacity=form.cleaned_data.get("capacity"),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The room %(name)s was added.") % {"name": form.cleaned_data["name"]})
            return redirect("events:schedule", slug=event.slug)
    return _page(request, event, room_form=form, status=400)


def _session_page(request, event, form, session=None, status=200):
    return render(
        request,
        "events/schedule_session_form.html",
        {"event": event, "form": form, "session": session},
        status=status,
    )


@event_view(MANAGE)
def session_new(request, event: Event):
    if request.method != "POST":
        initial = {
            "starts_at": event.starts_at,
            "ends_at": min(event.ends_at, event.starts_at + timedelta(hours=1)),
        }
        return _session_page(request, event, SessionForm(event=event, initial=initial))
    form = SessionForm(request.POST, event=event)
    if form.is_valid():
        try:
            session = services.create_session(
                actor=request.user,
                event=event,
                data=form.service_data(),
                speakers=form.cleaned_data["speakers"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The session %(title)s was added.") % {"title": session.title})
            return redirect("events:schedule", slug=event.slug)
    return _session_page(request, event, form, status=400)


@event_view(MANAGE)
def session_edit(request, event: Event, pk: int):
    session = get_object_or_404(Session, event=event, pk=pk)
    if request.method != "POST":
        return _session_page(request, event, SessionForm(instance=session, event=event), session)
    form = SessionForm(request.POST, instance=Session.objects.get(pk=session.pk), event=event)
    if form.is_valid():
        try:
            services.update_session(
                actor=request.user,
                session=session,
                data=form.service_data(),
                speakers=form.cleaned_data["speakers"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("The session %(title)s was saved.") % {"title": form.cleaned_data["title"]}
            )
            return redirect("events:schedule", slug=event.slug)
    return _session_page(request, event, form, session, status=400)


@require_POST
@event_view(MANAGE)
def session_delete(request, event: Event, pk: int):
    session = get_object_or_404(Session, event=event, pk=pk)
    services.delete_session(actor=request.user, session=session)
    messages.success(request, _("The session %(title)s was removed.") % {"title": session.title})
    return redirect("events:schedule", slug=event.slug)


@require_POST
@event_view(MANAGE)
def room_delete(request, event: Event, pk: int):
    room = get_object_or_404(Room, event=event, pk=pk)
    services.delete_room(actor=request.user, room=room)
    messages.success(request, _("The room %(name)s was removed.") % {"name": room.name})
    return redirect("events:schedule", slug=event.slug)


@require_POST
@event_view(MANAGE)
def place(request, event: Event):
    """Place a selected talk or pitch in a session (or take it out)."""
    sid, target = request.POST.get("submission", ""), request.POST.get("session", "")
    submission = Submission.objects.filter(call__event=event, pk=sid if sid.isdigit() else None).first()
    session = Session.objects.filter(event=event, pk=target).first() if target.isdigit() else None
    error = None
    if submission is None:
        error = _("Choose a talk or pitch of this event.")
    elif target and session is None:
        error = _("Choose a session of this event.")
    else:
        try:
            services.place_submission(actor=request.user, submission=submission, session=session)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if error:
        return _page(request, event, status=400, place_error=error)
    messages.success(request, _("The schedule was updated."))
    return redirect("events:schedule", slug=event.slug)


urlpatterns = [
    path("events/<slug:slug>/schedule/", schedule, name="schedule"),
    path("events/<slug:slug>/schedule/rooms/", room_add, name="room-add"),
    path("events/<slug:slug>/schedule/rooms/<int:pk>/delete/", room_delete, name="room-delete"),
    path("events/<slug:slug>/schedule/sessions/new/", session_new, name="session-new"),
    path("events/<slug:slug>/schedule/sessions/<int:pk>/", session_edit, name="session-edit"),
    path("events/<slug:slug>/schedule/sessions/<int:pk>/delete/", session_delete, name="session-delete"),
    path("events/<slug:slug>/schedule/place/", place, name="schedule-place"),
]
