"""Registering for an event, cancelling, the waiting list and check-in.

Never more confirmed seats than capacity, whatever runs at the same time: the seat is taken by ONE
conditional UPDATE (`confirmed_count = confirmed_count + 1 WHERE confirmed_count < capacity`) in the
same transaction as the registration's INSERT. On PostgreSQL (READ COMMITTED) the UPDATE locks the event
row and re-checks its condition on the latest committed row, so two transactions can't both take the
last seat; on SQLite every transaction is IMMEDIATE (settings), so writers queue. The check constraint
`event_never_overbooked` would refuse an overbooking anyway, and `register_once_per_event` a second live
registration with the same e-mail. Every path that changes a registration's seat takes the event row
first (UPDATE or SELECT … FOR UPDATE), always in that order, so they can't deadlock.

E-mails (confirmation with the QR code, waiting list, promotion, cancellation) are queued as background
tasks after the commit and written in the registrant's language; a mail server failure never undoes a
registration, and a registration never waits for the mail server.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_tasks import task

from jumelage.core.audit import log_action
from jumelage.core.mail import language_of
from jumelage.events.models import Event, EventPartner, Question, Registration
from jumelage.events.queries import partners_in_order

Status = Registration.Status


class RegistrationRefused(ValidationError):
    """Registration is not possible (closed, full, already registered…). `code` says why:
    not_published, cancelled, past, not_open, closed, full, duplicate, not_allowed."""


def _when(value) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def registration_problem(event: Event, *, now=None) -> RegistrationRefused | None:
    """Why registration for `event` is not possible right now, or None when it is open. (The seats are
    checked when registering: a full event with a waiting list still takes registrations.)"""
    now = now or timezone.now()
    if event.status == Event.Status.CANCELLED:
        return RegistrationRefused(_("This event was cancelled: registration is closed."), code="cancelled")
    if event.status != Event.Status.PUBLISHED:
        return RegistrationRefused(_("This event is not published yet."), code="not_published")
    if event.ends_at <= now:
        return RegistrationRefused(_("This event has already taken place."), code="past")
    if event.starts_at <= now:
        return RegistrationRefused(_("This event has started: registration is closed."), code="closed")
    if event.registration_opens_at and event.registration_opens_at > now:
        return RegistrationRefused(
            _("Registration opens on %(when)s.") % {"when": _when(event.registration_opens_at)},
            code="not_open",
        )
    if event.registration_closes_at and event.registration_closes_at <= now:
        return RegistrationRefused(
            _("Registration closed on %(when)s.") % {"when": _when(event.registration_closes_at)},
            code="closed",
        )
    return None


def is_full_without_waitlist(event: Event) -> bool:
    return event.capacity is not None and not event.waitlist and event.confirmed_count >= event.capacity


# --- Attribution -----------------------------------------------------------------------------------------


def partner_for_link(event: Event, via: str | None) -> EventPartner | None:
    """The partner a `?via=` link names: the EventPartner's id, or its ecosystem's or node's slug.
    An unknown value names nobody (a mistyped link must not stop anyone registering)."""
    via = (via or "").strip()
    if not via:
        return None
    partners = event.partners.select_related("ecosystem", "node")
    if via.isdigit():
        return partners.filter(pk=int(via)).first()
    return partners.filter(Q(ecosystem__slug=via) | Q(node__slug=via)).first()


def partner_for_organisation(event: Event, organisation) -> EventPartner | None:
    """The partner that brought a member organisation: the partner node it is a member through first,
    else the partner ecosystem it is a member of (the agreed order breaks ties)."""
    if organisation is None:
        return None
    memberships = list(organisation.memberships.values_list("ecosystem_id", "node_id"))
    if not memberships:
        return None
    partners = partners_in_order(event)
    node_ids = {n for _e, n in memberships if n}
    eco_ids = {e for e, _n in memberships}
    for p in partners:
        if p.node_id and p.node_id in node_ids:
            return p
    for p in partners:
        if p.ecosystem_id and p.ecosystem_id in eco_ids:
            return p
    return None


# --- Validation of the answers ---------------------------------------------------------------------------


def clean_answers(event: Event, answers: dict | None) -> dict[str, str]:
    """The answers to the event's questions, keyed by question id (as text), checked: every required
    question answered, a choice among the offered ones, no answer to a question the event doesn't ask."""
    answers = {str(k): ("" if v is None else str(v).strip()) for k, v in (answers or {}).items()}
    questions = list(Question.objects.filter(event=event))
    known = {str(q.pk) for q in questions}
    errors = []
    unknown = sorted(set(answers) - known)
    if unknown:
        errors.append(_("This event asks no question %(ids)s.") % {"ids": ", ".join(unknown)})
    cleaned: dict[str, str] = {}
    for q in questions:
        value = answers.get(str(q.pk), "")
        if not value:
            if q.required:
                errors.append(_("Please answer the question “%(question)s”.") % {"question": q.label})
            continue
        if q.choices and value not in [str(c) for c in q.choices]:
            errors.append(
                _("“%(answer)s” is not one of the answers offered to “%(question)s”.")
                % {"answer": value, "question": q.label}
            )
            continue
        if len(value) > 2000:
            errors.append(_("The answer to “%(question)s” is too long.") % {"question": q.label})
            continue
        cleaned[str(q.pk)] = value
    if errors:
        raise ValidationError({"answers": errors})
    return cleaned


