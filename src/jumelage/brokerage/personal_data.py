"""B2B meetings: the user's participations, the requests they sent and received, and their meetings.

Erasing: from B2B meetings still to come they leave, as with "Leave the B2B meetings" (requests and
agreed meetings end; the other sides are told by e-mail once the erasure is committed). In a past
event the participation stays, anonymised (no account, name, address, offers or seeks; the messages
they wrote are blanked), so that the event's meeting counts and the other sides' records stay true."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jumelage.brokerage import notify, services
from jumelage.brokerage.models import MeetingRequest, MeetingSeat, Participant
from jumelage.core.privacy import ERASED_NAME, erased_email, iso


def _participations(user):
    return Participant.objects.filter(user=user).select_related("brokerage__event").order_by("pk")


def _request(r: MeetingRequest, me: Participant) -> dict:
    sent = r.requester_id == me.pk
    return {
        "direction": "sent" if sent else "received",
        "with": (r.recipient if sent else r.requester).name,
        "message": r.message,
        "status": r.status,
        "reason": r.reason,
        "sent": iso(r.created_at),
        "answered": iso(r.answered_at),
    }


def export(user) -> dict:
    out = []
    for p in _participations(user).prefetch_related("themes", "unavailable"):
        requests = MeetingRequest.objects.filter(Q(requester=p) | Q(recipient=p)).select_related(
            "requester", "recipient"
        )
        seats = MeetingSeat.objects.filter(participant=p).select_related("slot", "meeting__table")
        out.append(
            {
                "event": p.brokerage.event.title,
                "name": p.name,
                "email": p.email,
                "language": p.language,
                "offers": p.offers,
                "seeks": p.seeks,
                "themes": [t.label for t in p.themes.all()],
                "online": p.online,
                "most_meetings": p.max_meetings,
                "unavailable": [iso(s.starts_at) for s in p.unavailable.all()],
                "requests": [_request(r, p) for r in requests.order_by("created_at", "pk")],
                "meetings": [
                    {
                        "starts": iso(s.slot.starts_at),
                        "table": s.meeting.table.name if s.meeting.table_id else None,
                        "took_place": s.held,
                        "rating": s.rating,
                    }
                    for s in seats.order_by("slot__number")
                ],
            }
        )
    return {"b2b_participations": out}


def erase(user) -> dict[str, int]:
    now = timezone.now()
    left = anonymised = 0
    for participant in _participations(user):
        event = participant.brokerage.event
        if event.ends_at > now:
            name = participant.name
            ended = services.leave(participant=participant, actor=None)
            transaction.on_commit(
                lambda e=ended, n=name, ev=event: notify.participant_left(ended=e, by_name=n, event=ev)
            )
            left += 1
            continue
        MeetingRequest.objects.filter(requester=participant).update(message="")
        MeetingRequest.objects.filter(recipient=participant).update(reason="")
        Participant.objects.filter(pk=participant.pk).update(
            user=None, name=ERASED_NAME, email=erased_email(participant.pk), offers="", seeks=""
        )
        participant.themes.clear()
        anonymised += 1
    return {"b2b_participations_left": left, "b2b_participations_anonymised": anonymised}
