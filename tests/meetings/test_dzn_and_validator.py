"""The .dzn reader (inline text and a shipped benchmark instance) and the benchmark's independent
validator catching a broken schedule."""

import importlib.util
from pathlib import Path

import pytest

from jumelage.meetings.dzn import DznError, parse_dzn, problem_from_dzn, read_dzn
from jumelage.meetings.scheduler import OPTIMAL, solve

ROOT = Path(__file__).resolve().parents[2]
# CI and every developer machine have the shared folder beside the clone (<repo>/../shared)
SHARED_INSTANCES = ROOT.parent / "shared" / "bench" / "b2b" / "instances"

SMALL = """
% a tiny event
nBusiness = 4;
nMeetings = 3;
nTables = 1;
nTotalSlots = 4;
nMorningSlots = 2;
requested = [|1, 2,1,
|1, 3,2,
|3, 4,3,
|];
nMeetingsBusiness = [2,1,2,1];
meetingsxBusiness = [{1,2,3},{1,2},{1,3,4},{1,4}];
forbidden = [{0},{0},{0},{1..2}];
fixed = [0,0,0];
precedences = [{},{},{2}];
"""


def _validator():
    spec = importlib.util.spec_from_file_location("b2b_validate", ROOT / "bench" / "b2b_validate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_parse_inline_text():
    data = parse_dzn(SMALL)
    assert data["nBusiness"] == 4
    assert data["requested"] == [[1, 2, 1], [1, 3, 2], [3, 4, 3]]
    assert data["forbidden"][3] == frozenset({1, 2})
    assert data["precedences"][2] == frozenset({2})


def test_problem_from_inline_text():
    pb = problem_from_dzn(SMALL, name="small")
    assert pb.participants == [1, 2, 3, 4]
    assert (pb.n_slots, pb.n_morning, pb.n_tables) == (4, 2, 1)
    assert [(m.a, m.b, m.session) for m in pb.meetings] == [(1, 2, 1), (1, 3, 2), (3, 4, 3)]
    assert pb.forbidden == {4: frozenset({1, 2})}  # slot 0 is the dummy entry
    assert pb.meetings[2].after == (1,)  # meeting 3 follows meeting 2 (0-based index 1)
    s = solve(pb, time_limit=10)
    assert s.status == OPTIMAL
    assert s.slots == [2, 3, 4] and s.breaks == 0


def test_missing_fields_mean_none():
    pb = problem_from_dzn("nTotalSlots = 2; requested = [| 1, 2 | 2, 3 |];")
    assert pb.participants == [1, 2, 3]
    assert pb.n_morning == 2 and pb.n_tables == 2
    assert all(m.session == 3 and m.fixed_slot is None and m.after == () for m in pb.meetings)


def test_bad_text_is_reported():
    with pytest.raises(DznError, match="requested"):
        problem_from_dzn("nTotalSlots = 2;")
    with pytest.raises(DznError, match="expected"):
        parse_dzn("nBusiness = ;")


def test_read_a_shipped_instance():
    pb = read_dzn(SHARED_INSTANCES / "tic-12.forb0003.dzn")
    assert pb.name == "tic-12.forb0003"
    assert len(pb.participants) == 42 and len(pb.meetings) == 125
    assert (pb.n_tables, pb.n_slots, pb.n_morning) == (21, 8, 8)
    assert pb.forbidden[1] == frozenset({4})
    # participant 1 has 8 meetings in 8 slots but is unavailable in slot 4: the paper's "unsat"
    s = solve(pb)
    assert s.status == "infeasible"
    assert any(c.constraint == "availability" and c.participants == (1,) for c in s.conflicts)


def test_validator_accepts_a_good_schedule_and_catches_a_broken_one():
    v = _validator()
    pb = problem_from_dzn(SMALL)
    s = solve(pb, time_limit=10)
    errors, breaks, _ = v.check(SMALL, s.slots, s.tables, s.breaks, 2)
    assert errors == [] and breaks == s.breaks

    broken = [1, 1, 2]  # meetings 1 and 2 share participant 1 in slot 1; meeting 2 is afternoon-only
    errors, _, _ = v.check(SMALL, broken, None, 0, 2)
    text = "\n".join(errors)
    assert "afternoon-only meeting in morning slot 1" in text
    assert "participant 1 is in two meetings at once" in text
    assert "slot 1: 2 meetings for 1 tables" in text
    assert "participant 4 is unavailable in slot 2" in text
    assert "meeting 2 must come before meeting 3 (1 vs 2)" not in text  # 1 < 2 holds

    errors, recomputed, _ = v.check(SMALL, [2, 4, 3], None, 0, 2)
    assert "meeting 2 must come before meeting 3 (4 vs 3)" in errors
    assert "reported 0 breaks, recomputed 1" in errors  # participant 1 idles in slot 3
    assert recomputed == 1
