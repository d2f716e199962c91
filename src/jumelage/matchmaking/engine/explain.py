"""Explanations: the short reasons every suggestion carries ("shared themes: energy; worked with …")."""

from __future__ import annotations

import numpy as np

from .common import _analysed, _Query
from .documents import Reason
from .text import same_word, surface_words

MAX_REASONS = 4
MAX_WORDS = 4  # matching words shown in one reason
CLEAREST = ("text", "themes")

REASON_TEXT = {
    "text": "matching words: {}",
    "name": "named in the text",
    "place": "place named in the text: {}",
    "country_named": "country named in the text: {}",
    "themes": "shared themes: {}",
    "worked_with": "worked with {} before",
    "network": "partner of your partners: {}",
    "same_group": "also in {}",
    "co_member": "also in {}",
    "same_city": "same city: {}",
    "cross_border": "cross-border: {}",
    "complement": "{}",
    "accepted": "accepted before",
}


class ExplainMixin:
    """`_reasons` for MatchEngine: the best few reasons behind one suggestion, strongest first."""

    def _surface(self, q: _Query) -> dict[str, str]:
        """The query terms' words as the source text writes them (see text.surface_words), once per query.
        A term with no word to show (a stop word or filler in every occurrence) is simply absent."""
        if q.surface is None:
            passages = [(p.text, _analysed(p.text, p.language)[0]) for p in q.src.texts]
            q.surface = surface_words(passages, {self.index.terms[t] for t, _ in q.terms})
        return q.surface

    def _reasons(
        self, q: _Query, i: int, contrib: dict[str, float], pscores: np.ndarray
    ) -> tuple[Reason, ...]:
        doc = self.docs[i]
        party = self.get(doc.party) if doc.party != doc.id else doc
        parts: list[tuple[float, Reason]] = []

        def add(code: str, values: tuple[str, ...] = (), weight: float | None = None) -> None:
            value = contrib.get(code, 0.0) if weight is None else weight
            if value > 0:
                template = REASON_TEXT[code]
                parts.append((value, Reason(code, values, template.format(", ".join(values)))))

        if contrib.get("text", 0) > 0 and self.passages[i]:
            best = max(self.passages[i], key=lambda p: pscores[p])
            present = set(self.index.fwd_terms[best].tolist())
            surface = self._surface(q)
            matched: list[str] = []
            for t, _ in q.terms:  # most informative first
                word = surface.get(self.index.terms[t]) if t in present else None
                if word and not any(same_word(word, w) for w in matched):
                    matched.append(word)
                    if len(matched) == MAX_WORDS:
                        break
            if matched:
                add("text", tuple(matched), contrib["text"] + contrib.get("text_breadth", 0))
        shared = sorted(set(q.src.themes) & set(doc.themes), key=lambda t: -doc.themes[t])[:3]
        if shared:
            add("themes", tuple(shared))
        owner_name = (q.party_doc.name if q.party_doc else "") or "you"
        add("worked_with", (owner_name,))
        if contrib.get("network", 0) > 0 and party is not None:
            via = [self.get(p) for p in q.partners if doc.party in getattr(self.get(p), "partners", {})]
            add("network", tuple(v.name or v.id for v in via if v is not None)[:2])
        groups = sorted(
            (q.src.groups | q.party_groups) & (doc.groups | (party.groups if party else frozenset()))
        )
        if groups:
            add(
                "same_group" if contrib.get("same_group", 0) > 0 else "co_member",
                tuple(groups[:2]),
                contrib.get("same_group", 0) + contrib.get("co_member", 0),
            )
        if doc.city:  # "place named in the text" or "same city": one reason for the city (the stronger)
            place, same_city = contrib.get("place", 0.0), contrib.get("same_city", 0.0)
            add("place" if place >= same_city else "same_city", (doc.city,), max(place, same_city))
        if contrib.get("country_named", 0) > 0:
            add("country_named", (doc.country or (party.country if party else ""),))
        if contrib.get("name", 0) > 0:
            parts.append((contrib["name"], Reason("name", (), REASON_TEXT["name"])))
        if contrib.get("cross_border", 0) > 0:
            mine = q.country or q.ecosystem
            theirs = doc.country or doc.ecosystem or (party.country if party else "")
            add("cross_border", (f"{mine} → {theirs}",))
        if contrib.get("complement", 0) > 0:
            if doc.intent and q.src.intent:
                label = f"{q.src.intent} ↔ {doc.intent}"
            else:
                label = (
                    "investor for your stage"
                    if doc.org_type == "investor" or doc.category == "investment"
                    else "startup for your investment focus"
                )
            add("complement", (label,))
        add("accepted")
        parts.sort(key=lambda p: -p[0])
        kept = [r for _, r in parts[:MAX_REASONS]]
        # Matching words and shared themes are the clearest reasons: always shown, in place of the
        # weakest others (and a suggestion without a word to show is one made on filler alone).
        for code in CLEAREST:
            reason = next((r for _, r in parts if r.code == code), None)
            if reason is not None and reason not in kept:
                weakest = max(j for j, r in enumerate(kept) if r.code not in CLEAREST)
                kept[weakest] = reason
        return tuple(kept)
