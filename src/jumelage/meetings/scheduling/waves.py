"""Wave construction: choose WHICH meetings are held so that everybody's meetings are consecutive.

For events where not every accepted meeting fits (more requests than slots × tables), the scheduler
must first hold as many meetings as possible, then minimise idle breaks. Here the choice of the held
meetings is made so that breaks are avoided by construction:

**Zero-break waves.** Slots are filled one after the other. Every participant is *fresh* (no meeting
yet), *active* (had a meeting in the previous slot) or *finished*. A participant who is active and
gets no meeting in a slot is finished: none of their remaining requests is held (in this schedule), so
nobody ever has a gap. In each slot, after its locked meetings, the meetings form a *vertex-weighted
matching* (:meth:`_Waves.run_vw`, the default since 27 November 04:00): every participant who is not
finished is worth the number of their live requests towards the participants active now (an active
one ``alpha`` more, so the runs that have started are kept first), and the candidates are taken by
decreasing worth, each kept when an alternating path covers them with those kept before (the sets of
participants a matching within the tables can cover form a matroid, so with an exact test of "can
they all be covered" this greedy would give the covering of most worth; the path search here, without
blossom shrinking, is that test, inexact). Which active participants are kept, and which fresh
ones start, is what decides how long the runs last: on the scale event (2,000 participants, 15,000
requests, 24 slots × 400 tables) a construction (2–4 s) fills **all 9,600 places without a break**
in 12 of 30 tries on generator seeds 1–3 (the others hold 9,585–9,599, short in the last slot only)
and at the first try on seeds 4–10, where the first greedy waves (:meth:`_Waves.run`: active
participants paired first by a greedy matching + augmenting paths, then with fresh ones, then fresh
pairs chosen by all their live requests) held 8,919–9,002 and ran out of fresh participants from slot
17–18 on (:func:`prefix_budget`). Counting only the requests towards *active* participants matters:
counting all live requests instead held 9,204–9,466.

**Priorities** (requests of different weights, e.g. mutual interest or organiser-created weighing
2): the worth in :meth:`_Waves.run_vw` also counts each participant's live heavy requests (``urge``
for active ones, ``urge_fresh`` for fresh ones), so that nobody with heavy requests still to hold is
finished early; :func:`exchange_heavier` then swaps heavy requests in along alternating paths inside
a slot without adding a break. Zero-break, that holds weight 12,071 / 12,018 / 12,097 where the
plain waves held 11,830 / 11,800 / 11,928 (scale event, 20 % of the requests weighing 2, seeds 1–3,
best of 20 s). Since the weight comes before breaks,
with breaks allowed :func:`insert_heavier` then holds every heavy request it can in place of a light
one where that costs the fewest breaks, and :func:`close_breaks` brings the breaks down (never
lowering the weight): every heavy request and every place, weight 12,563 / 12,577 / 12,718 (the
bound) on seeds 1–3, with 380 / 379 / 409 breaks, where the greedy construction + repair held
11,905 / 11,947 / 12,041 with 973 / 961 / 1,009 breaks. The resumes take first those with a heavy
request left.

**Top-up with the fewest breaks.** When the zero-break waves cannot fill every table of a slot (more
tables, e.g. 450 or 500 on the same event, or copies of it with 200 participants), finished
participants may *resume*: one break each. A resumed participant is paired with a left-over active
or fresh participant first (one break per meeting), then with another resumed one, the participants
with the most live requests first. Nobody resumes more than once while the tables can be filled that
way; then up to the fairness bound ``d``. Break counts thus stay within ``d`` of each other (nobody
exceeds ``d``, and nobody has fewer than 0).

The construction is randomised (order of ties and of requests, and the weights) and restarted for
part of ``time_limit``, unless a run holds every place (or the heaviest meetings on every place)
without a break; a weighted run that falls short first has its end rebuilt a few times
(``SUFFIX_BACK``: from 1–12 slots before the first slot it could not fill, 0.06–1.2 s each on the
scale event, where this got all 12 tried calls of :func:`wave_schedule` to 9,600 without a break in
2.7–5.8 s); the best schedule kept is the one with the most (weighted) meetings held, then the
fewest breaks. The rest of the time goes to :func:`close_breaks`, a local search that swaps which
requests are held inside a slot (so every slot keeps its number of meetings): it shrinks the
shortest run of a participant with a break one meeting at a time (each swap keeps or lowers the
total breaks) until the run and its break disappear, and fills one-slot gaps; at a local minimum it
kicks (a few swaps costing at most one break) and goes back to the best schedule if it drifts (with
the greedy waves it took the scale event from about 270 breaks to 204–217).

Hard rules: nobody twice in a slot, at most ``n_tables`` meetings per slot, a meeting only in a slot
of its session where neither side is unavailable (``Problem.forbidden``), precedences (a meeting only
after the meetings it must follow are held earlier), locked meetings in their slot (a lock may force a
break). Pure Python, no Django.
"""

from __future__ import annotations

import random
import sys
import time
from dataclasses import dataclass, field

from jumelage.meetings.scheduling.model import AFTERNOON, MORNING, Problem, count_breaks, slots_by_participant

FRESH, ACTIVE, DONE = 0, 1, 2
# weight of "requests towards active participants" in a newcomer's value, cycled over the restarts
ACT_WEIGHTS = (5.0, 8.0, 3.0, 2.0)
# weight of all live requests in an active participant's worth (run_vw), cycled over the restarts
VW_MU = (0.0, 1.0)
# when a weighted run falls short: rebuilds of its end (from this many slots before the first slot
# it could not fill), before the next full run
SUFFIX_TRIES = 8
SUFFIX_BACK = (1, 2, 4, 1, 9, 2, 12, 1)
# events with priorities (requests of different weights): (urge, urge_fresh, heavy, mu) of run_vw,
# cycled over the full runs (an end rebuild uses those of the run it rebuilds)
# events with priorities: share of the time for close_breaks (at most); on the scale event it takes
# the breaks from ~420 to ~385–410 in 10 s and no further, while more runs find better starts (seed 1,
# 45 s: 382 breaks with 0.3 and 9 runs, 409 with 0.6 and 4 runs)
WEIGHTED_POLISH = 0.3
WEIGHTED_RUNS = (
    (6.0, 2.0, 1.0, 0.0),
    (20.0, 5.0, 1.0, 0.0),
    (6.0, 2.0, 2.0, 0.0),
    (3.0, 1.0, 1.0, 0.0),
    (10.0, 3.0, 1.0, 0.0),
    (6.0, 2.0, 1.0, 1.0),
)


