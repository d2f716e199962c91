"""A stand-in ranker, used only when the engine cannot be imported (shared themes, a cross-border bonus,
offer/request complementarity); suggestions it makes are stored with engine="fallback"."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass


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
                    _FallbackReason(
                        "cross_border",
                        (f"{src.country or src.ecosystem} → {d.country or d.ecosystem}",),
                        "cross-border",
                    )
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
