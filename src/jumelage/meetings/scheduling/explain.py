"""Explain an infeasible problem: a small set of constraint groups that cannot hold together.

Every group (a participant's unavailable slots, a lock, a precedence, a session preference, the
fairness bound for a participant, the tables of a slot) gets an assumption literal in a CP-SAT model;
"each meeting once" and "nobody twice in a slot" stay hard. CP-SAT returns a subset of assumptions
sufficient for infeasibility, which is then shrunk by deletion (each group dropped in turn while the
rest stays infeasible), within a time budget.
"""

from __future__ import annotations

import time
from collections import defaultdict

from ortools.sat.python import cp_model

from jumelage.meetings.scheduling.checks import SESSION_NAMES, _session_slots
from jumelage.meetings.scheduling.model import Conflict, Problem


def _build(problem: Problem, active: set | None):
    """Model with one literal per group; groups outside ``active`` are not posted at all."""
    m = cp_model.CpModel()
    T = problem.n_slots
    mts = problem.meetings
    lits: dict = {}

    def lit(key):
        if active is not None and key not in active:
            return None
        if key not in lits:
            lits[key] = m.NewBoolVar(str(key))
        return lits[key]

    x = [{t: m.NewBoolVar("") for t in range(1, T + 1)} for _ in mts]
    of = defaultdict(list)
    for k, mt in enumerate(mts):
        m.AddExactlyOne(x[k].values())
        of[mt.a].append(k)
        of[mt.b].append(k)
        allowed = set(_session_slots(problem, mt.session))
        if len(allowed) < T and (a := lit(("session", k))) is not None:
            for t in range(1, T + 1):
                if t not in allowed:
                    m.AddImplication(a, x[k][t].Not())
        if mt.fixed_slot is not None and (a := lit(("fixed", k))) is not None:
            m.AddImplication(a, x[k][mt.fixed_slot])
        for j in mt.after:
            if (a := lit(("precedence", j, k))) is not None:
                m.Add(
                    sum(t * v for t, v in x[j].items()) + 1 <= sum(t * v for t, v in x[k].items())
                ).OnlyEnforceIf(a)
    for t in range(1, T + 1):
        if len(mts) > problem.n_tables and (a := lit(("capacity", t))) is not None:
            m.Add(sum(x[k][t] for k in range(len(mts))) <= problem.n_tables).OnlyEnforceIf(a)
    breaks = {}
    for p in problem.participants:
        ks = of.get(p, [])
        forb = problem.forbidden.get(p, frozenset())
        if forb and ks and (a := lit(("availability", p))) is not None:
            for k in ks:
                for t in forb:
                    if t in x[k]:
                        m.AddImplication(a, x[k][t].Not())
        if len(ks) <= 1:
            breaks[p] = 0
            continue
        u = {}
        for t in range(1, T + 1):
            b = m.NewBoolVar("")
            m.Add(sum(x[k][t] for k in ks) == b)
            u[t] = b
        starts = []
        for t in range(1, T + 1):
            if t == 1:
                starts.append(u[t])
                continue
            r = m.NewBoolVar("")
            m.AddImplication(r, u[t])
            m.AddImplication(r, u[t - 1].Not())
            m.AddBoolOr([u[t].Not(), u[t - 1], r])
            starts.append(r)
        bp = m.NewIntVar(0, T, "")
        m.Add(bp == sum(starts) - 1)
        breaks[p] = bp
    if problem.fairness is not None:
        hi, lo = m.NewIntVar(0, T, ""), m.NewIntVar(0, T, "")
        m.Add(hi - lo <= problem.fairness)
        for p, bp in breaks.items():
            if (a := lit(("fairness", p))) is not None:
                m.Add(bp <= hi).OnlyEnforceIf(a)
                m.Add(bp >= lo).OnlyEnforceIf(a)
    return m, lits


def _status(problem: Problem, active: set, budget: float, workers: int) -> int:
    m, lits = _build(problem, active)
    for v in lits.values():
        m.Add(v == 1)
    s = cp_model.CpSolver()
    s.parameters.max_time_in_seconds = max(0.05, budget)
    s.parameters.num_workers = workers
    return s.Solve(m)


def _describe(problem: Problem, key) -> Conflict:
    kind = key[0]
    mts = problem.meetings
    if kind == "availability":
        p = key[1]
        slots = ", ".join(str(t) for t in sorted(problem.forbidden[p]))
        return Conflict("availability", f"participant {p} is unavailable in slot(s) {slots}", (p,))
    if kind == "fixed":
        k = key[1]
        mt = mts[k]
        return Conflict(
            "fixed", f"meeting {k + 1} ({mt.a}–{mt.b}) is locked to slot {mt.fixed_slot}", (mt.a, mt.b), (k,)
        )
    if kind == "precedence":
        j, k = key[1], key[2]
        return Conflict(
            "precedence",
            f"meeting {j + 1} ({mts[j].a}–{mts[j].b}) must come before meeting {k + 1} ({mts[k].a}–{mts[k].b})",
            (mts[j].a, mts[j].b, mts[k].a, mts[k].b),
            (j, k),
        )
    if kind == "session":
        k = key[1]
        mt = mts[k]
        return Conflict(
            "session",
            f"meeting {k + 1} ({mt.a}–{mt.b}) is {SESSION_NAMES[mt.session]} only",
            (mt.a, mt.b),
            (k,),
        )
    if kind == "fairness":
        p = key[1]
        return Conflict(
            "fairness",
            f"participant {p}'s breaks must stay within {problem.fairness} of everyone else's",
            (p,),
        )
    t = key[1]
    return Conflict("capacity", f"slot {t} has only {problem.n_tables} tables")


def explain_infeasibility(problem: Problem, *, time_limit: float = 10.0, workers: int = 2) -> list[Conflict]:
    """Conflicts naming a (small) set of constraints that together admit no schedule.

    The first item summarises; the others are the groups. When even the hard core (each meeting once,
    nobody twice in a slot) is impossible, or the time runs out, a single general conflict says so.
    """
    deadline = time.monotonic() + time_limit
    m, lits = _build(problem, None)
    keys = list(lits)
    m.AddAssumptions([lits[k] for k in keys])
    s = cp_model.CpSolver()
    s.parameters.max_time_in_seconds = max(0.1, time_limit / 2)
    s.parameters.num_workers = 1
    st = s.Solve(m)
    if st != cp_model.INFEASIBLE:
        return [
            Conflict(
                "unexplained",
                "No schedule was found and no small set of conflicting constraints could be isolated in time.",
            )
        ]
    index = {v.Index(): k for k, v in lits.items()}
    core = [index[i] for i in s.SufficientAssumptionsForInfeasibility() if i in index]
    # shrink by deletion
    i = 0
    while i < len(core) and time.monotonic() < deadline:
        trial = core[:i] + core[i + 1 :]
        left = deadline - time.monotonic()
        st = _status(problem, set(trial), min(left, 2.0), workers)
        if st == cp_model.INFEASIBLE:
            core = trial
        else:
            i += 1
    parts = [_describe(problem, k) for k in core]
    who = tuple(dict.fromkeys(p for c in parts for p in c.participants))
    meetings = tuple(dict.fromkeys(k for c in parts for k in c.meetings))
    if not parts:
        summary = Conflict(
            "overlap",
            "Even without sessions, availability, locks, precedences, table limits and fairness, the "
            "meetings cannot be placed without someone being in two meetings at once.",
        )
        return [summary]
    summary = Conflict(
        "combination",
        "No schedule satisfies these constraints together: " + "; ".join(c.message for c in parts) + ".",
        who,
        meetings,
    )
    return [summary, *parts]