@dataclass
class WaveResult:
    """``slots[m]``: slot (1-based) of meeting m or None; ``runs``: constructions tried."""

    slots: list[int | None]
    placed: int
    weight: int
    breaks: int
    breaks_per_participant: dict
    runs: int
    seconds: float
    stats: dict = field(default_factory=dict)


def _domains(problem: Problem) -> list[frozenset[int] | None]:
    """Allowed slots per meeting (None: every slot)."""
    T = problem.n_slots
    nm = problem.n_morning if problem.n_morning is not None else T
    out: list[frozenset[int] | None] = []
    for m in problem.meetings:
        if m.session == MORNING:
            allowed = set(range(1, nm + 1))
        elif m.session == AFTERNOON:
            allowed = set(range(nm + 1, T + 1))
        else:
            allowed = None
        bad = problem.forbidden.get(m.a, frozenset()) | problem.forbidden.get(m.b, frozenset())
        if m.fixed_slot is not None:
            allowed = {m.fixed_slot} if allowed is None or m.fixed_slot in allowed else set()
        if bad:
            allowed = (set(range(1, T + 1)) if allowed is None else allowed) - set(bad)
        out.append(None if allowed is None else frozenset(allowed))
    return out


class _Waves:
    def __init__(self, problem: Problem):
        self.pb = problem
        self.T, self.L = problem.n_slots, problem.n_tables
        self.people = list(problem.participants)
        self.idx = {p: i for i, p in enumerate(self.people)}
        self.ends = [(self.idx[m.a], self.idx[m.b]) for m in problem.meetings]
        self.w = [m.weight for m in problem.meetings]
        self.dom = _domains(problem)
        self.after = [tuple(m.after) for m in problem.meetings]
        self.fixed_at: dict[int, list[int]] = {}
        for k, m in enumerate(problem.meetings):
            if m.fixed_slot is not None and self.dom[k]:
                self.fixed_at.setdefault(m.fixed_slot, []).append(k)
        self.locked = {k for ks in self.fixed_at.values() for k in ks}
        n = len(self.people)
        self.adj0: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        for k, (a, b) in enumerate(self.ends):
            if k in self.locked or (self.dom[k] is not None and not self.dom[k]):
                continue
            self.adj0[a].append((b, k))
            self.adj0[b].append((a, k))
        fair = problem.fairness
        self.cap = fair if fair is not None else self.T
        self.short_from: int | None = None

    def unmovable(self) -> set[int]:
        """Meetings the exchanges and insertions leave where they are: the locked ones, and both ends of
        every precedence (moving one could break the order)."""
        out = set(self.locked)
        for k, js in enumerate(self.after):
            if js:
                out.add(k)
                out.update(js)
        return out

    def _start(self, rng) -> tuple[list, list[int], list[int], list[int | None]]:
        """A construction's starting point: each participant's requests in random order, everyone
        fresh, no resume, no meeting placed."""
        n = len(self.people)
        adj = [list(a) for a in self.adj0]
        for a in adj:
            rng.shuffle(a)
        return adj, [FRESH] * n, [0] * n, [None] * len(self.ends)

    def _ready(self, slot: list[int | None]):
        """``ready(k, t)``: meeting k may go in slot t (allowed there, every meeting it follows held
        earlier), judged on `slot` as it is filled."""
        dom, after = self.dom, self.after

        def ready(k: int, t: int) -> bool:
            d = dom[k]
            if d is not None and t not in d:
                return False
            return all(slot[j] is not None and slot[j] < t for j in after[k])

        return ready

    def _fixed(self, t: int, ready) -> dict[int, tuple[int, int]]:
        """The meetings locked to slot t that fit (both free, a table left): participant → (other, k)."""
        mate: dict[int, tuple[int, int]] = {}
        for k in self.fixed_at.get(t, ()):
            a, b = self.ends[k]
            if len(mate) // 2 < self.L and a not in mate and b not in mate and ready(k, t):
                mate[a] = (b, k)
                mate[b] = (a, k)
        return mate

    def run(
        self, seed: int, act_weight: float = 5.0, *, resume: bool = True, resume_act: float = 0.0
    ) -> list[int | None]:
        """One randomised construction (``resume`` False: pure zero-break waves, tables may stay free)."""
        rng = random.Random(seed)  # noqa: S311 - search randomness, not security
        T, L = self.T, self.L
        n = len(self.people)
        adj, state, resumes, slot = self._start(rng)
        rand = rng.random

        ready = self._ready(slot)

        for t in range(1, T + 1):
            mate = self._fixed(t, ready)
            n_locked = len(mate) // 2
            act = [p for p in range(n) if state[p] == ACTIVE and p not in mate]
            aset = set(act)
            aa = {
                p: [(q, k) for q, k in adj[p] if slot[k] is None and q in aset and ready(k, t)] for p in act
            }
            deg = {p: len(o) for p, o in aa.items()}
            budget = L - n_locked
            for p in sorted(act, key=lambda p: (deg[p], rand())):
                if budget <= 0:
                    break
                if p in mate:
                    continue
                o = [(q, k) for q, k in aa[p] if q not in mate]
                if o:
                    q, k = min(o, key=lambda x: (-self.w[x[1]], deg[x[0]], rand()))
                    mate[p] = (q, k)
                    mate[q] = (p, k)
                    budget -= 1
            if budget > 0:
                _augment(act, mate, aa, rng, budget)
            free = L - len(mate) // 2
            fresh = {p for p in range(n) if state[p] == FRESH and p not in mate}

            def live(q: int) -> bool:
                return state[q] != DONE

            def value(p: int) -> float:
                s_act = s_live = 0
                for q, k in adj[p]:
                    if slot[k] is None:
                        if state[q] == ACTIVE:
                            s_act += 1
                        if live(q):
                            s_live += 1
                return act_weight * s_act + s_live

            if free > 0 and fresh:
                fs = {p: value(p) for p in fresh}
                left = [p for p in act if p not in mate]
                af = {p: [(q, k) for q, k in adj[p] if q in fresh and slot[k] is None] for p in left}
                left.sort(key=lambda p: (len(af[p]), rand()))
                for p in left:
                    if free <= 0:
                        break
                    o = [(q, k) for q, k in af[p] if q not in mate and ready(k, t)]
                    if o:
                        q, k = max(o, key=lambda x: (self.w[x[1]], fs[x[0]], rand()))
                        mate[p] = (q, k)
                        mate[q] = (p, k)
                        free -= 1
                for p in sorted(fresh, key=lambda p: (-fs[p], rand())):
                    if free <= 0:
                        break
                    if p in mate:
                        continue
                    o = [
                        (q, k)
                        for q, k in adj[p]
                        if q in fresh and q not in mate and slot[k] is None and ready(k, t)
                    ]
                    if o:
                        q, k = max(o, key=lambda x: (self.w[x[1]], fs[x[0]], rand()))
                        mate[p] = (q, k)
                        mate[q] = (p, k)
                        free -= 1
            self._end_slot(t, adj, state, resumes, slot, mate, free, ready, rng, resume, resume_act, False)
        return slot

    def run_vw(
        self,
        seed: int,
        *,
        alpha: float = 20.0,
        mu: float = 0.0,
        fresh_worth: float = 1.0,
        noise: float = 0.3,
        resume: bool = True,
        depth_max: int = 12,
        start: tuple[list[int | None], int] | None = None,
        heavy: float = 1.0,
        urge: float = 0.0,
        urge_fresh: float = 0.0,
    ) -> list[int | None]:
        """One construction where each slot's meetings form a vertex-weighted matching.

        ``start`` = (slots, t0): keep the meetings that ``slots`` holds before slot t0 and build the
        slots from t0 on (a cheap restart of the end of a construction that fell short there).
        ``self.short_from`` is set to the first slot whose matching held fewer meetings than the
        tables (before resumes), or None.

        Every participant who is not finished is a candidate for slot t. Their *worth* counts their
        live requests (unheld, and ``ready`` or not; each by its weight to the power ``heavy``, so a
        plain count when every request weighs the same) towards participants *active* now (a meeting
        in t - 1): an active participant is worth ``alpha`` + that count (+ ``mu`` × all their live
        requests, towards anyone not finished), a fresh one ``fresh_worth`` × that count + a random
        tie-break below ``noise``. Candidates are taken by decreasing worth, each one kept when an
        alternating path (no blossom shrinking, at most ``depth_max`` steps) covers them together
        with every candidate kept before, the meetings staying within the tables: the sets of
        participants a matching within the tables can cover form a matroid, so with an exact test
        this greedy would find the covering of most worth. Active participants go first (``alpha``),
        the ones with the most requests towards the others who are busy now first; whoever active is
        not covered is finished, as in :meth:`run`.

        With priorities, ``urge`` × (the extra weight of their live requests, Σ (weight − 1)) is
        added to an active participant's worth and ``urge_fresh`` × the same to a fresh one's (0 when
        every request weighs the same).

        Counting only the requests towards active participants matters: on the scale event, with
        the worth of a fresh participant counting all their live requests the waves hold 9,204–9,466
        of the 9,600 places, with only those towards active ones 9,540–9,551 (seed 1), and ranking
        the active ones the same way 9,585–9,600 (seeds 1–3; every run without a break).
        """
        rng = random.Random(seed)  # noqa: S311 - search randomness, not security
        T, L = self.T, self.L
        n = len(self.people)
        adj, state, resumes, slot = self._start(rng)
        ends, wts = self.ends, self.w
        # a request counts by its weight (priority) to the power ``heavy``: 1 for every request of
        # equal weight, so the unweighted events are built exactly as without it
        wpow = [x**heavy for x in wts]
        rand = rng.random
        t_first = 1
        if start is not None:
            prefix, t_first = start
            occ = [0] * n
            for k, t in enumerate(prefix):
                if t is not None and t < t_first:
                    slot[k] = t
                    a, b = ends[k]
                    occ[a] |= 1 << t
                    occ[b] |= 1 << t
            for p in range(n):
                if occ[p]:
                    state[p] = ACTIVE if occ[p] >> (t_first - 1) & 1 else DONE
                    resumes[p] = _brk(occ[p])
            for a in adj:
                a[:] = [x for x in a if slot[x[1]] is None]
        self.short_from = None

        ready = self._ready(slot)

        for t in range(t_first, T + 1):
            mate = self._fixed(t, ready)
            cap = L - len(mate) // 2
            cand = [p for p in range(n) if state[p] != DONE and p not in mate]
            cset = set(cand)
            opts: dict[int, list[tuple[int, int]]] = {}
            worth: dict[int, float] = {}
            for p in cand:
                o = []
                n_live = n_act = n_extra = 0
                for q, k in adj[p]:
                    if slot[k] is not None or state[q] == DONE:
                        continue
                    wk = wpow[k]
                    n_live += wk
                    n_extra += wts[k] - 1
                    if state[q] == ACTIVE:
                        n_act += wk
                    if q in cset and ready(k, t):
                        o.append((q, k))
                opts[p] = o
                if state[p] == ACTIVE:
                    worth[p] = alpha + n_act + mu * n_live + urge * n_extra + 0.01 * rand()
                else:
                    worth[p] = fresh_worth * n_act + urge_fresh * n_extra + noise * rand()
            for p in cand:
                # heavier meetings first, then partners already busy, then partners worth more
                opts[p].sort(key=lambda x: (-wts[x[1]], state[x[0]] != ACTIVE, -worth[x[0]]))
            kept: set[int] = set()
            pairs = 0
            for v in sorted((p for p in cand if opts[p]), key=lambda p: -worth[p]):
                if len(kept) >= 2 * cap:
                    break
                if v in mate:
                    kept.add(v)
                    continue
                found = _vw_path(v, opts, mate, kept, pairs < cap, depth_max)
                if found is None:
                    continue
                path, grows = found
                for x, y, k in path:
                    mate[x] = (y, k)
                    mate[y] = (x, k)
                pairs += grows
                kept.add(v)
            free = L - len(mate) // 2
            if free > 0 and self.short_from is None:
                self.short_from = t
            self._end_slot(t, adj, state, resumes, slot, mate, free, ready, rng, resume, 0.0, True)
        return slot

    def _end_slot(
        self, t, adj, state, resumes, slot, mate, free, ready, rng, resume, act_w, drop_done
    ) -> None:
        """Finish slot t: finished participants resume into the free tables (one break each first, then
        up to the cap), the slot's meetings are written, and everyone's state moves on (whoever was
        active and got no meeting is finished). Every fourth slot the request lists lose the requests
        already held (and, with `drop_done`, those towards finished participants)."""
        if free > 0 and resume and self.cap > 0:
            free = self._resume(t, adj, state, resumes, slot, mate, free, ready, rng, 1, act_w)
        if free > 0 and resume and self.cap > 1:
            free = self._resume(t, adj, state, resumes, slot, mate, free, ready, rng, self.cap, act_w)
        for _q, k in mate.values():
            slot[k] = t
        for p in range(len(self.people)):
            if p in mate:
                if state[p] == DONE:
                    resumes[p] += 1
                state[p] = ACTIVE
            elif state[p] == ACTIVE:
                state[p] = DONE
        if t % 4 == 0:
            for a in adj:
                a[:] = [x for x in a if slot[x[1]] is None and not (drop_done and state[x[0]] == DONE)]

    def _resume(self, t, adj, state, resumes, slot, mate, free, ready, rng, limit, act_w) -> int:
        """Fill free tables of slot t with finished participants who resume (a break each)."""
        n = len(self.people)
        back = [p for p in range(n) if state[p] == DONE and resumes[p] < limit and p not in mate]
        if not back:
            return free
        bset = set(back)
        pool = bset | {p for p in range(n) if state[p] != DONE and p not in mate}
        wts = self.w
        # with priorities, those with a heavy request left resume first (all 1 otherwise: same order)
        hw = {p: max((wts[k] for q, k in adj[p] if slot[k] is None and q in pool), default=0) for p in pool}
        sc = {
            p: sum(1 + act_w * (state[q] == ACTIVE) for q, k in adj[p] if slot[k] is None and q in pool)
            for p in pool
        }
        rand = rng.random
        first = sorted(
            (p for p in pool if state[p] != DONE),
            key=lambda p: (state[p] != ACTIVE, -hw[p], -sc[p], rand()),
        )
        for stage in (first, sorted(back, key=lambda p: (-hw[p], -sc[p], rand()))):
            for p in stage:
                if free <= 0:
                    return free
                if p in mate:
                    continue
                o = [
                    (q, k)
                    for q, k in adj[p]
                    if q in pool
                    and q not in mate
                    and slot[k] is None
                    and (stage is not first or q in bset)
                    and ready(k, t)
                ]
                if o:
                    q, k = max(o, key=lambda x: (self.w[x[1]], sc[x[0]], rand()))
                    mate[p] = (q, k)
                    mate[q] = (p, k)
                    free -= 1
        return free


