"""Large-neighbourhood search with exact sub-solves on the SAT model (scheduling/sat.py).

From a schedule in hand, repeatedly free the meetings of a neighbourhood and keep every other meeting
in its slot (assumptions x[m, slot] on the incremental CaDiCaL solver of :class:`sat.SatModel`), and
ask "a schedule with at most best − 1 breaks?" under a small conflict budget. A "yes" is a better
schedule (every constraint of the SAT model holds: it is a valid schedule), a "no" only says that this
neighbourhood cannot improve it. Neighbourhoods, chosen in turn at random:

- a window of consecutive slots: every meeting held in it;
- the participants who have breaks, and around them their meeting partners, theirs, … (breadth-first
  on a random order) until the size is reached;
- the same from random participants.

The size is a share of the meetings that grows (×1.15) after a run of failures and falls back when it
reaches its ceiling. The solver is the one the SAT search uses (the same learned clauses; its saved
phases then start from the best schedule). Pure Python, no Django import.
"""

from __future__ import annotations

import random
import time

from jumelage.meetings.scheduling.checks import Prepared
from jumelage.meetings.scheduling.model import count_breaks, slots_by_participant, total_breaks


def improve(
    prep: Prepared,
    sm,
    start: list[int],
    *,
    deadline: float,
    floor: int = 0,
    seed: int = 0,
    budget: int = 3_000,
    share: float = 0.3,
    ceiling: float = 0.9,
    patience: int = 30,
    stats: dict | None = None,
) -> tuple[list[int], int]:
    """Improve ``start`` until ``deadline`` or until it has ``floor`` breaks (a proven lower bound).

    ``sm``: a :class:`sat.SatModel` of the same prepared problem (not closed here). Returns the best
    schedule and its breaks (``start`` itself when nothing better was found)."""
    pb = prep.problem
    rng = random.Random(seed)  # noqa: S311 - search randomness, not security
    cur = sm.canonical(start)  # the model orders interchangeable participants: so must the meetings kept
    best = total_breaks(pb, cur)
    n = len(cur)
    T = pb.n_slots
    of = prep.of
    parts = [p for p in pb.participants if of.get(p)]
    movable = [k for k, d in enumerate(prep.domains) if len(d) > 1]
    if not movable or not parts:
        return cur, best
    frac, fails, calls, found = share, 0, 0, 0
    cur_budget = min(budget, 1_000)  # grows to ``budget`` while the calls are quick
    kinds = ("window", "breaks", "related")
    took = 0.0
    while best > floor and time.monotonic() + min(took, 0.1) < deadline:
        calls += 1
        size = max(2, int(frac * n * rng.uniform(0.7, 1.3)))
        kind = kinds[rng.randrange(3)]
        if kind == "window":
            w = max(2, min(T, round(T * size / n)))
            a = rng.randint(1, T - w + 1)
            free = {k for k, t in enumerate(cur) if a <= t < a + w}
        else:
            if kind == "breaks":
                per = slots_by_participant(pb, cur)
                pool = [p for p in parts if count_breaks(per[p]) > 0] or parts
                seeds = rng.sample(pool, min(len(pool), rng.randint(1, 3)))
            else:
                seeds = rng.sample(parts, min(len(parts), 2))
            free, seen, frontier = set(), set(seeds), list(seeds)
            while frontier and len(free) < size:
                p = frontier.pop(rng.randrange(len(frontier)))
                for k in of[p]:
                    free.add(k)
                    m = pb.meetings[k]
                    q = m.b if m.a == p else m.a
                    if q not in seen:
                        seen.add(q)
                        frontier.append(q)
        fixed = [sm.x[k][cur[k]] for k in range(n) if k not in free and cur[k] in sm.x[k]]
        # "at most best − 1": or the most the model's totalizer expresses (sat.SatModel's max_k).
        # CaDiCaL cannot be interrupted: a call that took long shrinks the budget of the next ones
        # (about a tenth of a second each at most), so that the search ends near its deadline
        t = time.monotonic()
        res = sm.decide(min(best - 1, sm.max_k), fixed=fixed, budget=cur_budget)
        took = time.monotonic() - t
        if took > 0.1:
            cur_budget = max(100, int(cur_budget * 0.1 / took))
        elif took < 0.03:
            cur_budget = min(budget, int(cur_budget * 1.5) + 1)
        if res:
            new = sm.read()
            nb = total_breaks(pb, new)
            if nb < best:
                cur, best, fails = new, nb, 0
                found += 1
                continue
        fails += 1
        if fails >= patience:
            fails = 0
            frac = frac * 1.15 if frac * 1.15 <= ceiling else share
    if stats is not None:
        stats["lns"] = (calls, found, best)
    return cur, best
