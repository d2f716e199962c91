"""Background tasks of matchmaking (django-tasks, database backend; `jumelage worker` runs them).

- Saving an organisation, an opportunity or a market need an organisation expressed enqueues, once its transaction has committed, a refresh of
  its suggestions (and of its best matches'): the worker's engine is updated incrementally, never
  rebuilt. Many saves in one transaction (an import) enqueue one sync instead of one task each.
- The weekly digest e-mails each opted-in user the new suggestions for the organisations they represent
  (`jumelage manage send_match_digest`, from cron, or its task).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

# Past this many saves in one transaction, one sync task replaces the individual refreshes.
BULK_THRESHOLD = 25


class _Pending:
    """The refreshes one transaction asked for, flushed by a single on-commit callback."""

    def __init__(self):
        self.keys: set[tuple[str, int]] = set()
        self.callback = self.flush  # one bound method, so it can be found among the callbacks

    def flush(self) -> None:
        keys, self.keys = self.keys, set()
        try:
            if len(keys) > BULK_THRESHOLD:
                sync_engine.enqueue()
            else:
                for kind, pk in sorted(keys):
                    refresh_suggestions.enqueue(kind, pk)
        except Exception:  # a failed enqueue must not break the write that was just committed
            logger.exception("Could not enqueue matchmaking refreshes for %s", sorted(keys)[:5])


def schedule_refresh(kind: str, pk: int) -> None:
    """Refresh `kind`:`pk`'s suggestions once the current transaction commits (deduplicated: one
    callback per transaction; a rolled-back transaction drops its callback, and the next write starts
    a new one)."""
    conn = transaction.get_connection()
    pending = getattr(conn, "_matchmaking_pending", None)
    registered = (
        pending is not None
        and conn.in_atomic_block
        and any(item[1] is pending.callback for item in conn.run_on_commit)
    )
    if registered:
        pending.keys.add((kind, pk))
        return
    pending = _Pending()
    pending.keys.add((kind, pk))
    conn._matchmaking_pending = pending
    transaction.on_commit(pending.callback)


@task()
def refresh_suggestions(kind: str, pk: int) -> int:
    from jumelage.matchmaking import service

    return service.refresh(kind, pk)


@task()
def sync_engine() -> int:
    """Apply every change since the last sync to this worker's engine (after a bulk write)."""
    from jumelage.matchmaking import service

    return len(service.get_engine(force_sync=True))


def _organisation_saved(sender, instance, **kwargs):
    schedule_refresh("organisation", instance.pk)


def _opportunity_saved(sender, instance, **kwargs):
    schedule_refresh("opportunity", instance.pk)


def _themes_changed(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and instance.pk:
        kind = "opportunity" if instance._meta.model_name == "opportunity" else "organisation"
        schedule_refresh(kind, instance.pk)


def _need_saved(sender, instance, **kwargs):
    if instance.organisation_id:
        schedule_refresh("organisation", instance.organisation_id)


def _deleted(sender, instance, **kwargs):
    from jumelage.matchmaking.models import Suggestion

    kind = "opportunity" if instance._meta.model_name == "opportunity" else "organisation"
    Suggestion.objects.filter(subject_kind=kind, subject_id=instance.pk).delete()
    Suggestion.objects.filter(target_kind=kind, target_id=instance.pk).delete()


def connect_signals() -> None:
    from jumelage.directory.models import Organisation
    from jumelage.opportunities.models import MarketNeed, Opportunity

    post_save.connect(_organisation_saved, sender=Organisation, dispatch_uid="matchmaking-org-saved")
    post_save.connect(_opportunity_saved, sender=Opportunity, dispatch_uid="matchmaking-opp-saved")
    m2m_changed.connect(
        _themes_changed, sender=Organisation.themes.through, dispatch_uid="matchmaking-org-themes"
    )
    m2m_changed.connect(
        _themes_changed, sender=Opportunity.themes.through, dispatch_uid="matchmaking-opp-themes"
    )
    post_save.connect(_need_saved, sender=MarketNeed, dispatch_uid="matchmaking-need-saved")
    post_delete.connect(_deleted, sender=Organisation, dispatch_uid="matchmaking-org-deleted")
    post_delete.connect(_deleted, sender=Opportunity, dispatch_uid="matchmaking-opp-deleted")


# --- Weekly digest ----------------------------------------------------------------------------------------


def digest_mails(now=None) -> list[tuple[object, object]]:
    """(subscription, Mail) for every opted-in user with new suggestions since their last digest (or
    the last week): opportunities suggested to the organisations they represent, best first."""
    from django.utils import translation

    from jumelage.core import mail
    from jumelage.matchmaking import service
    from jumelage.matchmaking.models import DigestSubscription, Suggestion

    now = now or timezone.now()
    out = []
    for sub in DigestSubscription.objects.filter(active=True).select_related("user"):
        user = sub.user
        if not (user.is_active and user.email):
            continue
        since = sub.last_sent_at or (now - timedelta(days=7))
        sections = []
        for rep in user.represents.select_related("organisation"):
            org = rep.organisation
            new_ids = set(
                Suggestion.objects.filter(
                    subject_kind="organisation", subject_id=org.pk, first_seen_at__gt=since
                ).values_list("pk", flat=True)
            )
            # Explanations come out in the recipient's language.
            with translation.override(mail.language_of(user.language)):
                found = service.suggestions_for(user, "organisation", org.pk)
            items = [s for s in found if s.row.pk in new_ids]
            if items:
                sections.append({"organisation": org, "items": items[:10]})
        if not sections:
            continue
        out.append(
            (
                sub,
                mail.Mail(
                    to=user.email,
                    language=user.language,
                    template="matchmaking/mail/digest",
                    context={
                        "user": user,
                        "sections": sections,
                        "site": settings.SITE_URL,
                        "settings_url": settings.SITE_URL + reverse("matchmaking:digest"),
                    },
                ),
            )
        )
    return out


def send_digests(now=None) -> int:
    from jumelage.core import mail
    from jumelage.matchmaking.models import DigestSubscription

    now = now or timezone.now()
    sent = 0
    for sub, message in digest_mails(now):
        mail.send([message])
        DigestSubscription.objects.filter(pk=sub.pk).update(last_sent_at=now)
        sent += 1
    return sent


@task()
def send_weekly_digest() -> int:
    return send_digests()
