"""The SAT search of the B2B scheduler ("a schedule with at most k breaks?"), checked against brute
force on small random events: the smallest satisfiable k is the optimum, and its schedules are valid."""

import itertools
import random
import time

import pytest
from ortools.sat.python import cp_model

from jumelage.meetings.scheduler import AFTERNOON, ANY, MORNING, Meeting, Problem
from jumelage.meetings.scheduling.checks import prepare
from jumelage.meetings.scheduling.model import count_breaks
from jumelage.meetings.scheduling.sat import SatModel

from .test_bounds import _brute_force_min_breaks

_CpSolver = cp_model.CpSolver


def _random_event(rng):
    people = ["A", "B", "C", "D", "E"]
    pairs = rng.sample(list(itertools.combinations(people, 2)), rng.randint(3, 6))
    meetings = []
    for k, (a, b) in enumerate(pairs):
        fixed = rng.choice([None, None, None, rng.randint(1, 5)])
        session = rng.choice([ANY, ANY, MORNING, AFTERNOON]) if fixed is None else ANY
        after = (rng.randrange(k),) if k and rng.random() < 0.2 else ()
        meetings.append(Meeting(a, b, session=session, fixed_slot=fixed, after=after))
    return Problem(
        participants=people,
        n_slots=5,
        n_morning=3,
        n_tables=rng.choice([1, 2]),
        meetings=meetings,
        forbidden={rng.choice(people): frozenset({rng.randint(1, 5)})},
        fairness=rng.choice([None, 0, 1, 2]),
    )


def _check(pb, slots):
    assert all(t is not None for t in slots)
    assert max(slots.count(t) for t in set(slots)) <= pb.n_tables
    per = {}
    for p in pb.participants:
        mine = [t for m, t in zip(pb.meetings, slots, strict=True) if p in (m.a, m.b)]
        assert len(mine) == len(set(mine))
        assert not set(mine) & set(pb.forbidden.get(p, ()))
        per[p] = count_breaks(mine)
    for k, m in enumerate(pb.meetings):
        assert m.fixed_slot in (None, slots[k])
        assert all(slots[j] < slots[k] for j in m.after)
    if pb.fairness is not None:
        assert max(per.values()) - min(per.values()) <= pb.fairness
    return sum(per.values())


def _first_satisfiable(pb, mdl, top: int = 12):
    """The smallest k ≤ top for which the model finds a schedule (checked valid, with at most k breaks)
    and that schedule; (None, None) when every k is refuted."""
    for k in range(top + 1):
        res = mdl.at_most(k, deadline=time.monotonic() + 10)
        assert res is not None
        if res:
            slots = mdl.read()
            assert _check(pb, slots) <= k
            return k, slots
    return None, None


@pytest.mark.parametrize("seed", range(8))
def test_the_first_satisfiable_k_is_the_brute_force_optimum(seed):
    rng = random.Random(seed)
    checked = 0
    for _ in range(15):
        pb = _random_event(rng)
        prep = prepare(pb)
        if prep.conflicts:
            continue
        optimum = _brute_force_min_breaks(pb)
        mdl = SatModel(prep, max_k=12)
        try:
            found, _slots = _first_satisfiable(pb, mdl)
        finally:
            mdl.close()
        assert found == optimum
        checked += optimum is not None
    assert checked >= 3


def _solvable_events(seed: int, tries: int):
    """(problem, prepared, brute-force optimum, per-participant lower bound) of random small events
    that have a schedule."""
    from jumelage.meetings.scheduling.checks import breaks_lower_bound

    rng = random.Random(seed)
    for _ in range(tries):
        pb = _random_event(rng)
        prep = prepare(pb)
        if prep.conflicts:
            continue
        optimum = _brute_force_min_breaks(pb)
        if optimum is None:
            continue
        yield pb, prep, optimum, sum(breaks_lower_bound(prep, p) for p in pb.participants)


def test_the_linear_search_with_its_sat_turns_reaches_the_brute_force_optimum(monkeypatch):
    """solve_by_bounds with the SAT turns forced on small events (they join only on long days) and
    CP-SAT's slices too short to decide anything: the SAT search has to find the optimum."""
    from jumelage.meetings.scheduling import cpsat

    monkeypatch.setattr(cpsat, "SAT_MIN_SLOTS", 1)
    used_sat = 0
    for pb, prep, optimum, lb in _solvable_events(11, 60):
        status, slots, breaks, bound, stats = cpsat.solve_by_bounds(
            prep, deadline=time.monotonic() + 10, lower=lb, workers=2, bound_phase=0, cp_slice=1e-9
        )
        assert status == "optimal" and breaks == bound == optimum
        assert _check(pb, slots) == optimum
        used_sat += "sat" in stats
    assert used_sat >= 2  # where the per-participant bound is below the optimum


