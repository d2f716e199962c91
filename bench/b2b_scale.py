"""Scale run of the B2B scheduler: a generated event of 2,000 participants, 15,000 accepted requests
(uniform random pairs, nobody with more requests than slots), 24 slots and 400 tables.

    python bench/b2b_scale.py [--time-limit 60] [--seed 1] [--tables 400] [--heavy-share 0.2]

400 tables × 24 slots = 9,600 places < 15,000 requests: the pre-checks prove that not every meeting can
be placed, so the scheduler maximises the meetings placed (bound: min(requests, slots × tables, Σ per
participant ⌊…⌋)), then minimises breaks (bound 0). Checked by bench/b2b_validate.py's rules.
With ``--heavy-share S`` each request weighs 2 with probability S (a priority: mutual interest,
organiser-created; drawn from its own stream of the seed, the pairs stay the same): the scheduler
maximises the weight placed first, and the benchmark prints it with an independent bound (the
heaviest slots × tables requests; per participant, the heaviest min(requests, slots) of their
requests, halved), the heavy requests placed, and the two candidates of the large-event path.
Then a rescheduling: 1 % of the placed meetings cancelled, the others kept as the previous schedule,
the unplaced requests still candidates; reports the meetings placed and how many kept ones moved.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from jumelage.meetings.scheduler import Meeting, Problem, solve  # noqa: E402


def generate(
    n_participants=2000, n_requests=15000, n_slots=24, n_tables=400, seed=1, heavy_share=0.0
) -> Problem:
    """The scale event; with ``heavy_share`` > 0 each request weighs 2 (a priority: mutual interest,
    organiser-created) with that probability, drawn from its own stream of the seed, so the pairs are
    the same as without it."""
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
    if heavy_share > 0:
        hrng = random.Random(1_000_003 * seed + 7)
        meetings = [Meeting(m.a, m.b, weight=2 if hrng.random() < heavy_share else 1) for m in meetings]
    return Problem(
        participants=list(range(1, n_participants + 1)),
        n_slots=n_slots,
        n_morning=n_slots // 2,
        n_tables=n_tables,
        meetings=meetings,
        fairness=2,
        name=f"scale-{n_participants}p-{n_requests}m-{n_slots}s-{n_tables}t-seed{seed}"
        + (f"-heavy{heavy_share:g}" if heavy_share > 0 else ""),
    )


def weight_bound(problem: Problem) -> dict:
    """Independent upper bounds on the weight placed (no scheduler code; nobody is unavailable and
    every request may go in any slot here): the heaviest slots × tables requests (at most one meeting
    per table and slot), and per participant the heaviest min(requests, slots) of their requests,
    halved (each meeting counts for both sides). ``bound`` is the smaller."""
    ws = sorted((m.weight for m in problem.meetings), reverse=True)
    by_capacity = sum(ws[: problem.n_slots * problem.n_tables])
    mine: dict = {}
    for m in problem.meetings:
        mine.setdefault(m.a, []).append(m.weight)
        mine.setdefault(m.b, []).append(m.weight)
    per_participant = sum(sum(sorted(v, reverse=True)[: problem.n_slots]) for v in mine.values()) // 2
    return {
        "by_capacity": by_capacity,
        "per_participant": per_participant,
        "bound": min(by_capacity, per_participant),
    }


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
            weight=pb.meetings[k].weight,
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
    n_placed = sum(1 for t in s.slots if t is not None)
    if n_placed != s.placed:
        # with priorities ``placed`` is the weight
        print(
            f"{again.name}: {n_placed} meetings placed, weight {s.placed}, path {s.stats.get('path')}, "
            f"fairness restored by filling: {s.stats.get('fairness_restored_by_filling')}"
        )
    print(
        f"{again.name}: {len(cancelled)} cancelled, placed {n_placed} (before {len(placed) - len(cancelled)} kept), "
        f"{len(moved)} moved to another slot, {len(s.moves) - len(moved)} to another table, breaks {s.breaks}, "
        f"{s.wall_time:.2f} s, check: {'ok' if not errors else errors[:3]}"
    )
    return {
        "path": s.stats.get("path"),
        # None: keep_and_insert kept the fairness band itself; True / False: it did not, and filling
        # the holes with unplaced requests restored it / did not (then the schedule is re-planned)
        "fairness_restored_by_filling": s.stats.get("fairness_restored_by_filling"),
        "meetings_placed": n_placed,
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
    ap.add_argument(
        "--heavy-share",
        type=float,
        default=0.0,
        help="share of the requests weighing 2 (priority), drawn from the seed; 0: all weigh 1",
    )
    ap.add_argument("--output", default="")
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    pb = generate(args.participants, args.requests, args.slots, args.tables, args.seed, args.heavy_share)
    gen_s = time.monotonic() - t0
    strict = solve(pb, time_limit=args.time_limit)
    print(f"{pb.name}: all meetings? {strict.status} ({strict.wall_time:.2f} s)")
    for c in strict.conflicts[:3]:
        print(f"  - {c.constraint}: {c.message}")
    result = {
        "instance": pb.name,
        "load_at_start": [round(x, 2) for x in os.getloadavg()],
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
        # with priorities the scheduler's ``placed`` is the weight placed (the line below details it)
        placed = f"weight {s.placed}" if args.heavy_share > 0 else f"{s.placed}/{len(pb.meetings)}"
        print(
            f"{pb.name}: placed {placed} (bound {s.placed_bound}), breaks {s.breaks} "
            f"(bound {s.bound}), {s.status}, {s.wall_time:.2f} s, check: {'ok' if not errors else errors[:3]}"
        )
        if args.heavy_share > 0:
            wb = weight_bound(pb)
            held = [m.weight for m, t in zip(pb.meetings, s.slots, strict=True) if t is not None]
            weight = sum(held)
            if weight != s.placed:
                errors.append(f"reported weight {s.placed}, recomputed {weight}")
            heavy = sum(1 for x in held if x > 1)
            n_heavy = sum(1 for m in pb.meetings if m.weight > 1)
            print(
                f"{pb.name}: weight placed {weight} (bound {wb['bound']}: heaviest {pb.n_slots}x{pb.n_tables} "
                f"requests {wb['by_capacity']}, per participant {wb['per_participant']}; scheduler's "
                f"bound {s.placed_bound}), meetings {len(held)}, heavy {heavy}/{n_heavy}, breaks {s.breaks} "
                f"(bound {s.bound}), path {s.stats.get('path')}, check: {'ok' if not errors else errors[:3]}"
            )
            result["weighted"] = {
                "heavy_share": args.heavy_share,
                "weight": weight,
                "weight_bound": wb,
                "meetings": len(held),
                "heavy_placed": heavy,
                "heavy_requests": n_heavy,
                "path": s.stats.get("path"),
                # the two candidates of the large-event path (solve keeps the better by weight, then breaks)
                "waves": [s.stats.get("waves_weight"), s.stats.get("waves_breaks")],
                "greedy_and_repair": [s.stats.get("greedy_weight"), s.stats.get("greedy_breaks")],
            }
            print(
                f"  candidates (weight, breaks): waves {result['weighted']['waves']}, "
                f"greedy + repair {result['weighted']['greedy_and_repair']}"
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
    result["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(f"load average at start {result['load_at_start']}, at end {result['load_at_end']}")
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
