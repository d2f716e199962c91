"""An incremental BM25 index over passages (numpy, no Django).

Layout: a *main* part built in one go (CSR arrays per term id, postings sorted by impact, highest first)
and a small *delta* part (Python lists) for passages added since. Removing a passage only marks it dead
(and updates the document frequencies exactly, thanks to a forward index of term ids per passage).
When the delta or the dead passages pass `compact_ratio` of the index, `compact()` folds everything into
a new main part. So adding, updating or removing one document costs a few microseconds per term and no
rebuild, while a query reads contiguous numpy slices.

Impacts are BM25 term weights without the idf: tf·(k1+1) / (tf + k1·(1 − b + b·len/avglen)); the idf is
applied at query time from the live document frequencies.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

K1 = 1.2
B = 0.75


class _Growable:
    """A numpy array that doubles its capacity as items are appended."""

    def __init__(self, dtype, fill=0):
        self.data = np.full(1024, fill, dtype=dtype)
        self.fill = fill
        self.n = 0

    def append(self, value) -> int:
        if self.n == len(self.data):
            bigger = np.full(2 * len(self.data), self.fill, dtype=self.data.dtype)
            bigger[: self.n] = self.data[: self.n]
            self.data = bigger
        self.data[self.n] = value
        self.n += 1
        return self.n - 1

    @property
    def view(self) -> np.ndarray:
        return self.data[: self.n]


class PassageIndex:
    def __init__(self, *, compact_ratio: float = 0.2) -> None:
        self.compact_ratio = compact_ratio
        self.vocab: dict[str, int] = {}
        self.terms: list[str] = []  # term id → term
        self.df = _Growable(np.int32)
        self.pid_doc = _Growable(np.int32, -1)
        self.alive = _Growable(np.bool_, False)
        self.length = _Growable(np.int32)
        # Forward index: term ids and counts of each passage (None once compacted away).
        self.fwd_terms: list[np.ndarray | None] = []
        self.fwd_counts: list[np.ndarray | None] = []
        self.n_alive = 0
        self.total_length = 0
        # Main part.
        self.m_ptr = np.zeros(1, dtype=np.int64)
        self.m_pids = np.zeros(0, dtype=np.int32)
        self.m_imp = np.zeros(0, dtype=np.float32)
        self.m_avglen = 1.0
        # Delta part: term id → ([pids], [impacts]).
        self.d_postings: dict[int, tuple[list[int], list[float]]] = {}
        self.n_delta = 0
        self.n_dead_main = 0
        self.n_main = 0  # passages covered by the main part

    # ---- writes -------------------------------------------------------------------------------------
    def term_id(self, term: str) -> int:
        tid = self.vocab.get(term)
        if tid is None:
            tid = len(self.vocab)
            self.vocab[term] = tid
            self.terms.append(term)
            self.df.append(0)
        return tid

    @property
    def avglen(self) -> float:
        return self.total_length / self.n_alive if self.n_alive else 1.0

    def add(self, doc: int, counts: Counter[str], *, bulk: bool = False) -> int:
        """Add one passage of document `doc`; returns its passage id. With `bulk`, the passage is only
        searchable after the next `compact()` (a rebuild loads everything, then compacts once)."""
        ids = list(map(self.vocab.get, counts))
        if None in ids:
            ids = [self.term_id(t) for t in counts]
        tids = np.asarray(ids, dtype=np.int32)
        cnts = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        pid = self.pid_doc.append(doc)
        self.alive.append(True)
        length = int(cnts.sum())
        self.length.append(length)
        self.fwd_terms.append(tids)
        self.fwd_counts.append(cnts)
        self.n_alive += 1
        self.total_length += length
        self.df.data[tids] += 1
        self.n_delta += 1
        if bulk:
            return pid
        imps = cnts * (K1 + 1) / (cnts + K1 * (1 - B + B * length / max(self.avglen, 1.0)))
        for tid, imp in zip(tids.tolist(), imps.tolist(), strict=True):
            lists = self.d_postings.get(tid)
            if lists is None:
                self.d_postings[tid] = ([pid], [imp])
            else:
                lists[0].append(pid)
                lists[1].append(imp)
        return pid

    def remove(self, pid: int) -> None:
        if not self.alive.data[pid]:
            return
        self.alive.data[pid] = False
        self.n_alive -= 1
        self.total_length -= int(self.length.data[pid])
        self.df.data[self.fwd_terms[pid]] -= 1
        if pid < self.n_main:
            self.n_dead_main += 1
        self.maybe_compact()

    def maybe_compact(self) -> None:
        churn = self.n_delta + self.n_dead_main
        if churn > 1000 and churn > self.compact_ratio * max(self.n_alive, 1):
            self.compact()

    def compact(self) -> None:
        """Fold the delta and drop dead passages: one vectorised build of the main part."""
        n = self.pid_doc.n
        alive = self.alive.view
        pids = [p for p in range(n) if alive[p]]
        if pids:
            lens = np.fromiter((len(self.fwd_terms[p]) for p in pids), dtype=np.int64, count=len(pids))
            all_pids = np.repeat(np.asarray(pids, dtype=np.int32), lens)
            all_tids = np.concatenate([self.fwd_terms[p] for p in pids])
            all_cnt = np.concatenate([self.fwd_counts[p] for p in pids])
        else:
            all_pids = np.zeros(0, np.int32)
            all_tids = np.zeros(0, np.int32)
            all_cnt = np.zeros(0, np.float32)
        avglen = max(self.avglen, 1.0)
        plen = self.length.view[all_pids].astype(np.float32)
        imps = (all_cnt * (K1 + 1) / (all_cnt + K1 * (1 - B + B * plen / avglen))).astype(np.float32)
        order = np.lexsort((-imps, all_tids))
        self.m_pids = all_pids[order]
        self.m_imp = imps[order]
        counts = np.bincount(all_tids, minlength=len(self.vocab))
        self.m_ptr = np.zeros(len(self.vocab) + 1, dtype=np.int64)
        np.cumsum(counts, out=self.m_ptr[1:])
        self.m_avglen = avglen
        for p in range(n):  # dead passages never come back: free their forward entries
            if not alive[p] and self.fwd_terms[p] is not None:
                self.fwd_terms[p] = self.fwd_counts[p] = None
        self.d_postings = {}
        self.n_delta = 0
        self.n_dead_main = 0
        self.n_main = n

    # ---- reads --------------------------------------------------------------------------------------
    def idf(self, tid: int) -> float:
        df = int(self.df.data[tid])
        n = max(self.n_alive, 1)
        return float(np.log(1 + (n - df + 0.5) / (df + 0.5)))

    def score(self, weighted_terms: list[tuple[int, float]], *, max_postings: int) -> np.ndarray:
        """BM25 score of every passage id (dead ones 0) for terms given with query weights."""
        parts_p: list[np.ndarray] = []
        parts_w: list[np.ndarray] = []
        n_main_terms = len(self.m_ptr) - 1
        for tid, qweight in weighted_terms:
            w = self.idf(tid) * qweight
            if tid < n_main_terms:
                start, end = int(self.m_ptr[tid]), int(self.m_ptr[tid + 1])
                end = min(end, start + max_postings)
                if end > start:
                    parts_p.append(self.m_pids[start:end])
                    parts_w.append(self.m_imp[start:end] * w)
            delta = self.d_postings.get(tid)
            if delta:
                parts_p.append(np.asarray(delta[0], dtype=np.int32))
                parts_w.append(np.asarray(delta[1], dtype=np.float32) * w)
        n = self.pid_doc.n
        if not parts_p:
            return np.zeros(n, dtype=np.float64)
        scores = np.bincount(np.concatenate(parts_p), np.concatenate(parts_w), minlength=n)
        scores *= self.alive.view
        return scores
