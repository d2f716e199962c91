"""The thin Django service around the pure matchmaking engine (jumelage.matchmaking.engine).

- rows.py maps rows to engine `Document`s (organisations, opportunities, their themes, partners, nodes).
- This module keeps one engine per process, built from the database the first time a task needs it and
  then kept up to date incrementally: `refresh()` upserts the changed document, and every use first
  applies the rows changed since the last sync (other processes' writes), so no process needs a rebuild.
  It stores each subject's suggestions as `Suggestion` rows (score, reasons, English explanation), at
  least half of them cross-border whenever enough relevant ones exist, and records feedback.
- queries.py reads them for a page: `suggestions_for()` filters them by what the viewer may see and
  translates the explanation from the reason codes.

When the engine cannot be imported, `ThemeOverlapFallback` (fallback.py) stands in, and the rows say
engine="fallback". The names other modules use are importable from here (`service.suggestions_for`…).
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from jumelage.directory.models import Organisation
from jumelage.matchmaking.fallback import ThemeOverlapFallback
from jumelage.matchmaking.models import OPPORTUNITY, ORGANISATION, Suggestion, SuggestionFeedback
from jumelage.matchmaking.queries import SuggestionView, has_been_computed, suggestions_for
from jumelage.matchmaking.rows import (
    CATEGORY,
    _Lookups,
    eligible_opportunities,
    eligible_organisations,
    key,
    opportunity_documents,
    organisation_documents,
    parse_key,
)

__all__ = [
    "CATEGORY",
    "K",
    "SuggestionView",
    "ThemeOverlapFallback",
    "compute",
    "eligible_opportunities",
    "eligible_organisations",
    "favour_cross_border",
    "get_engine",
    "has_been_computed",
    "key",
    "opportunity_documents",
    "organisation_documents",
    "parse_key",
    "rebuild_engine",
    "record_feedback",
    "refresh",
    "reset_engine",
    "store",
    "suggestions_for",
]

logger = logging.getLogger(__name__)

K = 10  # suggestions kept per subject and target kind
CASCADE = 10  # how many of a refreshed subject's top targets get their own suggestions refreshed too

try:
    from jumelage.matchmaking.engine import MatchEngine

    ENGINE_NAME = "engine"
except ImportError:  # pragma: no cover - only while the engine is being written
    MatchEngine = None
    ENGINE_NAME = "fallback"


# --- The per-process engine -----------------------------------------------------------------------------


class _Holder:
    def __init__(self):
        self.lock = threading.RLock()
        self.engine = None
        self.synced_at = None

    def reset(self) -> None:
        with self.lock:
            self.engine = None
            self.synced_at = None


_holder = _Holder()


def reset_engine() -> None:
    """Forget this process's engine (tests; after a bulk import): the next use rebuilds it."""
    _holder.reset()


def _new_engine():
    return MatchEngine() if MatchEngine is not None else ThemeOverlapFallback()


def rebuild_engine():
    """Build this process's engine from the database (all eligible rows and the feedback)."""
    with _holder.lock:
        started = timezone.now()
        engine = _new_engine()
        lookups = _Lookups()
        docs = organisation_documents(eligible_organisations(), lookups) + opportunity_documents(
            eligible_opportunities(), lookups
        )
        engine.rebuild(docs)
        for f in SuggestionFeedback.objects.all():
            engine.add_feedback(
                key(f.subject_kind, f.subject_id),
                key(f.target_kind, f.target_id),
                accepted=f.verdict == SuggestionFeedback.Verdict.ACCEPTED,
            )
        _holder.engine, _holder.synced_at = engine, started
        return engine


# Rows other processes wrote are looked for at most this often (seconds): a sync scans the tables'
# update times. What a task is asked to refresh is always re-read, whatever the interval.
SYNC_INTERVAL = 5.0


def get_engine(*, force_sync: bool = False):
    """This process's engine, synced with rows other processes changed since the last sync."""
    with _holder.lock:
        if _holder.engine is None:
            return rebuild_engine()
        if force_sync or (timezone.now() - _holder.synced_at).total_seconds() >= SYNC_INTERVAL:
            _sync(_holder.engine)
        return _holder.engine


