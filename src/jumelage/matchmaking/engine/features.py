"""Feature computation for every document of the target kind at once (numpy): text, names and places
named in the text, themes, relations, complementarity, activity, feedback; geography is in geography.py.

Each feature is a full array over document indices, a sparse (indices, values) pair with unique indices,
or a `_ByCountry` table (see `_full`); all values are in [0, 1].
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping

import numpy as np

from .common import (
    _EMPTY,
    FEATURES,
    NAME_CORROBORATION,
    PREFIX,
    PREFIX_MIN,
    _ByCountry,
    _log_scale,
    _ones,
    _Query,
)
from .documents import OFFER, ORGANISATION, REQUEST
from .text import stem

NAME_GATED = frozenset({"name", "name_terms"})


class FeaturesMixin:
    """Feature computation of MatchEngine."""

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
        """The `needed` features (see the module docstring), plus the passage scores."""
        need = set(needed)
        if need & NAME_GATED:  # names only count next to another real signal: compute those too
            need |= NAME_CORROBORATION
        f: dict = {}
        pscores = self._text_features(q, kind, need, f)
        self._name_features(q, kind, need, f)
        self._relation_features(q, kind, need, f)
        self._geo_features(q, kind, need, f)
        self._other_features(q, kind, need, f)
        self._gate_names(f)
        return f, pscores

    def _text_features(self, q: _Query, kind: int, need: set[str], f: dict) -> np.ndarray:
        """BM25 of the source text (best passage, breadth) and of its organisation's profile."""
        n = len(self.docs)
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
        if "text_owner" in need and q.owner_terms:
            # Query expansion from the source organisation's own past: what else it worked on.
            oscores = self.index.score(q.owner_terms, max_postings=self.max_postings_per_term)
            onz = np.flatnonzero(oscores)
            if onz.size:
                odocs = self.index.pid_doc.view[onz]
                owner_text = np.zeros(n)
                np.maximum.at(owner_text, odocs, oscores[onz])
                own_i = self.idx.get(q.party)
                if own_i is not None:
                    owner_text[own_i] = 0.0
                in_target = owner_text[odocs][self._kind[odocs] == kind]
                top = float(in_target.max()) if in_target.size else 0.0
                f["text_owner"] = owner_text / top if top > 0 else owner_text
        return pscores

    def _name_features(self, q: _Query, kind: int, need: set[str], f: dict) -> None:
        """The candidate's name words and city named in the source text."""
        # Names and places named in the source's text.
        if "name" in need:
            n_docs = max(len(self.idx), 1)
            rare = max(40, n_docs // 250)
            parts_i, parts_w = [], []
            common_in_text = max(50, self.index.n_alive // 100)
            for w in q.words:
                size = self.names.size(w)
                if 0 < size <= rare and self._text_df(w) <= common_in_text:
                    parts_i.append(self.names.arrays(w)[0])
                    parts_w.append(math.log(n_docs / size))
            if parts_i:
                ids, inverse = np.unique(np.concatenate(parts_i), return_inverse=True)
                weights = np.repeat(parts_w, [p.size for p in parts_i])
                vals = np.bincount(inverse, weights, minlength=ids.size)
            else:
                ids, vals = np.zeros(0, dtype=np.int64), np.zeros(0)
            total = self._name_idf[ids]
            f["name"] = (ids, np.where(total > 0, np.minimum(1.0, vals / np.maximum(total, 1e-9)), 0.0))
        if "name_terms" in need:
            n_docs = max(len(self.idx), 2)
            parts_i, parts_w = [], []
            for p in {w[:PREFIX] for w in q.words if len(w) >= PREFIX_MIN}:
                size = self.prefixes.size(p)
                if 0 < size <= n_docs // 5:
                    parts_i.append(self.prefixes.arrays(p)[0])
                    parts_w.append(math.log(n_docs / size))
            if parts_i:
                ids, inverse = np.unique(np.concatenate(parts_i), return_inverse=True)
                weights = np.repeat(parts_w, [p.size for p in parts_i])
                vals = np.bincount(inverse, weights, minlength=ids.size)
                # Share of the name's prefixes matched, each weighted by its rarity (idf / log N): read at
                # query time, so an incremental update ranks exactly as a rebuild.
                total = self._prefix_count[ids] * math.log(n_docs)
                vals = np.where(total > 0, np.minimum(1.0, vals / np.maximum(total, 1e-9)), 0.0)
                f["name_terms"] = (ids, vals)
        if "place" in need:
            hits: set[int] = set()
            for w in q.words:
                for key in self.city_keys.get(w, ()):
                    if len(key) >= 3 and all(p in q.words for p in key.split(" ")):
                        hits.update(self.cities.map.get(key, ()))
            f["place"] = _ones(hits)

    def _relation_features(self, q: _Query, kind: int, need: set[str], f: dict) -> None:
        """Themes, past partners, partners of partners, groups."""
        n = len(self.docs)
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

    def _other_features(self, q: _Query, kind: int, need: set[str], f: dict) -> None:
        """Complementarity, activity, feedback."""
        n = len(self.docs)
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

    def _gate_names(self, f: dict) -> None:
        """A name match only counts for candidates another real signal supports (see NAME_CORROBORATION)."""
        if not any(g in f for g in NAME_GATED):
            return
        n = len(self.docs)
        backed = np.zeros(n, dtype=bool)
        countries = np.zeros(len(self.countries), dtype=bool)
        for other in NAME_CORROBORATION:
            value = f.get(other)
            if value is None:
                continue
            if isinstance(value, _ByCountry):
                countries |= value.table > 0
            elif isinstance(value, tuple):
                backed[value[0][value[1] > 0]] = True
            elif value.size:
                backed |= value > 0
        if countries.any():
            backed |= countries[self._country[:n]]
        for gated in NAME_GATED:
            if gated in f:
                ids, vals = f[gated]
                keep = backed[ids]
                f[gated] = (ids[keep], vals[keep])

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
