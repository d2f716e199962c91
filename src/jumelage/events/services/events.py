"""Writing events: create, change, publish, cancel; partners and their agreed order.

Every function is keyword-only, atomic, validated (the model's full_clean plus the rules below) and
audited. A ValidationError says what is wrong in the user's language and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jumelage.core.audit import log_action
from jumelage.core.validation import refuse_unknown_fields
from jumelage.ecosystems.models import Ecosystem, NetworkNode
from jumelage.ecosystems.rules import is_platform_admin, staff_ecosystem_ids, staff_node_ids
from jumelage.events.models import Event, EventPartner

# Languages an event may be held in: the platform's three and German (Belgium's third official language).
EVENT_LANGUAGES = [
    ("fr", gettext_lazy("French")),
    ("nl", gettext_lazy("Dutch")),
    ("en", gettext_lazy("English")),
    ("de", gettext_lazy("German")),
]
# Slugs that would collide with the app's own addresses under /events/.
RESERVED_SLUGS = {"new", "calendar", "feeds"}

EDITABLE_FIELDS = (
    "title",
    "summary",
    "description_fr",
    "description_nl",
    "description_en",
    "kind",
    "visibility",
    "starts_at",
    "ends_at",
    "timezone",
    "online",
    "online_url",
    "venue",
    "street",
    "postcode",
    "city",
    "country",
    "languages",
    "capacity",
    "waitlist",
    "registration_opens_at",
    "registration_closes_at",
)

Brand = Ecosystem | NetworkNode


def _brand_fields(brand: Brand) -> dict[str, Any]:
    if isinstance(brand, Ecosystem):
        return {"ecosystem": brand, "node": None}
    if isinstance(brand, NetworkNode):
        return {"ecosystem": None, "node": brand}
    raise ValidationError(_("A partner must be an ecosystem or a network node."))


def staffs_brand(user, brand: Brand) -> bool:
    """Is `user` on the staff of this ecosystem or node (ecosystem staff count for its nodes)?"""
    if is_platform_admin(user):
        return True
    eco_ids, node_ids = staff_ecosystem_ids(user), staff_node_ids(user)
    if isinstance(brand, Ecosystem):
        return brand.pk in eco_ids
    return brand.pk in node_ids or brand.ecosystem_id in eco_ids


def _unique_slug(title: str) -> str:
    base = (slugify(title)[:100] or "event").strip("-") or "event"
    if base in RESERVED_SLUGS:
        base = f"{base}-event"
    slug, n = base, 2
    while Event.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_event(event: Event, *, is_new: bool, old: Event | None = None) -> None:
    """The rules beyond the model's fields, each with a message naming what is wrong."""
    errors: dict[str, list[str]] = {}
    now = timezone.now()
    if event.starts_at and event.ends_at and event.ends_at <= event.starts_at:
        errors.setdefault("ends_at", []).append(_("The event must end after it starts."))
    starts_changed = is_new or (old is not None and old.starts_at != event.starts_at)
    if event.starts_at and starts_changed and event.starts_at < now:
        errors.setdefault("starts_at", []).append(
            _("The start date is in the past: an event can only be planned for the future.")
        )
    if not event.online and not (event.city or "").strip():
        errors.setdefault("city", []).append(
            _("Give the city where the event takes place, or mark it as online.")
        )
    if not event.online and not (event.country or "").strip():
        errors.setdefault("country", []).append(_("Give the country where the event takes place."))
    if event.country and (len(event.country) != 2 or not event.country.isalpha()):
        errors.setdefault("country", []).append(_("The country must be a two-letter code such as BE or FR."))
    known = {code for code, _name in EVENT_LANGUAGES}
    if not isinstance(event.languages, list) or any(code not in known for code in event.languages):
        errors.setdefault("languages", []).append(
            _("Unknown language: choose among %(codes)s.") % {"codes": ", ".join(sorted(known))}
        )
    opens, closes = event.registration_opens_at, event.registration_closes_at
    if opens and closes and closes <= opens:
        errors.setdefault("registration_closes_at", []).append(_("Registration must close after it opens."))
    if closes and event.ends_at and closes > event.ends_at:
        errors.setdefault("registration_closes_at", []).append(
            _("Registration must close before the event ends.")
        )
    if opens and event.ends_at and opens >= event.ends_at:
        errors.setdefault("registration_opens_at", []).append(
            _("Registration must open before the event ends.")
        )
    if event.capacity is not None and event.capacity < event.confirmed_count:
        errors.setdefault("capacity", []).append(
            _("%(count)s seats are already confirmed: the capacity cannot be lower.")
            % {"count": event.confirmed_count}
        )
    if errors:
        raise ValidationError(errors)


