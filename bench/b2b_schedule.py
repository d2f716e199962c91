"""B2B meeting scheduling benchmark: Jumelage's scheduler vs a plain CP-SAT model, side by side.

    python bench/b2b_schedule.py --instances ../shared/bench/b2b/instances [--only PATTERN]
        [--time-limit 10] [--baseline-time-limit 10] [--methods jumelage,baseline] [--workers 4]
    python bench/b2b_schedule.py --scale [--time-limit 60]

One line per instance and method: instance, method, feasible/unsat/unknown, breaks found, proven lower
bound, seconds, then the status against best_known.csv. Every schedule is checked by
bench/b2b_validate.py (independent code). JSON goes to bench/results/.
"""

from __future__ import annotations

import argparse
import csv
import fnmatch
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE))

from ortools.sat.python import cp_model  # noqa: E402

import b2b_validate  # noqa: E402
from jumelage.meetings.dzn import read_dzn  # noqa: E402
from jumelage.meetings.scheduler import solve  # noqa: E402

DEFAULT_BEST = ROOT.parent / "shared" / "bench" / "b2b" / "best_known.csv"


# ---------------------------------------------------------------------------------------------
# Baseline: the paper's formulation, written plainly in CP-SAT, default parameters.
def baseline(problem, time_limit: float) -> dict:
    """schedule[m] ∈ 1..T, usedSlot[p,t], alldifferent per participant, per-slot capacity,
    endHole[p,t] = usedSlot[p,t] ∧ ¬usedSlot[p,t-1] ∧ (some usedSlot before t-1), nBreaks[p] = Σ endHole,
    max(nBreaks) − min(nBreaks) ≤ d, minimise Σ nBreaks."""
    t0 = time.monotonic()
    pb = problem
    T, M = pb.n_slots, len(pb.meetings)
    m = cp_model.CpModel()
    sched = []
    eq = []
    for k, mt in enumerate(pb.meetings):
        lo, hi = (
            (1, pb.n_morning) if mt.session == 1 else (pb.n_morning + 1, T) if mt.session == 2 else (1, T)
        )
        v = m.NewIntVar(lo, hi, f"schedule{k}")
        for who in (mt.a, mt.b):
            for t in pb.forbidden.get(who, ()):
                m.Add(v != t)
        if mt.fixed_slot:
            m.Add(v == mt.fixed_slot)
        row = {}
        for t in range(1, T + 1):
            b = m.NewBoolVar("")
            m.Add(v == t).OnlyEnforceIf(b)
            m.Add(v != t).OnlyEnforceIf(b.Not())
            row[t] = b
        sched.append(v)
        eq.append(row)
    for k, mt in enumerate(pb.meetings):
        for j in mt.after:
            m.Add(sched[j] < sched[k])
    for t in range(1, T + 1):
        m.Add(sum(eq[k][t] for k in range(M)) <= pb.n_tables)
    of = {p: [] for p in pb.participants}
    for k, mt in enumerate(pb.meetings):
        of[mt.a].append(k)
        of[mt.b].append(k)
    nbreaks = []
    for p in pb.participants:
        ks = of[p]
        if len(ks) > 1:
            m.AddAllDifferent([sched[k] for k in ks])
        used = {}
        for t in range(1, T + 1):
            u = m.NewBoolVar("")
            if ks:
                m.AddMaxEquality(u, [eq[k][t] for k in ks])
            else:
                m.Add(u == 0)
            used[t] = u
        holes = []
        for t in range(3, T + 1):
            before = m.NewBoolVar("")
            m.AddMaxEquality(before, [used[s] for s in range(1, t - 1)])
            h = m.NewBoolVar("")
            m.AddBoolAnd([used[t], used[t - 1].Not(), before]).OnlyEnforceIf(h)
            m.AddBoolOr([used[t].Not(), used[t - 1], before.Not()]).OnlyEnforceIf(h.Not())
            holes.append(h)
        nb = m.NewIntVar(0, T, f"nBreaks{p}")
        m.Add(nb == sum(holes))
        nbreaks.append(nb)
    if pb.fairness is not None and nbreaks:
        hi, lo = m.NewIntVar(0, T, ""), m.NewIntVar(0, T, "")
        m.AddMaxEquality(hi, nbreaks)
        m.AddMinEquality(lo, nbreaks)
        m.Add(hi - lo <= pb.fairness)
    m.Minimize(sum(nbreaks))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    st = solver.Solve(m)
    out = {"seconds": time.monotonic() - t0}
    if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        out.update(
            status="optimal" if st == cp_model.OPTIMAL else "feasible",
            slots=[solver.Value(v) for v in sched],
            breaks=round(solver.ObjectiveValue()),
            bound=round(solver.BestObjectiveBound()),
        )
    elif st == cp_model.INFEASIBLE:
        out.update(status="infeasible", slots=None, breaks=None, bound=None)
    else:
        out.update(status="unknown", slots=None, breaks=None, bound=round(solver.BestObjectiveBound()))
    return out


