"""The co-programming board: partners propose themes, speakers, actors to mobilise and companies to
showcase; a proposal is agreed only when every co-organiser (lead and co-organisers, not supporting
partners) has approved it; the agreed programme is published once nothing is pending; the actors a
MOBILISE proposal names (directory filters) are invited by e-mail and their answers tracked.

Proposing counts as the proposing partner's approval (its staff member wrote it); every other
co-organiser still has to decide. One rejection rejects the proposal. Each partner decides once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jumelage.core import mail
from jumelage.core.audit import log_action
from jumelage.directory import queries as directory_queries
from jumelage.directory.models import Organisation, Person, Representative, Theme
from jumelage.events.models import Event, EventPartner, Invitation, Proposal, ProposalApproval
from jumelage.events.queries import partners_in_order
from jumelage.events.rules import partners_staffed_by

AUDIENCE_PARAMS = tuple(p for p in directory_queries.FILTER_PARAMS)
PREVIEW_SIZE = 10
# What the public page shows, in this order; who is mobilised stays between the partners.
PUBLIC_KINDS = (Proposal.Kind.THEME, Proposal.Kind.SPEAKER, Proposal.Kind.SHOWCASE)


# --- Who decides -----------------------------------------------------------------------------------------


def co_organisers(event: Event) -> list[EventPartner]:
    """The partners whose approval a proposal needs (lead and co-organisers), in the agreed order
    (read once per event object)."""
    cached = event.__dict__.get("_co_organisers")
    if cached is None:
        cached = [p for p in partners_in_order(event) if p.is_co_organiser]
        event.__dict__["_co_organisers"] = cached
    return cached


def deciding_partners(user, event: Event) -> list[EventPartner]:
    """The co-organisers `user` is staff of: the partners they may propose and decide for."""
    staffed = {p.pk for p in partners_staffed_by(user, event)}
    if not staffed:
        return []
    return [p for p in co_organisers(event) if p.pk in staffed]


def _partner_for(user, event: Event, partner: EventPartner | None) -> EventPartner:
    mine = deciding_partners(user, event)
    if not mine:
        raise PermissionDenied(_("Only staff of the lead organiser or of a co-organiser may do this."))
    if partner is None:
        return mine[0]
    if partner.pk not in {p.pk for p in mine}:
        raise PermissionDenied(_("You are not staff of %(partner)s.") % {"partner": partner.brand_name})
    return partner


# --- Actors to mobilise: directory filters ---------------------------------------------------------------


def audience_params(query: str) -> dict[str, str]:
    """The directory filters of `query`: a query string (`country=BE&theme=smart-city&kind=startup`),
    or a whole directory address with one. Raises ValidationError naming an unknown parameter."""
    query = (query or "").strip()
    if "?" in query:
        query = query.split("?", 1)[1]
    pairs = parse_qsl(query.lstrip("?"), keep_blank_values=False)
    unknown = sorted({k for k, _v in pairs if k not in AUDIENCE_PARAMS and k != "page"})
    if unknown:
        raise ValidationError(
            {
                "audience_query": _("Unknown directory filter: %(names)s. Use %(known)s.")
                % {"names": ", ".join(unknown), "known": ", ".join(AUDIENCE_PARAMS)}
            }
        )
    params = {k: v for k, v in pairs if k in AUDIENCE_PARAMS and v.strip()}
    if not params:
        raise ValidationError(
            {
                "audience_query": _(
                    "Name at least one directory filter, e.g. country=BE&theme=smart-city&kind=startup."
                )
            }
        )
    return params


def audience(query: str) -> tuple[QuerySet[Organisation], directory_queries.ActiveFilters]:
    """The organisations of the public directory that `query` names, and the parsed filters.
    Raises ValidationError (on `audience_query`) for a bad filter."""
    params = audience_params(query)
    try:
        return directory_queries.filter_organisations(directory_queries.visible_to(None), params)
    except directory_queries.FilterError as exc:
        raise ValidationError({"audience_query": str(exc.message)}) from exc


@dataclass
class AudiencePreview:
    query: str
    count: int = 0
    sample: list = field(default_factory=list)
    described: list = field(default_factory=list)
    error: str = ""


def preview_audience(query: str) -> AudiencePreview:
    """How many organisations the filters name, the first few of them, and the filters in words."""
    preview = AudiencePreview(query=query)
    try:
        qs, active = audience(query)
    except ValidationError as exc:
        preview.error = " ".join(exc.messages)
        return preview
    preview.count = qs.count()
    preview.sample = list(qs.only("pk", "slug", "name", "city", "country")[:PREVIEW_SIZE])
    preview.described = directory_queries.describe_filters(active)
    return preview


def _audience_title(query: str) -> str:
    _qs, active = audience(query)
    words = ", ".join(f"{d['label']}: {d['value']}" for d in directory_queries.describe_filters(active))
    return (_("Actors to mobilise (%(filters)s)") % {"filters": words})[:200]


# --- Proposals -------------------------------------------------------------------------------------------


def _recompute(proposal: Proposal) -> None:
    """AGREED when every co-organiser approved, REJECTED on any rejection; saved if it changed."""
    if proposal.status != Proposal.Status.PENDING:
        return
    decisions = {a.partner_id: a.approved for a in proposal.approvals.all()}
    needed = {p.pk for p in co_organisers(proposal.event)}
    if any(approved is False for approved in decisions.values()):
        proposal.status = Proposal.Status.REJECTED
    elif needed <= {pk for pk, approved in decisions.items() if approved}:
        proposal.status = Proposal.Status.AGREED
    else:
        return
    proposal.save(update_fields=["status", "updated_at"])


@transaction.atomic
def create_proposal(
    *,
    actor,
    event: Event,
    kind: str,
    partner: EventPartner | None = None,
    title: str = "",
    details: str = "",
    theme: Theme | None = None,
    person: Person | None = None,
    speaker_name: str = "",
    speaker_email: str = "",
    organisation: Organisation | None = None,
    audience_query: str = "",
) -> Proposal:
    """A co-organiser's staff member proposes something for the programme, for one of their partners
    (the first they staff unless `partner` is given). Counts as that partner's approval."""
    partner = _partner_for(actor, event, partner)
    title, speaker_name, speaker_email = title.strip(), speaker_name.strip(), speaker_email.strip()
    errors: dict[str, str] = {}
    if kind == Proposal.Kind.THEME:
        if theme is None:
            errors["theme"] = _("Choose the theme you propose.")
        else:
            title = title or theme.label
    elif kind == Proposal.Kind.SPEAKER:
        if person is None and not (speaker_name and speaker_email):
            errors["person"] = _(
                "Choose a speaker from the directory, or give a new speaker's name and e-mail address."
            )
        title = title or (person.name if person else speaker_name)
        if person is not None:
            speaker_name = speaker_email = ""
    elif kind == Proposal.Kind.SHOWCASE:
        if organisation is None:
            errors["organisation"] = _("Name the company or startup to showcase.")
        else:
            title = title or organisation.name
    elif kind == Proposal.Kind.MOBILISE:
        audience_query = audience_query.strip()
        try:
            audience_params(audience_query)
            default_title = _audience_title(audience_query)
        except ValidationError as exc:
            errors["audience_query"] = " ".join(exc.messages)
        else:
            title = title or default_title
            # Keep only the filters (a pasted directory address is reduced to its query string).
            audience_query = "&".join(f"{k}={v}" for k, v in audience_params(audience_query).items())
    else:
        errors["kind"] = _("Choose what you propose: a theme, a speaker, actors to mobilise or a showcase.")
    if errors:
        raise ValidationError(errors)
    proposal = Proposal(
        event=event,
        kind=kind,
        title=title,
        details=details.strip(),
        proposed_by=actor,
        proposed_for=partner,
        theme=theme if kind == Proposal.Kind.THEME else None,
        person=person if kind == Proposal.Kind.SPEAKER else None,
        speaker_name=speaker_name if kind == Proposal.Kind.SPEAKER else "",
        speaker_email=speaker_email if kind == Proposal.Kind.SPEAKER else "",
        organisation=organisation if kind == Proposal.Kind.SHOWCASE else None,
        audience_query=audience_query if kind == Proposal.Kind.MOBILISE else "",
    )
    proposal.full_clean()
    proposal.save()
    ProposalApproval.objects.create(proposal=proposal, partner=partner, approved=True, decided_by=actor)
    _recompute(proposal)
    log_action(
        actor=actor,
        action="events.proposal.create",
        obj=proposal,
        event=event.slug,
        kind=kind,
        partner=partner.brand_name,
        status=proposal.status,
    )
    return proposal


