"""The pure B2B scheduler core: small hand-made events with a known optimum, and bad input."""

from collections import Counter

import pytest

from jumelage.meetings.scheduler import (
    AFTERNOON,
    INFEASIBLE,
    MORNING,
    OPTIMAL,
    InvalidProblem,
    Meeting,
    Problem,
    solve,
)


def _triangle(fairness=2, **kw):
    # three meetings in three slots, one table: whoever meets at slots 1 and 3 has one break
    return Problem(
        participants=["A", "B", "C"],
        n_slots=3,
        n_tables=1,
        meetings=[Meeting("A", "B"), Meeting("B", "C"), Meeting("A", "C")],
        fairness=fairness,
        **kw,
    )


def _assert_valid(problem, s):
    by_slot = Counter(s.slots)
    assert all(c <= problem.n_tables for c in by_slot.values())
    for p in problem.participants:
        mine = [t for m, t in zip(problem.meetings, s.slots, strict=True) if p in (m.a, m.b)]
        assert len(mine) == len(set(mine)), f"{p} is double-booked"
    seen = set()
    for t, tab in zip(s.slots, s.tables, strict=True):
        assert 1 <= tab <= problem.n_tables
        assert (t, tab) not in seen
        seen.add((t, tab))


def test_triangle_has_one_break_at_best():
    pb = _triangle()
    s = solve(pb, time_limit=10)
    assert s.status == OPTIMAL
    assert s.breaks == 1 and s.bound == 1
    assert sorted(s.breaks_per_participant.values()) == [0, 0, 1]
    _assert_valid(pb, s)


def test_fairness_zero_makes_the_triangle_unsat_and_says_why():
    pb = _triangle(fairness=0)
    s = solve(pb, time_limit=10)
    assert s.status == INFEASIBLE
    assert s.breaks is None and all(t is None for t in s.slots)
    kinds = {c.constraint for c in s.conflicts}
    assert "fairness" in kinds
    assert "within 0 of everyone else" in s.explain()


def test_precedence_orders_the_meetings():
    pb = Problem(
        participants=["A", "B", "C"],
        n_slots=3,
        n_tables=2,
        meetings=[Meeting("A", "B", after=(1,)), Meeting("A", "C")],
    )
    s = solve(pb, time_limit=10)
    assert s.status == OPTIMAL and s.breaks == 0
    assert s.slots[1] < s.slots[0]
    assert s.slots[0] == s.slots[1] + 1  # A has no break


def test_fixed_and_forbidden_force_a_break():
    pb = Problem(
        participants=["A", "B", "C"],
        n_slots=3,
        n_tables=2,
        meetings=[Meeting("A", "B", fixed_slot=1), Meeting("A", "C")],
        forbidden={"C": frozenset({1, 2})},
    )
    s = solve(pb, time_limit=10)
    assert s.status == OPTIMAL
    assert s.slots == [1, 3]
    assert s.breaks == 1 and s.breaks_per_participant == {"A": 1, "B": 0, "C": 0}


def test_sessions_are_respected():
    pb = Problem(
        participants=["A", "B", "C"],
        n_slots=4,
        n_morning=2,
        n_tables=1,
        meetings=[Meeting("A", "B", session=AFTERNOON), Meeting("A", "C", session=MORNING)],
    )
    s = solve(pb, time_limit=10)
    assert s.status == OPTIMAL and s.breaks == 0
    assert s.slots == [3, 2]


def test_unknown_participant_is_named():
    pb = Problem(participants=["A", "B"], n_slots=2, n_tables=1, meetings=[Meeting("A", "Z")])
    with pytest.raises(InvalidProblem) as err:
        solve(pb)
    assert err.value.conflicts[0].constraint == "unknown_participant"
    assert "'Z'" in str(err.value)


def test_more_meetings_than_slots_is_explained():
    pb = Problem(
        participants=["A", "B", "C", "D"],
        n_slots=2,
        n_tables=5,
        meetings=[Meeting("A", "B"), Meeting("A", "C"), Meeting("A", "D")],
    )
    s = solve(pb)
    assert s.status == INFEASIBLE
    c = s.conflicts[0]
    assert c.constraint == "too_many_meetings" and c.participants == ("A",)
    assert "Participant A has 3 meetings but there are only 2 slots" in c.message


