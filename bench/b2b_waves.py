"""Wave construction (jumelage.meetings.scheduling.waves) on the B2B scale event, seeds 1–3.

    python bench/b2b_waves.py [--time-limit 30] [--seeds 1 2 3] [--zero-limit 5]

For each seed: the event of bench/b2b_scale.py (2,000 participants, 15,000 uniform random requests,
24 slots, 400 tables), then
- ``zero-break``: pure waves (nobody resumes), best of the runs within --zero-limit seconds;
- ``waves``: waves + resumes (a break each) for the tables the waves cannot fill, best within
  --time-limit seconds (it stops at once when every table is filled without a break).
``--matching greedy`` uses the first waves' greedy matching of each slot instead of the weighted one
(``waves._Waves.run_vw``), to compare.
Every schedule is re-checked by bench/b2b_scale.py's independent check() (overlaps, tables per slot,
fairness d = 2, breaks recounted). The load average is printed with each line (shared 2-core machine).

``--heavy-share S``: a share of the requests weighs 2 (as in bench/b2b_scale.py); each line then also
gives the weight held and its bound (the heaviest slots × tables requests).

``--diagnose`` adds, for the zero-break schedule: the unheld requests whose two sides' runs overlap in
time (usable in principle) and those whose runs are disjoint (dead for any zero-break schedule with
these runs), and the first slot boundary tau at which the proven prefix budget
(``waves.prefix_budget``) shows that no zero-break completion of slots 1..tau fills every table.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from b2b_scale import check, generate, weight_bound  # noqa: E402
from jumelage.meetings.scheduling.waves import prefix_budget, wave_schedule  # noqa: E402


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def diagnose(pb, slots) -> dict:
    """Where a zero-break schedule runs short (see the module docstring)."""
    busy: dict = {}
    for m, t in zip(pb.meetings, slots, strict=True):
        if t is not None:
            busy.setdefault(m.a, []).append(t)
            busy.setdefault(m.b, []).append(t)
    span = {p: (min(ts), max(ts)) for p, ts in busy.items()}
    overlapping = disjoint = idle_side = 0
    for m, t in zip(pb.meetings, slots, strict=True):
        if t is not None:
            continue
        a, b = span.get(m.a), span.get(m.b)
        if a is None or b is None:
            idle_side += 1
        elif a[0] <= b[1] and b[0] <= a[1]:
            overlapping += 1
        else:
            disjoint += 1
    total_places = pb.n_slots * pb.n_tables
    first_short = None
    for tau in range(1, pb.n_slots):
        b = prefix_budget(pb, slots, tau)
        if b.held + b.bound < total_places:
            first_short = {
                "tau": tau,
                "held_up_to_tau": b.held,
                "usable_after": b.usable,
                "bound_after": b.bound,
                "places_after": b.places,
            }
            break
    return {
        "unheld_runs_overlap": overlapping,
        "unheld_runs_disjoint": disjoint,
        "unheld_a_side_idle": idle_side,
        "first_short_prefix": first_short,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--zero-limit", type=float, default=5.0)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--participants", type=int, default=2000)
    ap.add_argument("--requests", type=int, default=15000)
    ap.add_argument("--slots", type=int, default=24)
    ap.add_argument("--tables", type=int, default=400)
    ap.add_argument(
        "--heavy-share",
        type=float,
        default=0.0,
        help="share of the requests weighing 2 (as in b2b_scale.py); the weight held is then printed",
    )
    ap.add_argument("--output", default="")
    ap.add_argument("--diagnose", action="store_true", help="prefix budget of the zero-break schedule")
    ap.add_argument(
        "--matching",
        choices=("weighted", "greedy"),
        default="weighted",
        help="each slot's matching: weighted (default since 27 Nov 04:00) or the first greedy one",
    )
    args = ap.parse_args(argv)
    rows = []
    for seed in args.seeds:
        pb = generate(args.participants, args.requests, args.slots, args.tables, seed, args.heavy_share)
        ceiling = weight_bound(pb)["bound"]
        places = min(len(pb.meetings), pb.n_slots * pb.n_tables)
        for method, allow, limit in (
            ("zero-break", False, args.zero_limit),
            ("waves", True, args.time_limit),
        ):
            t0 = time.monotonic()
            r = wave_schedule(pb, limit, seed=seed, allow_breaks=allow, matching=args.matching)
            secs = time.monotonic() - t0
            errors, breaks = check(pb, r.slots)
            if breaks != r.breaks:
                errors.append(f"reported {r.breaks} breaks, recomputed {breaks}")
            per = r.breaks_per_participant
            spread = max(per.values()) - min(per.values()) if per else 0
            row = {
                "seed": seed,
                "instance": pb.name,
                "method": method,
                "matching": args.matching,
                "placed": r.placed,
                "places": places,
                "weight": r.weight,
                "weight_bound": ceiling,
                "breaks": breaks,
                "breaks_bound": 0,
                "max_breaks_per_participant": max(per.values()) if per else 0,
                "fairness_spread": spread,
                "runs": r.runs,
                "seconds": round(secs, 2),
                "load": _load(),
                "check": "ok" if not errors else errors[:3],
            }
            if args.diagnose and not allow:
                row["diagnosis"] = diagnose(pb, r.slots)
            rows.append(row)
            weight = sum(m.weight for m, t in zip(pb.meetings, r.slots, strict=True) if t is not None)
            if weight != r.weight:
                errors.append(f"reported weight {r.weight}, recomputed {weight}")
                row["check"] = errors[:3]
            print(
                f"seed {seed} {method:10s} placed {r.placed}/{places}  weight {weight} (bound {ceiling})  "
                f"breaks {breaks} (bound 0)  "
                f"fairness max-min {spread} (d={pb.fairness})  {secs:.1f} s, {r.runs} runs  "
                f"load {row['load']}  check: {row['check']}",
                flush=True,
            )
            if "diagnosis" in row:
                print(f"    {row['diagnosis']}", flush=True)
    out = (
        Path(args.output)
        if args.output
        else HERE / "results" / f"b2b_waves_{time.strftime('%Y%m%d-%H%M%S')}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=1))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