def _same_minute(a, b) -> bool:
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


def _check_sessions_within(event: Event) -> None:
    outside = event.sessions.filter(starts_at__lt=event.starts_at) | event.sessions.filter(
        ends_at__gt=event.ends_at
    )
    titles = sorted({s.title for s in outside})
    if titles:
        raise ValidationError(
            {
                "starts_at": [
                    _("These sessions would fall outside the event's new dates: %(titles)s. Move them first.")
                    % {"titles": ", ".join(titles)}
                ]
            }
        )


def _parse_partners(partners: Iterable[tuple[Brand, str]]) -> list[tuple[Brand, str]]:
    partners = list(partners)
    roles = {r for r, _label in EventPartner.Role.choices}
    leads = [p for p in partners if p[1] == EventPartner.Role.LEAD]
    errors = []
    if not partners or not leads:
        errors.append(_("An event needs a lead organiser: choose the ecosystem or node that leads it."))
    if len(leads) > 1:
        errors.append(_("An event has exactly one lead organiser; the others are co-organisers."))
    seen = set()
    for brand, role in partners:
        if brand is None:
            errors.append(_("Unknown partner: choose an existing ecosystem or network node."))
            continue
        if role not in roles:
            errors.append(_("Unknown partner role “%(role)s”.") % {"role": role})
        key = (type(brand).__name__, brand.pk)
        if key in seen:
            errors.append(_("%(name)s is named twice among the partners.") % {"name": brand.name})
        seen.add(key)
    if errors:
        raise ValidationError({"partners": errors})
    return partners


def _require_manager(actor, event: Event) -> None:
    if not actor.has_perm("events.change_event", event):
        raise PermissionDenied(
            _("Only the staff of the lead organiser or of a co-organiser may change this event.")
        )


@transaction.atomic
def create_event(
    *,
    actor,
    data: dict[str, Any],
    partners: Iterable[tuple[Brand, str]],
    themes: Iterable | None = None,
    slug: str | None = None,
) -> Event:
    """Create a draft event with its partners in the given (agreed) order.

    `partners` is a list of (ecosystem or node, role); exactly one has the lead role. The actor must be
    on the staff of the lead or of a co-organiser (platform admins may create any event)."""
    partners = _parse_partners(partners)
    if not any(staffs_brand(actor, b) for b, role in partners if role != EventPartner.Role.SUPPORTING):
        raise PermissionDenied(
            _("You may only create an event that your own ecosystem or node leads or co-organises.")
        )
    refuse_unknown_fields(data, EDITABLE_FIELDS)
    event = Event(**data, created_by=actor if getattr(actor, "is_authenticated", False) else None)
    if slug:
        if slug in RESERVED_SLUGS:
            raise ValidationError({"slug": [_("This address is reserved; choose another.")]})
        event.slug = slug
    else:
        event.slug = _unique_slug(event.title or "")
    _check_event(event, is_new=True)
    event.full_clean()
    event.save()
    for position, (brand, role) in enumerate(partners):
        partner = EventPartner(event=event, role=role, position=position, **_brand_fields(brand))
        partner.full_clean()
        partner.save()
    if themes is not None:
        event.themes.set(themes)
    log_action(
        actor=actor,
        action="event.create",
        obj=event,
        partners=[f"{role}:{b.slug}" for b, role in partners],
    )
    return event


