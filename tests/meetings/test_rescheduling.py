"""Rescheduling: the previous schedule is given per meeting (slot, table); the scheduler places the
most meetings, then moves the fewest of the previous ones, then minimises breaks, and lists the moves."""

import itertools
import random
from collections import Counter

import pytest

from jumelage.meetings.scheduler import OPTIMAL, InvalidProblem, Meeting, Move, Problem, solve
from jumelage.meetings.scheduling.model import count_breaks

M = Meeting


def _published():
    # A–B in slot 1, A–C in slot 2, D–B in slot 3 (3 slots, 2 tables)
    return [
        M("A", "B", previous_slot=1, previous_table=1),
        M("A", "C", previous_slot=2, previous_table=1),
        M("D", "B", previous_slot=3, previous_table=2),
    ]


def _problem(meetings, **kw):
    return Problem(participants=list("ABCDE"), n_slots=3, n_tables=2, meetings=meetings, **kw)


def _valid(pb, s):
    seen = Counter()
    for k, (t, tab) in enumerate(zip(s.slots, s.tables, strict=True)):
        if t is None:
            continue
        m = pb.meetings[k]
        for p in (m.a, m.b):
            seen[(p, t)] += 1
            assert t not in pb.forbidden.get(p, ())
        assert 1 <= tab <= pb.n_tables
        seen[("table", t, tab)] += 1
    assert max(seen.values()) == 1


@pytest.mark.parametrize("exact", [True, False])
def test_an_unchanged_problem_moves_nothing(exact):
    pb = _problem(_published())
    s = solve(pb, time_limit=5, workers=2, exact=exact)
    assert s.moves == []
    assert s.slots == [1, 2, 3] and s.tables == [1, 1, 2]
    assert s.status == OPTIMAL or not exact


@pytest.mark.parametrize("exact", [True, False])
def test_a_cancellation_moves_nothing_else(exact):
    # A–C is cancelled: nothing else may move, even though B keeps a break
    kept = [_published()[0], _published()[2]]
    s = solve(_problem(kept), time_limit=5, workers=2, exact=exact)
    assert s.moves == [] and s.slots == [1, 3] and s.tables == [1, 2]
    assert s.breaks == 1  # B: slots 1 and 3; moving D–B to slot 2 would remove it, but moves come first


@pytest.mark.parametrize("exact", [True, False])
def test_a_late_acceptance_that_fits_moves_nothing(exact):
    pb = _problem([*_published(), M("C", "D")])  # C and D are both free in slot 1
    s = solve(pb, time_limit=5, workers=2, exact=exact)
    assert s.moves == []
    assert s.slots[:3] == [1, 2, 3] and s.slots[3] in (1, 2) and s.placed == 4
    _valid(pb, s)


@pytest.mark.parametrize("exact", [True, False])
def test_a_late_acceptance_that_needs_a_move_moves_exactly_one(exact):
    # A–D: A is busy in slots 1 and 2, D in slot 3, so one of the three must move (one is enough)
    pb = _problem([*_published(), M("A", "D")])
    s = solve(pb, time_limit=5, workers=2, exact=exact)
    assert s.placed == 4 and all(t is not None for t in s.slots)
    assert len(s.moves) == 1
    (mv,) = s.moves
    assert isinstance(mv, Move) and mv.slot_changed
    assert mv.old_slot == pb.meetings[mv.meeting].previous_slot and mv.new_slot == s.slots[mv.meeting]
    assert mv.new_table == s.tables[mv.meeting]
    unmoved = [k for k in range(3) if k != mv.meeting]
    assert all(s.slots[k] == pb.meetings[k].previous_slot for k in unmoved)
    assert all(s.tables[k] == pb.meetings[k].previous_table for k in unmoved)
    _valid(pb, s)


def test_a_meeting_that_cannot_stay_moves_and_the_move_is_reported():
    # D becomes unavailable in slot 3: D–B must leave it; nothing else moves
    pb = _problem(_published(), forbidden={"D": frozenset({3})})
    s = solve(pb, time_limit=5, workers=2)
    assert s.status == OPTIMAL
    assert [(m.meeting, m.old_slot, m.new_slot) for m in s.moves] == [(2, 3, s.slots[2])]
    assert s.slots[2] == 2 and s.slots[:2] == [1, 2]


def test_table_changes_are_reported_as_moves_too():
    # the previous table 3 no longer exists (two tables left): same slot, new table
    pb = _problem([M("A", "B", previous_slot=1, previous_table=3)])
    s = solve(pb, time_limit=5, workers=2)
    assert s.slots == [1]
    assert [(m.old_slot, m.old_table, m.new_slot, m.new_table) for m in s.moves] == [(1, 3, 1, 1)]
    assert not s.moves[0].slot_changed


