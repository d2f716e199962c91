"""The large-neighbourhood search of the B2B scheduler (scheduling/lns.py) and the SAT model's
sub-solves it relies on: schedules stay valid, breaks never rise, a kept meeting stays in its slot."""

import random
import time
from pathlib import Path

from jumelage.meetings.dzn import read_dzn
from jumelage.meetings.scheduling import lns
from jumelage.meetings.scheduling.checks import breaks_lower_bound, prepare
from jumelage.meetings.scheduling.cpsat import first_schedule, solve_by_bounds
from jumelage.meetings.scheduling.sat import SatModel

from .test_bounds import _brute_force_min_breaks
from .test_sat import _check, _random_event, _solvable_events

ROOT = Path(__file__).resolve().parents[2]
SHARED_INSTANCES = ROOT.parent / "shared" / "bench" / "b2b" / "instances"


def test_the_search_returns_a_valid_schedule_no_worse_than_its_start():
    improved = 0
    for pb, prep, optimum, _lb in _solvable_events(21, 40):
        start = first_schedule(prep, deadline=time.monotonic() + 10)
        before = _check(pb, start)
        sm = SatModel(prep, max_k=0)
        sm.extend(before)
        try:
            slots, breaks = lns.improve(prep, sm, start, deadline=time.monotonic() + 0.3, floor=optimum)
        finally:
            sm.close()
        assert _check(pb, slots) == breaks
        assert optimum <= breaks <= before
        improved += breaks < before
    assert improved >= 1


def test_a_sub_solve_keeps_the_fixed_meetings_in_their_slots():
    """decide(k, fixed=…) answers "at most k breaks with these meetings where they are?": a schedule
    it returns keeps them, and with every meeting fixed it is exactly "is this schedule within k?"."""
    rng = random.Random(4)
    seen = 0
    for pb, prep, _optimum, _lb in _solvable_events(8, 30):
        start = first_schedule(prep, deadline=time.monotonic() + 10)
        breaks = _check(pb, start)
        sm = SatModel(prep, max_k=breaks + 1)
        try:
            every = [sm.x[k][t] for k, t in enumerate(start)]
            assert sm.decide(breaks, fixed=every, budget=100_000) is True
            assert sm.read() == start
            if breaks:
                assert sm.decide(breaks - 1, fixed=every, budget=100_000) is False
            kept = rng.sample(range(len(start)), len(start) // 2)
            if sm.decide(breaks, fixed=[sm.x[k][start[k]] for k in kept], budget=100_000):
                slots = sm.read()
                assert all(slots[k] == start[k] for k in kept)
                assert _check(pb, slots) <= breaks
                seen += 1
        finally:
            sm.close()
    assert seen >= 3


def test_extending_the_break_counter_answers_as_a_model_built_that_large():
    """SatModel.extend grows "at most k" after the build (lns.py starts from schedules above the k
    the SAT search was built for): the answers match those of a model built with the larger bound."""
    rng = random.Random(2)
    checked = 0
    for _ in range(20):
        pb = _random_event(rng)
        prep = prepare(pb)
        if prep.conflicts:
            continue
        optimum = _brute_force_min_breaks(pb)
        small, large = SatModel(prep, max_k=0), SatModel(prep, max_k=8)
        try:
            small.extend(8)
            for k in range(9):
                a = small.at_most(k, deadline=time.monotonic() + 10)
                b = large.at_most(k, deadline=time.monotonic() + 10)
                assert a == b == (optimum is not None and k >= optimum)
        finally:
            small.close()
            large.close()
        checked += 1
    assert checked >= 5


def test_on_a_tight_published_event_the_search_returns_its_best_schedule_with_an_honest_bound():
    """forum-13crafb.original (published optimum 6): the bound CP-SAT and the SAT search prove
    stays below the schedule the large-neighbourhood search returns, which is valid."""
    pb = read_dzn(SHARED_INSTANCES / "forum-13crafb.original.dzn")
    prep = prepare(pb)
    lb = sum(breaks_lower_bound(prep, p) for p in pb.participants)
    status, slots, breaks, bound, stats = solve_by_bounds(
        prep, deadline=time.monotonic() + 4, lower=lb, workers=2
    )
    assert status in ("optimal", "unknown") and slots is not None
    assert bound <= 6 <= breaks
    assert _check(pb, slots) == breaks
    if "lns" in stats:
        start, _calls, _found, best = stats["lns"]
        assert breaks <= best <= start