@pytest.mark.parametrize("branch", ["sat first", "sat refutes first"])
def test_each_order_of_the_two_searches_reaches_the_brute_force_optimum(monkeypatch, branch):
    """The long-day orders of solve_by_bounds forced on small events (SAT search first, events of at
    most SAT_MAX_MEETINGS meetings; SAT search refuting k up before CP-SAT alone, larger events — on
    these small events the SAT search usually settles it in its first turn): every answer is the
    brute-force optimum with a valid schedule, and no k the SAT search refuted reaches it."""
    from jumelage.meetings.scheduling import cpsat

    monkeypatch.setattr(cpsat, "SAT_MIN_SLOTS", 1)
    if branch != "sat first":
        monkeypatch.setattr(cpsat, "SAT_MAX_MEETINGS", 0)
    decided_after_refutation = 0
    for pb, prep, optimum, lb in _solvable_events(5, 40):
        status, slots, breaks, bound, stats = cpsat.solve_by_bounds(
            prep, deadline=time.monotonic() + 10, lower=lb, workers=2
        )
        assert status == "optimal" and breaks == bound == optimum
        assert _check(pb, slots) == optimum
        refuted = [k for k, verdict, _s in stats.get("sat", []) if verdict == "unsat"]
        assert all(k < optimum for k in refuted)
        decided_after_refutation += optimum > lb
    assert decided_after_refutation >= 2  # events where the per-participant bound was refuted


@pytest.mark.parametrize("seed", range(4))
def test_first_schedule_finds_a_valid_schedule_exactly_when_one_exists(seed):
    """The rescue search (no limit on breaks, fairness kept, also when it bounds counts from below):
    a valid schedule when brute force finds one, False when there is none."""
    from jumelage.meetings.scheduling.cpsat import first_schedule

    rng = random.Random(100 + seed)
    seen = {True: 0, False: 0}
    for _ in range(25):
        pb = _random_event(rng)
        prep = prepare(pb)
        if prep.conflicts:
            continue
        optimum = _brute_force_min_breaks(pb)
        slots = first_schedule(prep, deadline=time.monotonic() + 10)
        assert slots is not None
        if optimum is None:
            assert slots is False
        else:
            assert _check(pb, slots) >= optimum
        seen[optimum is not None] += 1
    assert seen[True] >= 3


class _NoAnswer:
    """A CP-SAT solver that never decides anything (as on forum-14.prec15 under load)."""

    def __init__(self):
        self.parameters = _CpSolver().parameters

    def Solve(self, model, *args):  # CP-SAT's names
        return cp_model.UNKNOWN

    def StatusName(self, status=None):
        return "UNKNOWN"

    def BestObjectiveBound(self):
        return 0


def test_an_event_never_ends_without_a_schedule_when_cp_sat_finds_none(monkeypatch):
    """CP-SAT undecided on every call, no schedule handed in: past ``blind_try`` of the time the rescue
    (SAT model without a break limit, then annealing) gives a valid schedule, returned with the bound."""
    from jumelage.meetings.scheduling import cpsat

    monkeypatch.setattr(cpsat.cp_model, "CpSolver", _NoAnswer)
    rescued = 0
    for pb, prep, optimum, lb in _solvable_events(3, 30):
        status, slots, breaks, bound, stats = cpsat.solve_by_bounds(
            prep, deadline=time.monotonic() + 0.5, lower=lb, workers=2, sat=False, blind_try=0.1
        )
        assert slots is not None and status in ("optimal", "unknown")
        assert _check(pb, slots) == breaks >= optimum >= bound
        rescued += stats["rescue"][0] == "sat"
    assert rescued >= 3


def test_when_the_sat_model_finds_no_first_schedule_the_local_search_gives_one(monkeypatch):
    """The rescue's own fallback (CaDiCaL's time to a first schedule has a tail): the local search
    searches for a schedule until the deadline."""
    from jumelage.meetings.scheduling import cpsat

    monkeypatch.setattr(cpsat.cp_model, "CpSolver", _NoAnswer)
    monkeypatch.setattr(cpsat, "first_schedule", lambda prep, deadline: None)
    events = list(itertools.islice(_solvable_events(3, 30), 3))
    assert len(events) == 3
    for pb, prep, optimum, lb in events:
        status, slots, breaks, bound, stats = cpsat.solve_by_bounds(
            prep, deadline=time.monotonic() + 0.3, lower=lb, workers=2, sat=False, blind_try=0.1
        )
        assert stats["rescue"] == ["unknown", "local search"]
        assert slots is not None and status in ("optimal", "unknown")
        assert _check(pb, slots) == breaks >= optimum >= bound


