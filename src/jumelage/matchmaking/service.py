"""The thin Django service around the pure matchmaking engine (jumelage.matchmaking.engine).

- Maps rows to engine `Document`s: published organisations (descriptions in FR/NL/EN, themes and their
  broader themes, country, city, ecosystem, kind, stage, partners from past introductions, network nodes)
  and published opportunities (title, summary, descriptions, themes, owner, offer/request, category).
- Keeps one engine per process, built from the database the first time a task needs it and then kept
  up to date incrementally: `refresh()` upserts the changed document, and every use first applies the
  rows changed since the last sync (other processes' writes), so no process needs a rebuild.
- Stores each subject's suggestions as `Suggestion` rows (score, reasons, English explanation), so pages
  read rows and never rank; `suggestions_for()` filters them by what the viewer may see and translates
  the explanation from the reason codes.

When the engine cannot be imported, `ThemeOverlapFallback` (shared themes + a cross-border bonus +
offer/request complementarity) stands in, and the rows say engine="fallback".
"""

from __future__ import annotations

import logging
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jumelage.directory.models import Membership, Organisation, Theme
from jumelage.matchmaking.models import OPPORTUNITY, ORGANISATION, Suggestion, SuggestionFeedback

logger = logging.getLogger(__name__)

K = 10  # suggestions kept per subject and target kind
CASCADE = 10  # how many of a refreshed subject's top targets get their own suggestions refreshed too

try:
    from jumelage.matchmaking.engine import Document, MatchEngine, Text

    ENGINE_NAME = "engine"
except ImportError:  # pragma: no cover - only while the engine is being written
    MatchEngine = None
    ENGINE_NAME = "fallback"


def key(kind: str, pk: int) -> str:
    return f"{'org' if kind == ORGANISATION else 'opp'}-{pk}"


def parse_key(doc_id: str) -> tuple[str, int]:
    prefix, _sep, pk = doc_id.partition("-")
    return (ORGANISATION if prefix == "org" else OPPORTUNITY), int(pk)


CATEGORY = {
    "business_offer": "business",
    "business_request": "business",
    "technology_offer": "technology",
    "technology_request": "technology",
    "rnd_partner": "rnd",
    "investment": "investment",
    "market_entry": "market_entry",
    "talent": "talent",
}


# --- Rows → documents ------------------------------------------------------------------------------------


class _Lookups:
    """What documents need beyond their own row, read in a few queries for a whole batch."""

    def __init__(self, org_ids: set[int] | None = None):
        if org_ids is not None and len(org_ids) > MAX_IN:
            org_ids = None  # everything: cheaper than thousands of parameters (and within SQLite's cap)
        themes = {t.pk: t for t in Theme.objects.only("pk", "code", "parent_id")}
        self.theme_code = {pk: t.code for pk, t in themes.items()}
        self.theme_parent = {pk: t.parent_id for pk, t in themes.items()}
        # Tuples, not model instances: a rebuild reads every row, and instances cost ten times more.
        memberships = Membership.objects.all()
        if org_ids is not None:
            memberships = memberships.filter(organisation_id__in=org_ids)
        self.ecosystem: dict[int, str] = {}
        self.groups: dict[int, set[str]] = defaultdict(set)
        for org_id, eco_slug, node_slug in memberships.order_by("id").values_list(
            "organisation_id", "ecosystem__slug", "node__slug"
        ):
            self.ecosystem.setdefault(org_id, eco_slug)
            if node_slug:
                self.groups[org_id].add(f"node:{node_slug}")
        self.partners: dict[int, Counter] = defaultdict(Counter)
        from jumelage.opportunities.models import Introduction

        pairs = Introduction.objects.values_list(
            "interest__opportunity__organisation_id", "interest__organisation_id"
        )
        if org_ids is not None:
            pairs = pairs.filter(
                Q(interest__opportunity__organisation_id__in=org_ids)
                | Q(interest__organisation_id__in=org_ids)
            )
        for a, b in pairs:
            self.partners[a][key(ORGANISATION, b)] += 1
            self.partners[b][key(ORGANISATION, a)] += 1
        # Market needs an organisation expressed: their themes and evidence describe what it looks for.
        from jumelage.opportunities.models import MarketNeed

        self.need_themes: dict[int, set[int]] = defaultdict(set)
        self.need_texts: dict[int, list[str]] = defaultdict(list)
        needs = MarketNeed.objects.exclude(organisation=None)
        if org_ids is not None:
            needs = needs.filter(organisation_id__in=org_ids)
        for org_id, theme_id, evidence in needs.values_list("organisation_id", "theme_id", "evidence"):
            self.need_themes[org_id].add(theme_id)
            self.need_texts[org_id].append(evidence)

    def themes(self, theme_ids) -> dict[str, float]:
        """Codes of the themes, weight 1, and of their broader themes, weight 0.5."""
        out: dict[str, float] = {}
        for pk in theme_ids:
            code = self.theme_code.get(pk)
            if code is None:
                continue
            out[code] = 1.0
            parent, seen = self.theme_parent.get(pk), set()
            while parent is not None and parent not in seen:
                seen.add(parent)
                out.setdefault(self.theme_code[parent], 0.5)
                parent = self.theme_parent.get(parent)
        return out


