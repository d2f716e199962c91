"""Input and output data of the B2B meeting scheduler."""

from __future__ import annotations

import itertools
from collections.abc import Hashable
from dataclasses import dataclass, field

MORNING = 1
AFTERNOON = 2
ANY = 3

OPTIMAL = "optimal"
FEASIBLE = "feasible"
INFEASIBLE = "infeasible"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Meeting:
    """A meeting between participants ``a`` and ``b``.

    ``session``: 1 morning only, 2 afternoon only, 3 either. ``fixed_slot``: the slot it is locked to.
    ``after``: indices (in ``Problem.meetings``) of the meetings that must be held strictly earlier.
    ``weight``: priority when not every meeting can be placed.
    ``previous_slot`` / ``previous_table``: where the meeting stands in the schedule already published
    (rescheduling): the solver then moves as few of these meetings as it can (see :func:`solve`).
    """

    a: Hashable
    b: Hashable
    session: int = ANY
    fixed_slot: int | None = None
    after: tuple[int, ...] = ()
    weight: int = 1
    previous_slot: int | None = None
    previous_table: int | None = None


@dataclass
class Problem:
    """Participants, slots 1..n_slots (1..n_morning is the morning), n_tables, meetings.

    ``forbidden``: per participant, the slots they cannot attend. ``fairness``: the largest allowed
    difference between two participants' break counts (None: no fairness constraint). The fairness
    bound applies to every participant listed, as in the paper.
    """

    participants: list[Hashable]
    n_slots: int
    n_tables: int
    meetings: list[Meeting]
    n_morning: int | None = None
    forbidden: dict[Hashable, frozenset[int]] = field(default_factory=dict)
    fairness: int | None = 2
    name: str = ""

    def __post_init__(self) -> None:
        if self.n_morning is None:
            self.n_morning = self.n_slots


@dataclass(frozen=True)
class Conflict:
    """One reason why no schedule exists: the constraint, who it concerns, and a sentence."""

    constraint: str
    message: str
    participants: tuple = ()
    meetings: tuple[int, ...] = ()


class InvalidProblem(ValueError):
    """The input itself is malformed (unknown participant, slot out of range…)."""

    def __init__(self, conflicts: list[Conflict]):
        self.conflicts = conflicts
        super().__init__("; ".join(c.message for c in conflicts))


@dataclass(frozen=True)
class Move:
    """A meeting of the previous schedule whose slot or table changes (``new_slot`` None: left out)."""

    meeting: int
    old_slot: int
    old_table: int | None
    new_slot: int | None
    new_table: int | None

    @property
    def slot_changed(self) -> bool:
        return self.new_slot != self.old_slot


@dataclass
class Schedule:
    """What :func:`solve` returns.

    ``slots[m]`` / ``tables[m]``: the slot (1-based) and table (1-based) of meeting m, None when it is
    not placed. ``breaks``: the objective (total breaks), ``bound``: the proven lower bound on it.
    ``placed``/``placed_bound``: number (weighted) of meetings placed and its proven upper bound, when
    the problem was solved with ``allow_unplaced``. ``conflicts`` explain an infeasible answer.
    ``moves``: when meetings had a previous slot, each of them whose slot or table changes.
    """

    status: str
    slots: list[int | None]
    tables: list[int | None]
    breaks: int | None
    bound: int | None
    wall_time: float
    breaks_per_participant: dict = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    placed: int | None = None
    placed_bound: int | None = None
    method: str = ""
    stats: dict = field(default_factory=dict)
    moves: list[Move] = field(default_factory=list)

    @property
    def proven(self) -> bool:
        return self.status in (OPTIMAL, INFEASIBLE)

    def explain(self) -> str:
        return "\n".join(c.message for c in self.conflicts)


def count_breaks(slots_of_participant) -> int:
    """Breaks of one participant: idle runs strictly between two of their meetings."""
    used = sorted(set(slots_of_participant))
    return sum(1 for x, y in itertools.pairwise(used) if y > x + 1)


def slots_by_participant(problem: Problem, slots: list[int | None]) -> dict:
    """Participant → the slots of their placed meetings (``slots[k]``: meeting k's slot or None);
    every participant is a key."""
    busy: dict = {p: [] for p in problem.participants}
    for m, t in zip(problem.meetings, slots, strict=True):
        if t is not None:
            busy[m.a].append(t)
            busy[m.b].append(t)
    return busy


def total_breaks(problem: Problem, slots: list[int | None]) -> int:
    """Everyone's breaks together."""
    return sum(count_breaks(ts) for ts in slots_by_participant(problem, slots).values())