def _sync(engine) -> None:
    from jumelage.opportunities.models import Opportunity

    since = _holder.synced_at - timedelta(seconds=2)  # clocks of app servers and DB differ a little
    now = timezone.now()
    orgs = Organisation.objects.filter(updated_at__gte=since)
    opps = Opportunity.objects.filter(updated_at__gte=since)
    _apply(engine, orgs, opps)
    # Feedback given through another process (the pages) since the last sync.
    for f in SuggestionFeedback.objects.filter(at__gte=since):
        engine.add_feedback(
            key(f.subject_kind, f.subject_id),
            key(f.target_kind, f.target_id),
            accepted=f.verdict == SuggestionFeedback.Verdict.ACCEPTED,
        )
    _holder.synced_at = now


def _apply(engine, orgs, opps) -> None:
    """Upsert the eligible ones among `orgs` and `opps` (querysets) and remove the others."""
    org_ids = set(orgs.values_list("pk", flat=True))
    opp_ids = set(opps.values_list("pk", flat=True))
    if not (org_ids or opp_ids):
        return
    # Subqueries, not id lists: after a bulk import the changed rows may be many thousands.
    live_orgs = eligible_organisations().filter(pk__in=orgs.values("pk"))
    live_opps = eligible_opportunities().filter(pk__in=opps.values("pk"))
    # An organisation's opportunities carry its country and ecosystem: refresh them with it.
    owned = (
        eligible_opportunities().filter(organisation__in=orgs.values("pk")).exclude(pk__in=opps.values("pk"))
    )
    lookups = _Lookups(org_ids | set(opps.values_list("organisation_id", flat=True)))
    docs = organisation_documents(live_orgs, lookups) + opportunity_documents(live_opps | owned, lookups)
    present = {d.id for d in docs}
    for doc in docs:
        engine.upsert(doc)
    for pk in org_ids:
        if key(ORGANISATION, pk) not in present:
            engine.remove(key(ORGANISATION, pk))
    for pk in opp_ids:
        if key(OPPORTUNITY, pk) not in present:
            engine.remove(key(OPPORTUNITY, pk))


# --- Computing and storing suggestions -------------------------------------------------------------------


def _cross_border(engine, a: str, b: str) -> bool:
    da, db = _doc(engine, a), _doc(engine, b)
    if da is None or db is None:
        return False
    if da.ecosystem and db.ecosystem:
        return da.ecosystem != db.ecosystem
    return bool(da.country and db.country and da.country != db.country)


def _doc(engine, doc_id):
    getter = getattr(engine, "get", None)
    if getter is not None:
        return getter(doc_id)
    return engine.docs.get(doc_id)


# A suggestion needs at least one of these signals: geography alone (same country as the source's
# network, say) is not a reason to introduce two organisations.
RELEVANCE = {
    "text",
    "text_breadth",
    "themes",
    "worked_with",
    "network",
    "complement",
    "accepted",
    "co_member",
    "same_group",
}


def _relevant(s) -> bool:
    contributions = getattr(s, "contributions", None)
    if contributions is None:  # the fallback ranker only returns theme matches
        return s.score > 0
    signals = {name for name in RELEVANCE if contributions.get(name, 0) > 0}
    if signals <= {"text", "text_breadth"} and not any(r.code == "text" for r in s.reasons):
        # Words in common, but only words that explain nothing ("partners", "notre", "zoeken"): the
        # engine shows no matching word, and neither is it a reason to introduce two organisations.
        return False
    return s.score > 0 and bool(signals)


def compute(
    engine, subject_kind: str, subject_pk: int, target_kinds=(ORGANISATION, OPPORTUNITY)
) -> list[tuple[str, object]]:
    source = key(subject_kind, subject_pk)
    if source not in engine:
        return []
    out = []
    for target_kind in target_kinds:
        # Ask for more than K: some are dropped as irrelevant, some make room for cross-border ones.
        found = [s for s in engine.recommend(source, target_kind=target_kind, k=3 * K) if _relevant(s)]
        out.extend((target_kind, s) for s in favour_cross_border(engine, source, found))
    return out


def favour_cross_border(engine, source: str, found: list, k: int = K) -> list:
    """The k best of `found` (best first), of which at least half come from the other side of the
    partnership whenever that many relevant ones exist: the weakest same-side suggestions give way to
    the best remaining cross-border ones. Order stays by score."""
    top, rest = found[:k], found[k:]
    wanted = (min(k, len(found)) + 1) // 2
    crossing = [s for s in top if _cross_border(engine, source, s.id)]
    spare = [s for s in rest if _cross_border(engine, source, s.id)]
    while len(crossing) < wanted and spare:
        weakest_same = next((s for s in reversed(top) if not _cross_border(engine, source, s.id)), None)
        if weakest_same is None:
            break
        top.remove(weakest_same)
        newcomer = spare.pop(0)
        top.append(newcomer)
        crossing.append(newcomer)
    return sorted(top, key=lambda s: -s.score)