@transaction.atomic
def decide_proposal(
    *, actor, proposal: Proposal, approved: bool, comment: str = "", partner: EventPartner | None = None
) -> ProposalApproval:
    """A co-organiser approves or rejects a pending proposal (a rejection needs a comment). Decides for
    `partner`, or for the first partner of the actor that has not decided yet."""
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("event").get(pk=proposal.pk)
    event = proposal.event
    mine = deciding_partners(actor, event)
    if not mine:
        raise PermissionDenied(_("Only staff of the lead organiser or of a co-organiser may decide."))
    if proposal.status != Proposal.Status.PENDING:
        raise ValidationError(
            _("This proposal is no longer awaiting approval: it is %(status)s.")
            % {"status": proposal.get_status_display()}
        )
    decided = set(proposal.approvals.values_list("partner_id", flat=True))
    if partner is not None:
        partner = _partner_for(actor, event, partner)
        if partner.pk in decided:
            raise ValidationError(
                _("%(partner)s has already decided on this proposal.") % {"partner": partner.brand_name}
            )
    else:
        undecided = [p for p in mine if p.pk not in decided]
        if not undecided:
            raise ValidationError(
                _("%(partner)s has already decided on this proposal.") % {"partner": mine[0].brand_name}
            )
        partner = undecided[0]
    comment = comment.strip()
    if not approved and not comment:
        raise ValidationError(
            {"comment": _("Say why you reject this proposal: the other partners will read it.")}
        )
    decision = ProposalApproval(
        proposal=proposal, partner=partner, approved=approved, comment=comment, decided_by=actor
    )
    decision.full_clean()
    decision.save()
    _recompute(proposal)
    log_action(
        actor=actor,
        action="events.proposal.approve" if approved else "events.proposal.reject",
        obj=proposal,
        event=event.slug,
        partner=partner.brand_name,
        comment=comment,
        status=proposal.status,
    )
    return decision