def _texts(*items) -> list:
    # The field a text was typed in is a hint, not a fact (a "Dutch" description may be in English):
    # the engine detects each passage's language itself.
    return [Text(t) for t in items if t and t.strip()]


def _merge(own: dict[str, float], extra: dict[str, float], factor: float) -> dict[str, float]:
    out = dict(own)
    for code, weight in extra.items():
        out[code] = max(out.get(code, 0.0), weight * factor)
    return out


# Past this many ids, read whole tables and filter in Python: SQLite caps the parameters of a query.
MAX_IN = 5000


def _theme_ids(through, fk: str, ids) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    rows = through.objects.all() if len(ids) > MAX_IN else through.objects.filter(**{f"{fk}__in": ids})
    wanted = set(ids)
    for owner, theme in rows.values_list(fk, "theme_id"):
        if owner in wanted:
            out[owner].append(theme)
    return out


ORG_FIELDS = (
    "pk",
    "name",
    "tagline_fr",
    "description_fr",
    "description_nl",
    "description_en",
    "country",
    "city",
    "kind",
    "stage",
)


def organisation_documents(qs, lookups: _Lookups | None = None) -> list:
    rows = list(qs.values_list(*ORG_FIELDS))
    ids = [r[0] for r in rows]
    lookups = lookups or _Lookups(set(ids))
    themes = _theme_ids(Organisation.themes.through, "organisation_id", ids) if ids else {}
    return [
        Document(
            id=key(ORGANISATION, pk),
            kind="organisation",
            name=name,
            texts=_texts(tagline, d_fr, d_nl, d_en, *lookups.need_texts.get(pk, ())),
            themes=_merge(
                lookups.themes(themes.get(pk, ())), lookups.themes(lookups.need_themes.get(pk, ())), 0.5
            ),
            country=country,
            city=city,
            ecosystem=lookups.ecosystem.get(pk, ""),
            org_type=kind,
            stages=[stage] if stage else [],
            partners=dict(lookups.partners.get(pk, {})),
            groups=lookups.groups.get(pk, set()),
        )
        for pk, name, tagline, d_fr, d_nl, d_en, country, city, kind, stage in rows
    ]


OPP_FIELDS = (
    "pk",
    "title",
    "description_fr",
    "description_nl",
    "description_en",
    "kind",
    "target_countries",
    "organisation_id",
    "organisation__country",
    "organisation__city",
)


def opportunity_documents(qs, lookups: _Lookups | None = None) -> list:
    from jumelage.opportunities.models import Opportunity

    rows = list(qs.values_list(*OPP_FIELDS))
    ids = [r[0] for r in rows]
    lookups = lookups or _Lookups({r[7] for r in rows})
    themes = _theme_ids(Opportunity.themes.through, "opportunity_id", ids) if ids else {}
    probe = Opportunity()
    docs = []
    for pk, title, d_fr, d_nl, d_en, kind, countries, org_id, country, city in rows:
        probe.kind = kind
        docs.append(
            Document(
                id=key(OPPORTUNITY, pk),
                kind="opportunity",
                name=title,
                # The summary repeats the description (and holds the demo disclaimer): not indexed.
                texts=_texts(title, d_fr, d_nl, d_en),
                themes=lookups.themes(themes.get(pk, ())),
                country=country,
                city=city,
                ecosystem=lookups.ecosystem.get(org_id, ""),
                intent=probe.intent,
                category=CATEGORY.get(kind, ""),
                owner=key(ORGANISATION, org_id),
                groups=lookups.groups.get(org_id, set()),
                target_countries=countries or [],
            )
        )
    return docs


