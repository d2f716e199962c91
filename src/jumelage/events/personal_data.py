"""Events: the user's registrations (those of their account, and those made with their e-mail address
without logging in), the talks and pitches where they are the speaker, and their jury seats.

Erasing: a registration to an event still to come is cancelled (the seat goes to the waiting list, as
when they cancel themselves) and deleted; one to a past event is anonymised, so that attendance counts
stay true (its feedback stays with it, no longer tied to anyone). A speaker's name and address are anonymised. Jury seats and their scores go with the
account."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from jumelage.core.privacy import ERASED_NAME, erased_email, iso
from jumelage.events.models import Registration, Submission


def _registrations(user=None, email: str = ""):
    """The registrations of an account and those made with its (or a given) e-mail address."""
    email = email or (user.email if user else "")
    q = Q(user=user) if user is not None else Q(pk__in=[])
    if email:
        q |= Q(email__iexact=email)
    return Registration.objects.filter(q).select_related("event").order_by("created_at", "pk")


def _as_speaker(email: str):
    if not email:
        return Submission.objects.none()
    return Submission.objects.filter(speaker_email__iexact=email).select_related("call__event")


def _feedback(registration) -> dict | None:
    feedback = getattr(registration, "feedback", None)
    return {"rating": feedback.rating, "comment": feedback.comment} if feedback else None


def export(user) -> dict:
    return {
        "event_registrations": [
            {
                "event": r.event.title,
                "starts": iso(r.event.starts_at),
                "name": r.name,
                "email": r.email,
                "language": r.language,
                "organisation": r.organisation_name or (str(r.organisation) if r.organisation_id else ""),
                "country": r.country,
                "role": r.role,
                "answers": r.answers,
                "status": r.status,
                "registered": iso(r.created_at),
                "checked_in": iso(r.checked_in_at),
                "feedback": _feedback(r),
            }
            for r in _registrations(user).select_related("organisation", "feedback")
        ],
        "talks_and_pitches": [
            {
                "event": s.call.event.title,
                "title": s.title,
                "speaker": s.speaker_name,
                "speaker_email": s.speaker_email,
                "status": s.status,
            }
            for s in _as_speaker(user.email)
        ],
        "jury_seats": [str(j.call) for j in user.juries.select_related("call")],
    }


def erase(user) -> dict[str, int]:
    return erase_by_email(user=user)


def erase_by_email(*, user=None, email: str = "") -> dict[str, int]:
    """Erase the registrations and speaker entries of an account, or of an e-mail address alone (a
    person who registered without an account and asks for erasure: `jumelage manage
    erase_personal_data`)."""
    from jumelage.events.services.registration import cancel

    email = email or (user.email if user else "")
    now = timezone.now()
    deleted = anonymised = 0
    for registration in _registrations(user, email):
        if registration.event.ends_at > now:
            if registration.status != Registration.Status.CANCELLED:
                cancel(registration=registration, actor=None)  # the seat goes to the waiting list
            registration.delete()
            deleted += 1
        else:
            Registration.objects.filter(pk=registration.pk).update(
                user=None, name=ERASED_NAME, email=erased_email(registration.pk), role="", answers={}
            )
            anonymised += 1
    speaker = 0
    for submission in _as_speaker(email):
        Submission.objects.filter(pk=submission.pk).update(
            speaker_name=ERASED_NAME, speaker_email=erased_email(submission.pk)
        )
        speaker += 1
    return {
        "registrations_deleted": deleted,
        "registrations_anonymised": anonymised,
        "speaker_entries_anonymised": speaker,
    }
