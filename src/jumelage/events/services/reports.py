"""After the event: the report the partners share, the feedback attendees give, the thank-you e-mail.

The report counts what the registrations say: confirmed registrations ("registered") and, among them,
those checked in ("came"), broken down by the ecosystem and node their organisation is a member of, by
country, by kind of organisation and by the partner they came through (Registration.via_partner), so
each co-organiser sees the totals and its own share. Pitches (submissions to the event's pitch calls)
with their status and outcome, and a summary of the feedback, complete it.

Writes (feedback, a pitch's outcome, the thank-you e-mails) are service functions: keyword-only,
atomic, validated, logged.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jumelage.core import mail
from jumelage.core.audit import log_action
from jumelage.core.countries import country_name
from jumelage.core.models import AuditLog
from jumelage.directory.models import Membership, OrganisationKind
from jumelage.events.models import Call, Event, EventPartner, Feedback, Registration, Submission
from jumelage.events.queries import partners_in_order

THANKS_ACTION = "registration.thanks_sent"
THANKS_TEMPLATE = "events/mail/report_thanks"
MAIL_BATCH = 50
RATINGS = (1, 2, 3, 4, 5)
# Two series in every breakdown chart; their colours are CSS classes (report section of jumelage.css).
SERIES_REGISTERED = "report-registered"
SERIES_CAME = "report-came"
SERIES_ANSWERS = "report-answers"


class ReportError(Exception):
    """A request the report area refuses, with a message for the person who made it."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.message = message
        self.status = status


# --- Reading: the report ----------------------------------------------------------------------------


def phase(event: Event, now: datetime | None = None) -> str:
    """'before', 'during' or 'after' the event."""
    now = now or timezone.now()
    if now < event.starts_at:
        return "before"
    if now < event.ends_at:
        return "during"
    return "after"


@dataclass
class Breakdown:
    """Confirmed registrations and check-ins per category. An attendee can fall in several categories
    (an organisation member of two ecosystems), so the rows may add up to more than the total."""

    id: str
    title: str
    column: str
    rows: list[tuple[str, int, int]]  # (category, registered, came)

    def chart(self) -> dict:
        """What the {% bar_chart %} tag draws."""
        return {
            "id": f"chart-{self.id}",
            "title": self.title,
            "description": _(
                "Confirmed registrations and people checked in, per category; the same figures are in "
                "the table below the chart."
            ),
            "series": [
                (SERIES_REGISTERED, _("Registered"), _("registered")),
                (SERIES_CAME, _("Checked in"), _("came")),
            ],
            "rows": [(label, [registered, came]) for label, registered, came in self.rows],
        }


@dataclass
class PartnerShare:
    partner: EventPartner | None  # None: registrations that came through no partner
    name: str
    role: str
    registered: int
    came: int
    registered_percent: float
    came_percent: float
    own: bool = False


@dataclass
class Report:
    event: Event
    phase: str
    partners: list[EventPartner]
    confirmed: int = 0
    waitlisted: int = 0
    cancelled: int = 0
    came: int = 0
    breakdowns: list[Breakdown] = field(default_factory=list)
    shares: list[PartnerShare] = field(default_factory=list)
    pitches: list[Submission] = field(default_factory=list)
    pitch_status_counts: list[tuple[str, int]] = field(default_factory=list)
    # applications to join the event's delegation (trade show, mission) and what came of each
    delegation: list[Submission] = field(default_factory=list)
    feedback_count: int = 0
    feedback_average: float | None = None
    ratings: list[tuple[int, int]] = field(default_factory=list)  # (rating, answers)
    comments: list[Feedback] = field(default_factory=list)

    @property
    def attendance_percent(self) -> float | None:
        return round(100 * self.came / self.confirmed, 1) if self.confirmed else None

    @property
    def no_shows(self) -> int:
        return self.confirmed - self.came if self.phase == "after" else 0

    @property
    def own_shares(self) -> list[PartnerShare]:
        return [s for s in self.shares if s.own]

    def ratings_chart(self) -> dict:
        return {
            "id": "chart-ratings",
            "title": _("Ratings"),
            "description": _(
                "Number of attendees who gave each rating from 1 to 5; the same figures are in the table "
                "below the chart."
            ),
            # No word after each figure: "1 answers" reads badly, and there is only one series.
            "series": [(SERIES_ANSWERS, _("Answers"), "")],
            "rows": [(_("%(rating)s out of 5") % {"rating": r}, [n]) for r, n in self.ratings],
        }


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def kind_label(code: str) -> str:
    label = str(dict(OrganisationKind.choices).get(code, code))
    return label[:1].upper() + label[1:]