def test_on_short_days_the_linear_search_without_the_optimisation_reaches_the_brute_force_optimum():
    """Days shorter than SAT_MIN_SLOTS whose per-participant bound is refuted go to "at most k?", k up,
    at once (no optimisation run): the answer is the brute-force optimum, or infeasible when brute
    force finds no schedule."""
    from jumelage.meetings.scheduling import cpsat
    from jumelage.meetings.scheduling.checks import breaks_lower_bound

    rng = random.Random(31)
    refuted = infeasible = 0
    for _ in range(60):
        pb = _random_event(rng)
        prep = prepare(pb)
        if prep.conflicts:
            continue
        assert pb.n_slots < cpsat.SAT_MIN_SLOTS
        optimum = _brute_force_min_breaks(pb)
        lb = sum(breaks_lower_bound(prep, p) for p in pb.participants)
        status, slots, breaks, bound, stats = cpsat.solve_by_bounds(
            prep, deadline=time.monotonic() + 10, lower=lb, workers=2
        )
        if optimum is None:
            assert status == "infeasible" and slots is None
            infeasible += 1
            continue
        assert status == "optimal" and breaks == bound == optimum
        assert _check(pb, slots) == optimum
        if optimum > lb:
            assert "bound_phase" not in stats
            refuted += 1
    assert refuted >= 2 and infeasible >= 1


def _event_with_twins(rng):
    """An exhibitor A with one-meeting visitors V1, V2 and two twins T1, T2 who meet A and B: the same
    partners, so interchangeable unless a forbidden slot or a session sets one apart."""
    session = rng.choice([ANY, ANY, MORNING])
    meetings = [Meeting("A", v, session=session) for v in ("V1", "V2")]
    for t in ("T1", "T2"):
        meetings += [Meeting(t, "A"), Meeting("B", t)]
    meetings.append(Meeting("A", "B", session=rng.choice([ANY, AFTERNOON])))
    forbidden = {"B": frozenset({rng.randint(1, 6)})}
    if rng.random() < 0.5:
        forbidden[rng.choice(["V1", "V2", "T1", "T2"])] = frozenset({rng.randint(1, 6)})
    return Problem(
        participants=["A", "B", "V1", "V2", "T1", "T2"],
        n_slots=6,
        n_morning=3,
        n_tables=rng.choice([2, 3]),
        meetings=meetings,
        forbidden=forbidden,
        fairness=rng.choice([None, 1, 2]),
    )


def test_interchangeable_participants_are_the_ones_with_the_same_partners_and_slots():
    from jumelage.meetings.scheduling.sat import interchangeable

    pb = Problem(
        participants=["A", "B", "V1", "V2", "V3", "W", "T1", "T2"],
        n_slots=5,
        meetings=[
            Meeting("A", "V1"),
            Meeting("V2", "A"),
            Meeting("A", "V3"),
            Meeting("A", "W", fixed_slot=2),
            Meeting("T1", "A"),
            Meeting("T1", "B"),
            Meeting("B", "T2"),
            Meeting("T2", "A"),
        ],
        n_tables=3,
        forbidden={"V3": frozenset({4})},
    )
    groups = interchangeable(prepare(pb))
    # V3 cannot come in slot 4, W's meeting is locked: neither can be exchanged with V1 or V2
    assert sorted(groups) == [[[0], [1]], [[4, 5], [7, 6]]]


@pytest.mark.parametrize("seed", range(4))
def test_ordering_interchangeable_participants_keeps_the_brute_force_optimum(seed):
    """Ordering the twins and the visitors (one order of each exchangeable set) loses no schedule:
    the first satisfiable k is still the optimum, and a schedule in the other order is reordered to
    one that the model accepts, with the same breaks."""
    rng = random.Random(200 + seed)
    checked = 0
    for _ in range(6):
        pb = _event_with_twins(rng)
        prep = prepare(pb)
        if prep.conflicts:
            continue
        optimum = _brute_force_min_breaks(pb)
        mdl = SatModel(prep, max_k=12)
        try:
            assert mdl.groups
            found, slots = _first_satisfiable(pb, mdl)
            assert found == optimum
            if found is not None:
                group = mdl.groups[0]
                firsts = [slots[ks[0]] for ks in group]
                assert firsts == sorted(firsts)
                # the same schedule with the group's members in reverse order
                swapped = list(slots)
                for ks, other in zip(group, reversed(group), strict=True):
                    for k, j in zip(ks, other, strict=True):
                        swapped[k] = slots[j]
                back = mdl.canonical(swapped)
                assert _check(pb, back) == _check(pb, swapped) == found
                fixed = [mdl.x[k][t] for k, t in enumerate(back)]
                assert mdl.decide(found, fixed=fixed, budget=10_000) is True
        finally:
            mdl.close()
        checked += optimum is not None
    assert checked >= 3
