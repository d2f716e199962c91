"""What the engine's parts share: the feature list and default weights, the query, small containers."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .documents import Document
from .text import _ALL_STOPWORDS, analyse, tokens


@lru_cache(maxsize=8192)
def _analysed(text: str, language: str | None) -> tuple[str | None, Counter[str]]:
    # Re-indexing an updated profile re-reads mostly unchanged passages: analyse each text once.
    # The Counter is shared: callers only read it.
    return analyse(text, language)


FEATURES = (
    "text",  # best passage's BM25 score, relative to the best candidate's
    "text_breadth",  # sum over all passages, relative
    "text_owner",  # the source organisation's own profile (its past projects) against the candidate
    "name",  # the candidate's (rare) name words appear in the source text
    "place",  # the candidate's city is named in the source text
    "name_terms",  # words of the candidate's name (any frequency, cross-language prefixes) in the text
    "themes",  # cosine of theme vectors
    "worked_with",  # the candidate's organisation worked with the source's before
    "network",  # partners of the source's partners
    "same_group",  # the candidate belongs to a group of the source itself (its programme, cluster)
    "co_member",  # groups shared by both organisations (rarer groups count more)
    "country_fit",  # share of the source groups' members in the candidate's country, or a target country
    "country_named",  # the candidate's country is named in the source text ("partners in Estonia")
    "city_fit",  # the same for the candidate's city (finds newcomers in the places a programme reaches)
    "partner_city",  # share of the source organisation's past partners in the candidate's city
    "partner_country",  # share of them in the candidate's country
    "type_fit",  # share of the source groups' members of the candidate's type (public body, startup…)
    "same_country",
    "same_city",
    "cross_border",  # different country or ecosystem: the point of the partnership
    "complement",  # offer ↔ request, startup ↔ investor (by stage)
    "activity",  # how much history the candidate has (log of its passages)
    "accepted",  # the source's organisation accepted this candidate before
    "dismissed",  # the source's organisation dismissed this candidate for another source
)

# Each the median of the five per-fold fits of bench/partner_search.py on the keep.eu partner-search data
# (run of 2026-11-27 00:12 UTC; the reported figures use the per-fold weights themselves), except for what
# that data cannot tell, set by hand: themes (its thematic vocabulary is coarse and programme-wide; our
# ecosystems' themes are not) and the product-only features absent from it (complementarity, feedback):
# complementarity and acceptance favoured, dismissal strongly penalised. same_country stays 0 and
# cross_border positive: suggestions are never pulled towards the owner's own country.
DEFAULT_WEIGHTS: dict[str, float] = {
    "text": 1.0,
    "text_breadth": 4.0,
    "text_owner": 1.0,
    "name": 32.0,
    "place": 8.0,
    "name_terms": 8.0,
    "themes": 2.0,
    "worked_with": 16.0,
    "network": 1.0,
    "same_group": 1.0,
    "co_member": 1.0,
    "country_fit": 0.125,
    "country_named": 32.0,
    "city_fit": 1.0,
    "partner_city": 0.5,
    "partner_country": 0.5,
    "type_fit": 2.0,
    "same_country": 0.0,
    "same_city": 1.0,
    "cross_border": 8.0,
    "complement": 8.0,
    "activity": 2.0,
    "accepted": 8.0,
    "dismissed": -64.0,
}

# A name word found in the source text is weak evidence on its own ("Nova", "Delta" and "Green Valley"
# are in many texts): it counts only for a candidate that one of these signals supports too.
NAME_CORROBORATION = frozenset(
    {
        "text",
        "themes",
        "place",
        "country_named",
        "worked_with",
        "network",
        "same_group",
        "co_member",
        "city_fit",
        "same_city",
        "complement",
        "accepted",
    }
)

# Name words are compared by prefix, which meets across languages and inflections ("université",
# "university", "universiteit"; "municipality", "municipalities").
PREFIX = 5
PREFIX_MIN = 4


def name_prefixes(name: str) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(w[:PREFIX] for w in tokens(name) if len(w) >= PREFIX_MIN and w not in _ALL_STOPWORDS)
    )


def _log_scale(values: np.ndarray) -> np.ndarray:
    if values.size == 0:
        return values
    top = float(values.max())
    return np.log1p(values) / math.log1p(top) if top > 0 else values


_EMPTY = np.zeros(0)


class _ByCountry:
    """A feature that depends only on the candidate's country: a table indexed by country code."""

    __slots__ = ("table",)

    def __init__(self, table: np.ndarray) -> None:
        self.table = table


def _ones(indices: Iterable[int]) -> tuple[np.ndarray, np.ndarray]:
    ids = np.fromiter(set(indices), dtype=np.int64)
    return ids, np.ones(ids.size)


def _values_at(value, rows: np.ndarray, countries: np.ndarray) -> list[float]:
    """Feature values of documents `rows` from any representation `_features` returns."""
    if value is None:
        return [0.0] * len(rows)
    if isinstance(value, _ByCountry):
        return value.table[countries[rows]].tolist()
    if isinstance(value, tuple):
        lookup = (
            dict(zip(value[0].tolist(), value[1].tolist(), strict=True)) if len(value[0]) < 5000 else None
        )
        if lookup is None:
            order = np.argsort(value[0])
            pos = np.searchsorted(value[0], rows, sorter=order)
            pos = np.minimum(pos, len(order) - 1)
            hit = value[0][order[pos]] == rows
            return np.where(hit, value[1][order[pos]], 0.0).tolist()
        return [lookup.get(r, 0.0) for r in rows.tolist()]
    return value[rows].tolist() if value.size else [0.0] * len(rows)


class _Postings:
    """key → {doc index: weight}, with cached numpy arrays rebuilt lazily after a change."""

    def __init__(self) -> None:
        self.map: dict[str, dict[int, float]] = {}
        self.cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def add(self, key: str, idx: int, weight: float = 1.0) -> None:
        self.map.setdefault(key, {})[idx] = weight
        self.cache.pop(key, None)

    def discard(self, key: str, idx: int) -> None:
        entry = self.map.get(key)
        if entry is not None and entry.pop(idx, None) is not None:
            self.cache.pop(key, None)
            if not entry:
                del self.map[key]

    def arrays(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        got = self.cache.get(key)
        if got is None:
            entry = self.map.get(key, {})
            got = (
                np.fromiter(entry.keys(), dtype=np.int64, count=len(entry)),
                np.fromiter(entry.values(), dtype=np.float64, count=len(entry)),
            )
            self.cache[key] = got
        return got

    def size(self, key: str) -> int:
        return len(self.map.get(key, ()))


@dataclass
class _Query:
    src: Document
    party: str
    party_doc: Document | None
    country: str
    ecosystem: str
    city: str
    partners: dict[str, float]
    party_groups: frozenset[str]
    terms: list[tuple[int, float]]
    words: set[str]
    named_countries: frozenset[str]
    owner_terms: list[tuple[int, float]]
    # Query term → the word of the source text it came from, as written: filled by the explanations on
    # first use (most queries' reasons need it once; ranking never does).
    surface: dict[str, str] | None = None
