"""Independent checker of a B2B meeting schedule against a .dzn instance.

Shares no code with jumelage.meetings: it reads the instance itself (its own small parser) and
checks every hard constraint of ../shared/bench/b2b/README.md, then recomputes the breaks.

    python bench/b2b_validate.py INSTANCE.dzn SCHEDULE.json [--fairness 2]

SCHEDULE.json: {"slots": [slot of meeting 1, ...], "tables": [...] (optional), "breaks": N (optional)}.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
from pathlib import Path


def read_instance(text: str) -> dict:
    """Return the instance's fields as Python values (ints, lists, lists of sets, rows)."""
    text = re.sub(r"%.*", "", text)
    fields = {}
    for name, body in re.findall(r"([A-Za-z_]\w*)\s*=\s*(.*?);", text, flags=re.S):
        body = body.strip()
        if body.startswith("[|"):
            rows = [r for r in body[2:-2].split("|")]
            fields[name] = [[int(v) for v in re.findall(r"-?\d+", r)] for r in rows if re.search(r"\d", r)]
        elif body.startswith("[") and "{" in body:
            fields[name] = [
                {int(v) for v in re.findall(r"-?\d+", s)} for s in re.findall(r"\{([^}]*)\}", body)
            ]
        elif body.startswith("["):
            fields[name] = [int(v) for v in re.findall(r"-?\d+", body)]
        else:
            fields[name] = int(body)
    return fields


def check(instance_text: str, slots, tables=None, reported_breaks=None, fairness: int | None = 2):
    """Return (errors, breaks, per-participant breaks). ``slots[i]`` is the slot of meeting i+1."""
    inst = read_instance(instance_text)
    req = inst["requested"]
    M = len(req)
    P = inst.get("nBusiness", max((max(r[0], r[1]) for r in req), default=0))
    T = inst["nTotalSlots"]
    morning = inst.get("nMorningSlots", T)
    L = inst.get("nTables", M)
    forbidden = inst.get("forbidden", [set() for _ in range(P)])
    fixed = inst.get("fixed", [0] * M)
    prec = inst.get("precedences", [set() for _ in range(M)])
    errors: list[str] = []
    if len(slots) != M:
        return [f"{len(slots)} slots given for {M} meetings"], None, {}
    busy: dict[int, list[int]] = {p: [] for p in range(1, P + 1)}
    per_slot: dict[int, int] = {}
    for i, (row, t) in enumerate(zip(req, slots, strict=True), start=1):
        a, b = row[0], row[1]
        sess = row[2] if len(row) > 2 else 3
        if t is None or not isinstance(t, int) or not 1 <= t <= T:
            errors.append(f"meeting {i}: slot {t!r} is not one of 1..{T}")
            continue
        if sess == 1 and t > morning:
            errors.append(f"meeting {i}: morning-only meeting in afternoon slot {t}")
        if sess == 2 and t <= morning:
            errors.append(f"meeting {i}: afternoon-only meeting in morning slot {t}")
        for who in (a, b):
            if who not in busy:
                errors.append(f"meeting {i}: unknown participant {who}")
                continue
            if t in forbidden[who - 1] and t != 0:
                errors.append(f"meeting {i}: participant {who} is unavailable in slot {t}")
            busy[who].append(t)
        if fixed[i - 1] and fixed[i - 1] != t:
            errors.append(f"meeting {i}: locked to slot {fixed[i - 1]} but placed in {t}")
        per_slot[t] = per_slot.get(t, 0) + 1
    for i, before in enumerate(prec, start=1):
        for j in before:
            if (
                isinstance(slots[i - 1], int)
                and isinstance(slots[j - 1], int)
                and not slots[j - 1] < slots[i - 1]
            ):
                errors.append(f"meeting {j} must come before meeting {i} ({slots[j - 1]} vs {slots[i - 1]})")
    for t, c in sorted(per_slot.items()):
        if c > L:
            errors.append(f"slot {t}: {c} meetings for {L} tables")
    for p, ts in busy.items():
        if len(ts) != len(set(ts)):
            errors.append(f"participant {p} is in two meetings at once (slots {sorted(ts)})")
    if tables is not None:
        seen = set()
        for i, (t, tab) in enumerate(zip(slots, tables, strict=True), start=1):
            if tab is None or not 1 <= tab <= L:
                errors.append(f"meeting {i}: table {tab!r} is not one of 1..{L}")
            elif (t, tab) in seen:
                errors.append(f"meeting {i}: table {tab} is already taken in slot {t}")
            seen.add((t, tab))
    per_p = {}
    for p, ts in busy.items():
        s = sorted(set(ts))
        per_p[p] = sum(1 for x, y in itertools.pairwise(s) if y - x > 1)
    total = sum(per_p.values())
    if fairness is not None and per_p and max(per_p.values()) - min(per_p.values()) > fairness:
        hi = max(per_p, key=per_p.get)
        lo = min(per_p, key=per_p.get)
        errors.append(
            f"fairness: participant {hi} has {per_p[hi]} breaks, participant {lo} {per_p[lo]} (d = {fairness})"
        )
    if reported_breaks is not None and reported_breaks != total:
        errors.append(f"reported {reported_breaks} breaks, recomputed {total}")
    return errors, total, per_p


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("instance")
    ap.add_argument("schedule")
    ap.add_argument("--fairness", type=int, default=2)
    args = ap.parse_args(argv)
    sched = json.loads(Path(args.schedule).read_text())
    errors, total, _ = check(
        Path(args.instance).read_text(),
        sched["slots"],
        sched.get("tables"),
        sched.get("breaks"),
        args.fairness,
    )
    for e in errors:
        print(e)
    print(f"{'INVALID' if errors else 'valid'}: {total} breaks")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
