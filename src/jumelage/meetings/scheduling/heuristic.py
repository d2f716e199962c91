"""The fast path: a greedy construction then a penalty-based local search (simulated annealing).

State: one slot per meeting, always inside the meeting's allowed slots. Violations of the other hard
constraints (a participant twice in a slot, more meetings than tables in a slot, a precedence, the
fairness bound) are penalised with a large weight; the objective (breaks) is added on top. Moves: move
one meeting to another slot, or swap the two slots along the chain of meetings that share participants
(a Kempe chain, which keeps every inner participant's slots unchanged).

When not every meeting fits (``greedy_max_placement``): a slot-by-slot construction that keeps runs
unbroken, then ``repair_breaks``, which chooses which meetings are held so as to close breaks.
"""

from __future__ import annotations

import math
import random
import time

from jumelage.meetings.scheduling.checks import Prepared
from jumelage.meetings.scheduling.model import count_breaks


def _runs(row: list[int]) -> int:
    runs, prev = 0, False
    for c in row:
        if c and not prev:
            runs += 1
        prev = bool(c)
    return runs


class LocalSearch:
    def __init__(self, prep: Prepared, *, seed: int = 0, weight: int = 8):
        pb = prep.problem
        self.prep = prep
        self.T = pb.n_slots
        self.L = pb.n_tables
        self.rng = random.Random(seed)  # noqa: S311 - search randomness, not security
        self.pidx = {p: i for i, p in enumerate(pb.participants)}
        self.ends = [(self.pidx[m.a], self.pidx[m.b]) for m in pb.meetings]
        self.dom = [list(d) for d in prep.domains]
        self.of = [[] for _ in pb.participants]
        for k, (a, b) in enumerate(self.ends):
            self.of[a].append(k)
            self.of[b].append(k)
        self.after = [list(m.after) for m in pb.meetings]
        self.before = [[] for _ in pb.meetings]
        for k, js in enumerate(self.after):
            for j in js:
                self.before[j].append(k)
        self.W = weight
        fair = pb.fairness
        # with a participant whose breaks are 0 whatever happens, fairness caps everybody at d
        forced_zero = any(len(ks) <= 1 for ks in self.of)
        self.cap = fair if (fair is not None and forced_zero) else None
        self.global_fair = fair if (fair is not None and not forced_zero) else None
        self.movable = [k for k, d in enumerate(self.dom) if len(d) > 1]

    # --- state -----------------------------------------------------------------------------
    def load(self, slots: list[int]) -> None:
        T = self.T
        self.slot = list(slots)
        self.occ = [[0] * (T + 2) for _ in self.of]
        self.cnt = [0] * (T + 2)
        for k, t in enumerate(self.slot):
            a, b = self.ends[k]
            self.occ[a][t] += 1
            self.occ[b][t] += 1
            self.cnt[t] += 1
        self.brk = [max(0, _runs(row) - 1) for row in self.occ]
        self.clash = sum(max(0, c - 1) for row in self.occ for c in row)
        self.over = sum(max(0, c - self.L) for c in self.cnt)
        self.prec = sum(
            1 for k in range(len(self.slot)) for j in self.after[k] if self.slot[j] >= self.slot[k]
        )
        self.breaks = sum(self.brk)
        self.unfair = self._unfair_total()

    def _pfair(self, b: int) -> int:
        return b - self.cap if self.cap is not None and b > self.cap else 0

    def _unfair_total(self) -> int:
        if self.cap is not None:
            return sum(self._pfair(b) for b in self.brk)
        if self.global_fair is not None and self.brk:
            return max(0, max(self.brk) - min(self.brk) - self.global_fair)
        return 0

    def violations(self) -> int:
        return self.clash + self.over + self.prec + self.unfair

    def cost(self) -> int:
        return self.W * self.violations() + self.breaks

    def _move(self, k: int, t2: int) -> None:
        """Move meeting k to slot t2, updating every counter incrementally."""
        t1 = self.slot[k]
        if t1 == t2:
            return
        for j in self.after[k]:
            self.prec -= self.slot[j] >= t1
            self.prec += self.slot[j] >= t2
        for j in self.before[k]:
            self.prec -= t1 >= self.slot[j]
            self.prec += t2 >= self.slot[j]
        self.slot[k] = t2
        c = self.cnt
        self.over += (c[t2] >= self.L) - (c[t1] > self.L)
        c[t1] -= 1
        c[t2] += 1
        for q in self.ends[k]:
            row = self.occ[q]
            self.clash -= row[t1] >= 2
            self.clash += row[t2] >= 1
            row[t1] -= 1
            row[t2] += 1
            old = self.brk[q]
            new = _runs(row) - 1
            if new != old:
                self.brk[q] = new
                self.breaks += new - old
                if self.cap is not None:
                    self.unfair += self._pfair(new) - self._pfair(old)
        if self.global_fair is not None:
            self.unfair = self._unfair_total()

    def _chain(self, k: int, t2: int, limit: int = 40) -> list[int] | None:
        """Meetings reachable from k through shared participants among slots {t1, t2}."""
        t1 = self.slot[k]
        seen = {k}
        stack = [k]
        while stack:
            e = stack.pop()
            for q in self.ends[e]:
                for f in self.of[q]:
                    if f not in seen and self.slot[f] in (t1, t2):
                        if len(seen) >= limit:
                            return None
                        seen.add(f)
                        stack.append(f)
        for e in seen:
            other = t2 if self.slot[e] == t1 else t1
            if other not in self.dom[e]:
                return None
        return list(seen)

    # --- construction ----------------------------------------------------------------------
    def greedy(self) -> list[int]:
        T = self.T
        n = len(self.dom)
        occ = [[0] * (T + 2) for _ in self.of]
        cnt = [0] * (T + 2)
        slot = [0] * n
        deg = [len(ks) for ks in self.of]
        order = sorted(
            range(n), key=lambda k: (len(self.dom[k]), -(deg[self.ends[k][0]] + deg[self.ends[k][1]]))
        )
        if any(self.after):
            pos = {k: i for i, k in enumerate(self.prep.order)} if self.prep.order else {}
            order.sort(key=lambda k: pos.get(k, 0))
        for k in order:
            a, b = self.ends[k]
            best, best_t = None, None
            for t in self.dom[k]:
                s = 0
                s += 100 * (occ[a][t] + occ[b][t])
                s += 100 * (cnt[t] >= self.L)
                s += 100 * sum(1 for j in self.after[k] if slot[j] and slot[j] >= t)
                s += 100 * sum(1 for j in self.before[k] if slot[j] and slot[j] <= t)
                # prefer slots next to the participants' existing meetings
                for q in (a, b):
                    row = occ[q]
                    if any(row[1 : T + 1]):
                        s += 0 if (row[t - 1] or row[t + 1]) else 3
                s += self.rng.random()
                if best is None or s < best:
                    best, best_t = s, t
            slot[k] = best_t
            occ[a][best_t] += 1
            occ[b][best_t] += 1
            cnt[best_t] += 1
        return slot

    # --- annealing -------------------------------------------------------------------------
    def anneal(
        self,
        *,
        deadline: float,
        target: int = 0,
        t0: float = 2.0,
        t1: float = 0.05,
        extend_until: float | None = None,
    ) -> tuple:
        """Return (best slots, best breaks) among states with no violation, or (None, None).

        ``extend_until``: when no valid schedule is found by ``deadline``, go on (colder) until one is
        found or this later deadline passes."""
        rng = self.rng
        best_slots, best_obj = None, None
        if self.violations() == 0:
            best_slots, best_obj = list(self.slot), self.breaks
            if best_obj <= target:
                return best_slots, best_obj
        movable = self.movable
        if not movable:
            return best_slots, best_obj
        cur = self.cost()
        start = time.monotonic()
        span = max(1e-3, deadline - start)
        temp = t0
        it = 0
        while True:
            it += 1
            if it & 255 == 0:
                now = time.monotonic()
                if now >= deadline and (best_obj is not None or extend_until is None or now >= extend_until):
                    break
                frac = (now - start) / span
                temp = t0 * (t1 / t0) ** frac
            k = movable[rng.randrange(len(movable))]
            if rng.random() < 0.5:
                # focus on a participant with trouble
                a, b = self.ends[k]
                q = a if rng.random() < 0.5 else b
                ks = self.of[q]
                k = ks[rng.randrange(len(ks))]
                if len(self.dom[k]) <= 1:
                    continue
            d = self.dom[k]
            t2 = d[rng.randrange(len(d))]
            t1_ = self.slot[k]
            if t2 == t1_:
                continue
            if rng.random() < 0.5:
                chain = self._chain(k, t2)
                if chain is None:
                    continue
                moves = [(e, t2 if self.slot[e] == t1_ else t1_) for e in chain]
            else:
                moves = [(k, t2)]
            undo = [(e, self.slot[e]) for e, _ in moves]
            for e, t in moves:
                self._move(e, t)
            new = self.cost()
            delta = new - cur
            if delta <= 0 or rng.random() < math.exp(-delta / temp):
                cur = new
                if self.violations() == 0 and (best_obj is None or self.breaks < best_obj):
                    best_slots, best_obj = list(self.slot), self.breaks
                    if best_obj <= target:
                        break
            else:
                for e, t in reversed(undo):
                    self._move(e, t)
        self.iterations = it
        return best_slots, best_obj


