"""Events in standard formats: iCalendar (.ics) per event, per session, per person and per ecosystem or
node; RSS and Atom feeds; schema.org Event as JSON-LD.

Every entry names all the event's partners, in their agreed order (co-branding: no partner is dropped
from a calendar entry). Times are written in UTC, so no VTIMEZONE is needed and every client agrees.
"""

from __future__ import annotations

import json
from datetime import UTC

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as ICalEvent

from jumelage.core.countries import country_name
from jumelage.ecosystems.models import Ecosystem, NetworkNode
from jumelage.events import queries
from jumelage.events.models import Event, EventPartner, Session
from jumelage.events.templatetags.event_brands import brand_url

PRODID = "-//Jumelage//Events//EN"
TOKEN_SALT = "jumelage.events.personal-calendar"  # noqa: S105 (a signing salt, not a secret)


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def event_url(event: Event) -> str:
    return absolute(reverse("events:event-detail", args=[event.slug]))


def partners_of(event: Event) -> list[EventPartner]:
    """The partners in their agreed order (uses a prefetch when there is one)."""
    return sorted(event.partners.all(), key=lambda p: (p.position, p.pk))


def organisers_line(partners) -> str:
    """'Organised by: A (lead organiser), B (co-organiser)' in the current language."""
    names = ", ".join(f"{p.brand_name} ({p.get_role_display()})" for p in partners)
    return _("Organised by: %(names)s") % {"names": names}


def description_in(obj, lang: str) -> tuple[str, str]:
    """The description in `lang`, else in the first other language that has one: (text, language)."""
    order = [lang, *(code for code, _name in settings.LANGUAGES if code != lang)]
    for code in order:
        text = (getattr(obj, f"description_{code}", "") or "").strip()
        if text:
            return text, code
    return "", lang


def _lang() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE)[:2]


def place_line(event: Event) -> str:
    if event.online:
        return _("Online") + (f" — {event.online_url}" if event.online_url else "")
    parts = [
        event.venue,
        event.street,
        " ".join(p for p in (event.postcode, event.city) if p),
        country_name(event.country),
    ]
    return ", ".join(p for p in parts if p)


# --- iCalendar -----------------------------------------------------------------------------------------


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    return cal


def _utc(value):
    return value.astimezone(UTC)


def _add_partners(item: ICalEvent, partners) -> None:
    for p in partners:
        item.add("contact", f"{p.brand_name} ({p.get_role_display()}), {brand_url(p, True)}")


def _event_component(event: Event, partners) -> ICalEvent:
    item = ICalEvent()
    item.add("uid", f"event-{event.pk}@jumelage")
    item.add("dtstamp", _utc(event.updated_at or timezone.now()))
    item.add("dtstart", _utc(event.starts_at))
    item.add("dtend", _utc(event.ends_at))
    title = event.title
    if event.status == Event.Status.CANCELLED:
        title = _("Cancelled: %(title)s") % {"title": title}
    item.add("summary", title)
    text, _code = description_in(event, _lang())
    body = [organisers_line(partners)]
    if event.summary:
        body.append(event.summary)
    if text:
        body.append(text)
    body.append(event_url(event))
    item.add("description", "\n\n".join(body))
    location = place_line(event)
    if location:
        item.add("location", location)
    item.add("url", event_url(event))
    item.add(
        "status",
        "CANCELLED" if event.status == Event.Status.CANCELLED else "CONFIRMED",
    )
    item.add("categories", [capfirst(event.get_kind_display())])
    _add_partners(item, partners)
    return item


def _session_component(session: Session, partners, *, speakers) -> ICalEvent:
    event = session.event
    item = ICalEvent()
    item.add("uid", f"session-{session.pk}@jumelage")
    item.add("dtstamp", _utc(session.updated_at or timezone.now()))
    item.add("dtstart", _utc(session.starts_at))
    item.add("dtend", _utc(session.ends_at))
    item.add("summary", f"{session.title} — {event.title}")
    body = [organisers_line(partners)]
    if speakers:
        body.append(_("Speakers: %(names)s") % {"names": ", ".join(speakers)})
    if session.description:
        body.append(session.description)
    body.append(event_url(event))
    item.add("description", "\n\n".join(body))
    location = ", ".join(x for x in (session.room.name if session.room_id else "", place_line(event)) if x)
    if location:
        item.add("location", location)
    item.add("url", event_url(event))
    item.add(
        "status",
        "CANCELLED" if event.status == Event.Status.CANCELLED else "CONFIRMED",
    )
    item.add("related-to", f"event-{event.pk}@jumelage")
    _add_partners(item, partners)
    return item