@transaction.atomic
def update_event(*, actor, event: Event, data: dict[str, Any], themes: Iterable | None = None) -> Event:
    """Change an event's fields. The event row is locked so sessions and registrations cannot slip
    outside the new dates or above the new capacity meanwhile."""
    _require_manager(actor, event)
    refuse_unknown_fields(data, EDITABLE_FIELDS)
    current = Event.objects.select_for_update().get(pk=event.pk)
    old = Event.objects.get(pk=event.pk)
    data = dict(data)
    for key in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        # Forms send times to the minute: the same minute as stored means "unchanged", not a move.
        value, stored = data.get(key), getattr(old, key)
        if value is not None and stored is not None and _same_minute(value, stored):
            data[key] = stored
    changed = {k: v for k, v in data.items() if getattr(current, k) != v}
    for key, value in data.items():
        setattr(current, key, value)
    _check_event(current, is_new=False, old=old)
    current.full_clean()
    if {"starts_at", "ends_at"} & changed.keys():
        _check_sessions_within(current)
    current.save()
    if themes is not None:
        current.themes.set(themes)
    log_action(actor=actor, action="event.update", obj=current, fields=sorted(changed))
    if "capacity" in changed and (current.capacity is None or (old.capacity or 0) < current.capacity):
        from jumelage.events.services.registration import fill_from_waitlist

        # more seats: the waiting list moves up at once (each promoted person gets an e-mail)
        fill_from_waitlist(event=current, actor=actor)
    event.refresh_from_db()
    return current


@transaction.atomic
def publish_event(*, actor, event: Event) -> Event:
    """Make a draft (or cancelled) event public to its audience."""
    _require_manager(actor, event)
    current = Event.objects.select_for_update().get(pk=event.pk)
    if current.status == Event.Status.PUBLISHED:
        raise ValidationError(_("This event is already published."))
    if current.ends_at <= timezone.now():
        raise ValidationError(_("This event is over: it can no longer be published."))
    current.status = Event.Status.PUBLISHED
    current.save(update_fields=["status", "updated_at"])
    log_action(actor=actor, action="event.publish", obj=current)
    event.refresh_from_db()
    return current


@transaction.atomic
def cancel_event(*, actor, event: Event, reason: str = "") -> Event:
    """Cancel the event. It stays visible (marked cancelled) so people who planned to come find out."""
    _require_manager(actor, event)
    current = Event.objects.select_for_update().get(pk=event.pk)
    if current.status == Event.Status.CANCELLED:
        raise ValidationError(_("This event is already cancelled."))
    current.status = Event.Status.CANCELLED
    current.save(update_fields=["status", "updated_at"])
    log_action(actor=actor, action="event.cancel", obj=current, reason=reason[:500])
    event.refresh_from_db()
    return current


# --- Partners and their agreed order ---------------------------------------------------------------


def _renumber(event: Event) -> list[EventPartner]:
    partners = list(EventPartner.objects.filter(event=event).order_by("position", "pk"))
    for position, p in enumerate(partners):
        if p.position != position:
            p.position = position
            p.save(update_fields=["position"])
    return partners


@transaction.atomic
def add_partner(*, actor, event: Event, brand: Brand | None, role: str) -> EventPartner:
    """Add an ecosystem or node as a partner, last in the order. A second lead is refused: change the
    lead with set_partner_role."""
    _require_manager(actor, event)
    Event.objects.select_for_update().get(pk=event.pk)
    if brand is None:
        raise ValidationError(
            {"partner": [_("Unknown partner: choose an existing ecosystem or network node.")]}
        )
    if role not in {r for r, _label in EventPartner.Role.choices}:
        raise ValidationError({"role": [_("Unknown partner role “%(role)s”.") % {"role": role}]})
    fields = _brand_fields(brand)
    if EventPartner.objects.filter(
        event=event, **{k: v for k, v in fields.items() if v is not None}
    ).exists():
        raise ValidationError(
            {"partner": [_("%(name)s is already a partner of this event.") % {"name": brand.name}]}
        )
    if role == EventPartner.Role.LEAD and event.partners.filter(role=EventPartner.Role.LEAD).exists():
        raise ValidationError(
            {"role": [_("This event already has a lead organiser; add this partner as a co-organiser.")]}
        )
    last = EventPartner.objects.filter(event=event).aggregate(m=Max("position"))["m"]
    partner = EventPartner(event=event, role=role, position=0 if last is None else last + 1, **fields)
    partner.full_clean()
    partner.save()
    log_action(actor=actor, action="event.partner_add", obj=event, partner=brand.slug, role=role)
    return partner


