"""The organisers' figures for a brokerage: requests, acceptance, placement, no-shows, meetings by
ecosystem pair and by theme; and the same as a table for CSV/XLSX export."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from jumelage.brokerage.models import Brokerage, Meeting, MeetingRequest, Participant
from jumelage.directory.models import Membership, Theme


@dataclass
class Figures:
    participants: int
    requests: int
    accepted: int
    declined: int
    pending: int
    acceptance_rate: float | None
    meetings: int
    placed: int
    held: int
    no_shows: int
    by_pair: list[tuple[str, int]] = field(default_factory=list)
    by_theme: list[tuple[str, int]] = field(default_factory=list)


def _sides(brokerage: Brokerage) -> dict[int, str]:
    """Participant id → the short name(s) of the ecosystem(s) their organisation belongs to ("" for none)."""
    participants = dict(brokerage.participants.values_list("pk", "organisation_id"))
    names: dict[int, set[str]] = {}
    for org_id, short in Membership.objects.filter(
        organisation_id__in=set(participants.values())
    ).values_list("organisation_id", "ecosystem__short_name"):
        names.setdefault(org_id, set()).add(short)
    return {pk: "+".join(sorted(names.get(org, ()))) for pk, org in participants.items()}


def figures(brokerage: Brokerage) -> Figures:
    counts = brokerage.requests.aggregate(
        total=Count("pk", filter=~Q(status=MeetingRequest.Status.WITHDRAWN)),
        accepted=Count("pk", filter=Q(status__in=["accepted", "cancelled"])),
        declined=Count("pk", filter=Q(status="declined")),
        pending=Count("pk", filter=Q(status="pending")),
    )
    answered = counts["accepted"] + counts["declined"]
    meetings = list(
        Meeting.objects.filter(brokerage=brokerage)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("request")
    )
    sides = _sides(brokerage)
    none = _("no ecosystem")
    pairs = Counter(
        " ↔ ".join(
            sorted((sides.get(m.request.requester_id) or none, sides.get(m.request.recipient_id) or none))
        )
        for m in meetings
    )
    themes_of: dict[int, set[int]] = {}
    through = Participant.themes.through
    for pid, theme_id in through.objects.filter(participant__brokerage=brokerage).values_list(
        "participant_id", "theme_id"
    ):
        themes_of.setdefault(pid, set()).add(theme_id)
    theme_counts = Counter(
        t
        for m in meetings
        for t in themes_of.get(m.request.requester_id, set()) | themes_of.get(m.request.recipient_id, set())
    )
    # Theme labels in the reader's language (Theme.label), not always the English one.
    labels = {t.pk: t.label for t in Theme.objects.filter(pk__in=theme_counts)}
    by_theme = Counter()
    for pk, n in theme_counts.items():
        by_theme[labels[pk]] += n
    return Figures(
        participants=brokerage.participants.count(),
        requests=counts["total"],
        accepted=counts["accepted"],
        declined=counts["declined"],
        pending=counts["pending"],
        acceptance_rate=counts["accepted"] / answered if answered else None,
        meetings=len(meetings),
        placed=sum(1 for m in meetings if m.slot_id),
        held=sum(1 for m in meetings if m.status == Meeting.Status.HELD),
        no_shows=sum(1 for m in meetings if m.status == Meeting.Status.NO_SHOW),
        by_pair=pairs.most_common(),
        by_theme=by_theme.most_common(15),
    )


def export_rows(brokerage: Brokerage) -> tuple[list[str], list[list]]:
    """One row per meeting (not cancelled): who, which organisations and sides, when, where, outcome."""
    sides = _sides(brokerage)
    header = [
        _("Slot"),
        _("Table"),
        _("Participant A"),
        _("Organisation A"),
        _("Ecosystem A"),
        _("Participant B"),
        _("Organisation B"),
        _("Ecosystem B"),
        _("Created by the organisers"),
        _("Status"),
    ]
    rows = []
    meetings = (
        Meeting.objects.filter(brokerage=brokerage)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related(
            "slot", "table", "request__requester__organisation", "request__recipient__organisation"
        )
        .order_by("slot__number", "table__position", "pk")
    )
    for m in meetings:
        a, b = m.request.requester, m.request.recipient
        rows.append(
            [
                m.slot.with_day() if m.slot else "",  # with its day: a brokerage may last days
                m.table.name if m.table else "",
                a.name,
                a.organisation.name if a.organisation else "",
                sides.get(a.pk, ""),
                b.name,
                b.organisation.name if b.organisation else "",
                sides.get(b.pk, ""),
                _("yes") if m.request.by_organiser else _("no"),
                m.get_status_display(),
            ]
        )
    return header, rows
