"""Writing opportunities, interests, introductions, the pipeline and market needs. Pages, API and
commands all come through these functions: keyword-only, atomic, validated with full_clean(), audited;
mail and background tasks only once the transaction has committed (matchmaking refreshes follow every
saved opportunity through the signals jumelage.matchmaking.tasks connects).

Permissions are the caller's check (rules.py); these functions enforce the business rules that hold
whoever calls them (no interest in one's own opportunity, nothing published past its deadline…)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from jumelage.core.audit import log_action
from jumelage.core.validation import refuse_unknown_fields
from jumelage.directory.models import Organisation, Theme
from jumelage.ecosystems.models import Ecosystem, NetworkNode
from jumelage.ecosystems.rules import staff_ecosystem_ids, staff_node_ids
from jumelage.opportunities.models import (
    FINAL_STAGES,
    STAGE_ORDER,
    Interest,
    Introduction,
    MarketNeed,
    Opportunity,
    PipelineStep,
    Stage,
)

EDITABLE_FIELDS = (
    "kind",
    "title",
    "summary",
    "description_fr",
    "description_nl",
    "description_en",
    "target_countries",
    "deadline",
    "visibility",
)
# How long before its deadline the owner is reminded to renew or close an opportunity.
REMINDER_DAYS = 14
LANGUAGE_NAMES = {"fr": "French", "nl": "Dutch", "en": "English"}


def _check_countries(codes) -> list[str]:
    out = []
    for code in codes or []:
        code = str(code).strip().upper()
        if len(code) != 2 or not code.isalpha():
            raise ValidationError(
                {
                    "target_countries": _("“%(value)s” is not a country code (two letters, e.g. BE).")
                    % {"value": code}
                }
            )
        if code not in out:
            out.append(code)
    return out


def _validate(opportunity: Opportunity, *, publishing: bool) -> None:
    """full_clean() plus the rules a published opportunity must meet."""
    opportunity.target_countries = _check_countries(opportunity.target_countries)
    for name in ("title", "summary", "description_fr", "description_nl", "description_en"):
        setattr(opportunity, name, (getattr(opportunity, name) or "").strip())
    opportunity.full_clean()
    if publishing:
        errors = {}
        if opportunity.deadline < timezone.localdate():
            errors["deadline"] = _(
                "The deadline (%(date)s) has passed: give a date from today on to publish it."
            ) % {"date": opportunity.deadline.isoformat()}
        if not (opportunity.description_fr or opportunity.description_nl or opportunity.description_en):
            errors["description_fr"] = _(
                "Describe the opportunity in at least one language (French, Dutch or English) before publishing it."
            )
        if errors:
            raise ValidationError(errors)


def language_warnings(opportunity: Opportunity) -> list[str]:
    """Descriptions that read as another language than the field they were typed in. Not an error (a
    French company may well write its Dutch text in English); the page says so, and the matchmaking
    engine detects each text's language itself."""
    from jumelage.matchmaking.engine.text import detect_language

    names = {"fr": _("French"), "nl": _("Dutch"), "en": _("English")}
    out = []
    for lang in ("fr", "nl", "en"):
        text = getattr(opportunity, f"description_{lang}", "")
        if len(text.split()) < 8:
            continue  # too short to judge
        found = detect_language(text)
        if found and found != lang:
            out.append(
                _("The %(field)s description seems to be written in another language (%(found)s).")
                % {"field": names[lang], "found": names.get(found, found)}
            )
    return out


def _themes(themes: Iterable[Theme] | None) -> list[Theme] | None:
    return None if themes is None else list(themes)