def test_two_locks_of_one_participant_in_one_slot():
    pb = Problem(
        participants=["A", "B", "C"],
        n_slots=3,
        n_tables=5,
        meetings=[Meeting("A", "B", fixed_slot=2), Meeting("A", "C", fixed_slot=2)],
    )
    s = solve(pb)
    assert s.status == INFEASIBLE
    c = next(c for c in s.conflicts if c.constraint == "fixed_overlap")
    assert c.participants == ("A",) and c.meetings == (0, 1)
    assert "locked to slot 2" in c.message


def test_more_locks_in_a_slot_than_tables():
    pb = Problem(
        participants=["A", "B", "C", "D"],
        n_slots=3,
        n_tables=1,
        meetings=[Meeting("A", "B", fixed_slot=1), Meeting("C", "D", fixed_slot=1)],
    )
    s = solve(pb)
    c = next(c for c in s.conflicts if c.constraint == "fixed_capacity")
    assert c.meetings == (0, 1) and "only 1 tables" in c.message


def test_precedence_cycle_is_named():
    pb = Problem(
        participants=["A", "B", "C"],
        n_slots=3,
        n_tables=2,
        meetings=[Meeting("A", "B", after=(1,)), Meeting("A", "C", after=(0,))],
    )
    s = solve(pb)
    c = next(c for c in s.conflicts if c.constraint == "precedence_cycle")
    assert set(c.meetings) == {0, 1}
    assert "cycle" in c.message


def test_availability_conflict_found_by_the_solver_names_who():
    # each participant alone is fine; together B and D both need slot 2, which has one table
    pb = Problem(
        participants=["A", "B", "C", "D"],
        n_slots=2,
        n_tables=1,
        meetings=[Meeting("A", "B"), Meeting("C", "D")],
        forbidden={"B": frozenset({1}), "D": frozenset({1})},
    )
    s = solve(pb, time_limit=10)
    assert s.status == INFEASIBLE
    kinds = Counter(c.constraint for c in s.conflicts[1:])
    assert kinds == {"availability": 2, "capacity": 1}
    assert set(s.conflicts[0].participants) == {"B", "D"}
    assert "participant B is unavailable in slot(s) 1" in s.explain()


def test_partial_placement_when_tables_run_out():
    pb = Problem(
        participants=["A", "B", "C", "D"],
        n_slots=1,
        n_tables=1,
        meetings=[Meeting("A", "B"), Meeting("C", "D", weight=3)],
    )
    assert solve(pb).status == INFEASIBLE
    s = solve(pb, allow_unplaced=True, time_limit=10)
    assert s.status == OPTIMAL
    assert s.slots == [None, 1]  # the heavier meeting wins the only table
    assert s.placed == 3 and s.placed_bound == 3


def test_partial_placement_large_path_keeps_runs_unbroken():
    people = list(range(1, 41))
    meetings = [Meeting(a, b) for a in people for b in people if a < b and (a + b) % 3 == 0]
    pb = Problem(participants=people, n_slots=6, n_tables=8, meetings=meetings)
    s = solve(pb, allow_unplaced=True, exact=False)
    placed = [t for t in s.slots if t is not None]
    assert len(placed) == s.placed and 0 < s.placed <= 48
    assert max(Counter(placed).values()) <= 8
    assert s.breaks == sum(s.breaks_per_participant.values())
    assert max(s.breaks_per_participant.values()) <= 2


def test_partial_placement_large_path_places_priority_meetings_first():
    # two tables, one slot: the organiser-created (heavier) meetings get them
    pb = Problem(
        participants=list(range(1, 9)),
        n_slots=1,
        n_tables=2,
        meetings=[Meeting(1, 2), Meeting(3, 4, weight=3), Meeting(5, 6), Meeting(7, 8, weight=3)],
    )
    s = solve(pb, allow_unplaced=True, exact=False, time_limit=1)
    assert s.slots == [None, 1, None, 1]
    assert sorted(s.tables[1::2]) == [1, 2]
    assert s.placed == 6 and s.stats["path"] in {"waves", "greedy and repair"}
