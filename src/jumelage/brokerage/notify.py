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


def _link(page: str, event) -> str:
    """The full address of one of the brokerage's pages (``requests``, ``agenda``) for an e-mail."""
    return settings.SITE_URL + reverse(f"brokerage:{page}", args=[event.slug])


def _to(p: Participant, template: str, **context) -> mail.Mail:
    """An e-mail to participant `p`, in their language, from templates ``brokerage/mail/<template>``."""
    return mail.Mail(
        to=p.email,
        language=p.language,
        template=f"brokerage/mail/{template}",
        context={"participant": p, **context},
    )


def agenda_changed(brokerage_id: int, participant_ids: list[int], moved: list[dict] | None = None) -> int:
    """Tell each participant whose meetings moved (or were placed) what their agenda is now, and which of
    their confirmed meetings moved from where to where (``moved``: ``moves_payload`` of the draft)."""
    brokerage = Brokerage.objects.select_related("event").get(pk=brokerage_id)
    event = brokerage.event
    changes = _moves_by_participant(brokerage, moved or [])
    url = _link("agenda", event)
    return mail.send(
        [
            # the entries say where in the recipient's language: they are read as the mail renders
            _to(
                p,
                "agenda_changed",
                event=event,
                meetings=agenda.entries(p),
                moves=changes.get(p.pk, []),
                agenda_url=url,
            )
            for p in Participant.objects.filter(pk__in=participant_ids)
        ]
    )


def request_received(request) -> int:
    event = request.brokerage.event
    return mail.send(
        [
            _to(
                request.recipient,
                "request_received",
                event=event,
                request=request,
                requests_url=_link("requests", event),
            )
        ]
    )


def request_answered(request) -> int:
    event = request.brokerage.event
    return mail.send(
        [
            _to(
                request.requester,
                "request_answered",
                event=event,
                request=request,
                requests_url=_link("requests", event),
            )
        ]
    )


def meeting_cancelled(*, to, by_name: str, event, slot=None, table=None) -> int:
    """Tell `to` that `by_name` cancelled their agreed meeting at `event` (when and where it was, if it
    was scheduled)."""
    return mail.send(
        [
            _to(
                to,
                "meeting_cancelled",
                by_name=by_name,
                event=event,
                slot=slot,
                table=table,
                agenda_url=_link("agenda", event),
            )
        ]
    )


def participant_left(*, ended, by_name: str, event) -> int:
    """Tell the other side of each agreed meeting that ended when `by_name` left (`services.leave`)."""
    return sum(
        meeting_cancelled(to=c.other, by_name=by_name, event=event, slot=c.slot, table=c.table) for c in ended
    )


def answer_reminders(brokerage, participants) -> int:
    """Remind each participant (annotated with `waiting`, their pending received requests) to answer
    before the brokerage's answer deadline."""
    event = brokerage.event
    url = _link("requests", event)
    return mail.send(
        [
            _to(
                p,
                "answer_reminder",
                event=event,
                waiting=p.waiting,
                closes_at=brokerage.answers_close_at,
                requests_url=url,
            )
            for p in participants
        ]
    )
