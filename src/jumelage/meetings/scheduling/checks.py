"""Input validation, slot domains and the pre-checks that explain obvious infeasibility."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from jumelage.meetings.scheduling.model import AFTERNOON, ANY, MORNING, Conflict, InvalidProblem, Problem

SESSION_NAMES = {MORNING: "morning", AFTERNOON: "afternoon", ANY: "any session"}


@dataclass
class Prepared:
    """Derived data shared by the solvers: per meeting its allowed slots, per participant its meetings."""

    problem: Problem
    domains: list[list[int]]  # allowed slots per meeting, sorted
    of: dict  # participant -> list of meeting indices
    earliest: list[int]
    latest: list[int]
    order: list[int]  # a topological order of the meetings for the precedences
    conflicts: list[Conflict]


def validate(problem: Problem) -> None:
    """Raise InvalidProblem for malformed input (before any solving)."""
    errors: list[Conflict] = []
    T = problem.n_slots
    if T < 1:
        errors.append(Conflict("slots", f"There must be at least one slot (n_slots = {T})."))
    if not 0 <= (problem.n_morning or 0) <= T:
        errors.append(Conflict("slots", f"n_morning = {problem.n_morning} is not between 0 and {T}."))
    if problem.n_tables < 0:
        errors.append(Conflict("tables", f"The number of tables cannot be negative ({problem.n_tables})."))
    if problem.fairness is not None and problem.fairness < 0:
        errors.append(Conflict("fairness", f"The fairness bound cannot be negative ({problem.fairness})."))
    known = set(problem.participants)
    if len(known) != len(problem.participants):
        errors.append(Conflict("participants", "A participant is listed twice."))
    n = len(problem.meetings)
    for k, m in enumerate(problem.meetings):
        label = f"Meeting {k + 1} ({m.a}–{m.b})"
        for who in (m.a, m.b):
            if who not in known:
                errors.append(
                    Conflict(
                        "unknown_participant", f"{label} names an unknown participant {who!r}.", (who,), (k,)
                    )
                )
        if m.a == m.b:
            errors.append(
                Conflict("self_meeting", f"{label} pairs a participant with themself.", (m.a,), (k,))
            )
        if m.session not in (MORNING, AFTERNOON, ANY):
            errors.append(
                Conflict("session", f"{label} has an unknown session {m.session!r} (1, 2 or 3).", (), (k,))
            )
        if m.fixed_slot is not None and not 1 <= m.fixed_slot <= T:
            errors.append(
                Conflict("fixed", f"{label} is locked to slot {m.fixed_slot}, outside 1..{T}.", (), (k,))
            )
        for j in m.after:
            if not 0 <= j < n or j == k:
                errors.append(
                    Conflict(
                        "precedence", f"{label} must follow meeting {j + 1}, which does not exist.", (), (k,)
                    )
                )
        if m.previous_slot is not None and not 1 <= m.previous_slot <= T:
            errors.append(
                Conflict("previous", f"{label} stood in slot {m.previous_slot}, outside 1..{T}.", (), (k,))
            )
        if m.weight < 0:
            errors.append(Conflict("weight", f"{label} has a negative weight.", (), (k,)))
    for who in problem.forbidden:
        if who not in known:
            errors.append(
                Conflict(
                    "unknown_participant",
                    f"Unavailable slots are given for unknown participant {who!r}.",
                    (who,),
                )
            )
    if errors:
        raise InvalidProblem(errors)


def _session_slots(problem: Problem, session: int) -> range:
    if session == MORNING:
        return range(1, problem.n_morning + 1)
    if session == AFTERNOON:
        return range(problem.n_morning + 1, problem.n_slots + 1)
    return range(1, problem.n_slots + 1)


def _find_cycle(problem: Problem) -> list[int] | None:
    """A precedence cycle (list of meeting indices) or None; iterative DFS."""
    n = len(problem.meetings)
    colour = [0] * n
    parent = [-1] * n
    for start in range(n):
        if colour[start]:
            continue
        stack = [(start, iter(problem.meetings[start].after))]
        colour[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                colour[node] = 2
                stack.pop()
            elif colour[nxt] == 0:
                colour[nxt] = 1
                parent[nxt] = node
                stack.append((nxt, iter(problem.meetings[nxt].after)))
            elif colour[nxt] == 1:
                cycle = [node]
                while cycle[-1] != nxt:
                    cycle.append(parent[cycle[-1]])
                return cycle[::-1]
    return None


def _propagate_singletons(meetings, of: dict, domains: list[list[int]], lab) -> list[Conflict]:
    """A meeting with one possible slot (a lock) takes that slot from its two participants' other
    meetings; repeated until nothing changes. Returns the conflicts when a meeting is left no slot."""
    conflicts: list[Conflict] = []
    queue = [k for k, d in enumerate(domains) if len(d) == 1]
    done: set = set()
    reported: set = set()
    while queue:
        k = queue.pop()
        if k in done or len(domains[k]) != 1:
            continue
        done.add(k)
        t = domains[k][0]
        for who in (meetings[k].a, meetings[k].b):
            for j in of.get(who, []):
                if j == k or t not in domains[j]:
                    continue
                if len(domains[j]) == 1:
                    both_locked = meetings[j].fixed_slot is not None and meetings[k].fixed_slot is not None
                    if not both_locked and frozenset((j, k)) not in reported:  # both locked: fixed_overlap
                        reported.add(frozenset((j, k)))
                        text = lab(k)
                        conflicts.append(
                            Conflict(
                                "locks",
                                f"{text[0].upper()}{text[1:]} and {lab(j)} can both only be held in slot "
                                f"{t}, and participant {who} is in both.",
                                (who,),
                                tuple(sorted((j, k))),
                            )
                        )
                    continue
                domains[j] = [s for s in domains[j] if s != t]
                if not domains[j]:
                    conflicts.append(
                        Conflict(
                            "locks",
                            f"No slot is left for {lab(j)}: participant {who} is unavailable or "
                            f"already in a locked meeting in every slot it could take.",
                            (meetings[j].a, meetings[j].b),
                            (j,),
                        )
                    )
                elif len(domains[j]) == 1:
                    queue.append(j)
    return conflicts


def prepare(problem: Problem, *, allow_unplaced: bool = False) -> Prepared:
    """Validate, compute slot domains and collect the conflicts the pre-checks can prove."""
    validate(problem)
    T, L = problem.n_slots, problem.n_tables
    meetings = problem.meetings
    conflicts: list[Conflict] = []
    of: dict = defaultdict(list)
    for k, m in enumerate(meetings):
        of[m.a].append(k)
        of[m.b].append(k)
    forb = {p: set(s) for p, s in problem.forbidden.items()}

    def lab(k: int) -> str:
        return f"meeting {k + 1} ({meetings[k].a}–{meetings[k].b})"

    domains: list[list[int]] = []
    for k, m in enumerate(meetings):
        allowed = set(_session_slots(problem, m.session))
        blocked = forb.get(m.a, set()) | forb.get(m.b, set())
        dom = sorted(allowed - blocked)
        if m.fixed_slot is not None:
            s = m.fixed_slot
            if s not in allowed:
                conflicts.append(
                    Conflict(
                        "fixed_session",
                        f"The lock of {lab(k)} to slot {s} is outside its {SESSION_NAMES[m.session]}.",
                        (m.a, m.b),
                        (k,),
                    )
                )
            for who in (m.a, m.b):
                if s in forb.get(who, set()):
                    conflicts.append(
                        Conflict(
                            "fixed_unavailable",
                            f"{lab(k).capitalize()} is locked to slot {s}, when participant {who} is unavailable.",
                            (who,),
                            (k,),
                        )
                    )
            dom = [s] if s in dom else []
        elif not dom:
            conflicts.append(
                Conflict(
                    "availability",
                    f"No slot of the {SESSION_NAMES[m.session]} suits both sides of {lab(k)}: "
                    f"participants {m.a} and {m.b} are unavailable in every one.",
                    (m.a, m.b),
                    (k,),
                )
            )
        domains.append(dom)
    if not allow_unplaced:
        conflicts += _propagate_singletons(meetings, of, domains, lab)

    # participants: more meetings than slots / than available slots; two locks in one slot
    for p in problem.participants:
        ks = of.get(p, [])
        if len(ks) > T:
            conflicts.append(
                Conflict(
                    "too_many_meetings",
                    f"Participant {p} has {len(ks)} meetings but there are only {T} slots.",
                    (p,),
                    tuple(ks),
                )
            )
            continue
        union = set().union(*(domains[k] for k in ks)) if ks else set()
        if len(ks) > len(union) and not allow_unplaced:
            conflicts.append(
                Conflict(
                    "availability",
                    f"Participant {p} has {len(ks)} meetings but only {len(union)} slots where they can be held "
                    f"(availability and sessions).",
                    (p,),
                    tuple(ks),
                )
            )
        for session in (MORNING, AFTERNOON):
            only = [k for k in ks if meetings[k].session == session]
            free = [t for t in _session_slots(problem, session) if t not in forb.get(p, set())]
            if len(only) > len(free) and not allow_unplaced:
                conflicts.append(
                    Conflict(
                        "session",
                        f"Participant {p} has {len(only)} {SESSION_NAMES[session]}-only meetings but only "
                        f"{len(free)} available {SESSION_NAMES[session]} slots.",
                        (p,),
                        tuple(only),
                    )
                )
        by_slot = defaultdict(list)
        for k in ks:
            if meetings[k].fixed_slot is not None:
                by_slot[meetings[k].fixed_slot].append(k)
        for s, same in sorted(by_slot.items()):
            if len(same) > 1:
                conflicts.append(
                    Conflict(
                        "fixed_overlap",
                        f"Participant {p} has {len(same)} meetings locked to slot {s}: "
                        + ", ".join(lab(k) for k in same)
                        + ".",
                        (p,),
                        tuple(same),
                    )
                )
    fixed_in = defaultdict(list)
    for k, m in enumerate(meetings):
        if m.fixed_slot is not None:
            fixed_in[m.fixed_slot].append(k)
    for s, same in sorted(fixed_in.items()):
        if len(same) > L:
            conflicts.append(
                Conflict(
                    "fixed_capacity",
                    f"{len(same)} meetings are locked to slot {s} but there are only {L} tables.",
                    (),
                    tuple(same),
                )
            )
    if len(meetings) > T * L and not allow_unplaced:
        conflicts.append(
            Conflict(
                "capacity",
                f"{len(meetings)} meetings cannot fit in {T} slots × {L} tables = {T * L} places.",
            )
        )

    # precedences: cycle, then earliest/latest slots along the chains
    earliest = [d[0] if d else 1 for d in domains]
    latest = [d[-1] if d else T for d in domains]
    order: list[int] = []
    cycle = _find_cycle(problem)
    if cycle is not None:
        conflicts.append(
            Conflict(
                "precedence_cycle",
                "The precedences form a cycle: " + " before ".join(lab(k) for k in cycle + cycle[:1]) + ".",
                tuple(sorted({w for k in cycle for w in (meetings[k].a, meetings[k].b)}, key=str)),
                tuple(cycle),
            )
        )
    elif any(m.after for m in meetings):
        indeg = [len(set(m.after)) for m in meetings]
        succ = defaultdict(list)
        for k, m in enumerate(meetings):
            for j in set(m.after):
                succ[j].append(k)
        queue = [k for k in range(len(meetings)) if indeg[k] == 0]
        while queue:
            k = queue.pop()
            order.append(k)
            for s in succ[k]:
                indeg[s] -= 1
                if indeg[s] == 0:
                    queue.append(s)
        for k in order:
            for j in meetings[k].after:
                earliest[k] = max(earliest[k], earliest[j] + 1)
        for k in reversed(order):
            for j in meetings[k].after:
                latest[j] = min(latest[j], latest[k] - 1)
        for k in order:
            if not allow_unplaced and domains[k]:
                d = [t for t in domains[k] if earliest[k] <= t <= latest[k]]
                if not d:
                    conflicts.append(
                        Conflict(
                            "precedence_window",
                            f"The precedences around {lab(k)} leave it no slot: it must come after slot "
                            f"{earliest[k] - 1} and before slot {latest[k] + 1}.",
                            (meetings[k].a, meetings[k].b),
                            (k, *meetings[k].after),
                        )
                    )
                domains[k] = d
    return Prepared(problem, domains, dict(of), earliest, latest, order, conflicts)


def breaks_lower_bound(prepared: Prepared, p) -> int:
    """Fewest breaks participant p can have on their own (a relaxation of the whole problem).

    p must be busy in exactly len(ks) slots, all inside the union of their meetings' allowed slots;
    every slot a meeting is locked to (a one-slot domain) must be busy; at least as many morning
    slots as p has meetings allowed only in the morning, and likewise for the afternoon. Among the
    busy sets meeting these conditions, the one with the fewest runs of consecutive slots gives the
    bound (k runs = k - 1 breaks). Computed exactly by a dynamic programme per session, joined at
    the lunch boundary (a morning run ending in the last morning slot continues into the afternoon).
    """
    ks = prepared.of.get(p, [])
    n = len(ks)
    if n <= 1:
        return 0
    pb = prepared.problem
    T, M = pb.n_slots, pb.n_morning
    doms = [prepared.domains[k] for k in ks]
    if any(not d for d in doms):
        return 0
    allowed = set().union(*doms)
    mandatory = {d[0] for d in doms if len(d) == 1}
    need_m = sum(1 for d in doms if d[-1] <= M)
    need_a = sum(1 for d in doms if d[0] > M)
    morning = _fewest_runs(range(1, M + 1), allowed, mandatory, n, edge="last")
    afternoon = _fewest_runs(range(M + 1, T + 1), allowed, mandatory, n, edge="first")
    best = None
    for cm in range(need_m, n - need_a + 1):
        for end_busy, rm in morning.get(cm, {}).items():
            for start_busy, ra in afternoon.get(n - cm, {}).items():
                runs = rm + ra - (1 if end_busy and start_busy else 0)
                if best is None or runs < best:
                    best = runs
    if best is None:  # no busy set fits: the pre-checks or the solver report the infeasibility
        return 0
    return max(0, best - 1)


def _fewest_runs(slots: range, allowed: set, mandatory: set, cap: int, *, edge: str) -> dict:
    """Busy sets inside ``slots`` (within ``allowed``, containing ``mandatory``, at most ``cap`` slots):
    {count: {edge busy: fewest runs}}, where "edge" is the session's last slot (``edge="last"``, for
    the morning) or its first slot (``edge="first"``, for the afternoon)."""
    states: dict = {(0, False, False): 0}  # (count, first slot busy, previous slot busy) -> runs
    for i, t in enumerate(slots):
        nxt: dict = {}
        for (c, first, prev), r in states.items():
            for busy in (False, True):
                if (not busy and t in mandatory) or (busy and (t not in allowed or c >= cap)):
                    continue
                key = (c + busy, first or (i == 0 and busy), busy)
                val = r + (busy and not prev)
                if nxt.get(key, val + 1) > val:
                    nxt[key] = val
        states = nxt
    out: dict = {}
    for (c, first, last), r in states.items():
        flag = last if edge == "last" else first
        row = out.setdefault(c, {})
        if row.get(flag, r + 1) > r:
            row[flag] = r
    return out
