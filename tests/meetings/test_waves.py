"""Wave construction (choose which meetings are held so that nobody has a break): small events."""

import random
import time
from collections import Counter

from jumelage.meetings.scheduler import OPTIMAL, solve
from jumelage.meetings.scheduling.model import AFTERNOON, MORNING, Meeting, Problem
from jumelage.meetings.scheduling.waves import _Waves, close_breaks, wave_schedule, zero_break_schedule


def _breaks(problem, slots):
    """Independent recount: per participant, the gaps between two of their meetings."""
    busy = {p: set() for p in problem.participants}
    for m, t in zip(problem.meetings, slots, strict=True):
        if t is not None:
            busy[m.a].add(t)
            busy[m.b].add(t)
    per = {}
    for p, ts in busy.items():
        s = sorted(ts)
        per[p] = sum(1 for i in range(1, len(s)) if s[i] != s[i - 1] + 1)
    return per


def _assert_hard_rules(problem, slots):
    assert len(slots) == len(problem.meetings)
    per_slot = Counter(t for t in slots if t is not None)
    assert all(1 <= t <= problem.n_slots for t in per_slot)
    assert all(c <= problem.n_tables for c in per_slot.values())
    seen = set()
    for m, t in zip(problem.meetings, slots, strict=True):
        if t is None:
            continue
        for p in (m.a, m.b):
            assert (p, t) not in seen, f"{p} twice in slot {t}"
            seen.add((p, t))
            assert t not in problem.forbidden.get(p, frozenset())
        if m.session == MORNING:
            assert t <= problem.n_morning
        if m.session == AFTERNOON:
            assert t > problem.n_morning
        if m.fixed_slot is not None:
            assert t == m.fixed_slot
        for j in m.after:
            assert slots[j] is not None and slots[j] < t
    per = _breaks(problem, slots)
    if problem.fairness is not None and per:
        assert max(per.values()) - min(per.values()) <= problem.fairness


def _random_problem(n=60, requests=300, n_slots=12, tables=10, seed=4, **kw):
    rng = random.Random(seed)
    deg = Counter()
    pairs = set()
    while len(pairs) < requests:
        a, b = rng.randint(1, n), rng.randint(1, n)
        if a == b or deg[a] >= n_slots or deg[b] >= n_slots or (min(a, b), max(a, b)) in pairs:
            continue
        pairs.add((min(a, b), max(a, b)))
        deg[a] += 1
        deg[b] += 1
    return Problem(
        participants=list(range(1, n + 1)),
        n_slots=n_slots,
        n_morning=n_slots // 2,
        n_tables=tables,
        meetings=[Meeting(a, b) for a, b in sorted(pairs)],
        fairness=2,
        **kw,
    )


def test_four_people_six_requests_four_places_held_without_a_break():
    # every pair of A, B, C, D asked to meet; 2 slots × 2 tables: a 4-cycle is held in two rounds
    people = ["A", "B", "C", "D"]
    meetings = [Meeting(a, b) for i, a in enumerate(people) for b in people[i + 1 :]]
    pb = Problem(participants=people, n_slots=2, n_tables=2, meetings=meetings, fairness=2)
    slots = zero_break_schedule(pb, time_limit=0.2, allow_breaks=False)
    _assert_hard_rules(pb, slots)
    assert sum(t is not None for t in slots) == 4
    assert set(_breaks(pb, slots).values()) == {0}
    per_person = Counter(p for m, t in zip(meetings, slots, strict=True) if t for p in (m.a, m.b))
    assert per_person == {"A": 2, "B": 2, "C": 2, "D": 2}


def test_chain_of_requests_is_laid_out_in_waves_with_every_meeting_held():
    # a ladder: 2 tables, 4 slots, 8 requests that fit exactly with nobody idle in between
    meetings = [
        Meeting("A", "B"),
        Meeting("C", "D"),
        Meeting("A", "C"),
        Meeting("B", "D"),
        Meeting("A", "D"),
        Meeting("B", "C"),
        Meeting("D", "E"),
        Meeting("C", "F"),
    ]
    pb = Problem(participants=list("ABCDEF"), n_slots=4, n_tables=2, meetings=meetings, fairness=2)
    r = wave_schedule(pb, time_limit=0.3, allow_breaks=False)
    _assert_hard_rules(pb, r.slots)
    assert r.placed == 8
    assert r.breaks == 0 and set(_breaks(pb, r.slots).values()) == {0}


def test_triangle_needs_a_break_to_hold_all_three_meetings():
    pb = Problem(
        participants=["A", "B", "C"],
        n_slots=3,
        n_tables=1,
        meetings=[Meeting("A", "B"), Meeting("B", "C"), Meeting("A", "C")],
        fairness=2,
    )
    pure = wave_schedule(pb, time_limit=0.1, allow_breaks=False)
    _assert_hard_rules(pb, pure.slots)
    assert pure.placed == 2 and pure.breaks == 0
    topped = wave_schedule(pb, time_limit=0.1)
    _assert_hard_rules(pb, topped.slots)
    assert topped.placed == 3
    assert topped.breaks == 1 == sum(_breaks(pb, topped.slots).values())
    strict = Problem(**{**pb.__dict__, "fairness": 0})
    slots = zero_break_schedule(strict, time_limit=0.1)
    assert sum(t is not None for t in slots) == 2
    assert set(_breaks(strict, slots).values()) == {0}