# --- Registering -----------------------------------------------------------------------------------------


def register(
    *,
    event: Event,
    name: str,
    email: str,
    language: str = "fr",
    user=None,
    organisation=None,
    organisation_name: str = "",
    organisation_kind: str = "",
    country: str = "",
    role: str = "",
    interests: Iterable = (),
    answers: dict | None = None,
    via: str | None = None,
) -> Registration:
    """Register someone: confirmed when a seat is free, else on the waiting list (or refused when the
    event has none). Raises RegistrationRefused (closed, full, duplicate…) or ValidationError (bad
    fields or answers); nothing is written then. `via` is a partner's `?via=` value; without one (or
    with an unknown one) the registrant's organisation's membership names the partner."""
    problem = registration_problem(event)
    if problem is not None:
        raise problem
    if user is not None and not user.is_authenticated:
        user = None
    email = (email or "").strip().lower()
    registration = Registration(
        event=event,
        user=user,
        name=(name or "").strip(),
        email=email,
        language=language_of(language),
        organisation=organisation,
        organisation_name=(organisation_name or (organisation.name if organisation else "")).strip(),
        organisation_kind=organisation_kind or (organisation.kind if organisation else ""),
        country=(country or (organisation.country if organisation else "")).strip().upper(),
        role=(role or "").strip(),
        answers=clean_answers(event, answers),
        via_partner=partner_for_link(event, via) or partner_for_organisation(event, organisation),
        status=Status.CONFIRMED,  # provisional, for full_clean; decided below
    )
    # Uniqueness is the constraint's job (it also sees concurrent inserts): checked below, in the
    # transaction, for a clear message, then enforced by the INSERT itself.
    registration.full_clean(validate_constraints=False)
    interests = list(interests)
    duplicate = RegistrationRefused(
        _(
            "%(email)s is already registered for this event. Use the link in your confirmation e-mail to "
            "see or cancel your registration."
        )
        % {"email": email},
        code="duplicate",
    )
    try:
        with transaction.atomic():
            if (
                Registration.objects.filter(event=event, email=email)
                .exclude(status=Status.CANCELLED)
                .exists()
            ):
                raise duplicate
            took_seat = Event.objects.filter(
                Q(capacity__isnull=True) | Q(confirmed_count__lt=F("capacity")), pk=event.pk
            ).update(confirmed_count=F("confirmed_count") + 1)
            if took_seat:
                registration.status = Status.CONFIRMED
            elif Event.objects.filter(pk=event.pk, waitlist=True).exists():
                registration.status = Status.WAITLISTED
            else:
                raise RegistrationRefused(_("This event is full and has no waiting list."), code="full")
            registration.save()
            if interests:
                registration.interests.set(interests)
            log_action(
                actor=user,
                action="events.register",
                obj=registration,
                event=event.slug,
                status=registration.status,
                via=registration.via_partner_id,
            )
            _notify(registration, _mail_for_status(registration))
    except IntegrityError as exc:  # the unique constraint saw a concurrent twin
        # PostgreSQL names the constraint; SQLite names its columns.
        if "register_once_per_event" in str(exc) or "events_registration.email" in str(exc):
            raise duplicate from exc
        raise
    return registration


def _mail_for_status(registration: Registration) -> str:
    return "confirmed" if registration.status == Status.CONFIRMED else "waitlisted"


# --- Cancelling and the waiting list ------------------------------------------------------------------------


@dataclass
class CancelResult:
    registration: Registration
    promoted: Registration | None


