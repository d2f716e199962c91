"""B2B meeting scheduler: the public entry point (pure Python, no Django import).

``solve(problem, time_limit=..., workers=...)`` places every meeting into a slot and a table:
nobody twice in a slot, sessions, unavailable slots, locks and precedences respected, no slot with more
meetings than tables, break counts within the fairness bound d of each other, and the total number of
breaks minimised. It is anytime: when the time limit strikes, it returns the best schedule found with
the proven lower bound. An impossible problem comes back with ``status == "infeasible"`` and
``conflicts`` naming the constraint and the participants/meetings concerned; malformed input raises
:class:`InvalidProblem`.

Path: pre-checks (obvious infeasibility) → greedy construction + simulated annealing (a good schedule
fast) → CP-SAT with that schedule as a hint (optimality proof and improvement). Events too large for
the exact model (or with ``exact=False``) stay on the local-search path, whose bound is the per-participant
lower bound (see checks.breaks_lower_bound).
"""

from __future__ import annotations

import time

from jumelage.meetings.scheduling.checks import Prepared, breaks_lower_bound, prepare
from jumelage.meetings.scheduling.model import (
    AFTERNOON,
    ANY,
    FEASIBLE,
    INFEASIBLE,
    MORNING,
    OPTIMAL,
    UNKNOWN,
    Conflict,
    InvalidProblem,
    Meeting,
    Problem,
    Schedule,
    count_breaks,
)

__all__ = [
    "AFTERNOON",
    "ANY",
    "FEASIBLE",
    "INFEASIBLE",
    "MORNING",
    "OPTIMAL",
    "UNKNOWN",
    "Conflict",
    "InvalidProblem",
    "Meeting",
    "Problem",
    "Schedule",
    "assign_tables",
    "breaks_by_participant",
    "solve",
]

EXACT_MAX_VARS = 40_000  # (meeting, slot) booleans above which the CP-SAT model is skipped


def breaks_by_participant(problem: Problem, slots: list[int | None]) -> dict:
    per: dict = {p: [] for p in problem.participants}
    for m, t in zip(problem.meetings, slots, strict=True):
        if t is not None:
            per[m.a].append(t)
            per[m.b].append(t)
    return {p: count_breaks(ts) for p, ts in per.items()}


def assign_tables(problem: Problem, slots: list[int | None]) -> list[int | None]:
    """Give each placed meeting a table (1..n_tables), distinct within a slot; a participant keeps the
    table of their previous meeting when it is free (stable tables)."""
    tables: list[int | None] = [None] * len(slots)
    last: dict = {}
    by_slot: dict[int, list[int]] = {}
    for k, t in enumerate(slots):
        if t is not None:
            by_slot.setdefault(t, []).append(k)
    for t in sorted(by_slot):
        free = set(range(1, problem.n_tables + 1))
        pending = []
        for k in by_slot[t]:
            m = problem.meetings[k]
            want = next((last[q] for q in (m.a, m.b) if last.get(q) in free), None)
            if want is not None:
                tables[k] = want
                free.discard(want)
            else:
                pending.append(k)
        rest = sorted(free)
        for k in pending:
            tables[k] = rest.pop(0) if rest else None
        for k in by_slot[t]:
            m = problem.meetings[k]
            last[m.a] = last[m.b] = tables[k]
    return tables


def _explain(prep: Prepared, time_limit: float, workers: int) -> list[Conflict]:
    from jumelage.meetings.scheduling.explain import explain_infeasibility

    return explain_infeasibility(prep.problem, time_limit=time_limit, workers=workers)


def solve(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    workers: int = 2,
    seed: int = 0,
    exact: bool | None = None,
    heuristic_share: float = 0.3,
    explain: bool = True,
    cpsat_params: dict | None = None,
) -> Schedule:
    """Schedule every meeting; see the module docstring. Raises InvalidProblem on malformed input."""
    t0 = time.monotonic()
    deadline = t0 + time_limit
    n = len(problem.meetings)
    prep = prepare(problem)

    def done(status, slots, breaks, bound, conflicts=(), **stats) -> Schedule:
        slots = slots if slots is not None else [None] * n
        placed = [t for t in slots if t is not None]
        return Schedule(
            status=status,
            slots=slots,
            tables=assign_tables(problem, slots) if placed else [None] * n,
            breaks=breaks,
            bound=bound,
            wall_time=time.monotonic() - t0,
            breaks_per_participant=breaks_by_participant(problem, slots) if placed else {},
            conflicts=list(conflicts),
            placed=len(placed),
            placed_bound=n,
            method="jumelage",
            stats=stats,
        )

    if prep.conflicts:
        return done(INFEASIBLE, None, None, None, prep.conflicts, phase="pre-checks")
    lb = sum(breaks_lower_bound(prep, p) for p in problem.participants)
    n_vars = sum(len(d) for d in prep.domains)
    use_exact = exact if exact is not None else n_vars <= EXACT_MAX_VARS

    from jumelage.meetings.scheduling.heuristic import local_search

    budget = time_limit * (heuristic_share if use_exact else 1.0)
    best, best_obj = local_search(prep, deadline=min(deadline, time.monotonic() + budget), target=lb, seed=seed)
    if best is not None and best_obj <= lb:
        return done(OPTIMAL, best, best_obj, lb, phase="local search at the lower bound")
    if not use_exact:
        if best is None:
            return done(UNKNOWN, None, None, lb, phase="local search found no schedule")
        return done(FEASIBLE, best, best_obj, lb, phase="local search")

    from jumelage.meetings.scheduling.cpsat import solve_exact

    status, slots, obj, bound, stats = solve_exact(
        prep,
        time_limit=max(0.1, deadline - time.monotonic()),
        workers=workers,
        hint=best,
        params=cpsat_params,
    )
    stats["local_search_breaks"] = best_obj
    if status == INFEASIBLE:
        conflicts = []
        if explain:
            conflicts = _explain(prep, max(1.0, min(10.0, time_limit)), workers)
        return done(INFEASIBLE, None, None, None, conflicts, **stats)
    bound = max(lb, bound or 0)
    if status in (OPTIMAL, FEASIBLE):
        if best is not None and best_obj < obj:  # pragma: no cover - CP-SAT keeps the hint
            slots, obj = best, best_obj
        return done(OPTIMAL if obj <= bound else FEASIBLE, slots, obj, bound, **stats)
    if best is not None:
        return done(FEASIBLE, best, best_obj, bound, **stats)
    return done(UNKNOWN, None, None, bound, **stats)
