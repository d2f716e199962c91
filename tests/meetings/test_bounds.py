"""Lower bounds and domain reductions of the B2B scheduler, checked against brute force."""

import itertools
import random
import time

from jumelage.meetings.scheduler import AFTERNOON, ANY, INFEASIBLE, MORNING, OPTIMAL, Meeting, Problem, solve
from jumelage.meetings.scheduling.checks import breaks_lower_bound, prepare
from jumelage.meetings.scheduling.heuristic import repair_breaks
from jumelage.meetings.scheduling.model import count_breaks


def _brute_force_min_breaks(problem: Problem) -> int | None:
    """Fewest total breaks over every assignment (tiny problems only); None when none is valid."""
    prep = prepare(problem)
    best = None
    for slots in itertools.product(*prep.domains):
        if any(c > problem.n_tables for c in (slots.count(t) for t in set(slots))):
            continue
        busy = {p: [] for p in problem.participants}
        for m, t in zip(problem.meetings, slots, strict=True):
            busy[m.a].append(t)
            busy[m.b].append(t)
        if any(len(ts) != len(set(ts)) for ts in busy.values()):
            continue
        if any(slots[j] >= slots[k] for k, m in enumerate(problem.meetings) for j in m.after):
            continue
        per = [count_breaks(ts) for ts in busy.values()]
        if problem.fairness is not None and max(per) - min(per) > problem.fairness:
            continue
        total = sum(per)
        best = total if best is None else min(best, total)
    return best


def test_locked_meetings_force_the_participant_bound():
    # A has 3 meetings; two are locked to slots 1 and 5, so A's busy slots have at least two runs
    pb = Problem(
        participants=["A", "B", "C", "D"],
        n_slots=6,
        n_tables=2,
        meetings=[
            Meeting("A", "B", fixed_slot=1),
            Meeting("A", "C", fixed_slot=5),
            Meeting("A", "D"),
        ],
        fairness=None,
    )
    prep = prepare(pb)
    assert breaks_lower_bound(prep, "A") == 1
    assert breaks_lower_bound(prep, "B") == 0
    s = solve(pb, time_limit=10, workers=2)
    assert s.status == OPTIMAL and s.breaks == 1 and s.bound == 1


def test_sessions_split_a_participant_whose_morning_and_afternoon_do_not_touch():
    # slots 1-4 morning, 5-8 afternoon; B is unavailable in slots 4 and 5 (around lunch): A's
    # morning-only and afternoon-only meetings with B cannot be adjacent
    pb = Problem(
        participants=["A", "B"],
        n_slots=8,
        n_morning=4,
        n_tables=1,
        meetings=[Meeting("A", "B", session=MORNING), Meeting("A", "B", session=AFTERNOON)],
        forbidden={"B": frozenset({4, 5})},
        fairness=None,
    )
    prep = prepare(pb)
    assert breaks_lower_bound(prep, "A") == 1
    s = solve(pb, time_limit=10, workers=2)
    assert s.status == OPTIMAL and s.breaks == 2 and s.breaks_per_participant == {"A": 1, "B": 1}


def test_a_lock_takes_its_slot_from_the_participants_other_meetings():
    pb = Problem(
        participants=["A", "B", "C"],
        n_slots=3,
        n_tables=2,
        meetings=[Meeting("A", "B", fixed_slot=2), Meeting("A", "C"), Meeting("B", "C", fixed_slot=3)],
        fairness=None,
    )
    prep = prepare(pb)
    # A-C cannot be in slot 2 (A is locked there) nor slot 3 (C is locked there)
    assert prep.domains[1] == [1]
    s = solve(pb, time_limit=10, workers=2)
    assert s.status == OPTIMAL and s.slots == [2, 1, 3]


def test_locks_that_leave_a_meeting_no_slot_are_explained():
    pb = Problem(
        participants=["A", "B", "C"],
        n_slots=2,
        n_tables=2,
        meetings=[Meeting("A", "B", fixed_slot=1), Meeting("A", "C"), Meeting("B", "C", fixed_slot=2)],
        fairness=None,
    )
    s = solve(pb, time_limit=10, workers=2)
    assert s.status == INFEASIBLE
    # B-C locked to slot 2 leaves A-C only slot 1, where A is locked with B
    assert [c.meetings for c in s.conflicts if c.constraint == "locks"] == [(0, 1)]
    assert (
        "Meeting 2 (A–C) and meeting 1 (A–B) can both only be held in slot 1, and participant A"
        in s.explain()
    )


def test_bounds_never_exceed_the_brute_force_optimum_and_the_solver_reaches_it():
    rng = random.Random(7)
    checked = 0
    for _ in range(40):
        people = ["A", "B", "C", "D", "E"]
        pairs = rng.sample(list(itertools.combinations(people, 2)), rng.randint(3, 6))
        meetings = []
        for a, b in pairs:
            fixed = rng.choice([None, None, None, rng.randint(1, 5)])
            session = rng.choice([ANY, ANY, MORNING, AFTERNOON]) if fixed is None else ANY
            meetings.append(Meeting(a, b, session=session, fixed_slot=fixed))
        pb = Problem(
            participants=people,
            n_slots=5,
            n_morning=3,
            n_tables=2,
            meetings=meetings,
            forbidden={rng.choice(people): frozenset({rng.randint(1, 5)})},
            fairness=rng.choice([None, 1, 2]),
        )
        prep = prepare(pb)
        optimum = _brute_force_min_breaks(pb)
        s = solve(pb, time_limit=10, workers=2, explain=False)
        if optimum is None:
            assert s.status == INFEASIBLE
            continue
        checked += 1
        assert sum(breaks_lower_bound(prep, p) for p in people) <= optimum
        assert s.status == OPTIMAL and s.breaks == optimum and s.bound == optimum
    assert checked >= 10


def test_repair_trades_a_placed_meeting_for_one_that_closes_a_break():
    # one table: A meets B in slot 1 and E in slot 3 (a break); C-D holds slot 2. Holding A-F in
    # slot 2 instead keeps one meeting per slot and closes A's break.
    pb = Problem(
        participants=["A", "B", "C", "D", "E", "F"],
        n_slots=3,
        n_tables=1,
        meetings=[Meeting("A", "B"), Meeting("C", "D"), Meeting("A", "E"), Meeting("A", "F")],
    )
    prep = prepare(pb, allow_unplaced=True)
    slots = [1, 2, 3, None]
    assert repair_breaks(prep, slots, deadline=time.monotonic() + 5, cap=2) == 1
    assert slots == [1, None, 3, 2]


def test_repair_never_gives_up_a_heavier_meeting():
    pb = Problem(
        participants=["A", "B", "C", "D", "E", "F"],
        n_slots=3,
        n_tables=1,
        meetings=[
            Meeting("A", "B"),
            Meeting("C", "D", weight=2),
            Meeting("A", "E"),
            Meeting("A", "F"),
        ],
    )
    prep = prepare(pb, allow_unplaced=True)
    slots = [1, 2, 3, None]
    assert repair_breaks(prep, slots, deadline=time.monotonic() + 1, cap=2) == 0
    assert slots == [1, 2, 3, None]