def public_speakers(session: Session, *, everyone: bool = False) -> list[str]:
    """Speakers' names shown outside the staff pages: only those who agreed to a public profile."""
    return [p.name for p in session.speakers.all() if everyone or p.public_profile]


def ics_response(cal: Calendar, filename: str) -> HttpResponse:
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def event_calendar(event: Event) -> Calendar:
    partners = partners_of(event)
    cal = _calendar(event.title)
    cal.add_component(_event_component(event, partners))
    return cal


def session_calendar(session: Session, *, everyone: bool = False) -> Calendar:
    partners = partners_of(session.event)
    cal = _calendar(session.event.title)
    cal.add_component(
        _session_component(session, partners, speakers=public_speakers(session, everyone=everyone))
    )
    return cal


def events_calendar(events, name: str) -> Calendar:
    cal = _calendar(name)
    for event in events:
        cal.add_component(_event_component(event, partners_of(event)))
    return cal


# --- The personal feed: a signed, secret address per user ------------------------------------------------


def personal_token(user) -> str:
    """A secret token naming the user, signed with the site's key (no table, nothing to store). Anyone
    holding the address sees that user's calendar, so it is shown only to the user."""
    return signing.Signer(salt=TOKEN_SALT).sign(str(user.pk)).replace(":", ".")


def user_from_token(token: str):
    from django.contrib.auth import get_user_model

    try:
        pk = signing.Signer(salt=TOKEN_SALT).unsign(token.replace(".", ":"))
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=pk, is_active=True).first()


def personal_url(user) -> str:
    return absolute(reverse("events:personal-calendar", args=[personal_token(user)]))


def personal_calendar(user) -> Calendar:
    """The events the user registered for (not cancelled), and the sessions they speak in."""
    from jumelage.events.models import Registration

    event_ids = Registration.objects.filter(user=user).exclude(status=Registration.Status.CANCELLED)
    events = queries.with_partners(
        Event.objects.filter(pk__in=event_ids.values("event_id")).exclude(status=Event.Status.DRAFT)
    )
    cal = _calendar(_("My events — Jumelage"))
    for event in events:
        cal.add_component(_event_component(event, partners_of(event)))
    sessions = (
        Session.objects.filter(speakers__user=user)
        .exclude(event__status=Event.Status.DRAFT)
        .select_related("event", "room")
        .prefetch_related("speakers", "event__partners__ecosystem", "event__partners__node__ecosystem")
        .distinct()
    )
    for session in sessions:
        partners = partners_of(session.event)
        cal.add_component(
            _session_component(session, partners, speakers=public_speakers(session, everyone=True))
        )
    return cal


# --- Feeds of upcoming public events per ecosystem and per node -------------------------------------------


def scope_of(kind: str, slug: str):
    if kind == "ecosystem":
        return get_object_or_404(Ecosystem, slug=slug)
    if kind == "node":
        return get_object_or_404(NetworkNode.objects.select_related("ecosystem"), slug=slug)
    raise Http404


def upcoming_public(scope) -> list[Event]:
    """Upcoming published public events one of whose partners is the scope (for an ecosystem: the
    ecosystem itself or one of its nodes), soonest first."""
    from django.contrib.auth.models import AnonymousUser

    qs = queries.visible_to(AnonymousUser()).filter(ends_at__gte=timezone.now())
    if isinstance(scope, Ecosystem):
        qs = queries.in_scope(qs, ecosystem=scope)
    else:
        qs = queries.in_scope(qs, node=scope)
    return list(queries.with_partners(qs).order_by("starts_at", "pk")[:200])


def scope_page(scope) -> str:
    if isinstance(scope, Ecosystem):
        return reverse("ecosystems:ecosystem-detail", args=[scope.slug])
    return reverse("ecosystems:node-detail", args=[scope.slug])