def local_search(
    prep: Prepared,
    *,
    deadline: float,
    target: int = 0,
    seed: int = 0,
    start=None,
    extend_until: float | None = None,
):
    ls = LocalSearch(prep, seed=seed)
    ls.load(start if start is not None else ls.greedy())
    return ls.anneal(deadline=deadline, target=target, extend_until=extend_until)


SHARE = 1.15


def greedy_max_placement(
    prep: Prepared, *, seed: int = 0, deadline: float | None = None, max_breaks: int = 0
) -> list[int | None]:
    """Slot-by-slot construction for events where not every meeting fits (or that are too large for
    the exact model): place as many meetings as the tables allow while keeping each participant's
    meetings in one unbroken run.

    A participant is "active" once they had a meeting in the previous slot; an active participant who
    gets no meeting in a slot is "finished" and gets no later meeting, so nobody has a break (locked
    meetings excepted). In each slot, active participants are paired first (with each other, then
    with newcomers), then newcomers with the most remaining requests start, up to the number of tables.
    Precedences: a meeting is placed only after all the meetings it must follow. With
    ``max_breaks`` > 0, tables left free in a slot go to finished participants who resume (a break
    each, at most ``max_breaks`` per participant): more meetings placed, at the cost of breaks.
    """
    pb = prep.problem
    rng = random.Random(seed)  # noqa: S311 - search randomness, not security
    T, L = pb.n_slots, pb.n_tables
    meetings = pb.meetings
    n = len(meetings)
    slot: list[int | None] = [None] * n
    adj: dict = {p: list(ks) for p, ks in prep.of.items()}
    for ks in adj.values():
        rng.shuffle(ks)
    remaining = {p: len(ks) for p, ks in adj.items()}
    doms = [set(d) for d in prep.domains]
    fixed_at: dict[int, list[int]] = {}
    for k, m in enumerate(meetings):
        if m.fixed_slot is not None and doms[k]:
            fixed_at.setdefault(m.fixed_slot, []).append(k)
    pinned = {w for ks in fixed_at.values() for k in ks for w in (meetings[k].a, meetings[k].b)}
    state: dict = {}  # participant -> "active" | "done"
    pauses: dict = {}  # participant -> breaks taken so far
    # planned start per participant: runs staggered so that every slot keeps enough people to pair.
    # A participant's planned run is its share of the places (slots × 2 tables-seats) of all requests.
    total_deg = sum(len(ks) for ks in adj.values()) or 1
    share = min(1.0, SHARE * 2 * T * L / total_deg)
    planned = {}
    cover = [0] * (T + 2)
    people = sorted(adj, key=lambda p: -len(adj[p]))
    for p in people:
        length = max(1, min(T, round(len(adj[p]) * share)))
        starts = range(1, T - length + 2)
        s0 = min(starts, key=lambda s: (max(cover[s : s + length]), rng.random()))
        planned[p] = s0
        for t in range(s0, s0 + length):
            cover[t] += 1

    def ready(k: int, t: int) -> bool:
        return t in doms[k] and all(slot[j] is not None and slot[j] < t for j in meetings[k].after)

    def other(k: int, p):
        m = meetings[k]
        return m.b if m.a == p else m.a

    for t in range(1, T + 1):
        busy: set = set()
        count = 0

        def place(k: int, t: int = t, busy: set = busy) -> None:
            nonlocal count
            slot[k] = t
            count += 1
            for w in (meetings[k].a, meetings[k].b):
                busy.add(w)
                remaining[w] -= 1

        for k in fixed_at.get(t, []):
            if count < L and slot[k] is None:
                place(k)
        active = [p for p, s in state.items() if s == "active" and p not in busy]
        rng.shuffle(active)
        active.sort(key=lambda p: -remaining[p])
        for want_active in (True, False):
            for p in active:
                if count >= L or p in busy:
                    continue
                for k in adj[p]:
                    if slot[k] is not None:
                        continue
                    q = other(k, p)
                    if q in busy or state.get(q) == "done":
                        continue
                    if want_active != (state.get(q) == "active"):
                        continue
                    if ready(k, t):
                        place(k)
                        break
        if count < L:
            newcomers = [
                p for p in adj if p not in state and p not in busy and remaining[p] > 0 and planned[p] <= t
            ]
            rng.shuffle(newcomers)
            newcomers.sort(key=lambda p: -remaining[p])
            for p in newcomers:
                if count >= L:
                    break
                if p in busy:
                    continue
                best_k, best_r = None, -1
                for k in adj[p]:
                    if slot[k] is not None:
                        continue
                    q = other(k, p)
                    if q in busy or q in state or planned[q] > t:
                        continue
                    if remaining[q] > best_r and ready(k, t):
                        best_k, best_r = k, remaining[q]
                if best_k is not None:
                    place(best_k)
        if count < L and max_breaks > 0:
            # tables still free: let finished participants resume (one break each, within fairness)

            def eligible(w, busy: set = busy) -> bool:
                return (
                    w not in busy
                    and remaining[w] > 0
                    and (state.get(w) != "done" or pauses.get(w, 0) < max_breaks)
                )

            again = [p for p in adj if eligible(p)]
            again.sort(key=lambda p: -remaining[p])
            for p in again:
                if count >= L:
                    break
                if not eligible(p):
                    continue
                for k in adj[p]:
                    if slot[k] is None and eligible(other(k, p)) and ready(k, t):
                        place(k)
                        break
        for p, s in list(state.items()):
            if s == "active" and p not in busy and p not in pinned:
                state[p] = "done"
        for p in busy:
            if state.get(p) == "done":
                pauses[p] = pauses.get(p, 0) + 1
            state[p] = "active"
        for ks in adj.values():
            ks[:] = [k for k in ks if slot[k] is None] if len(ks) > 8 and t % 4 == 0 else ks
        if deadline is not None and time.monotonic() > deadline:
            break
    _extend_runs(prep, slot, deadline=deadline)
    return slot


