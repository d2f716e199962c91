"""The engine's state and writes: documents in, per-document arrays and postings kept up to date
incrementally (`upsert`, `remove`), `rebuild` for a whole collection, and feedback."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

import numpy as np

from .common import _analysed, _Postings, name_prefixes
from .documents import OFFER, OPPORTUNITY, ORGANISATION, REQUEST, Document
from .index import PassageIndex
from .text import _ALL_STOPWORDS, tokens


class StoreMixin:
    """State and writes of MatchEngine."""

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
        self._prefix_count = np.zeros(1024, dtype=np.float64)  # name prefixes per organisation
        self.prefixes = _Postings()  # name word prefixes ("unive", "munic") → organisations
        self.name_prefixes: dict[int, tuple[str, ...]] = {}
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
            "_prefix_count",
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
            prefixes = name_prefixes(doc.name)
            self.name_prefixes[i] = prefixes
            for p in prefixes:
                self.prefixes.add(p, i)
            self._prefix_count[i] = len(prefixes)
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
        for p in self.name_prefixes.pop(i, ()):
            self.prefixes.discard(p, i)
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
