"""Scale run of the B2B scheduler: a generated event of 2,000 participants, 15,000 accepted requests
(uniform random pairs, nobody with more requests than slots), 24 slots and 400 tables.

    python bench/b2b_scale.py [--time-limit 60] [--seed 1] [--tables 400]

400 tables × 24 slots = 9,600 places < 15,000 requests: the pre-checks prove that not every meeting can
be placed, so the scheduler maximises the meetings placed (bound: min(requests, slots × tables, Σ per
participant ⌊…⌋)), then minimises breaks (bound 0). Checked by bench/b2b_validate.py's rules.
Then a rescheduling: 1 % of the placed meetings cancelled, the others kept as the previous schedule,
the unplaced requests still candidates; reports the meetings placed and how many kept ones moved.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from jumelage.meetings.scheduler import Meeting, Problem, solve  # noqa: E402


def generate(n_participants=2000, n_requests=15000, n_slots=24, n_tables=400, seed=1) -> Problem:
    rng = random.Random(seed)
    deg = [0] * (n_participants + 1)
    pairs: set = set()
    while len(pairs) < n_requests:
        a, b = rng.randint(1, n_participants), rng.randint(1, n_participants)
        if a == b or deg[a] >= n_slots or deg[b] >= n_slots:
            continue
        key = (min(a, b), max(a, b))
        if key in pairs:
            continue
        pairs.add(key)
        deg[a] += 1
        deg[b] += 1
    meetings = [Meeting(a, b) for a, b in sorted(pairs)]
    rng.shuffle(meetings)
    return Problem(
        participants=list(range(1, n_participants + 1)),
        n_slots=n_slots,
        n_morning=n_slots // 2,
        n_tables=n_tables,
        meetings=meetings,
        fairness=2,
        name=f"scale-{n_participants}p-{n_requests}m-{n_slots}s-{n_tables}t-seed{seed}",
    )


def check(problem: Problem, slots) -> tuple[list[str], int]:
    """Independent re-check (no scheduler code): overlaps, tables per slot, fairness, breaks."""
    errors = []
    busy: dict = {p: [] for p in problem.participants}
    per_slot: dict = {}
    for m, t in zip(problem.meetings, slots, strict=True):
        if t is None:
            continue
        if not 1 <= t <= problem.n_slots:
            errors.append(f"slot {t} out of range")
        busy[m.a].append(t)
        busy[m.b].append(t)
        per_slot[t] = per_slot.get(t, 0) + 1
    errors += [
        f"slot {t}: {c} > {problem.n_tables} tables" for t, c in per_slot.items() if c > problem.n_tables
    ]
    errors += [f"participant {p} double-booked" for p, ts in busy.items() if len(ts) != len(set(ts))]
    per = {}
    for p, ts in busy.items():
        s = sorted(ts)
        per[p] = sum(1 for x, y in itertools.pairwise(s) if y - x > 1)
    if per and max(per.values()) - min(per.values()) > problem.fairness:
        errors.append("fairness violated")
    return errors, sum(per.values())


def reschedule(pb: Problem, first, *, time_limit: float, seed: int) -> dict:
    """After publishing `first`: 1 % of the placed meetings are cancelled, the rest are kept as the
    previous schedule, and every request still unplaced stays a candidate (late acceptances). The
    scheduler must place the most meetings, then move the fewest of the kept ones."""
    rng = random.Random(seed)
    placed = [k for k, t in enumerate(first.slots) if t is not None]
    cancelled = set(rng.sample(placed, len(placed) // 100))
    keep = [k for k in range(len(pb.meetings)) if k not in cancelled]
    meetings = [
        Meeting(
            pb.meetings[k].a,
            pb.meetings[k].b,
            previous_slot=first.slots[k],
            previous_table=first.tables[k] if first.slots[k] is not None else None,
        )
        for k in keep
    ]
    again = Problem(
        participants=pb.participants,
        n_slots=pb.n_slots,
        n_morning=pb.n_morning,
        n_tables=pb.n_tables,
        meetings=meetings,
        fairness=pb.fairness,
        name=pb.name + "-reschedule",
    )
    s = solve(again, time_limit=time_limit, allow_unplaced=True)
    errors, _ = check(again, s.slots)
    moved = [mv for mv in s.moves if mv.slot_changed]
    print(
        f"{again.name}: {len(cancelled)} cancelled, placed {s.placed} (before {len(placed) - len(cancelled)} kept), "
        f"{len(moved)} moved to another slot, {len(s.moves) - len(moved)} to another table, breaks {s.breaks}, "
        f"{s.wall_time:.2f} s, check: {'ok' if not errors else errors[:3]}"
    )
    return {
        "cancelled": len(cancelled),
        "kept_before": len(placed) - len(cancelled),
        "placed": s.placed,
        "moved_slot": len(moved),
        "moved_table_only": len(s.moves) - len(moved),
        "breaks": s.breaks,
        "seconds": round(s.wall_time, 2),
        "valid": not errors,
        "errors": errors[:5],
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--participants", type=int, default=2000)
    ap.add_argument("--requests", type=int, default=15000)
    ap.add_argument("--slots", type=int, default=24)
    ap.add_argument("--tables", type=int, default=400)
    ap.add_argument("--output", default="")
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    pb = generate(args.participants, args.requests, args.slots, args.tables, args.seed)
    gen_s = time.monotonic() - t0
    strict = solve(pb, time_limit=args.time_limit)
    print(f"{pb.name}: all meetings? {strict.status} ({strict.wall_time:.2f} s)")
    for c in strict.conflicts[:3]:
        print(f"  - {c.constraint}: {c.message}")
    result = {
        "instance": pb.name,
        "generate_seconds": round(gen_s, 2),
        "strict": {
            "status": strict.status,
            "seconds": round(strict.wall_time, 2),
            "conflicts": [c.message for c in strict.conflicts][:5],
        },
    }
    if strict.status == "infeasible":
        s = solve(pb, time_limit=args.time_limit, allow_unplaced=True)
        errors, breaks = check(pb, s.slots)
        if breaks != s.breaks:
            errors.append(f"reported {s.breaks} breaks, recomputed {breaks}")
        print(
            f"{pb.name}: placed {s.placed}/{len(pb.meetings)} (bound {s.placed_bound}), breaks {s.breaks} "
            f"(bound {s.bound}), {s.status}, {s.wall_time:.2f} s, check: {'ok' if not errors else errors[:3]}"
        )
        result["partial"] = {
            "status": s.status,
            "placed": s.placed,
            "placed_bound": s.placed_bound,
            "breaks": s.breaks,
            "bound": s.bound,
            "seconds": round(s.wall_time, 2),
            "valid": not errors,
            "errors": errors[:5],
        }
        result["reschedule"] = reschedule(pb, s, time_limit=args.time_limit, seed=args.seed)
    else:
        errors, breaks = check(pb, strict.slots) if strict.breaks is not None else (["no schedule"], None)
        print(f"breaks {strict.breaks} bound {strict.bound} check: {'ok' if not errors else errors[:3]}")
        result["strict"].update(breaks=strict.breaks, bound=strict.bound, valid=not errors)
    out = (
        Path(args.output)
        if args.output
        else HERE / "results" / f"b2b_scale_{time.strftime('%Y%m%d-%H%M%S')}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
