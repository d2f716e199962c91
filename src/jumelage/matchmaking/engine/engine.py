"""The matchmaking engine: ranks organisations or opportunities for a source document.

Score = Σ weight × feature, every feature in [0, 1] (see `FEATURES`). Features are computed for every
document of the target kind at once with numpy (dense ones from per-document arrays, sparse ones from
postings), so top-k is exact: one argpartition over the scores. Documents are added, updated and removed
one at a time (`upsert`, `remove`) without a rebuild; `rebuild` loads a whole collection.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .documents import OFFER, OPPORTUNITY, ORGANISATION, REQUEST, Document, Reason, Suggestion
from .index import PassageIndex
from .text import _ALL_STOPWORDS, analyse, query_surface, stem, tokens


@lru_cache(maxsize=8192)
def _analysed(text: str, language: str | None) -> tuple[str | None, Counter[str]]:
    # Re-indexing an updated profile re-reads mostly unchanged passages: analyse each text once.
    # The Counter is shared: callers only read it.
    return analyse(text, language)


FEATURES = (
    "text",  # best passage's BM25 score, relative to the best candidate's
    "text_breadth",  # sum over all passages, relative
    "name",  # the candidate's (rare) name words appear in the source text
    "place",  # the candidate's city is named in the source text
    "themes",  # cosine of theme vectors
    "worked_with",  # the candidate's organisation worked with the source's before
    "network",  # partners of the source's partners
    "same_group",  # the candidate belongs to a group of the source itself (its programme, cluster)
    "co_member",  # groups shared by both organisations (rarer groups count more)
    "country_fit",  # share of the source groups' members in the candidate's country, or a target country
    "city_fit",  # the same for the candidate's city (finds newcomers in the places a programme reaches)
    "type_fit",  # share of the source groups' members of the candidate's type (public body, startup…)
    "same_country",
    "same_city",
    "cross_border",  # different country or ecosystem: the point of the partnership
    "complement",  # offer ↔ request, startup ↔ investor (by stage)
    "activity",  # how much history the candidate has (log of its passages)
    "accepted",  # the source's organisation accepted this candidate before
    "dismissed",  # the source's organisation dismissed this candidate for another source
)

# Rounded from a fit on all 813 leave-one-out queries of the keep.eu partner-search data (an earlier run of
# bench/partner_search.py; its reported figures use per-fold weights instead), except for what that data cannot tell: themes (its
# thematic vocabulary is coarse and programme-wide; our ecosystems' themes are not) and the product-only
# features absent from it (complementarity, feedback), set by hand: complementarity and acceptance favoured,
# dismissal strongly penalised.
DEFAULT_WEIGHTS: dict[str, float] = {
    "text": 1.0,
    "text_breadth": 4.0,
    "name": 16.0,
    "place": 4.0,
    "themes": 1.0,
    "worked_with": 4.0,
    "network": 1.0,
    "same_group": 0.25,
    "co_member": 0.5,
    "country_fit": 2.0,
    "city_fit": 1.0,
    "type_fit": 2.0,
    "same_country": 0.0,
    "same_city": 1.0,
    "cross_border": 2.0,
    "complement": 4.0,
    "activity": 0.0,
    "accepted": 4.0,
    "dismissed": -16.0,
}

REASON_TEXT = {
    "text": "matching words: {}",
    "name": "named in the text",
    "place": "place named in the text: {}",
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
    surface: dict[str, str]
    words: set[str]


class MatchEngine:
    """Holds organisations and opportunities; recommends either kind for any source document."""

    def __init__(
        self,
        weights: Mapping[str, float] | None = None,
        *,
        max_query_terms: int = 48,
        max_postings_per_term: int = 10_000,
        compact_ratio: float = 0.2,
    ) -> None:
        self.weights = self._check_weights(weights or DEFAULT_WEIGHTS)
        self.max_query_terms = max_query_terms
        self.max_postings_per_term = max_postings_per_term
        self._compact_ratio = compact_ratio
        self._reset()

    # ---- state ----------------------------------------------------------------------------------------
    def _reset(self) -> None:
        self.index = PassageIndex(compact_ratio=self._compact_ratio)
        self.docs: list[Document | None] = []
        self.idx: dict[str, int] = {}
        self.passages: list[list[int]] = []
        self._kind = np.zeros(1024, dtype=np.int8) - 1  # 0 organisation, 1 opportunity, -1 none
        self._country = np.zeros(1024, dtype=np.int32)  # 0 = unknown
        self._ecosystem = np.zeros(1024, dtype=np.int32)
        self._activity = np.zeros(1024, dtype=np.float64)
        self._intent = np.zeros(1024, dtype=np.int8)  # 0 none, 1 offer, 2 request
        self._category = np.zeros(1024, dtype=np.int32)
        self._type = np.zeros(1024, dtype=np.int32)
        self._party = np.zeros(1024, dtype=np.int32)  # code of the organisation behind each document
        self.parties: dict[str, int] = {"": 0}
        self._name_idf = np.zeros(1024, dtype=np.float64)
        self._activity_cache: np.ndarray | None = None
        self.countries: dict[str, int] = {"": 0}
        self.ecosystems: dict[str, int] = {"": 0}
        self.categories: dict[str, int] = {"": 0}
        self.types: dict[str, int] = {"": 0}
        self.group_type: dict[str, Counter[int]] = {}
        self.themes = _Postings()
        self.groups = _Postings()  # group → documents listing it
        self.group_country: dict[str, Counter[int]] = {}
        self.group_city: dict[str, Counter[str]] = {}
        self.names = _Postings()  # rare-word lookup of organisation names
        self.name_words: dict[int, tuple[str, ...]] = {}
        self.cities = _Postings()  # "city words" → documents
        self.city_keys: dict[str, set[str]] = {}  # first word of a city → its keys
        self.owned: dict[str, set[int]] = {}  # organisation id → its opportunities
        self.special: dict[str, set[int]] = {"startup": set(), "investor": set()}
        self.accepted: dict[str, set[str]] = {}  # source id → accepted target ids
        self.dismissed: dict[str, set[str]] = {}
        self.party_accepted: dict[str, Counter[str]] = {}
        self.party_dismissed: dict[str, Counter[str]] = {}

    @staticmethod
    def _check_weights(weights: Mapping[str, float]) -> dict[str, float]:
        unknown = set(weights) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown feature weights: {', '.join(sorted(unknown))}")
        return {f: float(weights.get(f, 0.0)) for f in FEATURES}

    def __len__(self) -> int:
        return len(self.idx)

    def __contains__(self, doc_id: str) -> bool:
        return doc_id in self.idx

    def get(self, doc_id: str) -> Document | None:
        i = self.idx.get(doc_id)
        return self.docs[i] if i is not None else None

    def _grow(self, n: int) -> None:
        if n <= len(self._kind):
            return
        size = max(n, 2 * len(self._kind))
        for name in (
            "_kind",
            "_country",
            "_ecosystem",
            "_activity",
            "_intent",
            "_category",
            "_name_idf",
            "_type",
            "_party",
        ):
            old = getattr(self, name)
            new = np.zeros(size, dtype=old.dtype) - (1 if name == "_kind" else 0)
            new[: len(old)] = old
            setattr(self, name, new)

    @staticmethod
    def _code(table: dict[str, int], value: str) -> int:
        return table.setdefault(value, len(table))

    # ---- writes -------------------------------------------------------------------------------------
    def rebuild(self, documents: Iterable[Document]) -> None:
        """Replace everything with `documents` (feedback is kept)."""
        accepted, dismissed = self.accepted, self.dismissed
        pa, pd = self.party_accepted, self.party_dismissed
        self._reset()
        self.accepted, self.dismissed, self.party_accepted, self.party_dismissed = accepted, dismissed, pa, pd
        for doc in documents:
            self.upsert(doc, _compact=False)
        self.index.compact()
        for i, words in self.name_words.items():  # with the final name word frequencies
            self._name_idf[i] = self._idf_of_name(words)

    def upsert(self, doc: Document, *, _compact: bool = True) -> None:
        """Add a document, or replace the one with the same id (incremental: no rebuild)."""
        if doc.id in self.idx:
            self.remove(doc.id)
        i = len(self.docs)
        self.docs.append(doc)
        self.idx[doc.id] = i
        self._grow(i + 1)
        self._kind[i] = 0 if doc.kind == ORGANISATION else 1
        country = doc.country
        owner = self.get(doc.owner) if doc.kind == OPPORTUNITY and doc.owner else None
        if not country and owner is not None:
            country = owner.country
        self._country[i] = self._code(self.countries, country)
        self._ecosystem[i] = self._code(self.ecosystems, doc.ecosystem or (owner.ecosystem if owner else ""))
        self._intent[i] = {"": 0, OFFER: 1, REQUEST: 2}[doc.intent]
        self._category[i] = self._code(self.categories, doc.category)
        self._type[i] = self._code(self.types, doc.org_type)
        self._party[i] = self._code(self.parties, doc.party)
        pids = []
        for passage in doc.texts:
            _lang, counts = _analysed(passage.text, passage.language)
            if counts:
                pids.append(self.index.add(i, counts, bulk=not _compact))
        self.passages.append(pids)
        self._activity[i] = len(pids)
        self._activity_cache = None
        city_key = " ".join(tokens(doc.city))
        norm = math.sqrt(sum(w * w for w in doc.themes.values())) or 1.0
        for theme, w in doc.themes.items():
            self.themes.add(theme, i, w / norm)
        for group in doc.groups:
            self.groups.add(group, i)
            if doc.kind == ORGANISATION:
                self.group_country.setdefault(group, Counter())[self._country[i]] += 1
                self.group_type.setdefault(group, Counter())[self._type[i]] += 1
                if city_key:
                    self.group_city.setdefault(group, Counter())[city_key] += 1
        if doc.kind == ORGANISATION:
            words = tuple(
                dict.fromkeys(w for w in tokens(doc.name) if len(w) >= 3 and w not in _ALL_STOPWORDS)
            )
            self.name_words[i] = words
            for w in words:
                self.names.add(w, i)
            self._name_idf[i] = self._idf_of_name(words)
            if doc.org_type in self.special:
                self.special[doc.org_type].add(i)
        city = " ".join(tokens(doc.city))
        if city:
            self.cities.add(city, i)
            self.city_keys.setdefault(city.split(" ")[0], set()).add(city)
        if doc.kind == OPPORTUNITY and doc.owner:
            self.owned.setdefault(doc.owner, set()).add(i)
        if _compact:
            self.index.maybe_compact()

    def _idf_of_name(self, words: tuple[str, ...]) -> float:
        n_docs = max(len(self.idx), 1)
        return sum(math.log(max(n_docs, 2) / max(self.names.size(w), 1)) for w in words)

    def remove(self, doc_id: str) -> bool:
        """Remove a document; returns whether it was there."""
        i = self.idx.pop(doc_id, None)
        if i is None:
            return False
        doc = self.docs[i]
        for pid in self.passages[i]:
            self.index.remove(pid)
        self.passages[i] = []
        self.docs[i] = None
        self._kind[i] = -1
        self._activity[i] = 0
        self._activity_cache = None
        for theme in doc.themes:
            self.themes.discard(theme, i)
        for group in doc.groups:
            self.groups.discard(group, i)
            if doc.kind == ORGANISATION:
                self.group_country[group][self._country[i]] -= 1
                self.group_type[group][self._type[i]] -= 1
                city_key = " ".join(tokens(doc.city))
                if city_key:
                    self.group_city[group][city_key] -= 1
        for w in self.name_words.pop(i, ()):
            self.names.discard(w, i)
        self.cities.discard(" ".join(tokens(doc.city)), i)
        if doc.kind == OPPORTUNITY and doc.owner:
            self.owned.get(doc.owner, set()).discard(i)
        for s in self.special.values():
            s.discard(i)
        return True

    def add_feedback(self, source_id: str, target_id: str, *, accepted: bool) -> None:
        """Record that a suggestion was accepted or dismissed. A dismissed target is never suggested
        again for that source and is ranked lower for the source organisation's other documents."""
        src = self.get(source_id)
        party = src.party if src is not None else source_id
        book, party_book = (
            (self.accepted, self.party_accepted) if accepted else (self.dismissed, self.party_dismissed)
        )
        if target_id not in book.setdefault(source_id, set()):
            book[source_id].add(target_id)
            party_book.setdefault(party, Counter())[target_id] += 1

    # ---- reads --------------------------------------------------------------------------------------
    def _prepare(self, src: Document) -> _Query:
        party = src.party
        party_doc = self.get(party) if party != src.id else src
        if party_doc is None and src.kind == ORGANISATION:
            party_doc = src
        partners = dict(party_doc.partners) if party_doc is not None else {}
        for k, v in src.partners.items():
            partners[k] = max(partners.get(k, 0.0), v)
        partners.pop(party, None)
        counts: Counter[str] = Counter()
        surface: dict[str, str] = {}
        for passage in src.texts:
            lang, c = _analysed(passage.text, passage.language)
            counts.update(c)
            for term, word in query_surface(passage.text, lang).items():
                surface.setdefault(term, word)
        vocab = self.index.vocab
        weighted = []
        for term, tf in counts.items():
            tid = vocab.get(term)
            if tid is not None and self.index.df.data[tid] > 0:
                weighted.append((tid, 1.0 + math.log(tf)))
        weighted.sort(key=lambda tw: -tw[1] * self.index.idf(tw[0]))
        words = {w for p in src.texts for w in tokens(p.text)}
        return _Query(
            src=src,
            party=party,
            party_doc=party_doc,
            country=src.country or (party_doc.country if party_doc else ""),
            ecosystem=src.ecosystem or (party_doc.ecosystem if party_doc else ""),
            city=src.city or (party_doc.city if party_doc else ""),
            partners=partners,
            party_groups=(party_doc.groups if party_doc else frozenset()) | src.groups,
            terms=weighted[: self.max_query_terms],
            surface=surface,
            words=words,
        )

    def _party_targets(self, org_ids: Mapping[str, float], kind: int) -> tuple[np.ndarray, np.ndarray]:
        """Indices of the target-kind documents of the given organisations (their opportunities when the
        target kind is opportunity), with the given values."""
        idx, val = [], []
        for org, v in org_ids.items():
            if kind == 0:
                i = self.idx.get(org)
                if i is not None:
                    idx.append(i)
                    val.append(v)
            else:
                for i in self.owned.get(org, ()):
                    idx.append(i)
                    val.append(v)
        return np.asarray(idx, dtype=np.int64), np.asarray(val, dtype=np.float64)

    def _features(self, q: _Query, kind: int, needed: Iterable[str] = FEATURES) -> tuple[dict, np.ndarray]:
        """The `needed` features, each a full array over document indices or a sparse (indices, values)
        pair with unique indices (see `_full`), plus the passage scores."""
        n = len(self.docs)
        need = set(needed)
        f: dict[str, np.ndarray | tuple[np.ndarray, np.ndarray]] = {}

        # Text (always: explanations use the passage scores).
        pscores = self.index.score(q.terms, max_postings=self.max_postings_per_term)
        nz = np.flatnonzero(pscores)
        if nz.size:
            docs = self.index.pid_doc.view[nz]
            text = np.zeros(n)
            # Most documents have one passage: plain assignment; the max only where there are several.
            ps = pscores[nz]
            multi = self._activity[docs] > 1
            text[docs[~multi]] = ps[~multi]
            if multi.any():
                np.maximum.at(text, docs[multi], ps[multi])
            breadth = np.bincount(docs, pscores[nz], minlength=n)
            for name, arr in (("text", text), ("text_breadth", breadth)):
                in_target = arr[docs][self._kind[docs] == kind]
                top = float(in_target.max()) if in_target.size else 0.0
                f[name] = arr / top if top > 0 else arr
        else:
            f["text"] = f["text_breadth"] = _EMPTY

        # Names and places named in the source's text.
        if "name" in need:
            n_docs = max(len(self.idx), 1)
            rare = max(40, n_docs // 250)
            parts_i, parts_w = [], []
            common_in_text = max(50, self.index.n_alive // 100)
            for w in q.words:
                size = self.names.size(w)
                if 0 < size <= rare and self._text_df(w) <= common_in_text:
                    ids, _ = self.names.arrays(w)
                    parts_i.append(ids)
                    parts_w.append(np.full(ids.size, math.log(n_docs / size)))
            if parts_i:
                ids, inverse = np.unique(np.concatenate(parts_i), return_inverse=True)
                vals = np.bincount(inverse, np.concatenate(parts_w), minlength=ids.size)
            else:
                ids, vals = np.zeros(0, dtype=np.int64), np.zeros(0)
            total = self._name_idf[ids]
            f["name"] = (ids, np.where(total > 0, np.minimum(1.0, vals / np.maximum(total, 1e-9)), 0.0))
        if "place" in need:
            hits: set[int] = set()
            for w in q.words:
                for key in self.city_keys.get(w, ()):
                    if len(key) >= 3 and all(p in q.words for p in key.split(" ")):
                        hits.update(self.cities.map.get(key, ()))
            f["place"] = _ones(hits)

        # Themes: cosine.
        if "themes" in need and q.src.themes:
            themes = np.zeros(n)
            norm = math.sqrt(sum(w * w for w in q.src.themes.values())) or 1.0
            for theme, w in q.src.themes.items():
                ids, vals = self.themes.arrays(theme)
                if ids.size:
                    np.add.at(themes, ids, vals * (w / norm))
            f["themes"] = themes

        # Relations.
        if "worked_with" in need:
            f["worked_with"] = self._party_targets(
                {p: min(1.0, math.log1p(c) / math.log1p(3)) for p, c in q.partners.items()}, kind
            )
        if "network" in need:
            second: Counter[str] = Counter()
            for p in q.partners:
                pdoc = self.get(p)
                if pdoc is not None:
                    second.update(pdoc.partners.keys())
            second.pop(q.party, None)
            ids, vals = self._party_targets(second, kind)
            f["network"] = (ids, _log_scale(vals))
        if "same_group" in need:
            parts = [self.groups.arrays(g)[0] for g in q.src.groups]
            gi = np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
            if kind == 1 and gi.size:  # the group's opportunities, and those whose owner is in it
                is_owner = np.zeros(len(self.parties), dtype=bool)
                is_owner[self._party[gi[self._kind[gi] == 0]]] = True
                owned = np.flatnonzero(is_owner[self._party[:n]] & (self._kind[:n] == 1))
                gi = np.union1d(gi, owned)
            f["same_group"] = (gi, np.ones(gi.size))
        if "co_member" in need and q.party_groups:
            co = np.zeros(n)
            for g in q.party_groups:
                gi, _ = self.groups.arrays(g)
                if gi.size:
                    co[gi] += 1.0 / math.log2(2 + gi.size)
            if kind == 1:  # an opportunity shares its owner's groups
                orgs = np.flatnonzero(co)
                table = np.zeros(len(self.parties))
                table[self._party[orgs]] = co[orgs]
                co = np.maximum(co, table[self._party[:n]])
            top = co.max()
            f["co_member"] = co / top if top > 0 else co

        # Geography: country-level features are one table lookup.
        ccode = self._country[:n]
        if "country_fit" in need:
            fit_by_country = np.zeros(len(self.countries))
            groups = [g for g in q.src.groups if g in self.group_country]
            for g in groups:
                counter = self.group_country[g]
                total = sum(counter.values())
                if total > 0:
                    for c, m in counter.items():
                        fit_by_country[c] += m / total / len(groups)
            fit_by_country[0] = 0.0
            if fit_by_country.max() > 0:
                fit_by_country /= fit_by_country.max()
            for c in q.src.target_countries:
                code = self.countries.get(c)
                if code:
                    fit_by_country[code] = 1.0
            f["country_fit"] = _ByCountry(fit_by_country)
        if "city_fit" in need:
            shares: Counter[str] = Counter()
            groups = [g for g in q.src.groups if g in self.group_city]
            for g in groups:
                counter = self.group_city[g]
                total = sum(counter.values())
                for c, m in counter.items():
                    if m > 0:
                        shares[c] += m / total / len(groups)
            if shares:
                top = max(shares.values())
                parts_i, parts_v = [], []
                for c, share in shares.items():
                    ids, _ = self.cities.arrays(c)  # one city per document: no duplicates
                    parts_i.append(ids)
                    parts_v.append(np.full(ids.size, share / top))
                f["city_fit"] = (np.concatenate(parts_i), np.concatenate(parts_v))
        if "type_fit" in need:
            by_type = np.zeros(len(self.types))
            groups = [g for g in q.src.groups if g in self.group_type]
            for g in groups:
                counter = self.group_type[g]
                total = sum(counter.values())
                for c, m in counter.items():
                    if total > 0 and m > 0:
                        by_type[c] += m / total / len(groups)
            if by_type.max() > 0:
                f["type_fit"] = by_type[self._type[:n]] / by_type.max()
        own = self.countries.get(q.country, 0)
        if "same_country" in need and own:
            table = np.zeros(len(self.countries))
            table[own] = 1.0
            f["same_country"] = _ByCountry(table)
        if "cross_border" in need:
            eco = self.ecosystems.get(q.ecosystem, 0)
            if own:
                table = np.ones(len(self.countries))
                table[[0, own]] = 0.0
                cross = _ByCountry(table)
                f["cross_border"] = cross
                if eco:
                    ecod = self._ecosystem[:n]
                    f["cross_border"] = np.maximum(table[ccode], (ecod != eco) & (ecod != 0))
            elif eco:
                ecod = self._ecosystem[:n]
                f["cross_border"] = ((ecod != eco) & (ecod != 0)).astype(np.float64)
        if "same_city" in need:
            city = " ".join(tokens(q.city))
            f["same_city"] = _ones(self.cities.map.get(city, ()) if city else ())

        if "complement" in need:
            f["complement"] = self._complement(q, kind, n)
        if "activity" in need:
            f["activity"] = self._activity_scaled(n)

        # Feedback.
        if "accepted" in need:
            accepted = set(self.accepted.get(q.src.id, ())) | set(self.party_accepted.get(q.party, ()))
            f["accepted"] = _ones(i for t in accepted if (i := self.idx.get(t)) is not None)
        if "dismissed" in need:
            dismissed = self.party_dismissed.get(q.party, ())
            f["dismissed"] = _ones(i for t in dismissed if (i := self.idx.get(t)) is not None)
        return f, pscores

    def _text_df(self, word: str) -> int:
        """How many passages hold `word` in any language's form: a name word common in descriptions
        ("green", "netherlands", "projects") says little when a text contains it."""
        vocab, df = self.index.vocab, self.index.df.data
        best = 0
        for term in {word, *(stem(word, lang) for lang in ("en", "fr", "nl", "de"))}:
            tid = vocab.get(term)
            if tid is not None:
                best = max(best, int(df[tid]))
        return best

    def _activity_scaled(self, n: int) -> np.ndarray:
        cached = self._activity_cache
        if cached is None or len(cached) != n:
            act = self._activity[:n]
            top = float(act.max()) if n else 0.0
            cached = np.log1p(act) / math.log1p(top) if top > 0 else act.copy()
            self._activity_cache = cached
        return cached

    def _full(self, value, n: int) -> np.ndarray:
        """A feature as a full array over document indices."""
        if value is None:
            return np.zeros(n)
        if isinstance(value, _ByCountry):
            return value.table[self._country[:n]]
        if isinstance(value, tuple):
            out = np.zeros(n)
            out[value[0]] = value[1]
            return out
        if value.size == 0:
            return np.zeros(n)
        return value

    def _complement(self, q: _Query, kind: int, n: int):
        out: np.ndarray | None = None
        src = q.src
        if src.intent and kind == 1:
            opposite = 2 if src.intent == OFFER else 1
            match = self._intent[:n] == opposite
            cat = self.categories.get(src.category, -1)
            if src.category:
                match &= (self._category[:n] == cat) | (self._category[:n] == 0)
            out = match.astype(np.float64)
        party = q.party_doc
        seeks_money = (src.category == "investment" and src.intent == REQUEST) or (
            party is not None and party.org_type == "startup" and src.kind == ORGANISATION
        )
        offers_money = (src.category == "investment" and src.intent == OFFER) or (
            party is not None and party.org_type == "investor" and src.kind == ORGANISATION
        )
        stages = src.stages or (party.stages if party is not None else frozenset())
        if seeks_money or offers_money:
            pool = self.special["investor" if seeks_money else "startup"]
            if kind == 1:
                pool = {i for org in pool for i in self.owned.get(self.docs[org].id, ())}
            for i in pool:
                other = self.docs[i]
                other_stages = other.stages or (self.get(other.owner).stages if other.owner in self else ())
                # Stages known on both sides: they must meet; otherwise a half match.
                value = (1.0 if stages & other_stages else 0.0) if stages and other_stages else 0.5
                if out is None:
                    out = np.zeros(n)
                out[i] = max(out[i], value)
        return out if out is not None else _EMPTY

    def _resolve(self, source: Document | str) -> Document:
        if isinstance(source, Document):
            return source
        doc = self.get(source)
        if doc is None:
            raise KeyError(f"unknown document {source!r}")
        return doc

    def _valid(self, q: _Query, kind: int, exclude: Iterable[str]) -> np.ndarray:
        n = len(self.docs)
        valid = self._kind[:n] == kind
        banned = {q.src.id, q.party, *exclude, *self.dismissed.get(q.src.id, ())}
        for b in banned:
            i = self.idx.get(b)
            if i is not None:
                valid[i] = False
        for i in self.owned.get(q.party, ()):
            valid[i] = False
        return valid

    def feature_matrix(
        self,
        source: Document | str,
        *,
        target_kind: str = ORGANISATION,
        exclude: Iterable[str] = (),
        pool: int = 200,
    ) -> tuple[list[str], np.ndarray]:
        """Candidate ids and their feature matrix (rows × `FEATURES`), for choosing weights offline.

        The pool holds the `pool` best candidates by each feature, plus the most active candidates of
        every country (those win when only country-level features apply), so any non-negative weights
        rank this pool as they would rank everything, up to candidates weak on every single feature.
        """
        src = self._resolve(source)
        kind = 0 if target_kind == ORGANISATION else 1
        q = self._prepare(src)
        sparse, _ = self._features(q, kind)
        n = len(self.docs)
        f = {name: self._full(sparse.get(name), n) for name in FEATURES}
        valid = self._valid(q, kind, exclude)
        chosen: set[int] = set()
        valid_idx = np.flatnonzero(valid)
        for name in FEATURES:
            arr = f[name][valid_idx]
            if not arr.any():
                continue
            take = min(pool, arr.size)
            top = np.argpartition(-arr, take - 1)[:take]
            chosen.update(valid_idx[top[arr[top] > 0]].tolist())
        order = np.lexsort((-self._activity[valid_idx], self._country[valid_idx]))
        countries = self._country[valid_idx][order]
        first = np.searchsorted(countries, countries, side="left")
        rank = np.arange(len(order)) - first
        chosen.update(valid_idx[order[rank < pool // 10]].tolist())
        rows = np.asarray(sorted(chosen), dtype=np.int64)
        matrix = (
            np.stack([f[name][rows] for name in FEATURES], axis=1)
            if rows.size
            else np.zeros((0, len(FEATURES)))
        )
        return [self.docs[i].id for i in rows.tolist()], matrix

    def recommend(
        self,
        source: Document | str,
        *,
        target_kind: str = ORGANISATION,
        k: int = 10,
        weights: Mapping[str, float] | None = None,
        exclude: Iterable[str] = (),
        explain: bool = True,
    ) -> list[Suggestion]:
        """The `k` best documents of `target_kind` for `source` (an indexed id or any Document), best
        first. Never suggests the source, its organisation, that organisation's own opportunities,
        `exclude`, or what was dismissed for this source."""
        if target_kind not in (ORGANISATION, OPPORTUNITY):
            raise ValueError(f"unknown target kind {target_kind!r}")
        w = self._check_weights(weights) if weights is not None else self.weights
        src = self._resolve(source)
        kind = 0 if target_kind == ORGANISATION else 1
        q = self._prepare(src)
        needed = [name for name in FEATURES if w[name]]
        f, pscores = self._features(q, kind, needed)
        n = len(self.docs)
        table = np.zeros(len(self.countries))
        score = np.zeros(n)
        for name in needed:
            value = f.get(name)
            if value is None:
                continue
            if isinstance(value, _ByCountry):
                table += w[name] * value.table
            elif isinstance(value, tuple):
                score[value[0]] += w[name] * value[1]
            elif value.size:
                score += w[name] * value
        if table.any():
            score += table[self._country[:n]]
        valid = self._valid(q, kind, exclude)
        candidates = np.flatnonzero(valid)
        if k <= 0 or candidates.size == 0:
            return []
        take = min(k, candidates.size)
        s = score[candidates]
        top = np.argpartition(-s, take - 1)[:take]
        top = top[np.lexsort((candidates[top], -s[top]))]
        out = []
        chosen = candidates[top]
        per_feature = {name: _values_at(f.get(name), chosen, self._country) for name in needed}
        for rank, i in enumerate(chosen.tolist()):
            contributions = {
                name: float(w[name] * per_feature[name][rank]) for name in needed if per_feature[name][rank]
            }
            reasons = self._reasons(q, i, contributions, pscores) if explain else ()
            doc = self.docs[i]
            out.append(Suggestion(doc.id, doc.kind, float(score[i]), reasons, contributions))
        return out

    # ---- explanations -------------------------------------------------------------------------------
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
            terms = [self.index.terms[t] for t, _ in q.terms if t in present]
            matched = [q.surface.get(t, t) for t in terms][:4]
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
        if doc.city:
            add("place", (doc.city,))
            add("same_city", (doc.city,))
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
        return tuple(r for _, r in parts[:4])