@transaction.atomic
def store(
    engine, subject_kind: str, subject_pk: int, results, target_kinds=(ORGANISATION, OPPORTUNITY)
) -> list[Suggestion]:
    """Replace the subject's suggestion rows of `target_kinds`; a target suggested again keeps its
    first_seen_at (the digest sends only what is new)."""
    source = key(subject_kind, subject_pk)
    existing = {
        (r.target_kind, r.target_id): r
        for r in Suggestion.objects.select_for_update().filter(
            subject_kind=subject_kind, subject_id=subject_pk, target_kind__in=target_kinds
        )
    }
    kept, rank = [], defaultdict(int)
    for target_kind, s in results:
        _k, target_pk = parse_key(s.id)
        reasons = [{"code": r.code, "values": list(r.values), "text": r.text} for r in s.reasons]
        fields = {
            "rank": rank[target_kind],
            "score": round(float(s.score), 6),
            "reasons": reasons,
            "explanation": s.explanation[:500],
            "cross_border": _cross_border(engine, source, s.id),
            "engine": ENGINE_NAME,
        }
        rank[target_kind] += 1
        row = existing.pop((target_kind, target_pk), None)
        if row is None:
            row = Suggestion.objects.create(
                subject_kind=subject_kind,
                subject_id=subject_pk,
                target_kind=target_kind,
                target_id=target_pk,
                **fields,
            )
        else:
            for name, value in fields.items():
                setattr(row, name, value)
            row.save()
        kept.append(row)
    if existing:
        Suggestion.objects.filter(pk__in=[r.pk for r in existing.values()]).delete()
    return kept


def refresh(subject_kind: str, subject_pk: int, *, cascade: bool = True) -> int:
    """Bring the engine up to date with the subject's row, recompute and store its suggestions, and
    (with `cascade`) those of its top targets, so a new opportunity shows up for the organisations it
    suits. Returns how many subjects were refreshed."""
    from jumelage.opportunities.models import Opportunity

    with _holder.lock:
        engine = get_engine()
        # The subject itself is re-read even if its row did not change (its themes may have).
        if subject_kind == ORGANISATION:
            _apply(engine, Organisation.objects.filter(pk=subject_pk), Opportunity.objects.none())
        else:
            _apply(engine, Organisation.objects.none(), Opportunity.objects.filter(pk=subject_pk))
        results = compute(engine, subject_kind, subject_pk)
        store(engine, subject_kind, subject_pk, results)
        done = 1
        if cascade:
            # Each of the subject's best matches re-ranks only the subject's kind: a new opportunity
            # changes the opportunities suggested to its matching organisations, not their partners.
            per_kind: dict[str, int] = defaultdict(int)
            for target_kind, s in results:
                if per_kind[target_kind] >= CASCADE:
                    continue
                per_kind[target_kind] += 1
                _k, target_pk = parse_key(s.id)
                kinds = (subject_kind,)
                store(engine, target_kind, target_pk, compute(engine, target_kind, target_pk, kinds), kinds)
                done += 1
        return done


def record_feedback(*, actor, suggestion: Suggestion, accepted: bool) -> SuggestionFeedback:
    """A user says a suggestion was useful (accepted) or not (dismissed: it is not shown again)."""
    from jumelage.core.audit import log_action

    with transaction.atomic():
        feedback, _created = SuggestionFeedback.objects.update_or_create(
            subject_kind=suggestion.subject_kind,
            subject_id=suggestion.subject_id,
            target_kind=suggestion.target_kind,
            target_id=suggestion.target_id,
            defaults={
                "verdict": SuggestionFeedback.Verdict.ACCEPTED
                if accepted
                else SuggestionFeedback.Verdict.DISMISSED,
                "user": actor,
            },
        )
        if not accepted:
            suggestion.delete()
        log_action(
            actor=actor,
            action="suggestion.accept" if accepted else "suggestion.dismiss",
            obj=None,
            subject=f"{feedback.subject_kind}:{feedback.subject_id}",
            target=f"{feedback.target_kind}:{feedback.target_id}",
        )
    with _holder.lock:
        if _holder.engine is not None:
            _holder.engine.add_feedback(
                key(feedback.subject_kind, feedback.subject_id),
                key(feedback.target_kind, feedback.target_id),
                accepted=accepted,
            )
    return feedback
