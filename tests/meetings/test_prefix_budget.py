"""The zero-break prefix budget (waves.prefix_budget) is a proven bound: checked against brute force."""

import itertools
import random
from collections import Counter

from jumelage.meetings.scheduling.model import AFTERNOON, Meeting, Problem
from jumelage.meetings.scheduling.waves import prefix_budget


def _valid(problem, slots) -> bool:
    per_slot = Counter(t for t in slots if t is not None)
    if any(c > problem.n_tables for c in per_slot.values()):
        return False
    seen = set()
    for m, t in zip(problem.meetings, slots, strict=True):
        if t is None:
            continue
        if m.session == AFTERNOON and t <= problem.n_morning:
            return False
        for p in (m.a, m.b):
            if (p, t) in seen or t in problem.forbidden.get(p, frozenset()):
                return False
            seen.add((p, t))
    return True


def _zero_breaks(problem, slots) -> bool:
    busy = {p: [] for p in problem.participants}
    for m, t in zip(problem.meetings, slots, strict=True):
        if t is not None:
            busy[m.a].append(t)
            busy[m.b].append(t)
    return all(not ts or max(ts) - min(ts) + 1 == len(ts) for ts in busy.values())


def _best_zero_break_completion(problem, slots, tau) -> int | None:
    """Most meetings added after tau, prefix 1..tau kept, nobody with a break (brute force)."""
    rest = [k for k, t in enumerate(slots) if t is None or t > tau]
    options = [None, *range(tau + 1, problem.n_slots + 1)]
    best = None
    for choice in itertools.product(options, repeat=len(rest)):
        full = [t if t is not None and t <= tau else None for t in slots]
        for k, t in zip(rest, choice, strict=True):
            full[k] = t
        if _valid(problem, full) and _zero_breaks(problem, full):
            added = sum(t is not None for t in choice)
            best = added if best is None else max(best, added)
    return best


def test_a_closed_participant_cannot_meet_again_so_the_last_table_stays_empty():
    # slot 1: A–B, slot 2: C–D. A and B met in slot 1 but not in slot 2: a meeting of theirs in
    # slot 3 would leave them idle in slot 2. No usable request is left: slot 3 stays empty.
    pb = Problem(
        participants=list("ABCD"),
        n_slots=3,
        n_tables=1,
        meetings=[Meeting("A", "B"), Meeting("C", "D"), Meeting("A", "C"), Meeting("B", "D")],
        fairness=2,
    )
    slots = [1, 2, None, None]
    b = prefix_budget(pb, slots, 2)
    assert (b.held, b.usable, b.bound, b.places, b.short) == (2, 0, 0, 1, 1)
    assert _best_zero_break_completion(pb, slots, 2) == 0
    # with a break allowed, the table can be used (A–C in slot 3): the bound is about zero breaks
    assert _valid(pb, [1, 2, 3, None]) and not _zero_breaks(pb, [1, 2, 3, None])


def test_prefix_budget_never_below_the_best_zero_break_completion():
    checked = shortfalls = 0
    for seed in range(40):
        rng = random.Random(seed)
        people = list(range(6))
        pairs = rng.sample(list(itertools.combinations(people, 2)), 8)
        meetings = [Meeting(a, b, session=AFTERNOON if rng.random() < 0.15 else 3) for a, b in pairs]
        forbidden = {rng.choice(people): frozenset({rng.randint(1, 4)})} if seed % 3 == 0 else {}
        pb = Problem(
            participants=people,
            n_slots=4,
            n_morning=2,
            n_tables=2,
            meetings=meetings,
            fairness=2,
            forbidden=forbidden,
        )
        # a random valid schedule (breaks allowed) gives the prefix
        slots = None
        for _ in range(200):
            cand = [rng.choice([None, 1, 2, 3, 4]) for _ in meetings]
            if _valid(pb, cand):
                slots = cand
                break
        assert slots is not None
        for tau in (1, 2, 3):
            b = prefix_budget(pb, slots, tau)
            assert b.held == sum(1 for t in slots if t is not None and t <= tau)
            assert b.places == 2 * (4 - tau)
            best = _best_zero_break_completion(pb, slots, tau)
            if best is None:  # the prefix itself has a break: nothing to bound
                continue
            checked += 1
            assert best <= b.bound <= b.usable
            shortfalls += b.short > 0
    assert checked >= 40 and shortfalls >= 5