@transaction.atomic
def create_opportunity(
    *,
    actor,
    organisation: Organisation,
    data: dict,
    themes: Iterable[Theme] | None = None,
    target_ecosystems: Iterable[Ecosystem] | None = None,
    publish: bool = False,
) -> Opportunity:
    """A new opportunity of `organisation` (a draft unless `publish`). Raises ValidationError naming
    each bad field; nothing is written then."""
    refuse_unknown_fields(data, EDITABLE_FIELDS)
    opportunity = Opportunity(
        organisation=organisation, created_by=actor if actor and actor.pk else None, **data
    )
    if publish:
        opportunity.status = Opportunity.Status.PUBLISHED
        opportunity.published_at = timezone.now()
    _validate(opportunity, publishing=publish)
    opportunity.save()
    if themes is not None:
        opportunity.themes.set(_themes(themes))
    if target_ecosystems is not None:
        opportunity.target_ecosystems.set(list(target_ecosystems))
    log_action(actor=actor, action="opportunity.create", obj=opportunity, status=opportunity.status)
    return opportunity


@transaction.atomic
def update_opportunity(
    *,
    actor,
    opportunity: Opportunity,
    data: dict,
    themes: Iterable[Theme] | None = None,
    target_ecosystems: Iterable[Ecosystem] | None = None,
) -> Opportunity:
    refuse_unknown_fields(data, EDITABLE_FIELDS)
    current = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    changed = sorted(k for k, v in data.items() if getattr(current, k) != v)
    for key, value in data.items():
        setattr(current, key, value)
    # A published opportunity stays publishable: a past deadline or an emptied description is refused.
    _validate(current, publishing=current.status == Opportunity.Status.PUBLISHED)
    if "deadline" in changed:
        current.reminded_for = None
    current.save()
    if themes is not None:
        current.themes.set(_themes(themes))
        changed.append("themes")
    if target_ecosystems is not None:
        current.target_ecosystems.set(list(target_ecosystems))
        changed.append("target_ecosystems")
    log_action(actor=actor, action="opportunity.update", obj=current, fields=changed)
    return current


@transaction.atomic
def publish_opportunity(*, actor, opportunity: Opportunity, deadline: date | None = None) -> Opportunity:
    """Publish a draft, or renew an expired or closed opportunity (with a new deadline when given)."""
    current = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if deadline is not None:
        current.deadline = deadline
        current.reminded_for = None
    previous = current.status
    current.status = Opportunity.Status.PUBLISHED
    current.published_at = current.published_at or timezone.now()
    _validate(current, publishing=True)
    current.save()
    log_action(
        actor=actor,
        action="opportunity.renew" if previous in {"expired", "closed"} else "opportunity.publish",
        obj=current,
        deadline=current.deadline.isoformat(),
    )
    return current


@transaction.atomic
def close_opportunity(*, actor, opportunity: Opportunity) -> Opportunity:
    current = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if current.status == Opportunity.Status.CLOSED:
        raise ValidationError(_("This opportunity is already closed."))
    current.status = Opportunity.Status.CLOSED
    current.save(update_fields=["status", "updated_at"])
    log_action(actor=actor, action="opportunity.close", obj=current)
    return current


@transaction.atomic
def expire_opportunities(*, today: date | None = None) -> int:
    """Mark published opportunities whose deadline has passed as expired (a system action)."""
    today = today or timezone.localdate()
    stale = list(
        Opportunity.objects.select_for_update().filter(
            status=Opportunity.Status.PUBLISHED, deadline__lt=today
        )
    )
    for opportunity in stale:
        opportunity.status = Opportunity.Status.EXPIRED
        opportunity.save(update_fields=["status", "updated_at"])
        log_action(actor=None, action="opportunity.expire", obj=opportunity)
    return len(stale)


def due_for_reminder(*, today: date | None = None) -> list[Opportunity]:
    today = today or timezone.localdate()
    return list(
        Opportunity.objects.filter(
            status=Opportunity.Status.PUBLISHED,
            deadline__gte=today,
            deadline__lte=today + timedelta(days=REMINDER_DAYS),
        )
        .exclude(reminded_for=F("deadline"))
        .select_related("organisation", "created_by")
    )


# --- Interests ------------------------------------------------------------------------------------------