# ---------------------------------------------------------------------------------------------
def load_best(path: Path) -> dict:
    if not path.exists():
        return {}
    with path.open() as fh:
        return {f"{r['instance']}.{r['variant']}": r["best_breaks_d2"] for r in csv.DictReader(fh)}


def verdict(status: str, breaks, bound, known: str | None) -> str:
    """Compare with best_known: 'optimum', 'unsat' (matches), 'open' (not proven), or 'MISMATCH …'."""
    proven = status in ("optimal", "infeasible")
    if known is None:
        return "proven" if proven else "open"
    if status == "infeasible":
        return "unsat" if known == "unsat" else f"MISMATCH (proved unsat, best known {known})"
    if known == "unsat":
        return "MISMATCH (schedule found, best known unsat)" if breaks is not None else "open"
    if status == "optimal":
        return "optimum" if str(breaks) == known else f"MISMATCH (proved {breaks}, best known {known})"
    if breaks is not None and breaks < int(known):
        return f"MISMATCH (found {breaks} < best known {known})"
    if bound is not None and bound > int(known):
        return f"MISMATCH (bound {bound} > best known {known})"
    return "open"


def run_instances(args) -> int:
    files = sorted(Path(args.instances).glob("*.dzn"))
    if args.only:
        files = [f for f in files if fnmatch.fnmatch(f.stem, args.only) or args.only in f.stem]
    best = load_best(Path(args.best_known))
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    rows = []
    load_start = os.getloadavg()
    print(
        f"{'instance':32s} {'method':9s} {'result':10s} {'breaks':>6s} {'bound':>6s} {'seconds':>8s}  check"
    )
    for f in files:
        text = f.read_text()
        problem = read_dzn(f, fairness=args.fairness)
        for method in methods:
            if method == "jumelage":
                s = solve(problem, time_limit=args.time_limit, workers=args.workers)
                res = {
                    "status": s.status,
                    "slots": s.slots if s.breaks is not None else None,
                    "tables": s.tables if s.breaks is not None else None,
                    "breaks": s.breaks,
                    "bound": s.bound,
                    "seconds": s.wall_time,
                    "explanation": [c.message for c in s.conflicts][:5],
                    "stats": s.stats,  # which search found / refuted what (calls, sat)
                }
            elif method == "baseline":
                res = baseline(problem, args.baseline_time_limit)
                res["tables"] = None
            else:
                raise SystemExit(f"unknown method {method!r}")
            problems = []
            if res["slots"] is not None:
                problems, recomputed, _ = b2b_validate.check(
                    text, res["slots"], res.get("tables"), res["breaks"], args.fairness
                )
                res["recomputed_breaks"] = recomputed
            res["valid"] = not problems
            res["validation_errors"] = problems[:10]
            known = best.get(f.stem)
            res["best_known"] = known
            res["check"] = verdict(res["status"], res["breaks"], res["bound"], known)
            if problems:
                res["check"] = "INVALID: " + problems[0]
            shown = {"optimal": "feasible", "feasible": "feasible", "infeasible": "unsat"}.get(
                res["status"], "unknown"
            )
            res["result"] = shown
            print(
                f"{f.stem:32s} {method:9s} {shown + ('' if res['status'] != 'feasible' else '*'):10s} "
                f"{'-' if res['breaks'] is None else res['breaks']:>6} {'-' if res['bound'] is None else res['bound']:>6} "
                f"{res['seconds']:8.2f}  {res['check']}",
                flush=True,
            )
            rows.append(
                {"instance": f.stem, "method": method, **{k: v for k, v in res.items() if k != "tables"}}
            )
    print("(* = feasible, optimality not proven within the time limit)")
    summary = {}
    for method in methods:
        mine = [r for r in rows if r["method"] == method]
        proven = [r for r in mine if r["status"] in ("optimal", "infeasible")]
        summary[method] = {
            "instances": len(mine),
            "proven_optimal_or_unsat": len(proven),
            "proven_within_10s": sum(1 for r in proven if r["seconds"] <= 10.0),
            "matches_best_known": sum(1 for r in mine if r["check"] in ("optimum", "unsat")),
            "mismatches": [r["instance"] for r in mine if r["check"].startswith(("MISMATCH", "INVALID"))],
            "total_seconds": round(sum(r["seconds"] for r in mine), 2),
            "worst_seconds": round(max((r["seconds"] for r in mine), default=0), 2),
        }
        s = summary[method]
        print(
            f"TOTAL {method}: {s['proven_optimal_or_unsat']}/{s['instances']} proven optimal/unsat "
            f"({s['proven_within_10s']} within 10 s), {s['matches_best_known']} match best_known, "
            f"{len(s['mismatches'])} mismatches, {s['total_seconds']:.1f} s total, worst {s['worst_seconds']:.2f} s"
        )
    if "jumelage" in summary and "baseline" in summary and summary["jumelage"]["total_seconds"]:
        ratio = summary["baseline"]["total_seconds"] / summary["jumelage"]["total_seconds"]
        summary["ratio_baseline_over_jumelage"] = round(ratio, 2)
        print(f"RATIO baseline/jumelage total time: {ratio:.2f}")
    load = {"start": [round(x, 2) for x in load_start], "end": [round(x, 2) for x in os.getloadavg()]}
    print(f"LOAD average (1, 5, 15 min) at start {load['start']}, at end {load['end']}")
    out = (
        Path(args.output) if args.output else HERE / "results" / f"b2b_{time.strftime('%Y%m%d-%H%M%S')}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "command": " ".join(sys.argv),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "time_limit": args.time_limit,
        "baseline_time_limit": args.baseline_time_limit,
        "fairness": args.fairness,
        "load_average": load,
        "summary": summary,
        "runs": rows,
    }
    out.write_text(json.dumps(payload, indent=1))
    print(f"wrote {out}")
    return 1 if any(summary[m]["mismatches"] for m in summary if isinstance(summary[m], dict)) else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="B2B meeting scheduling benchmark")
    ap.add_argument("--instances", default=str(ROOT.parent / "shared" / "bench" / "b2b" / "instances"))
    ap.add_argument("--only", default="", help="glob or substring of the instance names")
    ap.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance for jumelage")
    ap.add_argument("--baseline-time-limit", type=float, default=None, help="default: --time-limit")
    ap.add_argument("--methods", default="jumelage,baseline")
    ap.add_argument("--workers", type=int, default=4, help="CP-SAT search workers of jumelage")
    ap.add_argument("--fairness", type=int, default=2)
    ap.add_argument("--best-known", default=str(DEFAULT_BEST))
    ap.add_argument("--output", default="")
    ap.add_argument("--scale", action="store_true", help="run the generated large event instead")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    if args.baseline_time_limit is None:
        args.baseline_time_limit = args.time_limit
    if args.scale:
        import b2b_scale

        return b2b_scale.main(
            [
                "--time-limit",
                str(args.time_limit if args.time_limit != 10.0 else 60),
                "--seed",
                str(args.seed),
            ]
        )
    return run_instances(args)


if __name__ == "__main__":
    sys.exit(main())