def test_random_event_with_more_requests_than_places_fills_every_table():
    pb = _random_problem()
    r = wave_schedule(pb, time_limit=1.0)
    _assert_hard_rules(pb, r.slots)
    assert r.placed == pb.n_slots * pb.n_tables == 120
    per = _breaks(pb, r.slots)
    assert r.breaks == sum(per.values())
    assert r.breaks_per_participant == per
    pure = wave_schedule(pb, time_limit=0.5, allow_breaks=False)
    _assert_hard_rules(pb, pure.slots)
    assert set(_breaks(pb, pure.slots).values()) == {0}
    assert 0 < pure.placed <= r.placed


def test_availability_sessions_locks_and_precedences_are_respected():
    base = _random_problem(n=30, requests=80, n_slots=8, tables=6, seed=9)
    meetings = list(base.meetings)
    meetings[0] = Meeting(meetings[0].a, meetings[0].b, session=MORNING)
    meetings[1] = Meeting(meetings[1].a, meetings[1].b, session=AFTERNOON)
    meetings[2] = Meeting(meetings[2].a, meetings[2].b, fixed_slot=5)
    meetings[3] = Meeting(meetings[3].a, meetings[3].b, after=(4,))
    forbidden = {1: frozenset({1, 2, 3}), 2: frozenset({8}), 3: frozenset(range(1, 9))}
    pb = Problem(**{**base.__dict__, "meetings": meetings, "forbidden": forbidden})
    r = wave_schedule(pb, time_limit=0.5)
    _assert_hard_rules(pb, r.slots)
    assert r.slots[2] == 5
    assert all(t is None for m, t in zip(meetings, r.slots, strict=True) if 3 in (m.a, m.b))
    assert r.breaks == sum(_breaks(pb, r.slots).values())


def test_close_breaks_swaps_which_request_is_held_to_remove_a_break():
    # A meets B in slot 1 and E in slot 3: one break for A. Holding D–E in slot 3 instead of A–E
    # keeps three meetings (one per slot) and removes the break.
    meetings = [Meeting("A", "B"), Meeting("C", "D"), Meeting("A", "E"), Meeting("D", "E")]
    pb = Problem(participants=list("ABCDE"), n_slots=3, n_tables=1, meetings=meetings, fairness=2)
    before = [1, 2, 3, None]
    assert sum(_breaks(pb, before).values()) == 1
    after = close_breaks(pb, before, deadline=time.monotonic() + 1.0)
    _assert_hard_rules(pb, after)
    assert sorted(t for t in after if t is not None) == [1, 2, 3]
    assert set(_breaks(pb, after).values()) == {0}


def test_weighted_matching_holds_every_place_without_a_break_on_a_scaled_down_scale_event():
    # 300 participants, 2,250 requests, 24 slots × 60 tables: 1,440 places for 2,250 requests. The
    # matching that keeps the active participants with the most requests towards the other active
    # ones (and starts the fresh ones with the most requests towards them) fills every table of every
    # slot with nobody idle between two meetings, on the first construction.
    pb = _random_problem(n=300, requests=2250, n_slots=24, tables=60, seed=3)
    r = wave_schedule(pb, time_limit=60.0, allow_breaks=False)
    _assert_hard_rules(pb, r.slots)
    assert r.placed == 1440 == pb.n_slots * pb.n_tables
    assert Counter(t for t in r.slots if t is not None) == {t: 60 for t in range(1, 25)}
    assert set(_breaks(pb, r.slots).values()) == {0}
    assert r.breaks == 0 and r.runs == 1


def test_scheduler_proves_the_waves_optimal_when_every_table_is_filled_without_a_break():
    pb = _random_problem(n=300, requests=2250, n_slots=24, tables=60, seed=3)
    s = solve(pb, time_limit=60.0, allow_unplaced=True, exact=False)
    _assert_hard_rules(pb, s.slots)
    assert s.status == OPTIMAL
    assert s.placed == s.placed_bound == 1440
    assert s.breaks == s.bound == 0 == sum(_breaks(pb, s.slots).values())
    assert s.stats["path"] == "waves"


def test_greedy_matching_of_the_first_waves_is_still_available():
    pb = _random_problem()
    r = wave_schedule(pb, time_limit=0.5, allow_breaks=False, matching="greedy")
    _assert_hard_rules(pb, r.slots)
    assert set(_breaks(pb, r.slots).values()) == {0}
    assert 0 < r.placed <= 120


def test_a_run_that_falls_short_in_the_last_slot_gets_its_end_rebuilt():
    # the first construction holds 1,439 of the 1,440 places (one table of slot 24 free); rebuilding
    # the last slots from the same beginning fills it, without a second full construction
    pb = _random_problem(n=300, requests=2250, n_slots=24, tables=60, seed=4)
    first = _Waves(pb).run_vw(0, resume=False)
    assert sum(t is not None for t in first) == 1439
    r = wave_schedule(pb, time_limit=60.0, allow_breaks=False)
    _assert_hard_rules(pb, r.slots)
    assert r.placed == 1440 and r.breaks == 0
    assert r.runs == 1 and r.stats["suffix_runs"] >= 1


def test_rebuilding_the_end_of_a_run_keeps_its_beginning():
    pb = _random_problem(n=300, requests=2250, n_slots=24, tables=60, seed=4)
    w = _Waves(pb)
    first = w.run_vw(0, resume=False)
    again = w.run_vw(5, resume=False, start=(first, 20))
    _assert_hard_rules(pb, again)
    assert [t if t is not None and t < 20 else None for t in again] == [
        t if t is not None and t < 20 else None for t in first
    ]
    assert set(_breaks(pb, again).values()) == {0}
    assert Counter(t for t in again if t is not None)[20] == 60
