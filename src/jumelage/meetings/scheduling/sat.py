"""A SAT encoding of "a schedule with at most k breaks?", solved by CaDiCaL (python-sat).

Variables: ``x[m,t]`` (meeting m in allowed slot t); ``u[p,t]`` (participant p busy in t);
``s[p,t]`` (p busy at or before t); ``h[p,t]`` (p starts a run in t after an earlier meeting: a
break ends in t). Clauses: each meeting in exactly one slot, a participant in at most one meeting per
slot, at most n_tables meetings per slot (cardinality network), precedences (m in t needs its
predecessor in a slot before t), ``u[p,t] ∧ ¬u[p,t-1] ∧ s[p,t-1] → h[p,t]``. Breaks of p = Σ_t h[p,t]
(only the implication is needed for an upper bound). Redundant: p is busy in exactly as many slots as
it has meetings (cardinality), and, per participant, at most lb_p + (k − Σ lb) breaks (everyone else
has at least their own per-participant bound lb; assumptions on per-participant totalizers).

Σ h ≤ k is an incremental totalizer: "at most k?" is one call under the assumption ¬out[k], and
the same solver goes on to k + 1 keeping what it learned. Fairness d: when some participant has no
possible break (0 or 1 meeting), every participant has at most d breaks; otherwise, for each j,
"someone has ≥ j + d + 1 breaks" forces "everyone has ≥ j + 1" (per-participant totalizers).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict

from pysat.card import CardEnc, EncType, ITotalizer
from pysat.formula import IDPool
from pysat.solvers import Solver

from jumelage.meetings.scheduling.checks import Prepared, breaks_lower_bound

SOLVER = "cadical195"


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
        self.h: dict = {}
        forced_zero = False
        lbs = {}
        for p in pb.participants:
            ks = prep.of.get(p, [])
            if len(ks) <= 1:
                forced_zero = True
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
            for r in counts.values():
                self.solver.add_clause([-flag, r[j]] if len(r) > j else [-flag])

    def at_most(self, k: int, *, deadline: float) -> bool | None:
        """True (a schedule is in ``self.read()``), False (refuted) or None (time up)."""
        assumptions = []
        if self.tot is not None and k < len(self.tot.rhs):
            assumptions = [-self.tot.rhs[k]]
        slack = k - self.lower
        for p, rhs in self.counts.items():
            cap = self.lbs[p] + slack
            if 0 <= cap < len(rhs):
                assumptions.append(-rhs[cap])
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
        # CaDiCaL cannot be interrupted: conflict budgets sized to about a tenth of a second each
        # (measured as it goes), checking the clock between them; the solver keeps what it learned
        while time.monotonic() < deadline:
            self.solver.conf_budget(self.budget)
            t = time.monotonic()
            res = self.solver.solve_limited(assumptions=assumptions)
            if res is not None:
                return res
            took = max(1e-3, time.monotonic() - t)
            self.budget = int(min(200_000, max(200, self.budget * 0.1 / took)))
        return None

    def read(self) -> list[int | None]:
        model = set(v for v in self.solver.get_model() if v > 0)
        return [next((t for t, v in xs.items() if v in model), None) for xs in self.x]

    def close(self) -> None:
        self.solver.delete()
