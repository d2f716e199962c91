"""B2B meeting scheduler: the public entry point (pure Python, no Django import).

``solve(problem, time_limit=..., workers=...)`` places every meeting into a slot and a table:
nobody twice in a slot, sessions, unavailable slots, locks and precedences respected, no slot with more
meetings than tables, break counts within the fairness bound d of each other, and the total number of
breaks minimised. It is anytime: when the time limit strikes, it returns the best schedule found with
the proven lower bound. An impossible problem comes back with ``status == "infeasible"`` and
``conflicts`` naming the constraint and the participants/meetings concerned; malformed input raises
:class:`InvalidProblem`.

Path: pre-checks (obvious infeasibility, named; a lock takes its slot from the participants' other
meetings) → the per-participant lower bound (checks.breaks_lower_bound: fewest runs of busy slots
given availability, sessions and locks, exact by dynamic programming) → greedy construction +
simulated annealing (a first schedule and CP-SAT's hint: 0.8 s on events of more than HINT_MEETINGS
meetings with locked or ordered meetings, 0.05 s on smaller ones, the greedy construction alone
without locks or orders, at a 10 s limit) → CP-SAT (scheduling/cpsat.py): "at most <bound>
breaks?" first, then a short optimisation run for CP-SAT's objective bound, then a linear search "at
most k breaks?" upwards — the first satisfiable k is optimal, every refuted k is a proven lower bound.
When CP-SAT refuted the bound on a long day, a SAT search of the same k (scheduling/sat.py, CaDiCaL)
comes first: it finds the low-break schedules of tight events, and refutes k fast on the larger ones
(see cpsat.solve_by_bounds). With no schedule in hand past 60 % of the time, the SAT model without a
break limit gives one (cpsat.first_schedule), so an event never ends without a schedule because
neither the local search nor CP-SAT found one in time. CP-SAT runs 4 workers (on 2 cores: 4 beat 8,
see bench/README.md). When CP-SAT proves that no schedule exists at all, scheduling/explain.py names
a small set of conflicting constraints (assumptions + deletion).
Events too large for the exact model (more than EXACT_MAX_VARS meeting×slot booleans) stay on the
local-search path, whose bound is the per-participant bound of checks.breaks_lower_bound.
``allow_unplaced=True`` (when the tables cannot hold every meeting) maximises the meetings placed first.

Rescheduling: when meetings carry a ``previous_slot`` (and ``previous_table``), the problem is solved
as with ``allow_unplaced`` and the order of the objectives is (1) the (priority-weighted) meetings
placed, (2) the fewest meetings of the previous schedule that change slot (or are left out), (3) the
fewest breaks, fairness staying a hard bound. Tables are then given so that a meeting that keeps its
slot keeps its table and a moved meeting keeps its table number when it is free in the new slot (the
fewest table changes for those slots). ``Schedule.moves`` lists every previous meeting whose slot or
table changes, old → new.
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
    Move,
    Problem,
    Schedule,
    count_breaks,
    slots_by_participant,
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
    "Move",
    "Problem",
    "Schedule",
    "assign_tables",
    "breaks_by_participant",
    "solve",
]

EXACT_MAX_VARS = 40_000  # (meeting, slot) booleans above which the CP-SAT model is skipped
WAVES_SHARE = 0.25  # of the time limit, for the construction that hints CP-SAT when some meetings may not fit
# share of the time limit for the local search before CP-SAT on the exact path (see solve)
HINT_MEETINGS = 250
HINT_SHARE = 0.08
SHORT_SHARE = 0.005


def breaks_by_participant(problem: Problem, slots: list[int | None]) -> dict:
    return {p: count_breaks(ts) for p, ts in slots_by_participant(problem, slots).items()}


def assign_tables(problem: Problem, slots: list[int | None]) -> list[int | None]:
    """Give each placed meeting a table (1..n_tables), distinct within a slot. A meeting of the
    previous schedule keeps its table when it keeps its slot, and its table number when that table is
    free in its new slot (each meeting wants one table, so serving the staying ones first then the
    others keeps the most tables); otherwise a participant keeps the table of their previous meeting
    when it is free (stable tables)."""
    tables: list[int | None] = [None] * len(slots)
    last: dict = {}
    by_slot: dict[int, list[int]] = {}
    for k, t in enumerate(slots):
        if t is not None:
            by_slot.setdefault(t, []).append(k)
    for t in sorted(by_slot):
        free = set(range(1, problem.n_tables + 1))
        pending = []
        claims = sorted(
            (k for k in by_slot[t] if problem.meetings[k].previous_table is not None),
            key=lambda k: problem.meetings[k].previous_slot != t,
        )
        for k in claims:
            want = problem.meetings[k].previous_table
            if want in free:
                tables[k] = want
                free.discard(want)
        for k in by_slot[t]:
            if tables[k] is not None:
                continue
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


def moves(problem: Problem, slots: list[int | None], tables: list[int | None]) -> list[Move]:
    """The meetings of the previous schedule whose slot or table changes (or that are left out)."""
    out = []
    for k, m in enumerate(problem.meetings):
        if m.previous_slot is None:
            continue
        if slots[k] != m.previous_slot or (m.previous_table is not None and tables[k] != m.previous_table):
            out.append(Move(k, m.previous_slot, m.previous_table, slots[k], tables[k]))
    return out


def _explain(prep: Prepared, time_limit: float, workers: int) -> list[Conflict]:
    from jumelage.meetings.scheduling.explain import explain_infeasibility

    return explain_infeasibility(prep.problem, time_limit=time_limit, workers=workers)


def solve(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    workers: int = 4,
    seed: int = 0,
    exact: bool | None = None,
    heuristic_share: float | None = None,
    explain: bool = True,
    allow_unplaced: bool = False,
    cpsat_params: dict | None = None,
    start: list[int] | None = None,
) -> Schedule:
    """Schedule every meeting; see the module docstring. Raises InvalidProblem on malformed input.

    ``allow_unplaced``: when not every meeting can be placed, first maximise the (weighted) number of
    meetings placed, then minimise breaks; ``placed``/``placed_bound`` report the count and its bound.
    ``start``: a full schedule to start the local search from (a construction already in hand).
    """
    t0 = time.monotonic()
    deadline = t0 + time_limit
    n = len(problem.meetings)
    if allow_unplaced or any(m.previous_slot is not None for m in problem.meetings):
        return _solve_partial(problem, t0=t0, deadline=deadline, workers=workers, seed=seed, exact=exact)
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

    if heuristic_share is None:
        # the local search's schedule is CP-SAT's hint and the first incumbent, which bounds the
        # searches. It pays on events with locked or ordered meetings: 0.8 s on those of more than
        # HINT_MEETINGS meetings (forum-14 / ticf-14crafa fixed020-Forb: 5.5–7.0 s and 6.7 s against
        # 5.6–10.0 s and 8.0 s without it, CP-SAT runs an optimisation for a first schedule instead;
        # forum-14.prec15: 5.0 s against none in 10 s), 0.05 s on the others (the four 195/154-meeting
        # fixed020-Forb: 22.8 s against 25.2 s in three rounds). Without locks or orders CP-SAT decides
        # the bound as fast unhinted and the annealing is lost time: the greedy construction alone
        # (ticf-14crafa / forum-14 original and forb0003: 1.5–2.4 s against 1.9–3.2 s; the 61 events
        # decided in under 3.5 s: 111.5 s against 118.0 s in two rounds; quiet machine, 27 Nov)
        pinned = any(m.fixed_slot is not None or m.after for m in problem.meetings)
        heuristic_share = (HINT_SHARE if n > HINT_MEETINGS else SHORT_SHARE) if pinned else 0.0
    budget = time_limit * (heuristic_share if use_exact else 1.0)
    best, best_obj = local_search(
        prep,
        deadline=min(deadline, time.monotonic() + budget),
        target=lb,
        seed=seed,
        start=start,
        # CP-SAT follows on the exact path and finds a first schedule itself (0.1–0.6 s where the local
        # search had found none in 2.5 s), so only a search without CP-SAT after it goes on searching.
        extend_until=None if use_exact else min(deadline, time.monotonic() + time_limit / 4),
    )
    if best is not None and best_obj <= lb:
        return done(OPTIMAL, best, best_obj, lb, phase="local search at the lower bound")
    if not use_exact:
        if best is None:
            return done(UNKNOWN, None, None, lb, phase="local search found no schedule")
        return done(FEASIBLE, best, best_obj, lb, phase="local search")

    from jumelage.meetings.scheduling.cpsat import solve_by_bounds

    status, slots, obj, bound, stats = solve_by_bounds(
        prep,
        deadline=deadline,
        lower=lb,
        incumbent=(best, best_obj) if best is not None else None,
        workers=workers,
        params=cpsat_params,
        seed=seed,
    )
    stats["local_search_breaks"] = best_obj
    if status == INFEASIBLE:
        conflicts = []
        if explain:
            conflicts = _explain(prep, max(1.0, min(10.0, time_limit)), workers)
        return done(INFEASIBLE, None, None, None, conflicts, **stats)
    if status == OPTIMAL:
        return done(OPTIMAL, slots, obj, bound, **stats)
    if slots is not None:
        return done(FEASIBLE, slots, obj, bound, **stats)
    return done(UNKNOWN, None, None, bound, **stats)


def placement_bound(prep: Prepared) -> int:
    """Upper bound on the number of meetings placed: tables × slots, and each participant's meetings
    fit in their available slots (each meeting needs both sides)."""
    pb = prep.problem
    placeable = [k for k, d in enumerate(prep.domains) if d]
    per_participant = 0
    for p in pb.participants:
        ks = [k for k in prep.of.get(p, []) if prep.domains[k]]
        slots = set().union(*(prep.domains[k] for k in ks)) if ks else set()
        per_participant += min(len(ks), len(slots))
    return min(len(placeable), pb.n_slots * pb.n_tables, per_participant // 2)


def weight_bound(prep: Prepared, ub: int) -> int:
    """Upper bound on the weight (priority) placed, given ``ub`` (:func:`placement_bound`): the
    ``ub`` heaviest placeable meetings, and each participant's heaviest meetings that fit in their
    available slots (each meeting counts for both sides, so half the sum). Equal to ``ub`` when every
    meeting weighs 1."""
    pb = prep.problem
    weights = [m.weight for m, d in zip(pb.meetings, prep.domains, strict=True) if d]
    by_capacity = sum(sorted(weights, reverse=True)[:ub])
    per_participant = 0
    for p in pb.participants:
        ks = [k for k in prep.of.get(p, []) if prep.domains[k]]
        slots = set().union(*(prep.domains[k] for k in ks)) if ks else set()
        per_participant += sum(sorted((pb.meetings[k].weight for k in ks), reverse=True)[: len(slots)])
    return min(by_capacity, per_participant // 2)


def _fair(problem: Problem, slots: list[int | None]) -> bool:
    """The fairness bound holds: break counts differ by at most ``problem.fairness``."""
    if problem.fairness is None:
        return True
    per = breaks_by_participant(problem, slots).values()
    return max(per, default=0) - min(per, default=0) <= problem.fairness


def _partial_key(problem: Problem, slots: list[int | None]) -> tuple[int, int]:
    """Orders partial schedules: most weight placed first, then fewest breaks (smaller is better)."""
    placed = sum(problem.meetings[k].weight for k, t in enumerate(slots) if t is not None)
    return -placed, sum(breaks_by_participant(problem, slots).values())


def _solve_partial(
    problem: Problem, *, t0: float, deadline: float, workers: int, seed: int, exact
) -> Schedule:
    from jumelage.meetings.scheduling.checks import prepare as _prepare
    from jumelage.meetings.scheduling.heuristic import greedy_max_placement

    n = len(problem.meetings)
    prep = _prepare(problem, allow_unplaced=True)
    hard = [
        c for c in prep.conflicts if c.constraint in ("fixed_overlap", "fixed_capacity", "precedence_cycle")
    ]
    capacity_note = [c for c in prep.conflicts if c.constraint in ("capacity", "too_many_meetings")]
    if hard:
        return Schedule(INFEASIBLE, [None] * n, [None] * n, None, None, time.monotonic() - t0, conflicts=hard)
    ub = placement_bound(prep)
    wb = weight_bound(prep, ub)
    n_vars = sum(len(d) for d in prep.domains)
    use_exact = exact if exact is not None else n_vars <= EXACT_MAX_VARS
    stats: dict = {}
    cap = problem.fairness if problem.fairness is not None else problem.n_slots
    rescheduling = any(m.previous_slot is not None for m in problem.meetings)
    confirmed = {k for k, m in enumerate(problem.meetings) if m.previous_slot is not None}
    kept = None
    breaks_lb = 0  # a proven lower bound on the breaks of a schedule that places the most
    if rescheduling:
        from jumelage.meetings.scheduling.heuristic import keep_and_insert

        # keep the previous schedule, place the new meetings around it (one move at most each)
        cand, fair = keep_and_insert(prep, cap=problem.fairness, deadline=t0 + 0.2 * (deadline - t0))
        if not fair and problem.fairness is not None:
            from jumelage.meetings.scheduling.waves import exchange_heavier

            # someone is left above the fairness band by a hole: unplaced requests may fill it (no
            # confirmed meeting moved or left out)
            cand = exchange_heavier(problem, cand, deadline=t0 + 0.3 * (deadline - t0), keep=confirmed)
            fair = _fair(problem, cand)
            stats["fairness_restored_by_filling"] = fair
        kept = cand if fair else None
    if use_exact:
        from jumelage.meetings.scheduling.cpsat import solve_exact

        built = kept
        if built is None:
            from jumelage.meetings.scheduling.waves import wave_schedule

            # a construction first, CP-SAT's hint and the answer when CP-SAT finds less in its time: on
            # an event of 200 participants, 1,500 requests, 24 slots and 40 tables CP-SAT alone placed
            # 192 of the 960 meetings possible in 10 s; the waves place 960 in 2.5 s (bench/README.md)
            waves = wave_schedule(
                problem, time_limit=WAVES_SHARE * max(0.0, deadline - time.monotonic()), seed=seed
            )
            built = list(waves.slots) if _fair(problem, waves.slots) else None
        if kept is None and built is not None and all(t is not None for t in built):
            # every meeting fits: the strict exact path (bounds, SAT search: the published benchmark's),
            # from the construction, which stays the answer if that path ends with more breaks
            strict = solve(
                problem,
                time_limit=max(0.1, deadline - time.monotonic()),
                workers=workers,
                seed=seed,
                explain=False,
                start=built,
            )
            stats = dict(strict.stats, path="every meeting placed: exact path")
            full = strict.slots and all(t is not None for t in strict.slots)
            if full and strict.breaks <= sum(breaks_by_participant(problem, built).values()):
                slots, status = strict.slots, strict.status
            else:
                slots, status = built, FEASIBLE
            breaks_lb = strict.bound or 0  # a bound over every full schedule: valid here too
        else:
            status, slots, _obj, _bound, stats = solve_exact(
                prep,
                time_limit=max(0.1, deadline - time.monotonic()),
                workers=workers,
                allow_unplaced=True,
                hint=built,
            )
        if slots is None and kept is not None:
            status, slots = FEASIBLE, kept
        elif (
            kept is None  # (rescheduling weighs moves too: CP-SAT's objective decides there)
            and built is not None
            and (slots is None or _partial_key(problem, built) < _partial_key(problem, slots))
        ):
            status, slots = FEASIBLE, built
            stats["path"] = "waves (CP-SAT found less)"
        if slots is None:
            return Schedule(
                status, [None] * n, [None] * n, None, None, time.monotonic() - t0, conflicts=capacity_note
            )
        proven = status == OPTIMAL
    elif kept is not None:
        from jumelage.meetings.scheduling.waves import exchange_heavier

        # the holes of cancelled meetings: unplaced requests fill them where that closes a break (or
        # places more weight) without opening one, no confirmed meeting moved or left out
        before = _partial_key(problem, kept)
        slots = exchange_heavier(problem, kept, deadline=deadline, keep=confirmed)
        if _partial_key(problem, slots) > before:
            slots = kept
        stats["before_fill"] = [-before[0], before[1]]
        status, proven = FEASIBLE, False
        stats["path"] = "keep and insert"
    else:
        from jumelage.meetings.scheduling.waves import wave_schedule

        # Waves first (every participant's meetings kept contiguous while possible, then the fewest
        # resumes, then break-closing swaps): on the 2,000-participant scale event every table of every
        # slot filled without a break in a few seconds. Unless the waves meet every bound (the heaviest
        # meetings on every placeable place, nobody a break), the greedy construction + repair below
        # runs on what time is left and wins when it places more weight or breaks less.
        waves = wave_schedule(problem, time_limit=0.75 * max(0.0, deadline - time.monotonic()), seed=seed)
        wave_key = _partial_key(problem, waves.slots)
        stats["waves_breaks"] = wave_key[1]
        stats["waves_weight"] = -wave_key[0]
        if -wave_key[0] >= wb:
            # the most weight that can be placed (with priorities: inserted heavy requests, at the cost
            # of breaks): the greedy construction could only tie on weight, never beat it
            slots, stats["path"] = list(waves.slots), "waves"
        else:
            best_key, slots = None, None
            # randomised restarts of the construction for a tenth of the time limit: keep the best
            # (most placed, then fewest breaks); each restart is a fraction of a second at 15,000 meetings.
            # The repair below removes breaks faster than more restarts do (measured on the scale bench).
            stop = time.monotonic() + 0.1 * max(0.0, deadline - time.monotonic())
            attempt = 0
            while attempt < 2 or (time.monotonic() < stop and attempt < 200):
                max_breaks = 0 if attempt == 0 else cap
                cand = greedy_max_placement(
                    prep, seed=seed + attempt, deadline=deadline, max_breaks=max_breaks
                )
                attempt += 1
                key = _partial_key(problem, cand)
                if best_key is None or key < best_key:
                    best_key, slots = key, cand
                if key[1] == 0 and -key[0] >= wb:
                    break
            stats["restarts"] = attempt
            stats["breaks_before_repair"] = best_key[1]
            if best_key[1] > 0:
                # then trade placed meetings for unplaced ones that shorten someone's break
                from jumelage.meetings.scheduling.heuristic import repair_breaks

                margin = 0.05 * max(0.0, deadline - t0)
                stats["repaired"] = repair_breaks(prep, slots, deadline=deadline - margin, seed=seed, cap=cap)
            greedy_key = _partial_key(problem, slots)
            stats["greedy_weight"], stats["greedy_breaks"] = -greedy_key[0], greedy_key[1]
            if wave_key <= greedy_key:
                slots, stats["path"] = list(waves.slots), "waves"
            else:
                stats["path"] = "greedy and repair"
        status, proven = FEASIBLE, False
    placed = sum(problem.meetings[k].weight for k, t in enumerate(slots) if t is not None)
    per = breaks_by_participant(problem, slots)
    breaks = sum(per.values())
    tables = assign_tables(problem, slots)
    changes = moves(problem, slots, tables)
    stats["moved_slots"] = sum(1 for mv in changes if mv.slot_changed)
    stats["moved_tables"] = len(changes) - stats["moved_slots"]
    if not use_exact:
        # proven when the construction meets every bound: every placeable place used, nothing moved,
        # nobody a break
        proven = placed >= wb and breaks == 0 and not changes
        status = OPTIMAL if proven else FEASIBLE
    return Schedule(
        status=status if slots else UNKNOWN,
        slots=slots,
        tables=tables,
        moves=changes,
        breaks=breaks,
        bound=breaks if proven else breaks_lb,
        wall_time=time.monotonic() - t0,
        breaks_per_participant=per,
        conflicts=capacity_note,
        placed=placed,
        placed_bound=placed if proven else wb,
        method="jumelage",
        stats=stats,
    )