@transaction.atomic
def express_interest(
    *, actor, opportunity: Opportunity, organisation: Organisation, message: str
) -> Interest:
    """`organisation` tells the owner of `opportunity` it is interested. Refused (ValidationError) in
    one's own opportunity, after the deadline, and a second time for the same organisation."""
    message = (message or "").strip()
    if organisation.pk == opportunity.organisation_id:
        raise ValidationError(
            {
                "organisation": _(
                    "This is your own organisation's opportunity: you cannot express interest in it."
                )
            }
        )
    current = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if not current.is_open:
        raise ValidationError(
            _("This opportunity is no longer open (deadline %(date)s, status: %(status)s).")
            % {"date": current.deadline.isoformat(), "status": current.get_status_display()}
        )
    if Interest.objects.filter(opportunity=current, organisation=organisation).exists():
        raise ValidationError(
            {
                "organisation": _("%(name)s has already expressed interest in this opportunity.")
                % {"name": organisation.name}
            }
        )
    interest = Interest(opportunity=current, organisation=organisation, message=message, created_by=actor)
    interest.full_clean(exclude=["created_by", "decided_by"])
    try:
        with transaction.atomic():
            interest.save()
    except IntegrityError as exc:  # the same interest sent twice at once: the constraint decides
        raise ValidationError(
            {
                "organisation": _("%(name)s has already expressed interest in this opportunity.")
                % {"name": organisation.name}
            }
        ) from exc
    log_action(actor=actor, action="interest.express", obj=interest, opportunity=current.pk)
    transaction.on_commit(lambda: _enqueue_mail("interest_received", interest.pk))
    return interest


def _attribution(actor, organisations: list[Organisation]) -> tuple[Ecosystem, NetworkNode | None]:
    """The ecosystem (and node) a pipeline step is credited to: the actor's own when they are staff of
    one the organisations belong to (else their first), otherwise the first organisation's membership."""
    memberships = [
        m for org in organisations for m in org.memberships.select_related("ecosystem", "node").order_by("id")
    ]
    node_ids, eco_ids = staff_node_ids(actor), staff_ecosystem_ids(actor)
    for m in memberships:
        if m.node_id and m.node_id in node_ids:
            return m.ecosystem, m.node
    for m in memberships:
        if m.ecosystem_id in eco_ids:
            return m.ecosystem, None
    if node_ids:
        node = NetworkNode.objects.select_related("ecosystem").get(pk=min(node_ids))
        return node.ecosystem, node
    if eco_ids:
        return Ecosystem.objects.get(pk=min(eco_ids)), None
    if memberships:
        return memberships[0].ecosystem, memberships[0].node
    raise ValidationError(
        _("Neither organisation is a member of an ecosystem: the step cannot be credited to anyone.")
    )


@transaction.atomic
def decide_interest(*, actor, interest: Interest, accept: bool) -> Interest:
    """The owner accepts (an introduction starts, both sides get an e-mail) or declines an interest."""
    current = (
        Interest.objects.select_for_update().select_related("opportunity", "organisation").get(pk=interest.pk)
    )
    if current.status != Interest.Status.PENDING:
        raise ValidationError(
            _("This expression of interest was already answered (%(status)s).")
            % {"status": current.get_status_display()}
        )
    current.status = Interest.Status.ACCEPTED if accept else Interest.Status.DECLINED
    current.decided_by = actor
    current.decided_at = timezone.now()
    current.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    log_action(actor=actor, action="interest.accept" if accept else "interest.decline", obj=current)
    if accept:
        introduction = Introduction.objects.create(
            interest=current,
            first_organisation=current.organisation,
            second_organisation=current.opportunity.organisation,
            stage=Stage.INTRODUCED,
        )
        ecosystem, node = _attribution(actor, [current.opportunity.organisation, current.organisation])
        PipelineStep.objects.create(
            introduction=introduction,
            stage=Stage.INTRODUCED,
            happened_on=timezone.localdate(),
            ecosystem=ecosystem,
            node=node,
            recorded_by=actor,
        )
        log_action(actor=actor, action="introduction.create", obj=introduction)
        transaction.on_commit(lambda: _enqueue_mail("introduction", introduction.pk))
    else:
        transaction.on_commit(lambda: _enqueue_mail("interest_declined", current.pk))
    return current


