"""The agenda of the public event page: its sessions by day, with rooms, speakers and the talks and
pitches placed in them. It is most of the page's rendering time, so the rendered fragment is kept in the
shared (database) cache, keyed on the event, a version token, the language, the time zone and whether
the caller sees every speaker (staff) or only those with a public profile.

The version is a token in the same cache that every write the agenda depends on replaces (signals on the
event, its sessions and their speakers, rooms, partners, placed talks and pitches, the programme's
proposals, and the directory people and organisations they show), so every app-server process drops the
old fragment at once. Writes that bypass the ORM signals (bulk_create, queryset.update) on those rows
must end with bump(event_id).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch, signals
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from jumelage.core import versions
from jumelage.events.models import Event, EventPartner, Proposal, Room, Session, Submission

VERSION_KEY = "events:agenda-version:{}"
FRAGMENT_KEY = "events:agenda:{event}:{created}:{version}:{lang}:{tz}:{audience}"
FRAGMENT_TIMEOUT = 24 * 3600  # an old version's fragments are never read again; this lets them go
CACHE_ENABLED = True  # bench/event_page.py turns it off to time the page as it was before the cache


class RoomName(NamedTuple):
    name: str


class SessionSummary(NamedTuple):
    """What the page's JSON-LD needs of a session (calendar.event_json_ld), kept with the fragment."""

    title: str
    starts_at: object
    ends_at: object
    room_id: int | None
    room: RoomName | None
    public_speaker_names: list[str]


@dataclass(frozen=True)
class Agenda:
    html: SafeString
    sessions: list[SessionSummary]


# --- Building it ------------------------------------------------------------------------------------------


def sessions_of(event: Event, *, staff: bool) -> list[Session]:
    """Sessions by time then room, with speakers and the pitches/talks placed in them."""
    from jumelage.directory.models import Person
    from jumelage.events.calendar import public_speakers

    placed = Submission.objects.filter(
        status__in=[Submission.Status.SELECTED, Submission.Status.CONFIRMED]
    ).select_related("organisation")
    sessions = list(
        event.sessions.select_related("room")
        .prefetch_related(
            Prefetch("speakers", queryset=Person.objects.order_by("name")),
            Prefetch("submissions", queryset=placed.order_by("pk"), to_attr="placed"),
        )
        .order_by("starts_at", "room__name", "pk")
    )
    # Computed once here rather than per row in the template: a page may hold hundreds of sessions.
    kinds = {value: capfirst(str(label)) for value, label in Session.Kind.choices}
    ics_base = reverse("events:event-detail", args=[event.slug]) + "sessions/"
    for s in sessions:
        s.public_speaker_names = public_speakers(s, everyone=staff)
        s.kind_label = kinds.get(s.kind, s.kind)
        s.ics_url = f"{ics_base}{s.pk}.ics"
    return sessions


def by_day(sessions: Iterable) -> list[tuple]:
    """[(date, [sessions of that day])] in the current time zone, in order."""
    days: list[tuple] = []
    for s in sessions:
        day = timezone.localtime(s.starts_at).date()
        if not days or days[-1][0] != day:
            days.append((day, []))
        days[-1][1].append(s)
    return days


def _build(event: Event, *, staff: bool) -> Agenda:
    sessions = sessions_of(event, staff=staff)
    html = render_to_string("events/_agenda.html", {"event": event, "days": by_day(sessions)})
    summaries = [
        SessionSummary(
            s.title,
            s.starts_at,
            s.ends_at,
            s.room_id,
            RoomName(s.room.name) if s.room_id else None,
            s.public_speaker_names,
        )
        for s in sessions
    ]
    return Agenda(html, summaries)