def _extend_runs(prep: Prepared, slot: list[int | None], *, deadline: float | None = None) -> None:
    """Place unplaced meetings at a slot just before or after both participants' runs (or for a
    participant with no meeting yet), so that nobody gets a break; repeat while it helps."""
    pb = prep.problem
    meetings = pb.meetings
    L = pb.n_tables
    cnt = [0] * (pb.n_slots + 2)
    first: dict = {}
    last: dict = {}
    for k, t in enumerate(slot):
        if t is None:
            continue
        cnt[t] += 1
        for w in (meetings[k].a, meetings[k].b):
            first[w] = min(first.get(w, t), t)
            last[w] = max(last.get(w, t), t)
    pending = [k for k, t in enumerate(slot) if t is None and prep.domains[k]]
    changed = True
    while changed and pending:
        changed = False
        rest = []
        for k in pending:
            a, b = meetings[k].a, meetings[k].b
            options = None
            for w in (a, b):
                mine = {first[w] - 1, last[w] + 1} if w in first else None
                options = mine if options is None else (options if mine is None else options & mine)
            candidates = sorted(options) if options is not None else prep.domains[k]
            done = False
            for t in candidates:
                if (
                    1 <= t <= pb.n_slots
                    and cnt[t] < L
                    and t in prep.domains[k]
                    and all(slot[j] is not None and slot[j] < t for j in meetings[k].after)
                    and not any(slot[j] is not None and slot[j] <= t for j in ())
                ):
                    slot[k] = t
                    cnt[t] += 1
                    for w in (a, b):
                        first[w] = min(first.get(w, t), t)
                        last[w] = max(last.get(w, t), t)
                    changed = done = True
                    break
            if not done:
                rest.append(k)
        pending = rest
        if deadline is not None and time.monotonic() > deadline:
            break