@transaction.atomic
def withdraw_proposal(*, actor, proposal: Proposal) -> Proposal:
    """The proposer takes back a proposal that is still awaiting approval."""
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("event").get(pk=proposal.pk)
    if proposal.proposed_by_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the person who made a proposal may withdraw it."))
    if proposal.status != Proposal.Status.PENDING:
        raise ValidationError(
            _("Only a proposal awaiting approval can be withdrawn; this one is %(status)s.")
            % {"status": proposal.get_status_display()}
        )
    proposal.status = Proposal.Status.WITHDRAWN
    proposal.save(update_fields=["status", "updated_at"])
    log_action(actor=actor, action="events.proposal.withdraw", obj=proposal, event=proposal.event.slug)
    return proposal


@transaction.atomic
def publish_programme(*, actor, event: Event) -> Event:
    """A co-organiser publishes the agreed programme; refused while any proposal is pending."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if not deciding_partners(actor, event):
        raise PermissionDenied(
            _("Only staff of the lead organiser or of a co-organiser may publish the programme.")
        )
    proposals = event.proposals.all()
    pending = proposals.filter(status=Proposal.Status.PENDING).count()
    if pending:
        raise ValidationError(
            _(
                "%(count)d proposal(s) still await approval: the programme can be published once every "
                "proposal is agreed, rejected or withdrawn."
            )
            % {"count": pending}
        )
    agreed = proposals.filter(status=Proposal.Status.AGREED, kind__in=PUBLIC_KINDS).count()
    if not agreed:
        raise ValidationError(_("Nothing has been agreed yet: there is no programme to publish."))
    event.programme_published_at = timezone.now()
    event.save(update_fields=["programme_published_at", "updated_at"])
    log_action(actor=actor, action="events.programme.publish", obj=event, items=agreed)
    return event


@dataclass
class ProgrammeItem:
    kind: str
    kind_label: str
    title: str
    details: str
    url: str = ""


def published_programme(event: Event) -> list[ProgrammeItem]:
    """What the public event page shows: the agreed themes, speakers and showcased organisations as
    of the last publication (nothing before the partners publish; items agreed since then wait for
    the next publication). Actors to mobilise are not shown."""
    if event.programme_published_at is None:
        return []
    rows = (
        event.proposals.filter(
            status=Proposal.Status.AGREED,
            kind__in=PUBLIC_KINDS,
            updated_at__lte=event.programme_published_at,
        )
        .select_related("theme", "person", "organisation")
        .order_by("created_at", "pk")
    )
    order = {kind: i for i, kind in enumerate(PUBLIC_KINDS)}
    items = []
    for p in sorted(rows, key=lambda p: order[p.kind]):
        url = ""
        if p.kind == Proposal.Kind.SHOWCASE and p.organisation_id and p.organisation.published:
            url = reverse("directory:organisation-detail", args=[p.organisation.slug])
        items.append(ProgrammeItem(p.kind, str(p.get_kind_display()), p.title, p.details, url))
    return items


# --- Invitations -----------------------------------------------------------------------------------------


@dataclass
class InvitationReport:
    matched: int = 0
    created: int = 0
    already_invited: int = 0
    without_address: int = 0
    invitation_ids: list[int] = field(default_factory=list)


def _representatives(org_ids) -> dict[int, list]:
    out: dict[int, list] = {}
    reps = (
        Representative.objects.filter(organisation_id__in=org_ids, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("pk")
    )
    for rep in reps:
        out.setdefault(rep.organisation_id, []).append(rep.user)
    return out


@transaction.atomic
def send_invitations(*, actor, proposal: Proposal) -> InvitationReport:
    """Invite every organisation an agreed MOBILISE proposal names: one invitation per organisation,
    mailed (after commit) to each of its representatives in their language. Organisations already
    invited to the event are not invited twice; those without a representative's address are skipped
    and counted. Invitations not sent yet (an earlier failure) are sent again."""
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("event").get(pk=proposal.pk)
    event = proposal.event
    if not deciding_partners(actor, event):
        raise PermissionDenied(
            _("Only staff of the lead organiser or of a co-organiser may send invitations.")
        )
    if proposal.kind != Proposal.Kind.MOBILISE:
        raise ValidationError(_("Only a proposal of actors to mobilise sends invitations."))
    if proposal.status != Proposal.Status.AGREED:
        raise ValidationError(_("Invitations are sent once every co-organiser has agreed the proposal."))
    orgs, _active = audience(proposal.audience_query)
    org_ids = list(orgs.values_list("pk", flat=True))
    report = InvitationReport(matched=len(org_ids))
    invited = set(
        Invitation.objects.filter(event=event, organisation_id__in=org_ids).values_list(
            "organisation_id", flat=True
        )
    )
    reps = _representatives(org_ids)
    new = []
    for org_id in org_ids:
        if org_id in invited:
            report.already_invited += 1
            continue
        users = reps.get(org_id)
        if not users:
            report.without_address += 1
            continue
        first = users[0]
        new.append(
            Invitation(
                event=event,
                proposal=proposal,
                organisation_id=org_id,
                email=first.email,
                language=mail.language_of(first.language),
            )
        )
    Invitation.objects.bulk_create(new)
    report.created = len(new)
    to_send = list(
        Invitation.objects.filter(
            event=event, proposal=proposal, status=Invitation.Status.PENDING
        ).values_list("pk", flat=True)
    )
    report.invitation_ids = to_send
    log_action(
        actor=actor,
        action="events.invitations.send",
        obj=proposal,
        event=event.slug,
        matched=report.matched,
        created=report.created,
        already_invited=report.already_invited,
        without_address=report.without_address,
    )
    if to_send:
        transaction.on_commit(lambda: deliver_invitations(to_send))
    return report


def deliver_invitations(invitation_ids: list[int]) -> int:
    """Mail the invitations (each representative of the organisation, in their language) and mark them
    sent. Returns how many messages went out."""
    invitations = list(
        Invitation.objects.filter(pk__in=invitation_ids, status=Invitation.Status.PENDING).select_related(
            "event", "organisation"
        )
    )
    if not invitations:
        return 0
    reps = _representatives([i.organisation_id for i in invitations])
    partners: dict[int, list] = {}
    mails = []
    for inv in invitations:
        event_partners = partners.setdefault(inv.event_id, partners_in_order(inv.event))
        link = settings.SITE_URL + reverse("events:invitation-answer", args=[inv.token])
        for user in reps.get(inv.organisation_id, []) or []:
            mails.append(
                mail.Mail(
                    to=user.email,
                    language=user.language,
                    template="events/mail/programme_invitation",
                    context={
                        "event": inv.event,
                        "organisation": inv.organisation,
                        "partners": event_partners,
                        "answer_url": link,
                        "recipient": user,
                    },
                )
            )
    sent = mail.send(mails)
    Invitation.objects.filter(pk__in=[i.pk for i in invitations], status=Invitation.Status.PENDING).update(
        status=Invitation.Status.SENT, sent_at=timezone.now()
    )
    return sent


@transaction.atomic
def answer_invitation(*, invitation: Invitation, accept: bool) -> Invitation:
    """The invited organisation accepts or declines (through its token link); it may change its mind
    until the event ends."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",)).select_related("event").get(pk=invitation.pk)
    )
    if invitation.event.ends_at <= timezone.now():
        raise ValidationError(_("This event is over: the invitation can no longer be answered."))
    if invitation.event.status == Event.Status.CANCELLED:
        raise ValidationError(_("This event was cancelled."))
    invitation.status = Invitation.Status.ACCEPTED if accept else Invitation.Status.DECLINED
    invitation.answered_at = timezone.now()
    if invitation.sent_at is None:
        invitation.sent_at = invitation.answered_at
    invitation.save(update_fields=["status", "answered_at", "sent_at", "updated_at"])
    log_action(
        actor=None,
        action="events.invitation.accept" if accept else "events.invitation.decline",
        obj=invitation.event,
        organisation=invitation.organisation.name,
    )
    return invitation


def invitation_counts(event: Event) -> dict[int | None, dict[str, int]]:
    """Invitations by proposal and status: {proposal_id: {"pending": n, "sent": n, ...}}."""
    out: dict[int | None, dict[str, int]] = {}
    rows = event.invitations.values_list("proposal_id", "status").annotate(n=Count("pk")).order_by()
    for proposal_id, status, n in rows:
        out.setdefault(proposal_id, dict.fromkeys(Invitation.Status.values, 0))[status] = n
    return out