def eligible_organisations():
    return Organisation.objects.filter(published=True)


def eligible_opportunities():
    from jumelage.opportunities.models import Opportunity

    return Opportunity.objects.filter(status=Opportunity.Status.PUBLISHED, organisation__published=True)


# --- The per-process engine -----------------------------------------------------------------------------


class ThemeOverlapFallback:
    """Stand-in ranker used only when the engine cannot be imported: shared themes (weighted overlap),
    +0.5 across borders, +0.5 for an offer answering a request of the same category."""

    def __init__(self):
        self.docs: dict[str, object] = {}
        self.dismissed: dict[str, set[str]] = defaultdict(set)

    def rebuild(self, documents):
        self.docs = {d.id: d for d in documents}

    def upsert(self, doc):
        self.docs[doc.id] = doc

    def remove(self, doc_id):
        return self.docs.pop(doc_id, None) is not None

    def add_feedback(self, source_id, target_id, *, accepted):
        if not accepted:
            self.dismissed[source_id].add(target_id)

    def __contains__(self, doc_id):
        return doc_id in self.docs

    def recommend(self, source, *, target_kind, k=10, exclude=()):
        src = self.docs[source] if isinstance(source, str) else source
        out = []
        for d in self.docs.values():
            if d.kind != target_kind or d.id == src.id or d.id in self.dismissed[src.id] or d.id in exclude:
                continue
            party = getattr(src, "owner", "") or src.id
            if d.id == party or getattr(d, "owner", "") == party:
                continue
            shared = set(src.themes) & set(d.themes)
            score = sum(min(src.themes[t], d.themes[t]) for t in shared)
            if not score:
                continue
            cross = bool(src.ecosystem and d.ecosystem and src.ecosystem != d.ecosystem)
            score += 0.5 if cross else 0.0
            if src.intent and d.intent and src.intent != d.intent and src.category == d.category:
                score += 0.5
            reasons = [_FallbackReason("themes", tuple(sorted(shared))[:3], "shared themes")]
            if cross:
                reasons.append(
                    _FallbackReason("cross_border", (f"{src.country} → {d.country}",), "cross-border")
                )
            out.append(_FallbackSuggestion(d.id, d.kind, score, tuple(reasons)))
        out.sort(key=lambda s: (-s.score, s.id))
        return out[:k]


@dataclass(frozen=True)
class _FallbackReason:
    code: str
    values: tuple
    text: str


@dataclass(frozen=True)
class _FallbackSuggestion:
    id: str
    kind: str
    score: float
    reasons: tuple

    @property
    def explanation(self):
        return "; ".join(r.text for r in self.reasons)


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
    return s.score > 0 and any(contributions.get(name, 0) > 0 for name in RELEVANCE)


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


def favour_cross_border(engine, source: str, found: list) -> list:
    """The K best of `found` (best first), of which at least half come from the other side of the
    partnership whenever that many relevant ones exist: the weakest same-side suggestions give way to
    the best remaining cross-border ones. Order stays by score."""
    top, rest = found[:K], found[K:]
    wanted = (min(K, len(found)) + 1) // 2
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


# --- Reading suggestions for a page ----------------------------------------------------------------------


@dataclass
class SuggestionView:
    row: Suggestion
    kind: str
    id: int
    name: str
    url: str
    score: float
    cross_border: bool
    reasons: list[str] = field(default_factory=list)
    accepted: bool = False

    @property
    def explanation(self) -> str:
        return "; ".join(self.reasons)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "id": self.id,
            "name": self.name,
            "url": self.url,
            "score": self.score,
            "explanation": self.explanation,
            "cross_border": self.cross_border,
        }