def repair_breaks(
    prep: Prepared,
    slot: list[int | None],
    *,
    deadline: float,
    seed: int = 0,
    cap: int | None = None,
    sample: int = 16,
) -> int:
    """Lower the breaks of a partial schedule without placing fewer meetings (weighted): in a slot t
    inside someone's break, hold one of their unplaced meetings instead of a placed meeting of t
    (same number of meetings in t, so the tables still suffice). A move is kept when the total
    breaks do not grow and nobody exceeds ``cap`` breaks. Meetings with locks or precedences are
    left alone. Changes ``slot`` in place; returns the number of breaks removed. ``sample``: how many
    placed meetings of the slot are considered for each move (all of them on small events).

    Each participant's breaks = runs of busy slots - 1, and adding or removing one slot changes the
    runs by looking at its two neighbours only, so every move is evaluated in constant time.
    """
    pb = prep.problem
    T = pb.n_slots
    rng = random.Random(seed)  # noqa: S311 - search randomness, not security
    meetings = pb.meetings
    frozen = {j for k, m in enumerate(meetings) for j in (k, *m.after) if m.after}
    frozen |= {k for k, m in enumerate(meetings) if m.fixed_slot is not None}
    busy: dict = {p: bytearray(T + 2) for p in pb.participants}
    runs: dict = dict.fromkeys(pb.participants, 0)
    at: list[set] = [set() for _ in range(T + 2)]
    unplaced: dict = {p: set() for p in pb.participants}
    for k, t in enumerate(slot):
        m = meetings[k]
        if t is None:
            if k not in frozen and prep.domains[k]:
                unplaced[m.a].add(k)
                unplaced[m.b].add(k)
            continue
        busy[m.a][t] = busy[m.b][t] = 1
        if k not in frozen:
            at[t].add(k)
    for p, row in busy.items():
        runs[p] = sum(1 for t in range(1, T + 1) if row[t] and not row[t - 1])

    def brk(r: int) -> int:
        return max(0, r - 1)

    def d_add(p, t) -> int:  # change in runs when p becomes busy in t
        row = busy[p]
        return 1 - row[t - 1] - row[t + 1]

    def d_remove(p, t) -> int:
        row = busy[p]
        return row[t - 1] + row[t + 1] - 1

    def one(p, dr: int) -> int | None:
        """Change in p's breaks when their runs change by dr; None when over the cap."""
        new = brk(runs[p] + dr)
        return None if cap is not None and new > cap else new - brk(runs[p])

    removed = stall = 0
    broken = [p for p in pb.participants if runs[p] > 1]
    listed = set(broken)
    while broken and stall < 200 + 50 * len(broken) and time.monotonic() < deadline:
        stall += 1
        i = rng.randrange(len(broken))
        p = broken[i]
        if runs[p] <= 1:
            broken[i] = broken[-1]
            broken.pop()
            listed.discard(p)
            continue
        row = busy[p]
        ts = [t for t in range(1, T + 1) if row[t]]
        # a slot of a break next to one of p's meetings: holding a meeting there shortens the break
        gaps = [t for t in range(ts[0] + 1, ts[-1]) if not row[t] and (row[t - 1] or row[t + 1])]
        t = gaps[rng.randrange(len(gaps))]
        gp = one(p, d_add(p, t))
        if gp is None:
            continue
        out = []  # placed meetings of slot t that could make room (a sample), by the change in breaks
        here = list(at[t])
        for k in here if len(here) <= sample else rng.sample(here, sample):
            m = meetings[k]
            if p in (m.a, m.b):
                continue
            ga, gb = one(m.a, d_remove(m.a, t)), one(m.b, d_remove(m.b, t))
            if ga is not None and gb is not None:
                out.append((ga + gb, k))
        out.sort(key=lambda e: e[0])
        best = None
        for k2 in unplaced[p]:
            m2 = meetings[k2]
            q = m2.b if m2.a == p else m2.a
            if busy[q][t] or t not in prep.domains[k2]:
                continue
            gq = one(q, d_add(q, t))
            if gq is None:
                continue
            for g, k in out:
                m = meetings[k]
                if q not in (m.a, m.b) and m.weight <= m2.weight:
                    if best is None or gp + gq + g < best[0]:
                        best = (gp + gq + g, k, k2)
                    break
        if best is None or best[0] > 0:  # moves that keep the breaks are kept too: they open new ones
            continue
        g, k, k2 = best
        m, m2 = meetings[k], meetings[k2]
        for w in (m.a, m.b):
            runs[w] += d_remove(w, t)
            busy[w][t] = 0
            unplaced[w].add(k)
        for w in (m2.a, m2.b):
            runs[w] += d_add(w, t)
            busy[w][t] = 1
            unplaced[w].discard(k2)
        at[t].discard(k)
        at[t].add(k2)
        slot[k], slot[k2] = None, t
        removed -= g
        if g < 0:
            stall = 0
        for w in (m2.a, m2.b, m.a, m.b):
            if runs[w] > 1 and w not in listed:
                broken.append(w)
                listed.add(w)
    return removed