def agenda_for(event: Event, *, staff: bool) -> Agenda:
    """The rendered agenda of `event` in the current language, from the cache when it holds the current
    version's. The version is read before the sessions: what is stored was read after it, so it is never
    older than the version it is stored under."""
    if not CACHE_ENABLED:
        return _build(event, staff=staff)
    key = FRAGMENT_KEY.format(
        event=event.pk,
        created=event.created_at.timestamp() if event.created_at else "",  # an id reused after a delete
        version=version(event.pk),
        lang=translation.get_language() or settings.LANGUAGE_CODE,
        tz=timezone.get_current_timezone_name(),
        audience="staff" if staff else "public",
    )
    hit = cache.get(key)
    if hit is not None:
        html, rows = hit
        return Agenda(mark_safe(html), [SessionSummary(*row) for row in rows])
    agenda = _build(event, staff=staff)
    cache.set(key, (str(agenda.html), [tuple(s) for s in agenda.sessions]), FRAGMENT_TIMEOUT)
    return agenda


# --- The version ------------------------------------------------------------------------------------------


def version(event_id: int) -> str:
    return versions.token(VERSION_KEY.format(event_id))


def bump(event_id: int | None, using: str = "default") -> None:
    """Drop the event's cached agenda, in every process (see jumelage.core.versions)."""
    if event_id is not None:
        versions.bump(VERSION_KEY.format(event_id), using)


def _bump_all(event_ids: Iterable[int], using: str) -> None:
    for event_id in set(event_ids):
        bump(event_id, using)


# --- What changes it --------------------------------------------------------------------------------------


def _event_changed(sender, instance, using="default", **kwargs) -> None:
    if not kwargs.get("raw"):
        bump(instance.pk, using)


def _part_changed(sender, instance, using="default", **kwargs) -> None:
    """A session, room, partner or programme proposal: each holds its event's id."""
    if not kwargs.get("raw"):
        bump(instance.event_id, using)


def _submission_changed(sender, instance, using="default", **kwargs) -> None:
    if kwargs.get("raw"):
        return
    from jumelage.events.models import Call

    _bump_all(Call.objects.using(using).filter(pk=instance.call_id).values_list("event_id", flat=True), using)


def _person_changed(sender, instance, using="default", **kwargs) -> None:
    """A speaker's name or public profile."""
    if kwargs.get("raw") or instance.pk is None:
        return
    events = Session.objects.using(using).filter(speakers=instance).values_list("event_id", flat=True)
    _bump_all(events, using)


def _organisation_changed(sender, instance, using="default", **kwargs) -> None:
    """The name under a placed pitch, or a showcased organisation of the programme."""
    if kwargs.get("raw") or instance.pk is None:
        return
    placed = Submission.objects.using(using).filter(organisation=instance, session__isnull=False)
    showcased = Proposal.objects.using(using).filter(organisation=instance)
    _bump_all(
        [
            *placed.values_list("call__event_id", flat=True),
            *showcased.values_list("event_id", flat=True),
        ],
        using,
    )


def _speakers_changed(sender, instance, action, reverse, pk_set, using="default", **kwargs) -> None:
    """Speakers added to or taken off a session (from either side of the relation)."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:
        bump(instance.event_id, using)
        return
    sessions = Session.objects.using(using)
    sessions = sessions.filter(speakers=instance) if action == "pre_clear" else sessions.filter(pk__in=pk_set)
    _bump_all(sessions.values_list("event_id", flat=True), using)


def connect_signals() -> None:
    """Called from EventsConfig.ready()."""
    from jumelage.directory.models import Organisation, Person

    receivers = [
        (Event, _event_changed),
        (Session, _part_changed),
        (Room, _part_changed),
        (EventPartner, _part_changed),
        (Proposal, _part_changed),
        (Submission, _submission_changed),
        (Person, _person_changed),
        (Organisation, _organisation_changed),
    ]
    for model, receiver in receivers:
        name = model.__name__
        signals.post_save.connect(receiver, sender=model, dispatch_uid=f"events-agenda-{name}-save")
        # Before the delete: the rows that lead from a person or organisation to its events go with it.
        signals.pre_delete.connect(receiver, sender=model, dispatch_uid=f"events-agenda-{name}-delete")
    signals.m2m_changed.connect(
        _speakers_changed, sender=Session.speakers.through, dispatch_uid="events-agenda-speakers"
    )