def _augment(act, mate, aa, rng, budget) -> None:
    """Augmenting paths among the active participants (no blossom shrinking: a path is only taken
    when its vertices are distinct, so the matching stays valid; a few augmentations may be missed)."""
    limit = sys.getrecursionlimit()
    depth_max = min(8, limit // 4)
    free_v = [p for p in act if p not in mate]
    rng.shuffle(free_v)
    grown = 0
    for u in free_v:
        if grown >= budget:
            return
        if u in mate:
            continue
        seen = {u}
        path: list[tuple[int, int, int]] = []

        def dfs(x: int, depth: int, seen=seen, path=path) -> bool:
            for y, k in aa[x]:
                if y in seen:
                    continue
                if y not in mate:
                    path.append((x, y, k))
                    return True
                if depth >= depth_max:
                    continue
                z = mate[y][0]
                if z in seen:
                    continue
                seen.add(y)
                seen.add(z)
                path.append((x, y, k))
                if dfs(z, depth + 1):
                    return True
                path.pop()
            return False

        if dfs(u, 0):
            for x, y, k in path:
                if y in mate:
                    z = mate[y][0]
                    if mate.get(z, (None,))[0] == y:
                        del mate[z]
                mate[x] = (y, k)
                mate[y] = (x, k)
            grown += 1


def _vw_path(v, opts, mate, kept, may_grow, depth_max):
    """An alternating path from the uncovered ``v`` (see :meth:`_Waves.run_vw`): it ends at an
    uncovered participant (one meeting more, only when ``may_grow``) or at a covered participant who
    is not in ``kept`` and loses their meeting (as many meetings as before). Returns (pairs to set,
    meetings added) or None. No blossom shrinking: a path is only taken when its participants are
    distinct, so the matching stays valid, and a few paths may be missed."""
    seen = {v}
    path: list[tuple[int, int, int]] = []

    def dfs(x: int, depth: int) -> int:
        for y, k in opts[x]:
            if y in seen:
                continue
            if y not in mate:
                if may_grow:
                    path.append((x, y, k))
                    return 1
                continue
            z = mate[y][0]
            if z not in kept and z not in seen:
                # y leaves z (who needs no meeting) for x
                path.append((x, y, k))
                del mate[z]
                return 0
        if depth >= depth_max:
            return -1
        for y, k in opts[x]:
            if y in seen or y not in mate:
                continue
            z = mate[y][0]
            if z in seen:
                continue
            seen.add(y)
            seen.add(z)
            path.append((x, y, k))
            r = dfs(z, depth + 1)
            if r >= 0:
                return r
            path.pop()
        return -1

    r = dfs(v, 0)
    return None if r < 0 else (path, r)


def _brk(mask: int) -> int:
    runs = (mask & ~(mask << 1)).bit_count()
    return runs - 1 if runs else 0


def _runs_of(mask: int, T: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for t in range(1, T + 1):
        if mask >> t & 1:
            if out and out[-1][1] == t - 1:
                out[-1] = (out[-1][0], t)
            else:
                out.append((t, t))
    return out


def exchange_heavier(
    problem: Problem,
    slots: list[int | None],
    *,
    deadline: float,
    depth_max: int = 3,
    keep: frozenset[int] | set[int] = frozenset(),
) -> list[int | None]:
    """Hold more weight in the same runs: alternating paths inside one slot that never add a break.

    In a slot t, a participant x who is free at t and may meet there without gaining a break (t next
    to their run, in a gap of theirs, or no meeting yet) takes an unheld request x–y; if y is busy at
    t, y leaves their meeting y–z, and z either stops at t or takes another unheld request z–y', and
    so on (at most ``depth_max`` steps). A path ending at a free y uses a free table of the slot. Only
    the two ends of a path change their slots (everyone inside keeps a meeting at t), each staying in
    the fairness band. A path is applied when the weight held grows and the two ends together gain no
    break (a heavy request held in place of a light one, a free table filled; with no break anywhere
    this means nobody gains one), or when the weight stays and the ends lose a break (x fills a gap
    of their own: e.g. the hole of a cancelled meeting filled with an unheld request). Locked
    meetings and meetings with precedences are never touched, nor the meetings in ``keep``
    (rescheduling: the confirmed ones). Repeated over the slots until nothing improves or
    ``deadline``.

    Measured on the scale event with 20 % of the requests weighing 2 (seed 1): +29–58 weight on a
    zero-break construction, 0.1 s; after :func:`insert_heavier`, 1–6 breaks fewer.
    """
    w = _Waves(problem)
    T, L = problem.n_slots, problem.n_tables
    ends, dom, wts = w.ends, w.dom, w.w
    frozen = w.unmovable() | set(keep)
    n = len(w.people)
    slot = list(slots)
    occ = [0] * n
    count = [0] * (T + 2)
    mate: list[dict[int, tuple[int, int]]] = [{} for _ in range(T + 2)]
    for k, t in enumerate(slot):
        if t is not None:
            a, b = ends[k]
            occ[a] |= 1 << t
            occ[b] |= 1 << t
            count[t] += 1
            mate[t][a] = (b, k)
            mate[t][b] = (a, k)
    free_adj: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for k, (a, b) in enumerate(ends):
        if slot[k] is None and k not in frozen and (dom[k] is None or dom[k]):
            free_adj[a].append((b, k))
            free_adj[b].append((a, k))
    for lst in free_adj:
        lst.sort(key=lambda x: -wts[x[1]])
    per = [_brk(m) for m in occ]
    band = problem.fairness if problem.fairness is not None else T
    # every end of a path stays within [least breaks, least breaks + band]: a fair schedule stays
    # fair, and someone above the band (a cancellation's hole) can only come down
    low = min(per, default=0)
    high = low + band
    spread = max(per, default=0) - low

    def ok(p: int, mask: int) -> bool:
        b = _brk(mask)
        return b <= _brk(occ[p]) and b >= low

    def delta(p: int, mask: int) -> int | None:
        """Breaks p gains with the slots ``mask`` (None: outside the fairness band)."""
        b = _brk(mask)
        return None if b > high or b < low else b - _brk(occ[p])

    def best_path(x: int, t: int, dx: int):
        """The best alternating path from x (free at t; ``dx``: breaks x gains by meeting at t): most
        weight gained, then fewest breaks; only paths that gain weight without adding breaks, or
        remove breaks without losing weight."""
        bit = 1 << t
        mt = mate[t]
        best: list = [(0, 0), None]
        seen = {x}
        path: list[tuple[int, int, int | None]] = []  # (x, y, k) new meetings; removed ones follow

        def better(g: int, d: int | None) -> bool:
            return d is not None and dx + d <= 0 and (g, -dx - d) > best[0]

        def dfs(u: int, gain: int, depth: int) -> None:
            for y, k in free_adj[u]:
                if y in seen or slot[k] is not None or (dom[k] is not None and t not in dom[k]):
                    continue
                g = gain + wts[k]
                if y not in mt:
                    if count[t] < L and not occ[y] & bit:
                        d = delta(y, occ[y] | bit)
                        if better(g, d):
                            best[0], best[1] = (g, -dx - d), [*path, (u, y, k), None]
                    continue
                z, j = mt[y]
                if z in seen or j in frozen:
                    continue
                g2 = g - wts[j]
                d = delta(z, occ[z] & ~bit)
                if better(g2, d):
                    best[0], best[1] = (g2, -dx - d), [*path, (u, y, k), (y, z, j)]
                if depth < depth_max:
                    seen.add(y)
                    seen.add(z)
                    path.append((u, y, k))
                    path.append((y, z, j))
                    dfs(z, g2, depth + 1)
                    path.pop()
                    path.pop()
                    seen.discard(y)
                    seen.discard(z)

        dfs(x, 0, 1)
        return best

    def apply(path: list, t: int) -> None:
        bit = 1 << t
        mt = mate[t]
        last = path.pop()
        if last is None:
            count[t] += 1
        else:
            _y, z, _j = last
            occ[z] &= ~bit
            mt.pop(z, None)
        for i in range(0, len(path), 2):
            u, y, k = path[i]
            if i + 1 < len(path):
                _y, z, j = path[i + 1]
                slot[j] = None
                a, b = ends[j]
                free_adj[a].append((b, j))
                free_adj[b].append((a, j))
            slot[k] = t
            occ[u] |= bit
            occ[y] |= bit
            mt[u] = (y, k)
            mt[y] = (u, k)
        if last is not None:
            slot[last[2]] = None
            a, b = ends[last[2]]
            free_adj[a].append((b, last[2]))
            free_adj[b].append((a, last[2]))
        for i in range(0, len(path), 2):
            u, y, k = path[i]
            free_adj[u] = [x for x in free_adj[u] if x[1] != k]
            free_adj[y] = [x for x in free_adj[y] if x[1] != k]
        for p in {q for step in path for q in step[:2]}:
            free_adj[p].sort(key=lambda x: -wts[x[1]])

    improved = True
    while improved and time.monotonic() < deadline:
        improved = False
        for t in range(1, T + 1):
            bit = 1 << t
            for x in range(n):
                if occ[x] & bit or not free_adj[x] or not ok(x, occ[x] | bit):
                    continue
                _score, path = best_path(x, t, _brk(occ[x] | bit) - _brk(occ[x]))
                if path is not None:
                    apply(path, t)
                    improved = True
            if time.monotonic() >= deadline:
                break
    per = [_brk(m) for m in occ]
    if per and max(per) - min(per) > max(spread, band):
        return list(slots)
    return slot


def insert_heavier(problem: Problem, slots: list[int | None], *, deadline: float) -> list[int | None]:
    """Weight comes before breaks: hold each unheld request in place of a lighter held one (or at a
    free table) wherever that costs the fewest breaks, nobody above the fairness cap.

    Requests are taken heaviest first; for each, every allowed slot where both sides are free is
    tried, with the free table or the lighter meeting of that slot whose removal costs the fewest
    breaks, and every slot where one side has a lighter meeting, which gives way; the cheapest slot
    is used (the total weight held grows by the difference). Locked
    meetings and meetings with precedences are never touched. The breaks this adds are then for
    :func:`close_breaks`, whose swaps never lower the weight held.
    """
    w = _Waves(problem)
    T, L = problem.n_slots, problem.n_tables
    ends, dom, wts = w.ends, w.dom, w.w
    cap = w.cap
    frozen = w.unmovable()
    n = len(w.people)
    slot = list(slots)
    occ = [0] * n
    held_at: list[set[int]] = [set() for _ in range(T + 2)]
    meet_at: list[dict[int, int]] = [{} for _ in range(T + 2)]  # slot → participant → meeting
    for k, t in enumerate(slot):
        if t is not None:
            a, b = ends[k]
            occ[a] |= 1 << t
            occ[b] |= 1 << t
            held_at[t].add(k)
            meet_at[t][a] = meet_at[t][b] = k
    if min((_brk(m) for m in occ), default=0) > 0:
        return slot  # the cap below assumes that somebody has no break
    w_min = min(wts, default=1)

    def d_change(p: int, mask: int) -> int | None:
        b = _brk(mask)
        return None if b > cap else b - _brk(occ[p])

    todo = [k for k, t in enumerate(slot) if t is None and k not in frozen and wts[k] > w_min]
    todo.sort(key=lambda k: -wts[k])

    def _insert(k: int, limit: int) -> None:
        """Hold k where that costs the fewest breaks, if at most ``limit``."""
        p, q = ends[k]
        best: tuple[int, int, int | None] | None = None  # (cost, slot, meeting dropped)
        for t in range(1, T + 1) if dom[k] is None else sorted(dom[k]):
            bit = 1 << t
            if occ[p] & occ[q] & bit:
                continue
            if (occ[p] | occ[q]) & bit:
                # one side busy at t with a lighter meeting: that meeting gives way (its other side
                # leaves slot t, the free side joins it; the number of meetings stays)
                side, other = (p, q) if occ[p] & bit else (q, p)
                j = meet_at[t][side]
                if j in frozen or wts[j] >= wts[k]:
                    continue
                r = ends[j][0] if ends[j][1] == side else ends[j][1]
                dr, do = d_change(r, occ[r] & ~bit), d_change(other, occ[other] | bit)
                if dr is not None and do is not None and (best is None or dr + do < best[0]):
                    best = (dr + do, t, j)
                continue
            dp, dq = d_change(p, occ[p] | bit), d_change(q, occ[q] | bit)
            if dp is None or dq is None:
                continue
            cost = dp + dq
            if best is not None and cost - 2 >= best[0]:
                continue  # dropping a meeting saves at most one break per side: no better
            if len(held_at[t]) < L:
                if best is None or cost < best[0]:
                    best = (cost, t, None)
                continue
            out = None
            for j in held_at[t]:
                if j in frozen or wts[j] >= wts[k]:
                    continue
                a, b = ends[j]
                da, db = d_change(a, occ[a] & ~bit), d_change(b, occ[b] & ~bit)
                if da is None or db is None:
                    continue
                if out is None or da + db < out[0]:
                    out = (da + db, j)
                    if da + db <= -1:
                        break
            if out is not None and (best is None or cost + out[0] < best[0]):
                best = (cost + out[0], t, out[1])
        if best is None or best[0] > limit:
            return
        _c, t, j = best
        bit = 1 << t
        if j is not None:
            a, b = ends[j]
            occ[a] &= ~bit
            occ[b] &= ~bit
            held_at[t].discard(j)
            del meet_at[t][a], meet_at[t][b]
            slot[j] = None
        occ[p] |= bit
        occ[q] |= bit
        held_at[t].add(k)
        meet_at[t][p] = meet_at[t][q] = k
        slot[k] = t

    for limit in (0, 1, 2 * T):
        # the cheapest insertions first: those that cost no break, then one, then any
        todo = [k for k in todo if slot[k] is None]
        for k in todo:
            if time.monotonic() >= deadline:
                break
            _insert(k, limit)
    per = [_brk(m) for m in occ]
    if problem.fairness is not None and per and max(per) - min(per) > problem.fairness:
        return list(slots)
    return slot


def close_breaks(problem: Problem, slots: list[int | None], *, deadline: float) -> list[int | None]:
    """Local search that keeps every slot's number of meetings and lowers the breaks.

    Two swaps inside one slot t, kept when the total breaks go down (or stay equal), nobody above the
    fairness cap:
    - for a participant with a break, the meeting at one end of their shortest run is dropped and
      another request is held at t instead (one whose two sides are free at t, among the participants
      whose run touches t): repeated, the run shrinks to nothing and the break disappears;
    - a one-slot gap t of a participant is filled with one of their requests, and the cheapest
      other meeting of slot t is dropped to free its table.
    Locked meetings and meetings with precedences are never touched; a swap never holds a meeting of
    lower weight than the one it drops.
    """
    w = _Waves(problem)
    T = problem.n_slots
    ends, dom, weights = w.ends, w.dom, w.w
    frozen = w.unmovable()
    n = len(w.people)
    slot: list[int | None] = []
    occ: list[int] = []
    held_at: list[set[int]] = []
    free_adj: list[list[tuple[int, int]]] = []

    def load(source: list[int | None]) -> None:
        slot[:] = source
        occ[:] = [0] * n
        held_at[:] = [set() for _ in range(T + 2)]
        for k, t in enumerate(slot):
            if t is not None:
                a, b = ends[k]
                occ[a] |= 1 << t
                occ[b] |= 1 << t
                held_at[t].add(k)
        free_adj[:] = [[] for _ in range(n)]
        for k, (a, b) in enumerate(ends):
            if slot[k] is None and k not in frozen and (dom[k] is None or dom[k]):
                free_adj[a].append((b, k))
                free_adj[b].append((a, k))

    load(list(slots))
    best_slot, best_total = list(slot), sum(_brk(m) for m in occ)
    cap = w.cap
    rng = random.Random(0)  # noqa: S311 - search randomness, not security

    def d_add(p: int, t: int) -> int:
        return _brk(occ[p] | 1 << t) - _brk(occ[p])

    def d_rem(p: int, t: int) -> int:
        return _brk(occ[p] & ~(1 << t)) - _brk(occ[p])

    def ok_add(p: int, t: int) -> bool:
        return _brk(occ[p] | 1 << t) <= cap

    def ok_rem(p: int, t: int) -> bool:
        return _brk(occ[p] & ~(1 << t)) <= cap

    def hold(k_in: int, t: int) -> None:
        a, b = ends[k_in]
        occ[a] |= 1 << t
        occ[b] |= 1 << t
        held_at[t].add(k_in)
        slot[k_in] = t
        free_adj[a] = [x for x in free_adj[a] if x[1] != k_in]
        free_adj[b] = [x for x in free_adj[b] if x[1] != k_in]

    def apply(k_out: int, k_in: int, t: int) -> None:
        a, b = ends[k_out]
        occ[a] &= ~(1 << t)
        occ[b] &= ~(1 << t)
        held_at[t].discard(k_out)
        slot[k_out] = None
        free_adj[a].append((b, k_out))
        free_adj[b].append((a, k_out))
        hold(k_in, t)

    def best_in(t: int, banned: set[int], skip: int, min_w: int, good: int) -> tuple[int, int | None]:
        """Cheapest unheld request to hold at t (both sides free at t); the first one whose cost is
        at most ``good`` is taken at once."""
        people = list({p for k in held_at[t - 1] | held_at[t + 1] for p in ends[k]} | (banned - {skip}))
        start = rng.randrange(len(people)) if people else 0
        bit = 1 << t
        best = (99, None)
        for r in people[start:] + people[:start]:
            mr = occ[r]
            if mr & bit or r == skip or not free_adj[r]:
                continue
            br = _brk(mr | bit)
            if br > cap:
                continue
            dr = br - _brk(mr)
            for s_, k in free_adj[r]:
                ms = occ[s_]
                if s_ == skip or ms & bit or weights[k] < min_w or (dom[k] is not None and t not in dom[k]):
                    continue
                bs = _brk(ms | bit)
                if bs > cap:
                    continue
                d = dr + bs - _brk(ms)
                if d < best[0]:
                    best = (d, k)
                    if d <= good:
                        return best
        return best

    def best_out(t: int, keep: tuple[int, int], max_w: int) -> tuple[int, int | None]:
        best = (99, None)
        for k in held_at[t]:
            a, b = ends[k]
            if k in frozen or a in keep or b in keep or weights[k] > max_w:
                continue
            if not (ok_rem(a, t) and ok_rem(b, t)):
                continue
            d = d_rem(a, t) + d_rem(b, t)
            if d < best[0]:
                best = (d, k)
                if d < 0:
                    break
        return best

    def try_drop(p: int, t: int, *, accept_zero: bool, kick: bool = False) -> bool:
        """Drop p's meeting at t and hold the cheapest other request at t instead."""
        nonlocal stale
        k_out = next((k for k in held_at[t] if p in ends[k]), None)
        if k_out is None or k_out in frozen:
            return False
        q = ends[k_out][0] if ends[k_out][1] == p else ends[k_out][1]
        if not ok_rem(q, t):
            return False
        d_out = d_rem(p, t) + d_rem(q, t)
        occ[p] &= ~(1 << t)
        occ[q] &= ~(1 << t)
        d_in, k_in = best_in(t, {q}, p, weights[k_out], -d_out + (1 if kick else 0 if accept_zero else -1))
        occ[p] |= 1 << t
        occ[q] |= 1 << t
        if k_in is None:
            return False
        d = d_out + d_in
        if d < 0 or (d == 0 and (accept_zero or rng.random() < 0.3)) or (kick and d <= 1):
            apply(k_out, k_in, t)
            if d < 0:
                stale = 0
            return True
        return False

    stale = 0
    while time.monotonic() < deadline:
        stale += 1
        if stale > 30:
            # a local minimum: keep it if it is the best, go back to the best if we drifted, then
            # kick (a few swaps that may cost one break each) and search again
            total = sum(_brk(m) for m in occ)
            if total < best_total:
                best_slot, best_total = list(slot), total
            elif total > best_total + 3:
                load(best_slot)
            if best_total == 0:
                break
            hit = [p for p in range(n) if _brk(occ[p]) > 0]
            for p in rng.sample(hit, min(len(hit), 10)):
                run = rng.choice(_runs_of(occ[p], T))
                try_drop(p, rng.choice(run), accept_zero=True, kick=True)
            stale = 0
        targets = [p for p in range(n) if _brk(occ[p]) > 0]
        rng.shuffle(targets)
        for p in targets:
            if time.monotonic() >= deadline:
                break
            mask = occ[p]
            if _brk(mask) == 0:
                continue
            # the shortest run of p: drop it meeting by meeting (each swap keeps the breaks or
            # lowers them; the last one removes p's break)
            runs = _runs_of(mask, T)
            a0, b0 = min(runs, key=lambda r: (r[1] - r[0], rng.random()))
            ends_of_run = [a0] if a0 == b0 else [a0, b0]
            rng.shuffle(ends_of_run)
            done_p = False
            for t in ends_of_run:
                if try_drop(p, t, accept_zero=a0 != b0):
                    done_p = True
                    break
            if done_p:
                continue
            for t in range(2, T):
                if (
                    not mask >> t & 1
                    and mask >> (t - 1) & 1
                    and mask >> (t + 1) & 1
                    and t < T
                    and ok_add(p, t)
                ):
                    # a one-slot gap at t: hold one of p's requests there, drop the cheapest meeting
                    for r, k_in in free_adj[p]:
                        if occ[r] >> t & 1 or (dom[k_in] is not None and t not in dom[k_in]):
                            continue
                        if not ok_add(r, t):
                            continue
                        d_in = d_add(p, t) + d_add(r, t)
                        if len(held_at[t]) < w.L:
                            d_out, k_out = 0, None
                        else:
                            d_out, k_out = best_out(t, (p, r), weights[k_in])
                            if k_out is None:
                                continue
                        if d_in + d_out < 0:
                            if k_out is None:
                                hold(k_in, t)
                            else:
                                apply(k_out, k_in, t)
                            stale = 0
                            break
                    else:
                        continue
                    break
    total = sum(_brk(m) for m in occ)
    return list(slot) if total <= best_total else best_slot


def wave_schedule(
    problem: Problem,
    time_limit: float = 10.0,
    *,
    seed: int = 0,
    allow_breaks: bool = True,
    polish: float = 0.6,
    matching: str = "weighted",
) -> WaveResult:
    """Best of randomised wave constructions within ``time_limit`` seconds (at least one run).

    ``allow_breaks`` False: pure zero-break waves (tables the waves cannot fill stay free). With
    breaks allowed, the last ``polish`` share of the time (at most ``WEIGHTED_POLISH`` with
    priorities) goes to :func:`close_breaks` on the best run. With priorities every run goes through
    :func:`exchange_heavier`, and with breaks allowed :func:`insert_heavier` and the exchange again,
    before the runs are compared (weight, then breaks).
    ``matching``: "weighted" (:meth:`_Waves.run_vw`) or "greedy" (the first waves, :meth:`_Waves.run`).
    """
    if matching not in ("weighted", "greedy"):
        raise ValueError(f"unknown matching {matching!r}: 'weighted' or 'greedy'")
    t0 = time.monotonic()
    # priorities: the runs (each with its insertions) decide more than close_breaks, which levels off
    weighted = len({m.weight for m in problem.meetings}) > 1
    if weighted:
        polish = min(polish, WEIGHTED_POLISH)
    build_until = t0 + time_limit * (1 - polish if allow_breaks else 1)
    w = _Waves(problem)
    best = None
    runs = 0
    # every meeting held (or every table of every slot filled by the heaviest ones) without a break
    ceiling = sum(
        sorted((m.weight for m in problem.meetings), reverse=True)[: problem.n_slots * problem.n_tables]
    )
    base: tuple[list[int | None], int] | None = None  # a weighted run that fell short, and where
    # priorities: the worth of a participant also counts their live heavy requests (run_vw's urge)
    urge: tuple[float, float, float] = (0.0, 0.0, 1.0)
    tries = suffix_runs = 0
    while True:
        r0 = time.monotonic()
        act_weight = ACT_WEIGHTS[runs % len(ACT_WEIGHTS)]
        if base is not None and tries < SUFFIX_TRIES:
            # rebuild only the end of the last run, from a few slots before it fell short
            act_weight = VW_MU[(runs + tries) % len(VW_MU)]
            t_from = max(1, base[1] - SUFFIX_BACK[tries % len(SUFFIX_BACK)])
            tries += 1
            suffix_runs += 1
            slots = w.run_vw(
                seed + 7919 * runs + tries,
                mu=act_weight,
                resume=allow_breaks,
                start=(base[0], t_from),
                urge=urge[0],
                urge_fresh=urge[1],
                heavy=urge[2],
            )
        elif matching == "weighted":
            act_weight = VW_MU[runs % len(VW_MU)]
            if weighted:
                u = WEIGHTED_RUNS[runs % len(WEIGHTED_RUNS)]
                urge, act_weight = (u[0], u[1], u[2]), u[3]
            slots = w.run_vw(
                seed + runs,
                mu=act_weight,
                resume=allow_breaks,
                urge=urge[0],
                urge_fresh=urge[1],
                heavy=urge[2],
            )
            runs += 1
            base, tries = ((slots, w.short_from) if w.short_from is not None else None), 0
            if weighted and allow_breaks:
                base = None  # the resumes fill the tables; the insertions below decide
        else:
            slots = w.run(seed + runs, act_weight, resume=allow_breaks)
            runs += 1
        if weighted:
            # heavier requests in place of lighter ones, free tables filled, in the same runs
            slots = exchange_heavier(problem, slots, deadline=t0 + time_limit)
            if allow_breaks:
                # weight comes first: unheld heavy requests replace light meetings where that costs
                # the fewest breaks (close_breaks, never lowering the weight, brings them down later)
                slots = insert_heavier(problem, slots, deadline=t0 + time_limit)
                slots = exchange_heavier(problem, slots, deadline=t0 + time_limit)
        per = {p: count_breaks(ts) for p, ts in slots_by_participant(problem, slots).items()}
        weight = sum(m.weight for m, t in zip(problem.meetings, slots, strict=True) if t is not None)
        key = (weight, -sum(per.values()))
        if best is None or key > best[0]:
            best = (key, slots, per, act_weight, runs)
        last = time.monotonic() - r0
        if best[0] == (ceiling, 0) or time.monotonic() + last > build_until:
            break
    (weight, neg_breaks), slots, per, act_weight, best_run = best
    built = -neg_breaks
    if allow_breaks and built > 0:
        slots = close_breaks(problem, slots, deadline=t0 + time_limit)
        if weighted:
            # alternating paths inside a slot that remove breaks (or add weight) once more
            slots = exchange_heavier(problem, slots, deadline=t0 + time_limit + 1.0)
        per = {p: count_breaks(ts) for p, ts in slots_by_participant(problem, slots).items()}
        neg_breaks = -sum(per.values())
        weight = sum(m.weight for m, t in zip(problem.meetings, slots, strict=True) if t is not None)
    return WaveResult(
        slots=slots,
        placed=sum(1 for t in slots if t is not None),
        weight=weight,
        breaks=-neg_breaks,
        breaks_per_participant=per,
        runs=runs,
        seconds=time.monotonic() - t0,
        stats={
            "matching": matching,
            # act_weight of run(), or mu of run_vw()
            "weight": act_weight,
            "best_run": best_run,
            "suffix_runs": suffix_runs,
            "breaks_before_polish": built,
        },
    )


def zero_break_schedule(
    problem: Problem, time_limit: float = 10.0, *, seed: int = 0, allow_breaks: bool = True
) -> list[int | None]:
    """Slot per meeting (None: not held): the most meetings the waves can hold, everybody's meetings
    consecutive as long as the tables can be filled that way, then the fewest resumes (breaks).
    ``allow_breaks`` False: zero breaks guaranteed (locks aside), possibly fewer meetings held.

    See the module docstring for the method and :func:`wave_schedule` for the figures of a run.
    """
    return wave_schedule(problem, time_limit, seed=seed, allow_breaks=allow_breaks).slots


@dataclass(frozen=True)
class PrefixBudget:
    """What a zero-break schedule can still hold after slot ``tau`` once slots 1..tau are fixed.

    ``held``: meetings of the prefix (slots 1..tau); ``usable``: requests not in the prefix whose two
    sides are *open* (a meeting in slot tau, or none yet) and that have an allowed slot after tau;
    ``bound``: the most meetings any zero-break completion can add (see :func:`prefix_budget`);
    ``places``: tables × slots after tau.
    """

    tau: int
    held: int
    usable: int
    bound: int
    places: int

    @property
    def short(self) -> int:
        """Tables after tau that no zero-break completion of this prefix can fill."""
        return max(0, self.places - self.bound)


def prefix_budget(problem: Problem, slots: list[int | None], tau: int) -> PrefixBudget:
    """A proven upper bound on the meetings a zero-break completion of a prefix can add.

    Fix the meetings that ``slots`` puts in slots 1..tau (and no other meeting in those slots). In any
    schedule that keeps this prefix and gives nobody a break, a meeting in a slot t > tau joins two
    *open* participants: someone who met in 1..tau but not in tau would be idle in tau between two
    meetings (a break). So every meeting after tau is a request outside the prefix between two open
    participants with an allowed slot after tau (the ``usable`` set), and it uses one of the
    ``n_tables`` tables of a slot after tau; an open participant p holds at most one meeting per slot,
    so at most min(usable requests of p, allowed slots of p after tau) of them, and each meeting counts
    for two participants. ``bound`` is the smallest of the three counts. It bounds the completion, not
    the event: another prefix may do better. Used by ``bench/b2b_waves.py --diagnose`` to show where a
    zero-break construction can no longer fill every table.
    """
    T, L = problem.n_slots, problem.n_tables
    w = _Waves(problem)
    n = len(w.people)
    prefix = [0] * n
    held = 0
    for k, t in enumerate(slots):
        if t is not None and t <= tau:
            held += 1
            a, b = w.ends[k]
            prefix[a] |= 1 << t
            prefix[b] |= 1 << t
    open_ = [m == 0 or bool(m >> tau & 1) for m in prefix]
    later = frozenset(range(tau + 1, T + 1))
    usable = 0
    deg = [0] * n
    reach: list[set[int]] = [set() for _ in range(n)]
    for k, (a, b) in enumerate(w.ends):
        if slots[k] is not None and slots[k] <= tau:
            continue
        if not (open_[a] and open_[b]):
            continue
        allowed = later if w.dom[k] is None else later & w.dom[k]
        if not allowed:
            continue
        usable += 1
        for p in (a, b):
            deg[p] += 1
            reach[p] |= allowed
    per_person = sum(min(deg[p], len(reach[p])) for p in range(n)) // 2
    places = L * (T - tau)
    return PrefixBudget(tau, held, usable, min(usable, places, per_person), places)