def keep_and_insert(
    prep: Prepared, *, cap: int | None, deadline: float | None = None
) -> tuple[list[int | None], bool]:
    """Rescheduling without the exact model: keep every meeting of the previous schedule where it
    stands (while it is still allowed there), place the others greedily (heaviest first, the slot
    that adds the fewest breaks), then for a meeting still left out try moving **one** meeting that
    blocks it (a participant's other meeting in that slot, or any meeting of a full slot) to another
    slot. Every participant stays within the fairness band [least breaks, least breaks + cap] of the
    kept schedule. Returns (slots, fair): ``fair`` False when the schedule returned still breaks the
    fairness bound (cancellations can leave holes that nothing closes), then the caller must not trust it.
    """
    pb = prep.problem
    meetings = pb.meetings
    n = len(meetings)
    L = pb.n_tables
    doms = [set(d) for d in prep.domains]
    slot: list[int | None] = [None] * n
    busy: dict = {p: {} for p in pb.participants}  # participant -> {slot: meeting}
    count: dict[int, int] = {}
    succ: dict[int, list[int]] = {}
    for k, m in enumerate(meetings):
        for j in m.after:
            succ.setdefault(j, []).append(k)

    def brk(p, extra=(), without=()) -> int:
        ts = [t for t in busy[p] if t not in without] + list(extra)
        return count_breaks(ts)

    def order_ok(k: int, t: int) -> bool:
        return all(slot[j] is None or slot[j] < t for j in meetings[k].after) and all(
            slot[s] is None or slot[s] > t for s in succ.get(k, ())
        )

    def put(k: int, t: int | None) -> None:
        m = meetings[k]
        old = slot[k]
        if old is not None:
            del busy[m.a][old], busy[m.b][old]
            count[old] -= 1
        slot[k] = t
        if t is not None:
            busy[m.a][t] = busy[m.b][t] = k
            count[t] = count.get(t, 0) + 1

    for k in sorted(range(n), key=lambda k: -meetings[k].weight):
        t = meetings[k].previous_slot
        m = meetings[k]
        free = t is not None and t in doms[k] and t not in busy[m.a] and t not in busy[m.b]
        if free and count.get(t, 0) < L and order_ok(k, t):
            put(k, t)
    per = {p: brk(p) for p in pb.participants}
    lo = min(per.values(), default=0)
    hi = lo + cap if cap is not None else pb.n_slots

    def fits(k: int, t: int, moving: int | None = None) -> bool:
        m = meetings[k]
        if t not in doms[k] or not order_ok(k, t):
            return False
        for p in (m.a, m.b):
            other = busy[p].get(t)
            if other is not None and other != moving:
                return False
        full = count.get(t, 0) - (1 if moving is not None and slot[moving] == t else 0)
        return full < L

    def band_ok(changes: dict) -> bool:
        return all(lo <= v <= hi for v in changes.values())

    def cost(k: int, t: int) -> tuple[int, dict] | None:
        m = meetings[k]
        new = {p: brk(p, extra=(t,)) for p in (m.a, m.b)}
        if not band_ok(new):
            return None
        return sum(new[p] - per[p] for p in new), new

    # a cancellation can leave someone over the fairness band (a hole in their day): close their
    # holes by moving one of their meetings into a free slot between their first and last meeting
    for p in pb.participants:
        for _ in range(pb.n_slots):
            if per[p] <= hi:
                break
            ts = sorted(busy[p])
            holes = [t for t in range(ts[0], ts[-1] + 1) if t not in busy[p]]
            best = None
            for t in ts:
                j = busy[p][t]
                if meetings[j].fixed_slot is not None:
                    continue
                for g in holes:
                    if not fits(j, g):
                        continue
                    put(j, g)
                    new = {q: brk(q) for q in (meetings[j].a, meetings[j].b)}
                    put(j, t)
                    if new[p] < per[p] and band_ok(new) and (best is None or new[p] < best[0]):
                        best = (new[p], j, g, new)
            if best is None:
                break
            put(best[1], best[2])
            per.update(best[3])

    pending = sorted(
        (k for k in range(n) if slot[k] is None and doms[k]),
        key=lambda k: (-meetings[k].weight, len(doms[k])),
    )
    for k in pending:
        best = None
        for t in prep.domains[k]:
            if fits(k, t):
                c = cost(k, t)
                if c is not None and (best is None or c[0] < best[0]):
                    best = (c[0], t, c[1])
        if best is not None:
            put(k, best[1])
            per.update(best[2])
    for k in pending:
        if slot[k] is not None or (deadline is not None and time.monotonic() > deadline):
            continue
        m = meetings[k]
        done = False
        for t in prep.domains[k]:
            if t not in doms[k]:
                continue
            blockers = {busy[p][t] for p in (m.a, m.b) if t in busy[p]}
            if len(blockers) > 1:
                continue  # both sides busy in t: one move would not free it
            if not blockers and count.get(t, 0) >= L:
                blockers = {j for j, s in enumerate(slot) if s == t}
            for j in sorted(blockers)[:8]:
                if meetings[j].fixed_slot is not None:
                    continue
                mj = meetings[j]
                for t2 in prep.domains[j]:
                    if t2 == t or not fits(j, t2):
                        continue
                    old = slot[j]
                    put(j, t2)
                    if fits(k, t):
                        who = {mj.a, mj.b, m.a, m.b}
                        put(k, t)
                        new = {p: brk(p) for p in who}
                        if band_ok(new):
                            per.update(new)
                            done = True
                            break
                        put(k, None)
                    put(j, old)
                if done:
                    break
            if done:
                break
    # judged on the final schedule: an insertion that filled someone's hole may have brought them back
    # within the band (every change above stays within it)
    fair = all(lo <= v <= hi for v in per.values())
    return slot, fair