@transaction.atomic
def introduce_at_meeting(
    *,
    actor,
    first: Organisation,
    second: Organisation,
    event,
    introduced_on: date,
    met_on: date,
    ecosystem: Ecosystem | None = None,
    node: NetworkNode | None = None,
    note: str = "",
) -> Introduction:
    """Two organisations with no partnership under way met at an event's B2B meetings (`first` asked
    for the meeting): a partnership starts, introduced when the request was accepted and met on the
    day of the meeting, both steps credited to `ecosystem` (else as `_attribution` says)."""
    if ecosystem is None:
        ecosystem, node = _attribution(actor, [second, first])
    introduction = Introduction.objects.create(
        first_organisation=first, second_organisation=second, event=event, stage=Stage.INTRODUCED
    )
    PipelineStep.objects.create(
        introduction=introduction,
        stage=Stage.INTRODUCED,
        happened_on=min(introduced_on, met_on),
        ecosystem=ecosystem,
        node=node,
        note=note,
        recorded_by=actor,
    )
    record_step(
        actor=actor,
        introduction=introduction,
        stage=Stage.MET,
        happened_on=met_on,
        ecosystem=ecosystem,
        node=node,
        note=note,
    )
    introduction.refresh_from_db()
    log_action(actor=actor, action="introduction.create", obj=introduction, event=event.pk)
    return introduction


def allowed_next_stages(introduction: Introduction) -> list[str]:
    if introduction.stage in FINAL_STAGES:
        return []
    position = STAGE_ORDER.index(introduction.stage)
    return [s.value for s in STAGE_ORDER[position + 1 :]] + [Stage.LOST.value]


@transaction.atomic
def record_step(
    *,
    actor,
    introduction: Introduction,
    stage: str,
    happened_on: date,
    ecosystem: Ecosystem | None = None,
    node: NetworkNode | None = None,
    note: str = "",
) -> PipelineStep:
    """Move a partnership forward (or to lost), dated and credited. Steps only go forward; a closed or
    lost partnership takes no more steps."""
    current = Introduction.objects.select_for_update().get(pk=introduction.pk)
    if stage not in allowed_next_stages(current):
        raise ValidationError(
            {
                "stage": _("A partnership at the stage “%(current)s” cannot move to “%(stage)s”.")
                % {"current": current.get_stage_display(), "stage": dict(Stage.choices).get(stage, stage)}
            }
        )
    last = current.steps.order_by("-happened_on").first()
    if happened_on > timezone.localdate():
        raise ValidationError({"happened_on": _("A step cannot be dated in the future.")})
    if last and happened_on < last.happened_on:
        raise ValidationError(
            {
                "happened_on": _("This step cannot come before the previous one (%(date)s).")
                % {"date": last.happened_on.isoformat()}
            }
        )
    if node is not None and ecosystem is not None and node.ecosystem_id != ecosystem.pk:
        raise ValidationError({"node": _("This node does not belong to the ecosystem given.")})
    if ecosystem is None:
        if node is not None:
            ecosystem = node.ecosystem
        else:
            ecosystem, node = _attribution(actor, [current.second_organisation, current.first_organisation])
    step = PipelineStep(
        introduction=current,
        stage=stage,
        happened_on=happened_on,
        ecosystem=ecosystem,
        node=node,
        note=(note or "").strip(),
        recorded_by=actor,
    )
    step.full_clean(exclude=["recorded_by"])
    step.save()
    current.stage = stage
    current.save(update_fields=["stage", "updated_at"])
    log_action(actor=actor, action="introduction.step", obj=current, stage=stage, on=happened_on.isoformat())
    return step


# --- Market needs ---------------------------------------------------------------------------------------


@transaction.atomic
def record_market_need(*, actor, data: dict) -> MarketNeed:
    need = MarketNeed(recorded_by=actor, **data)
    need.evidence = (need.evidence or "").strip()
    need.expressed_by = (need.expressed_by or "").strip()
    need.full_clean(exclude=["recorded_by"])
    need.save()
    log_action(actor=actor, action="market_need.record", obj=need)
    return need


# --- Mail -------------------------------------------------------------------------------------------


def _enqueue_mail(kind: str, pk: int) -> None:
    from jumelage.opportunities import tasks

    tasks.send_opportunity_mail.enqueue(kind, pk)