def test_a_previous_slot_outside_the_day_is_refused():
    with pytest.raises(InvalidProblem, match="stood in slot 9"):
        solve(_problem([M("A", "B", previous_slot=9)]), time_limit=1)


def _brute(pb):
    """Lexicographic optimum by enumeration: (-placed weight, slot moves, breaks)."""
    n, T = len(pb.meetings), pb.n_slots
    best = None
    for assign in itertools.product([None, *range(1, T + 1)], repeat=n):
        busy = Counter()
        ok = True
        for m, t in zip(pb.meetings, assign, strict=True):
            if t is None:
                continue
            if t in pb.forbidden.get(m.a, ()) or t in pb.forbidden.get(m.b, ()):
                ok = False
                break
            busy[(m.a, t)] += 1
            busy[(m.b, t)] += 1
        if not ok or (busy and max(busy.values()) > 1):
            continue
        if max(Counter(t for t in assign if t is not None).values(), default=0) > pb.n_tables:
            continue
        per = [
            count_breaks([t for m, t in zip(pb.meetings, assign, strict=True) if t and p in (m.a, m.b)])
            for p in pb.participants
        ]
        if max(per) - min(per) > pb.fairness:
            continue
        key = (
            -sum(m.weight for m, t in zip(pb.meetings, assign, strict=True) if t is not None),
            sum(
                1
                for m, t in zip(pb.meetings, assign, strict=True)
                if m.previous_slot and t != m.previous_slot
            ),
            sum(per),
        )
        best = key if best is None or key < best else best
    return best


@pytest.mark.parametrize("seed", range(30))
def test_the_fewest_moves_match_brute_force_on_small_events(seed):
    rng = random.Random(seed)
    people = list("ABCDE")[: rng.choice([4, 5])]
    pairs = rng.sample(list(itertools.combinations(people, 2)), rng.choice([4, 5, 6]))
    T, L = rng.choice([3, 4]), rng.choice([1, 2])
    # a previous schedule of all but the last meeting: a feasible assignment drawn at random
    before = Problem(
        participants=people, n_slots=T, n_tables=L, meetings=[M(a, b) for a, b in pairs[:-1]], fairness=None
    )
    slots = []
    for m in before.meetings:
        taken = Counter(slots)
        free = [
            t
            for t in range(1, T + 1)
            if taken[t] < L
            and all(
                not (t == u and {m.a, m.b} & {o.a, o.b}) for o, u in zip(before.meetings, slots, strict=False)
            )
        ]
        slots.append(rng.choice(free) if free else None)
    meetings = [
        M(a, b, weight=rng.choice([1, 1, 2]), previous_slot=t, previous_table=None)
        for (a, b), t in zip(pairs[:-1], slots, strict=True)
    ]
    meetings.append(M(*pairs[-1], weight=rng.choice([1, 2, 3])))
    if rng.random() < 0.5:
        meetings.pop(rng.randrange(len(meetings) - 1))  # a cancellation as well
    forbidden = {people[0]: frozenset({rng.randint(1, T)})} if rng.random() < 0.5 else {}
    pb = Problem(
        participants=people, n_slots=T, n_tables=L, meetings=meetings, forbidden=forbidden, fairness=2
    )
    s = solve(pb, time_limit=10, workers=2)
    want = _brute(pb)
    assert s.status == OPTIMAL
    got = (-s.placed, sum(1 for mv in s.moves if mv.slot_changed), s.breaks)
    assert got == want
    _valid(pb, s)


@pytest.mark.parametrize("exact", [True, False])
def test_a_cancellation_that_breaks_fairness_moves_the_fewest_meetings_to_restore_it(exact):
    # B met A, C, D in slots 1, 2, 3; B–C is cancelled, leaving B a hole; with fairness 0 (E has
    # one meeting, so no break at all) one of B's meetings must move into the hole
    meetings = [
        M("A", "B", previous_slot=1, previous_table=1),
        M("B", "D", previous_slot=3, previous_table=1),
        M("E", "C", previous_slot=1, previous_table=2),
    ]
    pb = Problem(participants=list("ABCDE"), n_slots=3, n_tables=2, meetings=meetings, fairness=0)
    s = solve(pb, time_limit=5, workers=2, exact=exact)
    assert s.placed == 3 and s.breaks == 0
    assert len(s.moves) == 1 and s.moves[0].slot_changed
    _valid(pb, s)