def cancel(*, registration: Registration, actor=None) -> CancelResult:
    """Cancel a registration. A confirmed seat goes to the first person on the waiting list in the
    same transaction (they get an e-mail); with nobody waiting the seat is freed. Cancelling twice
    is refused with a clear message."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=registration.event_id)
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status == Status.CANCELLED:
            raise RegistrationRefused(_("This registration is already cancelled."), code="cancelled")
        if event.ends_at <= timezone.now():
            raise RegistrationRefused(
                _("This event has already taken place: the registration can no longer be cancelled."),
                code="past",
            )
        was_confirmed = current.status == Status.CONFIRMED
        current.status = Status.CANCELLED
        current.cancelled_at = timezone.now()
        current.save(update_fields=["status", "cancelled_at", "updated_at"])
        promoted = None
        if was_confirmed:
            promoted = _promote_next(event)
            if promoted is None:
                Event.objects.filter(pk=event.pk).update(confirmed_count=F("confirmed_count") - 1)
        log_action(
            actor=actor,
            action="events.registration.cancel",
            obj=current,
            event=event.slug,
            promoted=promoted.pk if promoted else None,
        )
        _notify(current, "cancelled")
    registration.status, registration.cancelled_at = current.status, current.cancelled_at
    return CancelResult(current, promoted)


def _promote_next(event: Event) -> Registration | None:
    """Give the seat just freed to the first person waiting (the caller holds the event row)."""
    nxt = (
        Registration.objects.select_for_update()
        .filter(event=event, status=Status.WAITLISTED)
        .order_by("created_at", "pk")
        .first()
    )
    if nxt is None:
        return None
    nxt.status = Status.CONFIRMED
    nxt.promoted_at = timezone.now()
    nxt.save(update_fields=["status", "promoted_at", "updated_at"])
    _notify(nxt, "promoted")
    return nxt


def fill_from_waitlist(*, event: Event, actor=None) -> list[Registration]:
    """Promote people from the waiting list into the seats that are free (after the capacity was
    raised, say); returns who was promoted. Each one gets an e-mail."""
    promoted = []
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        free = None if locked.capacity is None else locked.capacity - locked.confirmed_count
        while free is None or free > 0:
            nxt = _promote_next(locked)
            if nxt is None:
                break
            promoted.append(nxt)
            Event.objects.filter(pk=locked.pk).update(confirmed_count=F("confirmed_count") + 1)
            if free is not None:
                free -= 1
        if promoted:
            log_action(
                actor=actor,
                action="events.registration.promote",
                obj=locked,
                registrations=[r.pk for r in promoted],
            )
    return promoted


# --- Check-in --------------------------------------------------------------------------------------------


@dataclass
class CheckIn:
    registration: Registration
    outcome: str  # "checked_in", "already", "not_confirmed"


def check_in(*, registration: Registration, actor) -> CheckIn:
    """Mark a confirmed registration as present. Checking in twice (two doors, one person) answers
    "already" with the first time and who did it; a registration that is not confirmed is refused."""
    with transaction.atomic():
        done = Registration.objects.filter(
            pk=registration.pk, status=Status.CONFIRMED, checked_in_at__isnull=True
        ).update(checked_in_at=timezone.now(), checked_in_by=actor, updated_at=timezone.now())
        current = Registration.objects.select_related("checked_in_by", "event").get(pk=registration.pk)
        if done:
            log_action(actor=actor, action="events.check_in", obj=current, event=current.event.slug)
            return CheckIn(current, "checked_in")
    if current.status != Status.CONFIRMED:
        return CheckIn(current, "not_confirmed")
    return CheckIn(current, "already")


# --- E-mail ------------------------------------------------------------------------------------------------


def mail_for(registration: Registration, kind: str):
    """The e-mail of one kind (confirmed, waitlisted, promoted, cancelled) for a registration."""
    from django.conf import settings
    from django.urls import reverse

    from jumelage.core.mail import Attachment, Mail
    from jumelage.events import qr

    event = registration.event
    partners = partners_in_order(event)
    context = {
        "registration": registration,
        "event": event,
        "partners": partners,
        "manage_url": settings.SITE_URL + reverse("events:registration-detail", args=[registration.token]),
        "event_url": event_url(event),
        "place": _place(event, registration.language),
    }
    attachments, inline = [], {}
    if kind in {"confirmed", "promoted"}:
        image = qr.png(registration)
        inline["qr"] = image
        attachments.append(Attachment(f"{event.slug}-qr.png", image, "image/png"))
        attachments.append(Attachment(f"{event.slug}.ics", _ics(event), "text/calendar"))
    return Mail(
        to=registration.email,
        language=registration.language,
        template=f"events/mail/registration_{kind}",
        context=context,
        attachments=attachments,
        inline_images=inline,
    )


def _ics(event) -> bytes | None:
    """The event's iCalendar file (the events core's calendar module), as an attachment."""
    from jumelage.events import calendar

    return calendar.event_calendar(event).to_ical()


def _place(event, language: str) -> str:
    from django.utils import translation

    from jumelage.core.mail import language_of
    from jumelage.events import calendar

    with translation.override(language_of(language)):
        return calendar.place_line(event)


def event_url(event) -> str:
    from django.conf import settings
    from django.urls import NoReverseMatch, reverse

    try:
        return settings.SITE_URL + reverse("events:event-detail", args=[event.slug])
    except NoReverseMatch:  # the public page is the events core's
        return settings.SITE_URL + reverse("events:event-list")


def _notify(registration: Registration, kind: str) -> None:
    """Queue the e-mail once the transaction commits (never for a registration rolled back). The
    task worker builds and sends it, so a registration never waits for the QR code or the mail server."""
    registration_id = registration.pk
    transaction.on_commit(lambda: send_registration_mail.enqueue(registration_id, kind), robust=True)


@task()
def send_registration_mail(registration_id: int, kind: str) -> bool:
    """Send one registration e-mail (confirmed, waitlisted, promoted, cancelled). A failure (mail
    server down) fails the task, which the task results record; the registration itself stands."""
    from jumelage.core import mail

    registration = Registration.objects.select_related("event").filter(pk=registration_id).first()
    if registration is None:
        return False
    mail.send([mail_for(registration, kind)])
    return True
