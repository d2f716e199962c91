"""The exact path: a CP-SAT model over (meeting, allowed slot) booleans.

Per participant p and slot t, ``u[p,t]`` (busy) is the sum of their meetings' booleans in t; a
"run start" ``r[p,t] = u[p,t] ∧ ¬u[p,t-1]`` is exact, and p's breaks are (number of run starts) − 1
(meetings form runs of consecutive slots; k runs leave k − 1 idle gaps between them). Redundant
constraints: a per-participant lower bound on breaks from the allowed slots, and the fairness bound
as max/min variables.
"""

from __future__ import annotations

import time
from collections import defaultdict

from ortools.sat.python import cp_model

from jumelage.meetings.scheduling.checks import Prepared, breaks_lower_bound
from jumelage.meetings.scheduling.model import total_breaks

# the SAT search joins in on days of at least this many slots and events of at most this many meetings
# (measured on the published instances: see solve_by_bounds and bench/README.md)
SAT_MIN_SLOTS = 16
SAT_MAX_MEETINGS = 250


class _Model:
    def __init__(
        self,
        prep: Prepared,
        *,
        allow_unplaced: bool = False,
        use_alldiff: bool = False,
        use_starts: bool = True,
    ):
        self.prep = prep
        pb = prep.problem
        T = pb.n_slots
        self.T = T
        m = cp_model.CpModel()
        self.model = m
        self.x: list[dict[int, cp_model.IntVar]] = []
        by_slot = defaultdict(list)
        for k, dom in enumerate(prep.domains):
            xs = {t: m.NewBoolVar(f"x{k}_{t}") for t in dom}
            self.x.append(xs)
            if allow_unplaced:
                m.AddAtMostOne(xs.values())
            else:
                m.AddExactlyOne(xs.values())
            for t, v in xs.items():
                by_slot[t].append(v)
        self.placed = None
        self.is_placed = []
        if allow_unplaced:
            for xs in self.x:
                b = m.NewBoolVar("")
                m.Add(sum(xs.values()) == b)
                self.is_placed.append(b)
            self.placed = sum(pb.meetings[k].weight * b for k, b in enumerate(self.is_placed))
        for _t, vs in by_slot.items():
            if len(vs) > pb.n_tables:
                m.Add(sum(vs) <= pb.n_tables)
        self.use_alldiff = use_alldiff and not allow_unplaced
        self.use_starts = use_starts and not allow_unplaced
        self.zs: list = []
        self.start_vars: list = []
        self.S = []
        if self.use_alldiff:
            for xs in self.x:
                v = m.NewIntVar(min(xs), max(xs), "") if xs else m.NewConstant(0)
                if xs:
                    m.Add(v == sum(t * b for t, b in xs.items()))
                self.S.append(v)
        # precedences on the slot numbers
        for k, mt in enumerate(pb.meetings):
            for j in mt.after:
                if self.x[k] and self.x[j]:
                    if allow_unplaced:
                        # an unplaced meeting releases the precedence
                        m.Add(
                            sum(t * v for t, v in self.x[j].items()) + 1
                            <= sum(t * v for t, v in self.x[k].items())
                        ).OnlyEnforceIf([self.is_placed[k], self.is_placed[j]])
                    else:
                        m.Add(
                            sum(t * v for t, v in self.x[j].items()) + 1
                            <= sum(t * v for t, v in self.x[k].items())
                        )
                        # boolean form: j placed at or after t forbids k at or before t
                        for t in sorted(self.x[k]):
                            later_j = [v for s, v in self.x[j].items() if s >= t]
                            if later_j and len(later_j) < len(self.x[j]):
                                m.AddBoolOr([self.x[k][t].Not()] + [v for s, v in self.x[j].items() if s < t])
        # busy, run starts and breaks per participant
        self.u: dict = {}
        self.breaks: dict = {}
        lbs = {}
        fair = pb.fairness
        for p in pb.participants:
            ks = prep.of.get(p, [])
            if not ks:
                self.breaks[p] = 0
                continue
            u = {}
            for t in range(1, T + 1):
                vs = [self.x[k][t] for k in ks if t in self.x[k]]
                if not vs:
                    continue
                if len(vs) == 1:
                    u[t] = vs[0]
                else:
                    b = m.NewBoolVar(f"u{p}_{t}")
                    m.AddAtMostOne(vs)
                    m.AddBoolOr([*vs, b.Not()])
                    for v in vs:
                        m.AddImplication(v, b)
                    u[t] = b
            self.u[p] = u
            if not allow_unplaced:
                # redundant: every meeting is placed, in distinct slots, so p is busy in exactly len(ks)
                m.Add(sum(u.values()) == len(ks))
            if len(ks) == 1:
                self.breaks[p] = 0
                continue
            starts = []
            for t, ut in u.items():
                prev = u.get(t - 1)
                if prev is None:
                    starts.append(ut)
                    continue
                r = m.NewBoolVar(f"r{p}_{t}")
                m.AddImplication(r, ut)
                m.AddImplication(r, prev.Not())
                m.AddBoolOr([ut.Not(), prev, r])
                starts.append(r)
            # the per-participant bound assumes every meeting placed: none when some may be left out
            lb = 0 if allow_unplaced else breaks_lower_bound(prep, p)
            lbs[p] = lb
            ub = len(ks) - 1
            bp = m.NewIntVar(lb, max(lb, ub), f"B{p}")
            if allow_unplaced:
                # a participant with no placed meeting has no run start: breaks = max(0, runs - 1)
                anyp = m.NewBoolVar("")
                m.AddMaxEquality(anyp, list(u.values()))
                m.Add(bp == sum(starts) - 1).OnlyEnforceIf(anyp)
                m.Add(bp == 0).OnlyEnforceIf(anyp.Not())
            else:
                m.Add(bp == sum(starts) - 1)
            self._window(p, u, bp)
            self.breaks[p] = bp
        self.lbs = lbs
        if not allow_unplaced:
            # redundant: the busy participants of a slot are matched in pairs at <= n_tables tables
            for t in range(1, T + 1):
                us = [self.u[p][t] for p in self.u if t in self.u[p]]
                if len(us) > 2 * pb.n_tables:
                    m.Add(sum(us) <= 2 * pb.n_tables)
                if us and by_slot.get(t):
                    m.Add(sum(us) == 2 * sum(by_slot[t]))
        self.total = sum(v for v in self.breaks.values() if not isinstance(v, int))
        if fair is not None and pb.participants:
            vars_ = [v for v in self.breaks.values() if not isinstance(v, int)]
            has_zero = any(isinstance(v, int) for v in self.breaks.values())
            if has_zero:
                for v in vars_:
                    m.Add(v <= fair)
            elif vars_:
                hi = m.NewIntVar(0, T, "Bmax")
                lo = m.NewIntVar(0, T, "Bmin")
                for v in vars_:
                    m.Add(v <= hi)
                    m.Add(v >= lo)
                m.Add(hi - lo <= fair)
        self.static_lb = sum(lbs.values())
        # rescheduling: a meeting of the previous schedule that leaves its slot (or is left out) counts
        # one move; 1 - x[k, previous slot]
        self.kept = [
            xs[mt.previous_slot]
            for xs, mt in zip(self.x, pb.meetings, strict=True)
            if mt.previous_slot is not None and mt.previous_slot in xs
        ]
        self.n_previous = sum(1 for mt in pb.meetings if mt.previous_slot is not None)
        self.moved = self.n_previous - sum(self.kept)

    def _window(self, p, u: dict, bp) -> None:
        """Redundant: started[t] / ends_later[t] booleans; an idle slot inside the window means a break."""
        m = self.model

        def monotone(ts):
            out, prev = {}, None
            for t in ts:
                ut = u.get(t)
                if ut is None:
                    out[t] = prev
                elif prev is None:
                    out[t] = prev = ut
                else:
                    v = m.NewBoolVar("")
                    m.AddImplication(prev, v)
                    m.AddImplication(ut, v)
                    m.AddBoolOr([v.Not(), prev, ut])
                    out[t] = prev = v
            return out

        span = range(min(u), max(u) + 1)
        started = monotone(span)
        later = monotone(reversed(span))
        z = m.NewBoolVar(f"z{p}")
        self.zs.append(z)
        m.Add(bp >= 1).OnlyEnforceIf(z)
        m.Add(bp == 0).OnlyEnforceIf(z.Not())
        if self.use_starts:
            # an unbroken participant occupies one window of len(ks) consecutive slots: choose its start
            n = len(self.prep.of[p])
            starts = {}
            for s0 in range(min(u), max(u) - n + 2):
                if all(t in u for t in range(s0, s0 + n)):
                    v = m.NewBoolVar("")
                    starts[s0] = v
                    for t in u:
                        m.AddImplication(v, u[t] if s0 <= t < s0 + n else u[t].Not())
            m.Add(sum(starts.values()) + z == 1)
            self.start_vars.extend(starts.values())
        if self.use_alldiff:
            ks = self.prep.of[p]
            lo, hi = min(u), max(u)
            f = m.NewIntVar(lo, hi, "")
            last = m.NewIntVar(lo, hi, "")
            for k in ks:
                m.Add(f <= self.S[k])
                m.Add(last >= self.S[k])
            m.Add(last - f + 1 == len(ks)).OnlyEnforceIf(z.Not())
            m.AddAllDifferent([self.S[k] for k in ks])
        for t in span:
            h, g = started[t], later[t]
            if h is None or g is None:
                continue
            lits = [h.Not(), g.Not(), z]
            if t in u:
                lits.append(u[t])
            m.AddBoolOr(lits)

    def hint(self, slots: list[int | None]) -> None:
        for k, xs in enumerate(self.x):
            for t, v in xs.items():
                self.model.AddHint(v, 1 if slots[k] == t else 0)

    def read(self, solver: cp_model.CpSolver) -> list[int | None]:
        out: list[int | None] = []
        for xs in self.x:
            out.append(next((t for t, v in xs.items() if solver.BooleanValue(v)), None))
        return out


