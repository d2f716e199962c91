"""Writing partnerships: the agreement and its parties, its action plan, its steering meetings. Pages
(and any later API or command) come through here; every change is in the audit log."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from jumelage.core.audit import log_action
from jumelage.core.validation import refuse_unknown_fields
from jumelage.ecosystems.models import Ecosystem, NetworkNode
from jumelage.ecosystems.rules import is_ecosystem_staff, is_node_staff, is_platform_admin
from jumelage.partnerships.models import Action, Partnership, Party, SteeringMeeting

PARTNERSHIP_FIELDS = (
    "title",
    "summary",
    "terms_fr",
    "terms_nl",
    "terms_en",
    "status",
    "signed_on",
    "ends_on",
    "public",
)
ACTION_FIELDS = ("title", "details", "owner", "due_on", "status", "event")
MEETING_FIELDS = ("held_on", "place", "attendees", "decisions")


def _check_dates(data: dict, errors: dict) -> None:
    signed, ends = data.get("signed_on"), data.get("ends_on")
    if signed and ends and ends < signed:
        errors["ends_on"] = _("The end date must come after the date it was agreed.")


def _staff_of(user, brand) -> bool:
    return is_ecosystem_staff(user, brand) if isinstance(brand, Ecosystem) else is_node_staff(user, brand)


def _unique_slug(title: str) -> str:
    base = slugify(title)[:70] or "partnership"
    slug, n = base, 2
    while Partnership.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def create_partnership(*, actor, data: dict, brands: list) -> Partnership:
    """A partnership between `brands` (ecosystems or nodes, in the order the parties agreed). The actor
    must be staff of one of them, a platform admin, or None (the platform itself). Raises ValidationError naming each problem —
    fewer than two parties, a party twice, dates in the wrong order — and writes nothing then."""
    refuse_unknown_fields(data, PARTNERSHIP_FIELDS)
    errors: dict[str, str] = {}
    brands = [b for b in brands if b is not None]
    if len(brands) < 2:
        errors["parties"] = _("Choose at least two parties: the ecosystems or nodes that agree.")
    elif len({(type(b).__name__, b.pk) for b in brands}) != len(brands):
        errors["parties"] = _("Each party may be named once.")
    _check_dates(data, errors)
    if errors:
        raise ValidationError(errors)
    # actor None: the platform itself (the demo loader, a command)
    if actor is not None and not (is_platform_admin(actor) or any(_staff_of(actor, b) for b in brands)):
        raise PermissionDenied(
            _("You may only record a partnership of an ecosystem or node you are staff of.")
        )
    partnership = Partnership(**data, slug=_unique_slug(data.get("title", "")), created_by=actor)
    partnership.full_clean()
    partnership.save()
    for position, brand in enumerate(brands):
        Party.objects.create(
            partnership=partnership,
            ecosystem=brand if isinstance(brand, Ecosystem) else None,
            node=brand if isinstance(brand, NetworkNode) else None,
            position=position,
        )
    log_action(actor=actor, action="partnership.create", obj=partnership, parties=[b.name for b in brands])
    return partnership


@transaction.atomic
def update_partnership(*, actor, partnership: Partnership, data: dict) -> Partnership:
    """Change the agreement's terms, status or dates. Permission is the caller's check
    (rules: partnerships.change_partnership)."""
    refuse_unknown_fields(data, PARTNERSHIP_FIELDS)
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    errors: dict[str, str] = {}
    _check_dates({"signed_on": partnership.signed_on, "ends_on": partnership.ends_on, **data}, errors)
    if errors:
        raise ValidationError(errors)
    changed = sorted(k for k, v in data.items() if getattr(partnership, k) != v)
    for key in changed:
        setattr(partnership, key, data[key])
    partnership.full_clean()
    partnership.save()
    log_action(actor=actor, action="partnership.update", obj=partnership, fields=changed)
    return partnership


def _check_action(partnership: Partnership, data: dict) -> None:
    owner = data.get("owner")
    if owner is not None and owner.partnership_id != partnership.pk:
        raise ValidationError({"owner": _("Choose one of the parties of this partnership.")})


@transaction.atomic
def add_action(*, actor, partnership: Partnership, data: dict) -> Action:
    """Add an item to the action plan (carried by one party, or by all together when `owner` is None)."""
    refuse_unknown_fields(data, ACTION_FIELDS)
    _check_action(partnership, data)
    action = Action(partnership=partnership, **data)
    action.full_clean()
    action.save()
    log_action(actor=actor, action="partnership.action.add", obj=partnership, action_title=action.title)
    return action


@transaction.atomic
def update_action(*, actor, action: Action, data: dict) -> Action:
    refuse_unknown_fields(data, ACTION_FIELDS)
    action = Action.objects.select_for_update().get(pk=action.pk)
    _check_action(action.partnership, data)
    changed = sorted(k for k, v in data.items() if getattr(action, k) != v)
    for key in changed:
        setattr(action, key, data[key])
    action.full_clean()
    action.save()
    log_action(
        actor=actor,
        action="partnership.action.update",
        obj=action.partnership,
        action_title=action.title,
        fields=changed,
    )
    return action


@transaction.atomic
def record_meeting(*, actor, partnership: Partnership, data: dict) -> SteeringMeeting:
    """Record a steering meeting of the parties and what it decided (a meeting planned ahead may have
    no decisions yet)."""
    refuse_unknown_fields(data, MEETING_FIELDS)
    held_on = data.get("held_on")
    if held_on is not None and held_on > datetime.date.today() + datetime.timedelta(days=366):
        raise ValidationError({"held_on": _("Give a date within the next year.")})
    meeting = SteeringMeeting(partnership=partnership, recorded_by=actor, **data)
    meeting.full_clean()
    meeting.save()
    log_action(actor=actor, action="partnership.meeting", obj=partnership, held_on=str(meeting.held_on))
    return meeting