def _reason_text(reason: dict, theme_labels: dict[str, str], node_names: dict[str, str]) -> str:
    code, values = reason.get("code", ""), [str(v) for v in reason.get("values", [])]
    joined = ", ".join(values)
    if code == "themes":
        return _("shared themes: %(themes)s") % {"themes": ", ".join(theme_labels.get(v, v) for v in values)}
    if code == "text":
        return _("matching words: %(words)s") % {"words": joined}
    if code == "worked_with":
        return _("worked with %(name)s before") % {"name": joined}
    if code == "network":
        return _("partner of your partners: %(names)s") % {"names": joined}
    if code in {"same_group", "co_member"}:
        return _("also in %(groups)s") % {"groups": ", ".join(node_names.get(v, v) for v in values)}
    if code == "same_city":
        return _("same city: %(city)s") % {"city": joined}
    if code == "place":
        return _("place named in the text: %(place)s") % {"place": joined}
    if code == "cross_border":
        return _("cross-border: %(route)s") % {"route": joined}
    if code == "complement":
        labels = {
            "offer ↔ request": _("an offer for your request"),
            "request ↔ offer": _("a request for your offer"),
            "investor for your stage": _("an investor for your stage"),
            "startup for your investment focus": _("a startup for your investment focus"),
        }
        return labels.get(joined, joined)
    if code == "name":
        return _("named in the text")
    if code == "accepted":
        return _("you found it useful before")
    return reason.get("text", "")


def suggestions_for(user, subject_kind: str, subject_pk: int) -> list[SuggestionView]:
    """The stored suggestions of a subject that `user` may see, best first (organisations, then
    opportunities), dismissed ones left out, with explanations in the current language."""
    from jumelage.directory.queries import visible_to as organisations_visible_to
    from jumelage.ecosystems.models import NetworkNode
    from jumelage.opportunities.queries import visible_to as opportunities_visible_to

    rows = list(
        Suggestion.objects.filter(subject_kind=subject_kind, subject_id=subject_pk).order_by(
            "target_kind", "rank"
        )
    )
    if not rows:
        return []
    feedback = {
        (f.target_kind, f.target_id): f.verdict
        for f in SuggestionFeedback.objects.filter(subject_kind=subject_kind, subject_id=subject_pk)
    }
    org_ids = [r.target_id for r in rows if r.target_kind == ORGANISATION]
    opp_ids = [r.target_id for r in rows if r.target_kind == OPPORTUNITY]
    orgs = {
        o.pk: o
        for o in organisations_visible_to(user)
        .filter(pk__in=org_ids, published=True)
        .only("pk", "name", "slug")
    }
    opps = {
        o.pk: o
        for o in opportunities_visible_to(user)
        .filter(pk__in=opp_ids, status="published")
        .select_related("organisation")
        .only("pk", "title", "organisation__name")
    }
    codes = {
        v
        for r in rows
        for reason in r.reasons
        if reason.get("code") == "themes"
        for v in reason.get("values", [])
    }
    theme_labels = {t.code: t.label for t in Theme.objects.filter(code__in=codes)}
    slugs = {
        v.removeprefix("node:")
        for r in rows
        for reason in r.reasons
        if reason.get("code") in {"same_group", "co_member"}
        for v in reason.get("values", [])
    }
    node_names = {f"node:{n.slug}": n.name for n in NetworkNode.objects.filter(slug__in=slugs)}
    out = []
    for r in rows:
        verdict = feedback.get((r.target_kind, r.target_id))
        if verdict == SuggestionFeedback.Verdict.DISMISSED:
            continue
        if r.target_kind == ORGANISATION:
            target = orgs.get(r.target_id)
            if target is None:
                continue
            name, url = target.name, reverse("directory:organisation-detail", args=[target.slug])
        else:
            target = opps.get(r.target_id)
            if target is None:
                continue
            name = f"{target.title} ({target.organisation.name})"
            url = reverse("opportunities:opportunity-detail", args=[target.pk])
        reasons = [t for t in (_reason_text(x, theme_labels, node_names) for x in r.reasons) if t]
        if r.cross_border and not any(x.get("code") == "cross_border" for x in r.reasons):
            reasons.append(_("across the partnership"))
        out.append(
            SuggestionView(
                row=r,
                kind=r.target_kind,
                id=r.target_id,
                name=name,
                url=url,
                score=round(r.score, 3),
                cross_border=r.cross_border,
                reasons=reasons,
                accepted=verdict == SuggestionFeedback.Verdict.ACCEPTED,
            )
        )
    return out


def has_been_computed(subject_kind: str, subject_pk: int) -> bool:
    return Suggestion.objects.filter(subject_kind=subject_kind, subject_id=subject_pk).exists()