class _Best(cp_model.CpSolverSolutionCallback):
    """Keeps the best schedule seen (anytime) and can stop at a target."""

    def __init__(self, mdl: _Model):
        super().__init__()
        self.mdl = mdl
        self.best = None
        self.best_obj = None
        self.count = 0

    def on_solution_callback(self) -> None:
        self.count += 1
        self.best_obj = self.ObjectiveValue()
        self.best = [next((t for t, v in xs.items() if self.BooleanValue(v)), None) for xs in self.mdl.x]


def solve_exact(
    prep: Prepared,
    *,
    time_limit: float,
    workers: int = 2,
    hint: list[int | None] | None = None,
    params: dict | None = None,
    allow_unplaced: bool = False,
):
    """Minimise the total breaks. Returns (status name, slots or None, objective, bound, stats)."""
    t0 = time.monotonic()
    mdl = _Model(prep, allow_unplaced=allow_unplaced)
    m = mdl.model
    if allow_unplaced:
        # lexicographic: every placed meeting outweighs any number of moves, and every move of a
        # meeting of the previous schedule outweighs any number of breaks
        big = 1 + sum(max(0, len(ks) - 1) for ks in prep.of.values())
        if mdl.n_previous:
            m.Maximize(big * (mdl.n_previous + 1) * mdl.placed - big * mdl.moved - mdl.total)
        else:
            m.Maximize(big * mdl.placed - mdl.total)
    else:
        m.Minimize(mdl.total)
    if hint is not None:
        mdl.hint(hint)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, time_limit - (time.monotonic() - t0))
    solver.parameters.num_workers = workers
    for key, val in (params or {}).items():
        setattr(solver.parameters, key, val)
    cb = _Best(mdl)
    st = solver.Solve(m, cb)
    stats = {"build_s": round(time.monotonic() - t0, 3), "cpsat_status": solver.StatusName(st)}
    if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return (
            "optimal" if st == cp_model.OPTIMAL else "feasible",
            mdl.read(solver),
            round(solver.ObjectiveValue()),
            round(solver.BestObjectiveBound()),
            stats,
        )
    if st == cp_model.INFEASIBLE:
        return "infeasible", None, None, None, stats
    return "unknown", None, None, max(mdl.static_lb, round(solver.BestObjectiveBound())), stats


