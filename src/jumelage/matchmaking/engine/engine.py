"""The matchmaking engine: ranks organisations or opportunities for a source document.

Score = Σ weight × feature, every feature in [0, 1] (see `FEATURES`). Features are computed for every
document of the target kind at once with numpy (dense ones from per-document arrays, sparse ones from
postings), so top-k is exact: one argpartition over the scores. Documents are added, updated and removed
one at a time (`upsert`, `remove`) without a rebuild; `rebuild` loads a whole collection.

`MatchEngine` is assembled from parts, one module each: store.py (state and writes), features.py (text,
names, relations, feedback), geography.py, explain.py (reasons); this module prepares the query and ranks.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping

import numpy as np

from .common import DEFAULT_WEIGHTS, FEATURES, _analysed, _ByCountry, _Query, _values_at
from .documents import OPPORTUNITY, ORGANISATION, Document, Suggestion
from .explain import REASON_TEXT, ExplainMixin
from .features import FeaturesMixin
from .geo import countries_named
from .geography import GeographyMixin
from .store import StoreMixin
from .text import tokens

__all__ = ["DEFAULT_WEIGHTS", "FEATURES", "REASON_TEXT", "MatchEngine"]


class MatchEngine(StoreMixin, FeaturesMixin, GeographyMixin, ExplainMixin):
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

    @staticmethod
    def _check_weights(weights: Mapping[str, float]) -> dict[str, float]:
        unknown = set(weights) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown feature weights: {', '.join(sorted(unknown))}")
        return {f: float(weights.get(f, 0.0)) for f in FEATURES}

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
        for passage in src.texts:
            counts.update(_analysed(passage.text, passage.language)[1])
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
            words=words,
            named_countries=countries_named(words),
            owner_terms=self._owner_terms(src, party_doc),
        )

    def _owner_terms(self, src: Document, party_doc: Document | None) -> list[tuple[int, float]]:
        if party_doc is None or party_doc is src or party_doc.id == src.id or not party_doc.texts:
            return []
        counts: Counter[str] = Counter()
        for passage in party_doc.texts:
            counts.update(_analysed(passage.text, passage.language)[1])
        vocab, df = self.index.vocab, self.index.df.data
        weighted = [
            (tid, 1.0 + math.log(tf))
            for term, tf in counts.items()
            if (tid := vocab.get(term)) is not None and df[tid] > 0
        ]
        weighted.sort(key=lambda tw: -tw[1] * self.index.idf(tw[0]))
        return weighted[: self.max_query_terms // 2]

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
