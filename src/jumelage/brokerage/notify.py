"""E-mails of the brokerage, each in its recipient's language (core.mail)."""

from django.conf import settings
from django.urls import reverse

from jumelage.brokerage import agenda
from jumelage.brokerage.models import Brokerage, Meeting, Participant, Slot, Table
from jumelage.core import mail


def moves_payload(changes: list[dict]) -> list[dict]:
    """The moves of a draft (``scheduling.moves(run)``, read BEFORE publishing it) as plain ids, so they
    can travel to ``agenda_changed`` through on_commit or a task queue."""
    return [
        {
            "meeting": c["meeting"].pk,
            "old_slot": c["old_slot"].pk if c["old_slot"] else None,
            "old_table": c["old_table"].pk if c["old_table"] else None,
            "new_slot": c["new_slot"].pk if c["new_slot"] else None,
            "new_table": c["new_table"].pk if c["new_table"] else None,
        }
        for c in changes
    ]


def _moves_by_participant(brokerage, moved: list[dict]) -> dict[int, list[dict]]:
    """For each participant, the moves of their meetings: the other side, old and new slot and table."""
    if not moved:
        return {}
    slots = {s.pk: s for s in Slot.objects.filter(brokerage=brokerage)}
    tables = {t.pk: t for t in Table.objects.filter(brokerage=brokerage)}
    meetings = Meeting.objects.filter(brokerage=brokerage, pk__in=[mv["meeting"] for mv in moved])
    meetings = {m.pk: m for m in meetings.select_related("request__requester", "request__recipient")}
    out: dict[int, list[dict]] = {}
    for mv in moved:
        m = meetings.get(mv["meeting"])
        if m is None:
            continue
        a, b = m.request.requester, m.request.recipient
        row = {
            "old_slot": slots.get(mv["old_slot"]),
            "old_table": tables.get(mv["old_table"]),
            "new_slot": slots.get(mv["new_slot"]),
            "new_table": tables.get(mv["new_table"]),
        }
        out.setdefault(a.pk, []).append({**row, "with": b})
        out.setdefault(b.pk, []).append({**row, "with": a})
    for rows in out.values():
        rows.sort(key=lambda r: r["old_slot"].number if r["old_slot"] else 0)
    return out


def agenda_changed(brokerage_id: int, participant_ids: list[int], moved: list[dict] | None = None) -> int:
    """Tell each participant whose meetings moved (or were placed) what their agenda is now, and which of
    their confirmed meetings moved from where to where (``moved``: ``moves_payload`` of the draft)."""
    brokerage = Brokerage.objects.select_related("event").get(pk=brokerage_id)
    event = brokerage.event
    changes = _moves_by_participant(brokerage, moved or [])
    messages = []
    for p in Participant.objects.filter(pk__in=participant_ids):
        meetings = agenda.entries(p)  # each says where, in the recipient's language, as the mail renders
        url = settings.SITE_URL + reverse("brokerage:agenda", args=[event.slug])
        messages.append(
            mail.Mail(
                to=p.email,
                language=p.language,
                template="brokerage/mail/agenda_changed",
                context={
                    "event": event,
                    "participant": p,
                    "meetings": meetings,
                    "moves": changes.get(p.pk, []),
                    "agenda_url": url,
                },
            )
        )
    return mail.send(messages)


def request_received(request) -> int:
    event = request.brokerage.event
    url = settings.SITE_URL + reverse("brokerage:requests", args=[event.slug])
    return mail.send(
        [
            mail.Mail(
                to=request.recipient.email,
                language=request.recipient.language,
                template="brokerage/mail/request_received",
                context={"event": event, "request": request, "requests_url": url},
            )
        ]
    )


def request_answered(request) -> int:
    event = request.brokerage.event
    url = settings.SITE_URL + reverse("brokerage:requests", args=[event.slug])
    return mail.send(
        [
            mail.Mail(
                to=request.requester.email,
                language=request.requester.language,
                template="brokerage/mail/request_answered",
                context={"event": event, "request": request, "requests_url": url},
            )
        ]
    )


def meeting_cancelled(*, to, by_name: str, event, slot=None, table=None) -> int:
    """Tell `to` that `by_name` cancelled their agreed meeting at `event` (when and where it was, if it
    was scheduled)."""
    url = settings.SITE_URL + reverse("brokerage:agenda", args=[event.slug])
    return mail.send(
        [
            mail.Mail(
                to=to.email,
                language=to.language,
                template="brokerage/mail/meeting_cancelled",
                context={
                    "participant": to,
                    "by_name": by_name,
                    "event": event,
                    "slot": slot,
                    "table": table,
                    "agenda_url": url,
                },
            )
        ]
    )


def answer_reminders(brokerage, participants) -> int:
    """Remind each participant (annotated with `waiting`, their pending received requests) to answer
    before the brokerage's answer deadline."""
    event = brokerage.event
    url = settings.SITE_URL + reverse("brokerage:requests", args=[event.slug])
    return mail.send(
        [
            mail.Mail(
                to=p.email,
                language=p.language,
                template="brokerage/mail/answer_reminder",
                context={
                    "participant": p,
                    "event": event,
                    "waiting": p.waiting,
                    "closes_at": brokerage.answers_close_at,
                    "requests_url": url,
                },
            )
            for p in participants
        ]
    )