def solve_by_bounds(
    prep: Prepared,
    *,
    deadline: float,
    lower: int,
    incumbent: tuple[list[int], int] | None = None,
    workers: int = 4,
    params: dict | None = None,
    bound_phase: float = 0.2,
    first_try: float = 0.8,
    sat: bool = True,
    sat_first: float = 0.5,
    sat_refute: float = 0.15,
    cp_slice: float = 1.5,
    polish: float = 0.2,
    blind_try: float = 0.6,
    rescue_polish: float = 0.15,
    lns: float = 0.75,
    seed: int = 0,
):
    """Linear search from the lower bound: is there a schedule with at most k breaks, k = lower, lower+1, …

    The first satisfiable k is optimal (k - 1 was refuted). ``incumbent`` (slots, breaks) is a known
    schedule, used as the hint and returned when every k below it is refuted. Returns (status, slots,
    breaks, proven bound, stats) with status "optimal", "infeasible" (no schedule at all) or "unknown"
    when the deadline struck (then slots/breaks are the incumbent's, bound the last k not refuted).

    Order: (1) CP-SAT "at most ``lower``?" for up to ``first_try`` of the time — the per-participant
    bound is often the optimum, and CP-SAT decides it fast on most events. (2) When CP-SAT refuted it
    on a day of at least ``SAT_MIN_SLOTS`` slots and an event of at most ``SAT_MAX_MEETINGS`` meetings
    (the tight 21–22-slot events):
    - the SAT search (sat.SatModel, CaDiCaL) for ``sat_first`` of the time left: one incremental solver
      for the whole run, "at most k?" under an assumption, k up, so it resumes where it stopped and
      keeps what it learned; it finds the low-break schedules of these events that CP-SAT does not;
    - then CP-SAT's short optimisation (``cp_slice`` seconds): a schedule to return if the SAT search
      has none, an objective bound that may lift k, sometimes the optimum; then ``polish`` of the time
      left for the annealing from the best schedule (or from the greedy one when there is none), then
      ``lns`` of the time left for the large-neighbourhood search of lns.py on the SAT search's
      solver (meetings outside a neighbourhood kept in their slots by assumptions, "at most best − 1?"
      asked with a small conflict budget): the schedule returned if nothing is proven (the four crafb
      events: 12–24 breaks against 20–32 without it, bench/README.md), optimal if it comes down to k;
    - then the SAT search again until the deadline.
    (Measured: in the bench runs of 26–27 Nov CP-SAT's "at most k?" after its optimisation never
    decided anything on these events, the SAT search found every schedule that was found.)
    On long days with more than ``SAT_MAX_MEETINGS`` meetings (the SAT search is slow to find a
    schedule there, CP-SAT finds it), the SAT search only refutes k up for ``sat_refute`` of the time
    left, then CP-SAT goes on alone as below (without its optimisation when the SAT search lifted k
    and a schedule is known: "at most k?" gets the time).
    Otherwise — CP-SAT could not decide the bound in time (it is looking for a schedule at the bound,
    e.g. the 302-meeting events), days shorter than ``SAT_MIN_SLOTS`` (where the SAT search found
    nothing) — CP-SAT alone: a short optimisation (``bound_phase`` of the time left), then
    "at most k?" with all the time left, k up. On short days whose bound CP-SAT refuted, no
    optimisation: it ran to its cap there before the same refutations (bench/README.md, session 6).
    Each k that one refutes is refuted for both.

    Never without a schedule when one is findable: with no schedule in hand, the first CP-SAT call
    gets ``blind_try`` of the time (not ``first_try``), and whenever the search is past that share of
    the time with no schedule, :func:`first_schedule` (the SAT model without a break limit: 0.7–2.3 s
    on the 302-meeting prec15 events, where the local search and CP-SAT found none in 10 s under load)
    gives one, annealed for ``rescue_polish`` of the time left; the search then goes on from it.
    """
    k = lower
    stats: dict = {"calls": []}
    checked_feasible = incumbent is not None
    sm = None
    t_start = time.monotonic()
    rescue_at = t_start + blind_try * max(0.0, deadline - t_start)
    rescued = False

    def call(bound: int | None, limit: float | None = None, first: bool = True):
        left = deadline - time.monotonic()
        if left <= 0.05:
            return None, None
        mdl = _Model(prep)
        if bound is not None:
            mdl.model.Add(mdl.total <= bound)
        else:
            mdl.model.Add(mdl.total >= k)
            mdl.model.Minimize(mdl.total)
        if incumbent is not None:
            mdl.hint(incumbent[0])
        solver = cp_model.CpSolver()
        left = deadline - time.monotonic()  # the model build took some of it
        if left <= 0.05:
            return None, None
        if limit is not None and limit <= 0:
            return None, None
        solver.parameters.max_time_in_seconds = min(left, limit if limit is not None else left)
        solver.parameters.num_workers = workers
        if bound is None and first:
            solver.parameters.stop_after_first_solution = True
        for key, val in (params or {}).items():
            setattr(solver.parameters, key, val)
        t = time.monotonic()
        st = solver.Solve(mdl.model)
        stats["calls"].append((bound, solver.StatusName(st), round(time.monotonic() - t, 2)))
        if bound is None and not first:
            stats["bound_phase"] = (solver.StatusName(st), round(solver.BestObjectiveBound()))
            if st in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.UNKNOWN):
                lift(round(solver.BestObjectiveBound()))
            if st == cp_model.INFEASIBLE:
                # every total below k is refuted (or below the proven bound): no schedule at all
                return "unsat", None
        if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            total = sum(round(solver.Value(v)) for v in mdl.breaks.values() if not isinstance(v, int))
            return ("optimal" if st == cp_model.OPTIMAL and bound is None else "sat"), (
                mdl.read(solver),
                total,
            )
        if st == cp_model.INFEASIBLE:
            return "unsat", None
        return None, None

    def lift(b: int) -> None:
        nonlocal k
        k = max(k, b)

    def sat_turn(until: float, patience: float | None = None):
        """Run the SAT search of k, k + 1, … until ``until``; a schedule found is optimal.
        ``patience``: give up as soon as one k is not decided within that many seconds."""
        nonlocal sm
        t = time.monotonic()
        top = incumbent[1] - 1 if incumbent is not None else k + 40
        if sm is None:
            from jumelage.meetings.scheduling.sat import SatModel

            sm = SatModel(prep, max_k=top)
            stats["sat_build_s"] = round(time.monotonic() - t, 2)
        while k <= top and time.monotonic() < until:
            stop = until if patience is None else min(until, time.monotonic() + patience)
            res = sm.at_most(k, deadline=stop)
            if res is None:
                break
            if res:
                slots = sm.read()
                stats["sat"] = [*stats.get("sat", []), (k, "sat", round(time.monotonic() - t, 2))]
                return slots
            stats["sat"] = [*stats.get("sat", []), (k, "unsat", round(time.monotonic() - t, 2))]
            lift(k + 1)
        return None

    # The steps below return the final answer, or None to go on.
    def proven():
        if incumbent is not None and k >= incumbent[1]:
            return "optimal", incumbent[0], incumbent[1], incumbent[1], stats
        return None

    def sat_answer(until: float, patience: float | None = None):
        slots = sat_turn(until, patience)
        if slots is None:
            return None
        total = total_breaks(prep.problem, slots)
        return "optimal", slots, total, total, stats

    def optimise(limit: float):
        """CP-SAT's short optimisation (its objective bound lifts k); keeps its schedule if better."""
        nonlocal incumbent, checked_feasible
        res, sol = call(None, limit=limit, first=False)
        if res == "unsat":
            return "infeasible", None, None, None, stats
        if res == "optimal":
            return "optimal", sol[0], sol[1], sol[1], stats
        if sol is not None and (incumbent is None or sol[1] < incumbent[1]):
            incumbent = sol
        checked_feasible = checked_feasible or sol is not None
        return None

    def polish_incumbent() -> None:
        """The schedule returned if nothing is proven: annealing from the best one, or from the greedy
        construction when neither search has one yet."""
        nonlocal incumbent
        from jumelage.meetings.scheduling.heuristic import local_search

        share = polish * max(0.0, deadline - time.monotonic())
        until = time.monotonic() + share
        start = incumbent[0] if incumbent is not None else None
        best, best_obj = local_search(
            prep, deadline=until, target=k, start=start, extend_until=until + share if start is None else None
        )
        stats["polish"] = (incumbent[1] if incumbent is not None else None, best_obj)
        if best is not None and (incumbent is None or best_obj < incumbent[1]):
            incumbent = (best, best_obj)

    def improve_by_lns(share: float):
        """The large-neighbourhood search of lns.py on the SAT search's solver, from the best schedule:
        the schedule returned when nothing is proven; optimal if it comes down to the proven bound."""
        nonlocal incumbent
        if sm is None or incumbent is None or share <= 0:
            return None
        from jumelage.meetings.scheduling.lns import improve

        before = incumbent[1]
        sm.extend(before)
        slots, total = improve(
            prep, sm, incumbent[0], deadline=time.monotonic() + share, floor=k, seed=seed, stats=stats
        )
        stats["lns"] = (before, *stats.get("lns", ()))
        # the SAT search's conflict chunks were sized before the LNS grew the solver's clause
        # database: size them afresh (at_most re-tunes them to sat.CHUNK from this)
        sm.budget = min(sm.budget, 200)
        if total < incumbent[1]:
            incumbent = (slots, total)
        return proven()

    def rescue(force: bool = False):
        """With no schedule in hand past ``rescue_at`` (or ``force``): the SAT model without a break
        limit, then an annealing of its schedule. Returns a final answer (no schedule at all) or None."""
        nonlocal incumbent, checked_feasible, rescued
        if incumbent is not None or rescued or not (force or time.monotonic() >= rescue_at):
            return None
        rescued = True
        t = time.monotonic()
        # CaDiCaL's time to a first schedule has a tail (forum-14.prec15: 1.3–2.7 s alone, none in
        # 10 s once under load): the local search gets the last part of the time
        left = max(0.0, deadline - 0.05 - time.monotonic())
        slots = first_schedule(prep, deadline=time.monotonic() + 0.7 * left)
        stats["rescue"] = ["none" if slots is False else "sat" if slots else "unknown"]
        if slots is False:
            return "infeasible", None, None, None, stats
        from jumelage.meetings.scheduling.heuristic import local_search

        if slots is None:
            until = deadline - 0.05
            best, best_obj = local_search(prep, deadline=until, target=k, extend_until=until)
            stats["rescue"].append("local search" if best is not None else "none found")
            if best is not None:
                incumbent, checked_feasible = (best, best_obj), True
            return proven()
        total = total_breaks(prep.problem, slots)
        until = time.monotonic() + rescue_polish * max(0.0, deadline - time.monotonic())
        best, best_obj = local_search(prep, deadline=until, target=k, start=slots)
        incumbent = (best, best_obj) if best is not None and best_obj < total else (slots, total)
        checked_feasible = True
        stats["rescue"] += [total, incumbent[1], round(time.monotonic() - t, 2)]
        return proven()

    try:
        if sat:
            try:
                import pysat  # noqa: F401
            except ImportError:  # pragma: no cover - python-sat is a declared dependency
                sat = False
        # (1) the per-participant bound first
        res = "unsat"
        if incumbent is None or incumbent[1] > k:
            share = first_try if incumbent is not None else min(first_try, blind_try)
            res, sol = call(k, limit=share * max(0.0, deadline - time.monotonic()))
            if res == "sat":
                return "optimal", sol[0], sol[1], sol[1], stats
            if res == "unsat":
                lift(k + 1)  # whether any schedule exists at all is settled by the optimisation run below
            elif (answer := rescue()) is not None:
                return answer
            # SAT pays where the bound was refuted at once on long days (the tight 21–22-slot events);
            # where CP-SAT could not decide it in time, it is searching for a schedule at the bound, and
            # on short days (10 slots) it refutes k after k faster alone: let it go on
            pb = prep.problem
            long_day = sat and res == "unsat" and pb.n_slots >= SAT_MIN_SLOTS
            sat = long_day and len(pb.meetings) <= SAT_MAX_MEETINGS
            if res == "unsat" and pb.n_slots < SAT_MIN_SLOTS:
                # short days (the 10-slot events) with the bound refuted: "at most k?", k up, at once —
                # the optimisation ran to its cap there (2 s) before the same refutations (tic-13crafc,
                # tic-14crafc.fixed020-Forb, forumt-14crafe original/prec15: 12.4 s against 22.7 s)
                bound_phase = 0.0
            if long_day and not sat:
                # larger events: the SAT search only refutes k up (fast there: forum-14 and
                # ticf-14crafa fixed020-Forb up to one below the optimum in 0.1–0.3 s), CP-SAT goes on
                k_before = k
                share = sat_refute * max(0.0, deadline - time.monotonic())
                # each refutation took 0.01–0.1 s there; a k not decided in a quarter of the share is
                # left to CP-SAT (the one at the optimum: the SAT search finds no schedule there)
                if (answer := sat_answer(time.monotonic() + share, patience=share / 4)) is not None:
                    return answer
                # the SAT refutations lifted k: CP-SAT's optimisation (there for its bound) is skipped
                # and "at most k?" gets the time (it found no schedule in 1.4 s there, load 5–7)
                if k > k_before and incumbent is not None:
                    bound_phase = 0.0
        bound_done = bound_phase <= 0
        if sat:
            # (2') long days, the bound refuted: the SAT search first (it found every schedule of these
            # events that was found in the bench runs; CP-SAT's "at most k?" turns after its
            # optimisation never did), then CP-SAT's short optimisation (a schedule to return, its
            # objective bound, sometimes the optimum), then the SAT search again until the deadline
            answer = proven() or sat_answer(time.monotonic() + sat_first * (deadline - time.monotonic()))
            if answer is None and not bound_done:
                answer = proven() or optimise(cp_slice)
                if answer is None and polish > 0:
                    polish_incumbent()
                if answer is None and lns > 0:
                    answer = improve_by_lns(lns * max(0.0, deadline - time.monotonic()))
            answer = answer or rescue(force=True)
            if (answer := answer or proven() or sat_answer(deadline)) is not None:
                return answer
        while not sat and time.monotonic() < deadline - 0.05:  # (2) CP-SAT alone
            if (answer := proven() or rescue()) is not None:
                return answer
            if not bound_done:
                bound_done = True
                answer = optimise(bound_phase * max(0.0, deadline - time.monotonic()))
                if answer is not None:
                    return answer
            else:
                res, sol = call(k)
                if res == "sat":
                    return "optimal", sol[0], sol[1], sol[1], stats
                if res == "unsat":
                    lift(k + 1)
                    if not checked_feasible:
                        checked_feasible = True
                        res, sol = call(None)
                        if res == "unsat":
                            return "infeasible", None, None, None, stats
                        if sol is not None:
                            incumbent = sol
            if incumbent is not None and k >= incumbent[1]:
                continue
    finally:
        if sm is not None:
            sm.close()
    if incumbent is not None:
        if k >= incumbent[1]:
            return "optimal", incumbent[0], incumbent[1], incumbent[1], stats
        return "unknown", incumbent[0], incumbent[1], k, stats
    return "unknown", None, None, k, stats


def first_schedule(prep: Prepared, *, deadline: float) -> list[int] | bool | None:
    """Any schedule (no limit on breaks, fairness kept): the SAT model of sat.py without its break
    bound. Returns the slots, False when no schedule exists, None when the deadline struck."""
    from jumelage.meetings.scheduling.sat import SatModel

    sm = SatModel(prep, max_k=0)
    try:
        res = sm.at_most(None, deadline=deadline)
        return sm.read() if res else res
    finally:
        sm.close()
