"""Writing the schedule: rooms, sessions with times, rooms and speakers, pitches placed in sessions.

Two sessions may not overlap in one room. The check runs with the event's row locked
(select_for_update), so two organisers saving at once cannot both get past it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from jumelage.core.audit import log_action
from jumelage.core.validation import refuse_unknown_fields
from jumelage.events.models import Event, Room, Session, Submission

SESSION_FIELDS = ("title", "description", "kind", "starts_at", "ends_at", "room", "language")


def _require_manager(actor, event: Event) -> None:
    if not actor.has_perm("events.change_event", event):
        raise PermissionDenied(
            _("Only the staff of the lead organiser or of a co-organiser may change this schedule.")
        )


def _lock(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def _when(value) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


@transaction.atomic
def create_room(*, actor, event: Event, name: str, capacity: int | None = None) -> Room:
    _require_manager(actor, event)
    _lock(event)
    name = (name or "").strip()
    if Room.objects.filter(event=event, name__iexact=name).exists():
        raise ValidationError({"name": [_("This event already has a room named %(name)s.") % {"name": name}]})
    room = Room(event=event, name=name, capacity=capacity)
    room.full_clean()
    room.save()
    log_action(actor=actor, action="event.room_create", obj=event, room=name)
    return room


@transaction.atomic
def delete_room(*, actor, room: Room) -> None:
    """Delete a room; its sessions stay in the schedule without a room."""
    event = room.event
    _require_manager(actor, event)
    _lock(event)
    name = room.name
    room.delete()
    log_action(actor=actor, action="event.room_delete", obj=event, room=name)


def _check_session(event: Event, session: Session) -> None:
    errors: dict[str, list[str]] = {}
    if session.starts_at and session.ends_at and session.ends_at <= session.starts_at:
        errors.setdefault("ends_at", []).append(_("The session must end after it starts."))
    elif (
        session.starts_at
        and session.ends_at
        and (session.starts_at < event.starts_at or session.ends_at > event.ends_at)
    ):
        errors.setdefault("starts_at", []).append(
            _("The session must lie within the event's dates: from %(start)s to %(end)s.")
            % {"start": _when(event.starts_at), "end": _when(event.ends_at)}
        )
    if session.room_id is not None and session.room.event_id != event.pk:
        errors.setdefault("room", []).append(_("This room belongs to another event."))
    if errors:
        raise ValidationError(errors)
    if session.room_id is not None:
        clash = (
            Session.objects.filter(
                room_id=session.room_id, starts_at__lt=session.ends_at, ends_at__gt=session.starts_at
            )
            .exclude(pk=session.pk)
            .order_by("starts_at")
            .first()
        )
        if clash is not None:
            raise ValidationError(
                {
                    "room": [
                        _(
                            "%(room)s is already taken by “%(title)s” from %(start)s to %(end)s: "
                            "choose another room or time."
                        )
                        % {
                            "room": session.room.name,
                            "title": clash.title,
                            "start": _when(clash.starts_at),
                            "end": _when(clash.ends_at),
                        }
                    ]
                }
            )


@transaction.atomic
def create_session(*, actor, event: Event, data: dict[str, Any], speakers: Iterable | None = None) -> Session:
    """Add a session to the schedule. Refused with a message naming the clash if its room is already
    taken at that time, or if it falls outside the event's dates."""
    _require_manager(actor, event)
    event = _lock(event)
    refuse_unknown_fields(data, SESSION_FIELDS)
    session = Session(event=event, **data)
    _check_session(event, session)
    session.full_clean()
    session.save()
    if speakers is not None:
        session.speakers.set(speakers)
    log_action(actor=actor, action="event.session_create", obj=event, session=session.title)
    return session


@transaction.atomic
def update_session(
    *, actor, session: Session, data: dict[str, Any], speakers: Iterable | None = None
) -> Session:
    event = _lock(session.event)
    _require_manager(actor, event)
    refuse_unknown_fields(data, SESSION_FIELDS)
    current = Session.objects.get(pk=session.pk)
    for key, value in data.items():
        setattr(current, key, value)
    _check_session(event, current)
    current.full_clean()
    current.save()
    if speakers is not None:
        current.speakers.set(speakers)
    log_action(actor=actor, action="event.session_update", obj=event, session=current.title)
    return current


@transaction.atomic
def delete_session(*, actor, session: Session) -> None:
    """Remove a session; pitches placed in it go back to unplaced."""
    event = _lock(session.event)
    _require_manager(actor, event)
    title = session.title
    session.delete()
    log_action(actor=actor, action="event.session_delete", obj=event, session=title)


@transaction.atomic
def place_submission(*, actor, submission: Submission, session: Session | None) -> Submission:
    """Place a selected talk or pitch in a session of the same event (or take it out with None)."""
    event = _lock(submission.call.event)
    _require_manager(actor, event)
    if session is not None and session.event_id != event.pk:
        raise ValidationError({"session": [_("This session belongs to another event.")]})
    if session is not None and submission.status not in (
        Submission.Status.SELECTED,
        Submission.Status.CONFIRMED,
    ):
        raise ValidationError(
            {"session": [_("Only selected or confirmed proposals can be placed in the schedule.")]}
        )
    submission.session = session
    submission.save(update_fields=["session", "updated_at"])
    log_action(
        actor=actor,
        action="event.submission_place",
        obj=event,
        submission=submission.pk,
        session=session.title if session else None,
    )
    return submission