def _sorted_rows(counts: dict[str, list[int]], last: tuple[str, ...]) -> list[tuple[str, int, int]]:
    """Biggest first, then by name; the catch-all rows (`last`) at the end."""
    rows = [(label, v[0], v[1]) for label, v in counts.items() if label not in last]
    rows.sort(key=lambda r: (-r[1], -r[2], r[0].casefold()))
    rows += [(label, *counts[label]) for label in last if label in counts]
    return rows


def build_report(*, event: Event, user=None, now: datetime | None = None) -> Report:
    """The figures of one event, as the registrations say them. `user` decides which partners' rows
    are "your share" (the partners the user is staff of)."""
    from jumelage.events.rules import partners_staffed_by

    partners = partners_in_order(event)
    report = Report(event=event, phase=phase(event, now), partners=partners)
    statuses = Counter(event.registrations.values_list("status", flat=True).order_by())
    report.confirmed = statuses.get(Registration.Status.CONFIRMED, 0)
    report.waitlisted = statuses.get(Registration.Status.WAITLISTED, 0)
    report.cancelled = statuses.get(Registration.Status.CANCELLED, 0)

    # Plain values, not model instances: an event of thousands stays quick to count.
    confirmed = event.registrations.filter(status=Registration.Status.CONFIRMED)
    rows = list(
        confirmed.values_list(
            "organisation_id",
            "organisation__kind",
            "organisation__country",
            "organisation_kind",
            "country",
            "via_partner_id",
            "checked_in_at",
        ).order_by()
    )
    member_of: dict[int, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for org_id, eco_name, node_name in Membership.objects.filter(
        organisation_id__in=confirmed.exclude(organisation=None).values("organisation_id")
    ).values_list("organisation_id", "ecosystem__name", "node__name"):
        member_of[org_id][0].add(eco_name)
        if node_name:
            member_of[org_id][1].add(node_name)

    no_org = _("Not a member organisation")
    no_node = _("Through no node")
    not_given = _("Not given")
    kinds: dict[str, str] = {}
    by_eco: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_node: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_country: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_partner: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    for org_id, org_kind, org_country, reg_kind, reg_country, partner_id, checked_in_at in rows:
        came = 1 if checked_in_at is not None else 0
        report.came += came
        ecos, nodes = member_of.get(org_id, ((), ()))
        country = country_name((reg_country or org_country or "").upper()) or not_given
        kind = reg_kind or org_kind or ""
        if kind not in kinds:
            kinds[kind] = kind_label(kind) if kind else not_given
        for counts, keys in (
            (by_eco, ecos or (no_org,)),
            (by_node, nodes or (no_node,)),
            (by_country, (country,)),
            (by_kind, (kinds[kind],)),
        ):
            for key in keys:
                counts[key][0] += 1
                counts[key][1] += came
        by_partner[partner_id][0] += 1
        by_partner[partner_id][1] += came

    report.breakdowns = [
        Breakdown("ecosystem", _("By ecosystem"), _("Ecosystem"), _sorted_rows(by_eco, (no_org,))),
        Breakdown("country", _("By country"), _("Country"), _sorted_rows(by_country, (not_given,))),
        Breakdown(
            "kind",
            _("By kind of organisation"),
            _("Kind of organisation"),
            _sorted_rows(by_kind, (not_given,)),
        ),
        Breakdown("node", _("By node"), _("Node"), _sorted_rows(by_node, (no_node,))),
    ]

    own_ids = {p.pk for p in partners_staffed_by(user, event)} if user is not None else set()
    for partner in partners:
        registered, came = by_partner.get(partner.pk, [0, 0])
        report.shares.append(
            PartnerShare(
                partner=partner,
                name=partner.brand_name,
                role=partner.get_role_display(),
                registered=registered,
                came=came,
                registered_percent=_percent(registered, report.confirmed),
                came_percent=_percent(came, report.came),
                own=partner.pk in own_ids,
            )
        )
    known = {p.pk for p in partners}
    # Registrations through no partner, or through a partner since removed from the event.
    registered = sum(v[0] for k, v in by_partner.items() if k not in known)
    came = sum(v[1] for k, v in by_partner.items() if k not in known)
    if registered:
        report.shares.append(
            PartnerShare(
                partner=None,
                name=_("Through no partner"),
                role="",
                registered=registered,
                came=came,
                registered_percent=_percent(registered, report.confirmed),
                came_percent=_percent(came, report.came),
            )
        )

    report.pitches = list(
        Submission.objects.filter(call__event=event, call__kind=Call.Kind.PITCH)
        .select_related("organisation", "call", "session")
        .order_by("call__closes_at", "organisation__name", "title", "pk")
    )
    report.delegation = list(
        Submission.objects.filter(call__event=event, call__kind=Call.Kind.DELEGATION)
        .select_related("organisation", "call")
        .order_by("call__closes_at", "organisation__name", "pk")
    )
    pitch_statuses = Counter(s.status for s in report.pitches)
    report.pitch_status_counts = [
        (label, pitch_statuses[value]) for value, label in Submission.Status.choices if pitch_statuses[value]
    ]

    feedback = Feedback.objects.filter(registration__event=event)
    per_rating = Counter(feedback.values_list("rating", flat=True).order_by())
    report.feedback_count = sum(per_rating.values())
    if report.feedback_count:
        total = sum(rating * n for rating, n in per_rating.items())
        report.feedback_average = round(total / report.feedback_count, 2)
    report.ratings = [(r, per_rating.get(r, 0)) for r in RATINGS]
    report.comments = list(
        feedback.exclude(comment="").only("rating", "comment", "created_at").order_by("created_at", "pk")
    )
    return report


# --- Writing: feedback, pitch outcomes --------------------------------------------------------------


def feedback_refusal(registration: Registration, now: datetime | None = None) -> str | None:
    """Why this registrant may not give feedback now, or None when they may."""
    event = registration.event
    if phase(event, now) != "after":
        return _(
            "Feedback opens when the event is over, on %(end)s. Please come back then with the same link."
        ) % {"end": timezone.localtime(event.ends_at).strftime("%d/%m/%Y %H:%M")}
    if registration.status != Registration.Status.CONFIRMED:
        return _("Only people who held a confirmed seat at this event can give feedback.")
    if Feedback.objects.filter(registration=registration).exists():
        return _("You have already given your feedback on this event. Thank you: it can be given only once.")
    return None


@transaction.atomic
def give_feedback(*, registration: Registration, rating: int, comment: str = "") -> Feedback:
    """Record a registrant's one feedback on an event that is over. Raises ReportError (with the reason)
    when it is too early, the seat was not confirmed or feedback was already given; ValidationError on
    a bad rating."""
    registration = Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
    refusal = feedback_refusal(registration)
    if refusal:
        raise ReportError(refusal)
    feedback = Feedback(registration=registration, rating=rating, comment=(comment or "").strip())
    feedback.full_clean()
    feedback.save()
    log_action(actor=None, action="feedback.give", obj=registration, rating=rating)
    return feedback


@transaction.atomic
def set_pitch_outcome(*, actor, submission: Submission, outcome: str) -> Submission:
    """What came of a pitch or of a delegation member's presence after the event (contacts, investment,
    a pilot, orders), written by an organiser."""
    if not actor.has_perm("events.change_event", submission.call.event):
        raise ReportError(_("Only the organisers of this event may record the outcome of a pitch."), 403)
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    # Only the outcome changes: validate that field (the rest was validated by the calls area).
    submission.outcome = Submission._meta.get_field("outcome").clean((outcome or "").strip(), submission)
    submission.save(update_fields=["outcome", "updated_at"])
    log_action(actor=actor, action="submission.outcome", obj=submission)
    return submission


# --- The thank-you e-mail -----------------------------------------------------------------------------


def feedback_url(registration: Registration) -> str:
    path = reverse(
        "events:report-feedback", kwargs={"slug": registration.event.slug, "token": registration.token}
    )
    return settings.SITE_URL + path


def thanks_pending(event: Event):
    """Checked-in attendees who have not been thanked yet (the audit log records each message sent)."""
    attended = event.registrations.filter(status=Registration.Status.CONFIRMED, checked_in_at__isnull=False)
    ids = [str(pk) for pk in attended.values_list("pk", flat=True)]
    sent = AuditLog.objects.filter(
        action=THANKS_ACTION, object_type="events.registration", object_id__in=ids
    ).values_list("object_id", flat=True)
    return attended.exclude(pk__in=[int(pk) for pk in sent]).order_by("pk")


def send_thanks(*, event: Event, actor=None, now: datetime | None = None) -> int:
    """Thank every checked-in attendee of an event that is over, in their language, with their feedback
    link; each attendee once (run it again after late check-ins: only the new ones get it). Returns how
    many messages were sent. Raises ReportError before the event ends."""
    if phase(event, now) != "after":
        raise ReportError(_("The thank-you e-mails can be sent once the event is over."))
    if event.status != Event.Status.PUBLISHED:
        raise ReportError(
            _("This event did not take place (it is a draft or was cancelled): no thanks to send.")
        )
    partners = partners_in_order(event)
    pending = list(thanks_pending(event).select_related("event"))
    sent = 0
    for start in range(0, len(pending), MAIL_BATCH):
        batch = pending[start : start + MAIL_BATCH]
        mail.send(
            mail.Mail(
                to=r.email,
                language=r.language,
                template=THANKS_TEMPLATE,
                context={
                    "registration": r,
                    "event": event,
                    "partners": partners,
                    "feedback_url": feedback_url(r),
                    "site_url": settings.SITE_URL,
                },
            )
            for r in batch
        )
        # Recorded batch by batch, after the batch left: a failure later on resends nothing already sent.
        with transaction.atomic():
            for r in batch:
                log_action(actor=actor, action=THANKS_ACTION, obj=r)
        sent += len(batch)
    if sent:
        log_action(actor=actor, action="event.thanks_sent", obj=event, messages=sent)
    return sent


def ended_events_to_thank(now: datetime | None = None, days: int = 7):
    """Published events that ended within the last `days` days (the command and the task use it)."""
    now = now or timezone.now()
    return Event.objects.filter(
        status=Event.Status.PUBLISHED, ends_at__lte=now, ends_at__gte=now - timedelta(days=days)
    )


# --- Each partner's events, for its ecosystem and node pages -------------------------------------------


@dataclass
class PartnerEvent:
    event: Event
    partners: list[EventPartner]  # every partner of the event, in the agreed order
    roles: list[tuple[str, str]]  # (role, the node it holds it through, or "") for the page's brand
    can_report: bool = False  # the user may open its report (staff of a partner, platform admins)


def partner_events(*, user, ecosystem=None, node=None, upcoming: int = 20, past: int = 10) -> dict:
    """Events the ecosystem (itself or through any of its nodes) or the node is a partner of, that
    `user` may see: {"upcoming": [...], "past": [...]} (soonest first; most recent first), each a
    PartnerEvent naming the role it holds."""
    from jumelage.ecosystems.rules import is_platform_admin, staff_ecosystem_ids, staff_node_ids
    from jumelage.events.queries import in_scope, visible_to, with_partners

    now = timezone.now()
    qs = with_partners(in_scope(visible_to(user), ecosystem=ecosystem, node=node))
    admin = is_platform_admin(user)
    eco_ids, node_ids = staff_ecosystem_ids(user), staff_node_ids(user)

    def staffs(p: EventPartner) -> bool:
        # rules.is_partner_staff, on the prefetched partners (no query per event)
        if p.ecosystem_id:
            return p.ecosystem_id in eco_ids
        return p.node_id in node_ids or p.node.ecosystem_id in eco_ids

    def describe(event: Event) -> PartnerEvent:
        partners = list(event.partners.all())
        roles = []
        for p in partners:
            itself = (node is not None and p.node_id == node.pk) or (
                ecosystem is not None and p.ecosystem_id == ecosystem.pk
            )
            if itself:
                roles.append((p.get_role_display(), ""))
            elif ecosystem is not None and p.node_id and p.node.ecosystem_id == ecosystem.pk:
                roles.append((p.get_role_display(), p.node.name))
        return PartnerEvent(
            event=event, partners=partners, roles=roles, can_report=admin or any(map(staffs, partners))
        )

    return {
        "upcoming": [describe(e) for e in qs.filter(ends_at__gte=now).order_by("starts_at", "pk")[:upcoming]],
        "past": [describe(e) for e in qs.filter(ends_at__lt=now).order_by("-starts_at", "-pk")[:past]],
    }
