"""Pure-Python matchmaking engine (no Django): documents in, ranked and explained suggestions out.

    engine = MatchEngine()
    engine.rebuild(documents)                 # or engine.upsert(doc) / engine.remove(doc_id) one at a time
    engine.recommend("opp-42", target_kind="organisation", k=10)   # → [Suggestion(id, score, reasons…)]
    engine.add_feedback("opp-42", "org-7", accepted=False)         # dismissed: never suggested again there

A thin Django service maps rows (organisations, opportunities, memberships, past partnerships, feedback)
to `Document`s; see documents.py for the fields.
"""

from .documents import (
    KINDS,
    OFFER,
    OPPORTUNITY,
    ORGANISATION,
    REQUEST,
    Document,
    Reason,
    Suggestion,
    Text,
)
from .engine import DEFAULT_WEIGHTS, FEATURES, MatchEngine
from .text import analyse, detect_language

__all__ = [
    "DEFAULT_WEIGHTS",
    "FEATURES",
    "KINDS",
    "OFFER",
    "OPPORTUNITY",
    "ORGANISATION",
    "REQUEST",
    "Document",
    "MatchEngine",
    "Reason",
    "Suggestion",
    "Text",
    "analyse",
    "detect_language",
]
