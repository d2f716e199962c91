"""A SAT encoding of "a schedule with at most k breaks?", solved by CaDiCaL (python-sat).

Variables: ``x[m,t]`` (meeting m in allowed slot t); ``u[p,t]`` (participant p busy in t);
``s[p,t]`` (p busy at or before t); ``h[p,t]`` (p starts a run in t after an earlier meeting: a
break ends in t). Clauses: each meeting in exactly one slot, a participant in at most one meeting per
slot, at most n_tables meetings per slot (cardinality network), precedences (m in t needs its
predecessor in a slot before t), ``u[p,t] ∧ ¬u[p,t-1] ∧ s[p,t-1] → h[p,t]``, and the converse when
fairness bounds counts from below (nobody with fewer than 2 meetings). Breaks of p = Σ_t h[p,t].
Redundant: p is busy in exactly as many slots as it has meetings (cardinality), and, per participant,
at most lb_p + (k − Σ lb) breaks (everyone else has at least their own per-participant bound lb;
assumptions on per-participant totalizers). Symmetry: participants that are interchangeable (the
same partners with the same allowed slots, nothing locked, ordered or already published) are ordered
by the slot of their meeting with their first partner (:func:`interchangeable`);
:meth:`SatModel.canonical` reorders a schedule found elsewhere to match.

Σ h ≤ k is an incremental totalizer: "at most k?" is one call under the assumption ¬out[k], and
the same solver goes on to k + 1 keeping what it learned. Fairness d: when some participant has no
possible break (0 or 1 meeting), every participant has at most d breaks; otherwise, for each j,
"someone has ≥ j + d + 1 breaks" forces "everyone has ≥ j + 1" (per-participant totalizers).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import defaultdict

from pysat.card import CardEnc, EncType, ITotalizer
from pysat.formula import IDPool
from pysat.solvers import Solver

from jumelage.meetings.scheduling.checks import Prepared, breaks_lower_bound

SOLVER = "cadical195"
CHUNK = 0.3  # seconds of CaDiCaL between two looks at the clock (it cannot be interrupted)


def interchangeable(prep: Prepared) -> list[list[list[int]]]:
    """Groups of interchangeable participants, each member given by its meetings in one common order.

    Two participants are interchangeable when they have the same partners with the same allowed slots
    per meeting, and none of their meetings is locked, ordered by a precedence or already published:
    exchanging them maps every schedule to one as good. In the tight published events these are the
    one-meeting visitors of the same exhibitor (7 in forum-13crafb and ticf-13crafb: 7! orders of
    the same schedule, which the SAT search otherwise explores one by one)."""
    pb = prep.problem
    pinned = set()
    for m in pb.meetings:
        if m.fixed_slot is not None or m.after or m.previous_slot is not None:
            pinned |= {m.a, m.b}
        for j in m.after:
            pinned |= {pb.meetings[j].a, pb.meetings[j].b}
    groups = defaultdict(list)
    for p in pb.participants:
        ks = prep.of.get(p, [])
        if not ks or p in pinned:
            continue
        rows = sorted(
            (repr(pb.meetings[k].b if pb.meetings[k].a == p else pb.meetings[k].a), tuple(prep.domains[k]), k)
            for k in ks
        )
        key = tuple((q, dom) for q, dom, _k in rows)
        groups[key].append([k for _q, _d, k in rows])
    return [g for g in groups.values() if len(g) > 1]


class SatModel:
    def __init__(
        self,
        prep: Prepared,
        *,
        max_k: int,
        redundant: bool = True,
        per_participant: bool = True,
        solver: str = SOLVER,
    ):
        pb = prep.problem
        self.prep = prep
        T, L = pb.n_slots, pb.n_tables
        pool = IDPool()
        self.pool = pool
        clauses: list[list[int]] = []
        add = clauses.append
        self.x: list[dict[int, int]] = []
        by_slot = defaultdict(list)
        for k, dom in enumerate(prep.domains):
            xs = {t: pool.id(("x", k, t)) for t in dom}
            self.x.append(xs)
            lits = list(xs.values())
            add(lits)
            for i in range(len(lits)):
                for j in range(i + 1, len(lits)):
                    add([-lits[i], -lits[j]])
            for t, v in xs.items():
                by_slot[t].append(v)
        for _t, vs in by_slot.items():
            if len(vs) > L:
                clauses += CardEnc.atmost(vs, bound=L, vpool=pool, encoding=EncType.seqcounter).clauses
        for k, mt in enumerate(pb.meetings):
            for j in mt.after:
                for t, v in self.x[k].items():
                    add([-v] + [w for s, w in self.x[j].items() if s < t])
        # symmetry: interchangeable participants in the order of their first meeting's slot (the
        # same partner, so never the same slot)
        self.groups = interchangeable(prep)
        for group in self.groups:
            for first, then in itertools.pairwise(group):
                for t, v in self.x[then[0]].items():
                    add([-v] + [w for s, w in self.x[first[0]].items() if s < t])
        self.h: dict = {}
        # someone with 0–1 meeting has no break: fairness is then "at most d each", an upper bound,
        # for which h → break is not needed (every published instance; the exact form slowed the
        # search for a first schedule of forum-14/ticf-14crafa prec15 from 1–4 s to over 15 s)
        forced_zero = any(len(prep.of.get(p, [])) <= 1 for p in pb.participants)
        exact_h = pb.fairness is not None and not forced_zero
        lbs = {}
        for p in pb.participants:
            ks = prep.of.get(p, [])
            if len(ks) <= 1:
                continue
            u = {}
            for t in range(1, T + 1):
                vs = [self.x[k][t] for k in ks if t in self.x[k]]
                if not vs:
                    continue
                b = pool.id(("u", p, t))
                for i in range(len(vs)):
                    add([-vs[i], b])
                    for j in range(i + 1, len(vs)):
                        add([-vs[i], -vs[j]])
                add([-b, *vs])
                u[t] = b
            if redundant and len(u) > len(ks):
                busy = list(u.values())
                clauses += CardEnc.equals(
                    busy, bound=len(ks), vpool=pool, encoding=EncType.seqcounter
                ).clauses
            hs = []
            started_prev = None
            for t in range(min(u), max(u) + 1):
                ut = u.get(t)
                if started_prev is not None and ut is not None:
                    h = pool.id(("h", p, t))
                    prev = u.get(t - 1)
                    add([-ut, -started_prev, h] + ([prev] if prev is not None else []))
                    if exact_h:
                        # and back: h only where a break ends. The fairness clauses then force
                        # counts up ("everyone ≥ j + 1"), which a free h would meet without a break
                        add([-h, ut])
                        add([-h, started_prev])
                        if prev is not None:
                            add([-h, -prev])
                    hs.append(h)
                s = pool.id(("s", p, t))
                if started_prev is not None:
                    add([-started_prev, s])
                if ut is not None:
                    add([-ut, s])
                add(
                    [-s]
                    + ([started_prev] if started_prev is not None else [])
                    + ([ut] if ut is not None else [])
                )
                started_prev = s
            self.h[p] = hs
            lbs[p] = breaks_lower_bound(prep, p)
        self.lower = sum(lbs.values())
        all_h = [h for hs in self.h.values() for h in hs]
        self.solver = Solver(name=solver, bootstrap_with=clauses)
        self.interruptible = not solver.startswith("cadical")
        self.budget = 2_000
        self.tot = None
        self.max_k = max_k  # "at most k" is expressed for k ≤ max_k (the totalizer's upper bound)
        if all_h:
            self.tot = ITotalizer(lits=all_h, ubound=min(len(all_h), max_k + 1), top_id=pool.top)
            pool.top = max(pool.top, self.tot.top_id)  # the totalizer took these ids
            self.solver.append_formula(self.tot.cnf.clauses)
        # per-participant counters: rhs[j] true when p has at least j + 1 breaks. "At most k in all"
        # caps each p at lb_p + (k - Σ lb) (everyone else has at least their own bound): assumptions
        # in at_most, a propagation the global totalizer alone does not make
        self.lbs = lbs
        self.counts: dict = {}
        if per_participant:
            for p, hs in self.h.items():
                if hs:
                    t = ITotalizer(lits=hs, ubound=len(hs), top_id=pool.top)
                    pool.top = max(pool.top, t.top_id)
                    self.solver.append_formula(t.cnf.clauses)
                    self.counts[p] = t.rhs
        d = pb.fairness
        if d is not None and self.h:
            if forced_zero:
                for p, hs in self.h.items():
                    if len(hs) <= d:
                        continue
                    if p in self.counts:
                        self.solver.add_clause([-self.counts[p][d]])
                    else:
                        cl = CardEnc.atmost(hs, bound=d, vpool=pool, encoding=EncType.seqcounter).clauses
                        self.solver.append_formula(cl)
            else:
                self._fairness(d)

    def _fairness(self, d: int) -> None:
        pool = self.pool
        counts = {}
        for p, hs in self.h.items():
            if p in self.counts:
                counts[p] = self.counts[p]
            elif hs:
                t = ITotalizer(lits=hs, ubound=len(hs), top_id=pool.top)
                pool.top = max(pool.top, t.top_id)
                self.solver.append_formula(t.cnf.clauses)
                counts[p] = t.rhs  # rhs[j] true when at least j + 1 breaks
            else:
                counts[p] = []
        top = max((len(r) for r in counts.values()), default=0)
        for j in range(top):
            hi = [r[j + d] for r in counts.values() if len(r) > j + d]  # someone ≥ j + d + 1
            if not hi:
                break
            flag = pool.id(("H", j))
            for v in hi:
                self.solver.add_clause([-v, flag])
            # "everyone ≥ j + 1" under the flag: a totalizer's rhs[j] only follows from the count
            # (true when ≥ j + 1, free otherwise), so the lower side is its own cardinality encoding
            for hs in self.h.values():
                if len(hs) <= j:
                    self.solver.add_clause([-flag])
                    break
                enc = CardEnc.atleast(hs, bound=j + 1, vpool=pool, encoding=EncType.seqcounter)
                for cl in enc.clauses:
                    self.solver.add_clause([-flag, *cl])

    def extend(self, max_k: int) -> None:
        """Let "at most k" be expressed up to ``max_k`` (the totalizer grows; the solver keeps what
        it learned)."""
        if self.tot is None or max_k <= self.max_k:
            return
        self.tot.increase(ubound=min(len(self.tot.lits), max_k + 1), top_id=self.pool.top)
        self.pool.top = max(self.pool.top, self.tot.top_id)
        if self.tot.nof_new:
            self.solver.append_formula(self.tot.cnf.clauses[-self.tot.nof_new :])
        self.max_k = max_k

    def _assume(self, k: int | None) -> list[int]:
        """Assumptions for "at most k breaks" (the global totalizer and the per-participant caps)."""
        assumptions = []
        if k is not None and self.tot is not None and k < len(self.tot.rhs):
            assumptions = [-self.tot.rhs[k]]
        for p, rhs in self.counts.items() if k is not None else ():
            cap = self.lbs[p] + k - self.lower
            if 0 <= cap < len(rhs):
                assumptions.append(-rhs[cap])
        return assumptions

    def decide(self, k: int, *, fixed: list[int], budget: int) -> bool | None:
        """Is there a schedule with at most k breaks and the literals ``fixed`` true, within ``budget``
        conflicts? (The sub-solves of lns.py: ``fixed`` keeps meetings in their slots.) True / False /
        None (budget spent)."""
        self.solver.conf_budget(budget)
        return self.solver.solve_limited(assumptions=self._assume(k) + fixed)

    def at_most(self, k: int | None, *, deadline: float) -> bool | None:
        """True (a schedule is in ``self.read()``), False (refuted) or None (time up). ``k`` None: any
        number of breaks (is there a schedule at all?)."""
        assumptions = self._assume(k)
        if time.monotonic() >= deadline:
            return None
        if self.interruptible:
            timer = threading.Timer(max(0.0, deadline - time.monotonic()), self.solver.interrupt)
            timer.start()
            try:
                return self.solver.solve_limited(assumptions=assumptions, expect_interrupt=True)
            finally:
                timer.cancel()
                self.solver.clear_interrupt()
        # CaDiCaL cannot be interrupted: conflict budgets sized to about CHUNK seconds each (measured
        # as it goes; less when the deadline is nearer), checking the clock between them; the solver
        # keeps what it learned. Each call restarts CaDiCaL's schedules: tenth-of-a-second chunks made
        # the crafc searches 25 % slower than 0.25–1 s ones (bench/README.md, session 7)
        while (left := deadline - time.monotonic()) > 0:
            share = min(1.0, left / CHUNK)
            self.solver.conf_budget(max(100, int(self.budget * share)))
            t = time.monotonic()
            res = self.solver.solve_limited(assumptions=assumptions)
            if res is not None:
                return res
            took = max(1e-3, time.monotonic() - t)
            self.budget = int(min(1_000_000, max(200, self.budget * share * CHUNK / took)))
        return None

    def canonical(self, slots: list[int | None]) -> list[int | None]:
        """``slots`` with each group of interchangeable participants exchanged into the order the
        model imposes (the same schedule up to who is who; for fixing meetings in lns.py)."""
        out = list(slots)
        for group in self.groups:
            rows = sorted(([slots[k] for k in ks] for ks in group), key=lambda r: (r[0] is None, r[0] or 0))
            for ks, row in zip(group, rows, strict=True):
                for k, t in zip(ks, row, strict=True):
                    out[k] = t
        return out

    def read(self) -> list[int | None]:
        model = set(v for v in self.solver.get_model() if v > 0)
        return [next((t for t, v in xs.items() if v in model), None) for xs in self.x]

    def close(self) -> None:
        self.solver.delete()