@transaction.atomic
def set_partner_role(*, actor, partner: EventPartner, role: str) -> EventPartner:
    """Change a partner's role. Making one the lead turns the previous lead into a co-organiser; the
    lead itself cannot step down without another taking its place."""
    event = partner.event
    _require_manager(actor, event)
    Event.objects.select_for_update().get(pk=event.pk)
    partner = EventPartner.objects.get(pk=partner.pk)
    if role not in {r for r, _label in EventPartner.Role.choices}:
        raise ValidationError({"role": [_("Unknown partner role “%(role)s”.") % {"role": role}]})
    if partner.role == role:
        return partner
    if partner.role == EventPartner.Role.LEAD:
        raise ValidationError(
            {"role": [_("An event needs a lead organiser: make another partner the lead instead.")]}
        )
    if role == EventPartner.Role.LEAD:
        EventPartner.objects.filter(event=event, role=EventPartner.Role.LEAD).update(
            role=EventPartner.Role.CO_ORGANISER
        )
    old = partner.role
    partner.role = role
    partner.save(update_fields=["role"])
    log_action(
        actor=actor, action="event.partner_role", obj=event, partner=partner.brand.slug, old=old, new=role
    )
    return partner


@transaction.atomic
def move_partner(*, actor, partner: EventPartner, direction: str) -> list[EventPartner]:
    """Move a partner one place up or down in the agreed order; returns the partners in their new order."""
    event = partner.event
    _require_manager(actor, event)
    Event.objects.select_for_update().get(pk=event.pk)
    if direction not in {"up", "down"}:
        raise ValidationError(_("A partner moves up or down."))
    partners = _renumber(event)
    index = next((i for i, p in enumerate(partners) if p.pk == partner.pk), None)
    if index is None:
        raise ValidationError(_("This partner is not part of this event."))
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(partners):
        message = _("%(name)s is already first.") if direction == "up" else _("%(name)s is already last.")
        raise ValidationError(message % {"name": partners[index].brand_name})
    a, b = partners[index], partners[other]
    a.position, b.position = b.position, a.position
    a.save(update_fields=["position"])
    b.save(update_fields=["position"])
    log_action(
        actor=actor,
        action="event.partner_move",
        obj=event,
        partner=a.brand.slug,
        direction=direction,
    )
    return sorted(partners, key=lambda p: p.position)


@transaction.atomic
def remove_partner(*, actor, partner: EventPartner) -> None:
    """Remove a partner. The lead cannot be removed (make another the lead first), nor a partner whose
    proposals are on the co-programming board (they would be lost)."""
    event = partner.event
    _require_manager(actor, event)
    Event.objects.select_for_update().get(pk=event.pk)
    partner = EventPartner.objects.get(pk=partner.pk)
    if partner.role == EventPartner.Role.LEAD:
        raise ValidationError(_("The lead organiser cannot be removed: make another partner the lead first."))
    if partner.proposals.exists():
        raise ValidationError(
            _("%(name)s has proposals on the co-programming board: withdraw them before removing it.")
            % {"name": partner.brand_name}
        )
    name = partner.brand.slug
    partner.delete()
    _renumber(event)
    log_action(actor=actor, action="event.partner_remove", obj=event, partner=name)