class ScopeEventsFeed(Feed):
    """RSS 2.0 feed of an ecosystem's or node's upcoming public events (Atom: ScopeEventsAtom)."""

    feed_type = Rss201rev2Feed

    def get_object(self, request, kind: str, slug: str):
        return scope_of(kind, slug)

    def title(self, scope):
        return _("Upcoming events — %(name)s") % {"name": scope.name}

    def link(self, scope):
        return scope_page(scope)

    def description(self, scope):
        return _("Upcoming public events that %(name)s organises or supports, on Jumelage.") % {
            "name": scope.name
        }

    def items(self, scope):
        return upcoming_public(scope)

    def item_title(self, event):
        if event.status == Event.Status.CANCELLED:
            return _("Cancelled: %(title)s") % {"title": event.title}
        return event.title

    def item_description(self, event):
        when = timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M")
        parts = [when, place_line(event), organisers_line(partners_of(event))]
        if event.summary:
            parts.append(event.summary)
        return " — ".join(p for p in parts if p)

    def item_link(self, event):
        return reverse("events:event-detail", args=[event.slug])

    def item_guid(self, event):
        return event_url(event)

    item_guid_is_permalink = True

    def item_pubdate(self, event):
        return event.created_at

    def item_updateddate(self, event):
        return event.updated_at

    def item_categories(self, event):
        return [capfirst(event.get_kind_display()), *(p.brand_name for p in partners_of(event))]


class ScopeEventsAtom(ScopeEventsFeed):
    feed_type = Atom1Feed
    subtitle = ScopeEventsFeed.description


def scope_calendar(scope) -> Calendar:
    return events_calendar(upcoming_public(scope), _("Upcoming events — %(name)s") % {"name": scope.name})


# --- schema.org Event as JSON-LD --------------------------------------------------------------------------

_ATTENDANCE = {
    "online": "https://schema.org/OnlineEventAttendanceMode",
    "offline": "https://schema.org/OfflineEventAttendanceMode",
}


def _organization(partner: EventPartner) -> dict:
    brand = partner.brand
    data = {"@type": "Organization", "name": brand.name, "url": brand_url(partner, True)}
    if brand.logo:
        data["logo"] = absolute(brand.logo.url)
    return data


def event_json_ld(event: Event, partners, sessions, *, description: str = "") -> str:
    """schema.org Event (with its sessions as subEvents), escaped for a <script type="application/ld+json">
    data block: a data block is never executed, so the strict CSP allows it."""
    organisers = [p for p in partners if p.is_co_organiser]
    supporters = [p for p in partners if not p.is_co_organiser]
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "url": event_url(event),
        "startDate": timezone.localtime(event.starts_at).isoformat(),
        "endDate": timezone.localtime(event.ends_at).isoformat(),
        "eventStatus": (
            "https://schema.org/EventCancelled"
            if event.status == Event.Status.CANCELLED
            else "https://schema.org/EventScheduled"
        ),
        "eventAttendanceMode": _ATTENDANCE["online" if event.online else "offline"],
        "organizer": [_organization(p) for p in organisers],
        "isAccessibleForFree": True,
    }
    if supporters:
        data["sponsor"] = [_organization(p) for p in supporters]
    if description or event.summary:
        data["description"] = description or event.summary
    if event.languages:
        data["inLanguage"] = list(event.languages)
    if event.capacity is not None:
        data["maximumAttendeeCapacity"] = event.capacity
        data["remainingAttendeeCapacity"] = max(event.capacity - event.confirmed_count, 0)
    if event.online:
        data["location"] = {"@type": "VirtualLocation", "url": event.online_url or event_url(event)}
    else:
        address = {
            "@type": "PostalAddress",
            "streetAddress": event.street,
            "postalCode": event.postcode,
            "addressLocality": event.city,
            "addressCountry": event.country,
        }
        data["location"] = {
            "@type": "Place",
            "name": event.venue or event.city,
            "address": {k: v for k, v in address.items() if v},
        }
    if sessions:
        data["subEvent"] = [
            {
                "@type": "Event",
                "name": s.title,
                "startDate": timezone.localtime(s.starts_at).isoformat(),
                "endDate": timezone.localtime(s.ends_at).isoformat(),
                **({"location": {"@type": "Place", "name": s.room.name}} if s.room_id else {}),
                **(
                    {"performer": [{"@type": "Person", "name": n} for n in s.public_speaker_names]}
                    if getattr(s, "public_speaker_names", None)
                    else {}
                ),
            }
            for s in sessions
        ]
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    # Same escapes as Django's json_script: nothing in the data can close the <script> element.
    return mark_safe(text.translate({ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}))
