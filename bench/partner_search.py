"""Partner-search benchmark of the matchmaking engine, on real cross-border project data.

Implements the protocol of ../shared/data/README.md ("partner_search"):
- leave one project out: every project with >= 2 participants of which >= 1 took part in another project
  is a query (title, description, themes, programme, and its lead organisation, the one searching);
  every organisation's profile is built only from its *other* projects (plus name, country, city, type);
  all organisations but the lead are ranked; the gold answer is the other participants;
- or, when DIR holds queries.csv + queries_participation.csv, those queries against all of projects.csv.
Metrics: recall@10 over all gold partners and over the warm ones (with another project), nDCG@10, queries/s.

Methods, side by side in one run:
- BM25: plain BM25 (k1 1.2, b 0.75; casefolded accent-free tokens, no stemming, no stopwords) over the
  organisations' project texts, each organisation scored by its best-matching project;
- engine: jumelage.matchmaking.engine with weights chosen by 5-fold cross-validation over project ids
  (each query is ranked with weights chosen on the four folds that do not hold it), under the product's
  constraints: text fixed at 1 (the scale), same_country at 0 and cross_border >= 1 (cross-border
  suggestions are favoured, never the owner's own country).

The engine's profiles are kept up to date the way the product does it: before each query the
participants' documents are updated (incrementally) without the held-out project, and restored after.

    .venv/bin/python bench/partner_search.py --data ../shared/data/partner_search
    .venv/bin/python bench/partner_search.py --data ../shared/data/partner_search --scale
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import random
import sys
import time
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from jumelage.matchmaking.engine import FEATURES, Document, MatchEngine  # noqa: E402
from jumelage.matchmaking.engine.text import tokens  # noqa: E402

K = 10
FOLDS = 5
# Features absent from this data (no opportunity intents, no feedback): kept at 0 while tuning.
UNTUNED = {"complement", "accepted", "dismissed"}
GRID = (0.0, 0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
# Product constraints the fit must respect: text is the scale of the others; suggestions are never
# pulled towards the source's own country (same_country stays 0) and cross-border ones are favoured.
FIXED = {"text": 1.0, "same_country": 0.0}
MINIMUM = {"cross_border": 1.0}


# ---- data -----------------------------------------------------------------------------------------
@dataclass
class Data:
    projects: dict[str, dict]
    orgs: dict[str, dict]
    members: dict[str, list[tuple[str, str]]]  # project → [(org, role)]
    org_projects: dict[str, list[str]]
    queries: list[dict] = field(default_factory=list)  # {project, lead, gold}
    query_projects: dict[str, dict] = field(default_factory=dict)
    mode: str = "leave-one-out"
    skipped: Counter = field(default_factory=Counter)


def _read(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def load(data_dir: Path) -> Data:
    projects = {r["project_id"]: r for r in _read(data_dir / "projects.csv")}
    orgs = {r["org_id"]: r for r in _read(data_dir / "organisations.csv")}
    data = Data(projects, orgs, defaultdict(list), defaultdict(list))
    for r in _read(data_dir / "participation.csv"):
        if r["project_id"] not in projects or r["org_id"] not in orgs:
            data.skipped["participation rows naming an unknown project or organisation"] += 1
            continue
        data.members[r["project_id"]].append((r["org_id"], (r.get("role") or "").strip().lower()))
        data.org_projects[r["org_id"]].append(r["project_id"])
    explicit = (data_dir / "queries.csv").exists() and (data_dir / "queries_participation.csv").exists()
    if explicit:
        data.mode = "explicit queries"
        data.query_projects = {r["project_id"]: r for r in _read(data_dir / "queries.csv")}
        qmembers: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for r in _read(data_dir / "queries_participation.csv"):
            if r["project_id"] not in data.query_projects or r["org_id"] not in orgs:
                data.skipped["query participation rows naming an unknown query or organisation"] += 1
                continue
            qmembers[r["project_id"]].append((r["org_id"], (r.get("role") or "").strip().lower()))
        for pid in data.query_projects:
            members = qmembers.get(pid, [])
            lead = next((o for o, role in members if role == "lead"), None)
            gold = {o for o, _ in members if o != lead}
            if not gold:
                data.skipped["queries without a partner to find"] += 1
                continue
            data.queries.append({"project": pid, "lead": lead, "gold": gold, "held_out": False})
    else:
        for pid, members in data.members.items():
            orgs_in = {o for o, _ in members}
            if len(orgs_in) < 2 or not any(len(set(data.org_projects[o])) > 1 for o in orgs_in):
                continue
            lead = next((o for o, role in members if role == "lead"), None)
            gold = orgs_in - {lead}
            data.queries.append({"project": pid, "lead": lead, "gold": gold, "held_out": True})
            data.query_projects[pid] = data.projects[pid]
    data.queries.sort(key=lambda q: q["project"])
    return data


def project_text(p: dict) -> str:
    themes = (p.get("themes") or "").replace(" | ", ". ")
    return ". ".join(
        x for x in (p.get("title", ""), p.get("description", ""), themes, p.get("programme", "")) if x
    )


def project_themes(p: dict) -> list[str]:
    return [t.strip() for t in (p.get("themes") or "").split("|") if t.strip()]


def org_document(data: Data, org_id: str, without: str | None = None) -> Document:
    """An organisation's profile from its projects other than `without`."""
    o = data.orgs[org_id]
    pids = [p for p in dict.fromkeys(data.org_projects.get(org_id, ())) if p != without]
    themes: Counter[str] = Counter()
    partners: Counter[str] = Counter()
    groups = set()
    for pid in pids:
        p = data.projects[pid]
        themes.update(project_themes(p))
        partners.update({m for m, _ in data.members[pid] if m != org_id})
        if p.get("programme"):
            groups.add("programme:" + p["programme"])
    return Document(
        id=org_id,
        name=o.get("name", ""),
        texts=[project_text(data.projects[pid]) for pid in pids],
        themes=themes,
        country=o.get("country", ""),
        city=o.get("city", ""),
        org_type=o.get("type", ""),
        partners=partners,
        groups=groups,
    )


def query_document(p: dict, lead: str | None) -> Document:
    return Document(
        id="query:" + p["project_id"],
        kind="opportunity",
        texts=[project_text(p)],
        themes=project_themes(p),
        owner=lead or "",
        groups={"programme:" + p["programme"]} if p.get("programme") else (),
    )


# ---- metrics --------------------------------------------------------------------------------------
def metrics(ranked: list[str], gold: set[str], warm: set[str]) -> dict:
    top = ranked[:K]
    hits = [1.0 if r in gold else 0.0 for r in top]
    dcg = sum(h / math.log2(i + 2) for i, h in enumerate(hits))
    idcg = sum(1 / math.log2(i + 2) for i in range(min(len(gold), K)))
    out = {"recall": sum(hits) / len(gold), "ndcg": dcg / idcg if idcg else 0.0}
    if warm:
        out["recall_warm"] = len(set(top) & warm) / len(warm)
    return out


def summarise(rows: list[dict], seconds: list[float]) -> dict:
    warm = [r["recall_warm"] for r in rows if "recall_warm" in r]
    return {
        "queries": len(rows),
        "recall@10": float(np.mean([r["recall"] for r in rows])) if rows else 0.0,
        "recall@10_warm": float(np.mean(warm)) if warm else 0.0,
        "warm_queries": len(warm),
        "ndcg@10": float(np.mean([r["ndcg"] for r in rows])) if rows else 0.0,
        "queries_per_s": len(seconds) / sum(seconds) if seconds and sum(seconds) > 0 else 0.0,
    }


# ---- BM25 baseline --------------------------------------------------------------------------------
class BM25Baseline:
    """Plain BM25 over project texts; an organisation scores as its best project (not the held-out one)."""

    def __init__(self, data: Data, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.data = data
        self.pids = list(data.projects)
        self.pos = {p: i for i, p in enumerate(self.pids)}
        self.vocab: dict[str, int] = {}
        post: dict[int, list[tuple[int, int]]] = defaultdict(list)
        self.doc_terms: list[Counter] = []
        lengths = []
        for i, pid in enumerate(self.pids):
            c = Counter(tokens(project_text(data.projects[pid])))
            self.doc_terms.append(c)
            lengths.append(sum(c.values()))
            for t, tf in c.items():
                post[self.vocab.setdefault(t, len(self.vocab))].append((i, tf))
        self.len = np.asarray(lengths, dtype=np.float64)
        self.post = {
            t: (np.asarray([d for d, _ in v]), np.asarray([f for _, f in v], dtype=np.float64))
            for t, v in post.items()
        }
        self.org_ids = list(data.orgs)
        org_pos = {o: i for i, o in enumerate(self.org_ids)}
        pairs = [
            (self.pos[p], org_pos[o]) for p, members in data.members.items() for o in {m for m, _ in members}
        ]
        self.pair_p = np.asarray([p for p, _ in pairs])
        self.pair_o = np.asarray([o for _, o in pairs])

    def rank(self, query_text: str, held_out: str | None, lead: str | None) -> list[str]:
        n = len(self.pids)
        total = self.len.sum()
        hp = self.pos.get(held_out) if held_out else None
        held_terms = self.doc_terms[hp] if hp is not None else {}
        if hp is not None:
            n -= 1
            total -= self.len[hp]
        avgdl = total / max(n, 1)
        scores = np.zeros(len(self.pids))
        for t in set(tokens(query_text)):
            tid = self.vocab.get(t)
            if tid is None:
                continue
            docs, tf = self.post[tid]
            df = len(docs) - (1 if t in held_terms else 0)
            if df <= 0:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            dl = self.len[docs]
            scores[docs] += idf * tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * dl / avgdl))
        if hp is not None:
            scores[hp] = 0.0
        org_scores = np.zeros(len(self.org_ids))
        np.maximum.at(org_scores, self.pair_o, scores[self.pair_p])
        order = np.argsort(-org_scores, kind="stable")
        out = []
        for i in order[: K + 1].tolist():
            if self.org_ids[i] != lead:
                out.append(self.org_ids[i])
        return out[:K]


# ---- engine runs ----------------------------------------------------------------------------------
def fold_of(pid: str) -> int:
    return zlib.crc32(pid.encode()) % FOLDS


def build_engine(data: Data) -> tuple[MatchEngine, float]:
    t0 = time.perf_counter()
    engine = MatchEngine()
    engine.rebuild(org_document(data, o) for o in data.orgs)
    return engine, time.perf_counter() - t0


def each_query(data: Data, engine: MatchEngine):
    """Yield (query, document, participants) with the held-out project removed from the profiles."""
    for q in data.queries:
        pid = q["project"]
        touched = sorted({o for o, _ in data.members.get(pid, ())}) if q["held_out"] else []
        for o in touched:
            engine.upsert(org_document(data, o, without=pid))
        p = data.query_projects[pid]
        yield q, query_document(p, q["lead"])
        for o in touched:
            engine.upsert(org_document(data, o))


def warm_gold(data: Data, q: dict) -> set[str]:
    pid = q["project"]
    return {o for o in q["gold"] if any(p != pid for p in data.org_projects.get(o, ()))}


def collect_features(data: Data, engine: MatchEngine) -> list[dict]:
    out = []
    for q, doc in each_query(data, engine):
        ids, matrix = engine.feature_matrix(doc, exclude=[q["lead"]] if q["lead"] else [])
        gold_mask = np.asarray([i in q["gold"] for i in ids], dtype=bool)
        out.append(
            {
                "project": q["project"],
                "matrix": matrix.astype(np.float32),
                "gold": gold_mask,
                "n_gold": len(q["gold"]),
            }
        )
    return out


def pool_recall(pools: list[dict], w: np.ndarray) -> float:
    total = 0.0
    for p in pools:
        m = p["matrix"]
        if m.shape[0] == 0:
            continue
        s = m @ w
        take = min(K, s.size)
        top = np.argpartition(-s, take - 1)[:take]
        total += p["gold"][top].sum() / p["n_gold"]
    return total / max(len(pools), 1)


def _ascend(pools: list[dict], w: np.ndarray, rounds: int) -> tuple[np.ndarray, float]:
    best = pool_recall(pools, w)
    for _ in range(rounds):
        improved = False
        for j, f in enumerate(FEATURES):
            if f in UNTUNED or f in FIXED:
                continue
            for value in GRID:
                if value == w[j] or value < MINIMUM.get(f, 0.0):
                    continue
                trial = w.copy()
                trial[j] = value
                r = pool_recall(pools, trial)
                if r > best + 1e-9:
                    best, w, improved = r, trial, True
        if not improved:
            break
    return w, best


def fit_weights(pools: list[dict], rounds: int = 4, restarts: int = 2) -> dict[str, float]:
    """Coordinate ascent over a grid of non-negative weights, maximising mean recall@10 on `pools`,
    from a neutral start (every tuned weight 1, so nothing fitted on held-out folds leaks in through the
    starting point) and `restarts` seeded random starts; the best on `pools` wins."""
    rng = np.random.default_rng(20261126)
    tuned = np.asarray([f not in UNTUNED for f in FEATURES])
    starts = [np.where(tuned, 1.0, 0.0)]
    for _ in range(restarts):
        starts.append(np.where(tuned, rng.choice(GRID[1:], size=len(FEATURES)), 0.0))
    for s in starts:
        for f, value in FIXED.items():
            s[FEATURES.index(f)] = value
        for f, value in MINIMUM.items():
            s[FEATURES.index(f)] = max(s[FEATURES.index(f)], value)
    best_w, best = None, -1.0
    for start in starts:
        w, r = _ascend(pools, start, rounds)
        if r > best:
            best_w, best = w, r
    return {f: float(v) for f, v in zip(FEATURES, best_w, strict=True)}


def run_search(data: Data, out_dir: Path, tag: str) -> dict:
    print(
        f"data: {len(data.projects)} projects, {len(data.orgs)} organisations, "
        f"{sum(len(v) for v in data.members.values())} participations; mode: {data.mode}; "
        f"{len(data.queries)} queries",
        flush=True,
    )
    for what, n in data.skipped.items():
        print(f"  skipped {n} {what}")
    if not data.queries:
        print("no queries: nothing to measure")
        return {}
    # Baseline.
    base = BM25Baseline(data)
    rows, secs = [], []
    for q in data.queries:
        p = data.query_projects[q["project"]]
        t0 = time.perf_counter()
        ranked = base.rank(project_text(p), q["project"] if q["held_out"] else None, q["lead"])
        secs.append(time.perf_counter() - t0)
        rows.append(metrics(ranked, q["gold"], warm_gold(data, q)))
    baseline = summarise(rows, secs)

    engine, build_s = build_engine(data)
    t0 = time.perf_counter()
    pools = collect_features(data, engine)
    features_s = time.perf_counter() - t0
    folds = {f: [p for p in pools if fold_of(p["project"]) != f] for f in range(FOLDS)}
    n_folds = len({fold_of(q["project"]) for q in data.queries})
    fold_weights = {}
    for f in range(FOLDS):
        training = folds[f] if n_folds > 1 else pools
        fold_weights[f] = fit_weights(training)
    all_weights = fit_weights(pools)

    rows, secs, upd = [], [], []
    for q, doc in each_query(data, engine):
        w = fold_weights[fold_of(q["project"])]
        t0 = time.perf_counter()
        got = engine.recommend(doc, k=K, weights=w, exclude=[q["lead"]] if q["lead"] else [])
        secs.append(time.perf_counter() - t0)
        rows.append(metrics([s.id for s in got], q["gold"], warm_gold(data, q)))
    # One incremental update, timed on its own (a participant's profile without, then with, a project).
    for q in data.queries[:200]:
        if not q["held_out"]:
            break
        o = sorted({m for m, _ in data.members[q["project"]]})[0]
        t0 = time.perf_counter()
        engine.upsert(org_document(data, o, without=q["project"]))
        engine.upsert(org_document(data, o))
        upd.append((time.perf_counter() - t0) / 2)
    engine_res = summarise(rows, secs)
    ratio = engine_res["recall@10"] / baseline["recall@10"] if baseline["recall@10"] else float("inf")

    def line(name: str, r: dict) -> str:
        return (
            f"{name:<34} recall@10 (all gold) {r['recall@10']:.3f}   recall@10 (warm gold) "
            f"{r['recall@10_warm']:.3f}   nDCG@10 {r['ndcg@10']:.3f}   {r['queries_per_s']:.1f} queries/s"
        )

    print(line("BM25 baseline (best project)", baseline))
    print(line("engine (5-fold CV weights)", engine_res))
    print(f"engine / BM25 recall@10 (all gold): {ratio:.2f}x   (target >= 2.5x)")
    print(
        f"engine: build {build_s:.2f} s for {len(engine)} organisations; incremental profile update "
        f"{1000 * float(np.mean(upd)) if upd else 0:.2f} ms mean; feature pass {features_s:.1f} s"
    )
    print("weights fitted on all queries (reference; reported figures use the held-out folds):")
    print("  " + ", ".join(f"{k}={v:g}" for k, v in all_weights.items() if k not in UNTUNED))
    result = {
        "benchmark": "partner_search",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "mode": data.mode,
        "k": K,
        "baseline_bm25": baseline,
        "engine": engine_res,
        "ratio_recall_all": ratio,
        "engine_build_s": build_s,
        "incremental_update_ms_mean": 1000 * float(np.mean(upd)) if upd else None,
        "cv": {
            "folds": FOLDS,
            "fold_of": "crc32(project_id) % 5",
            "grid": GRID,
            "fold_weights": fold_weights,
            "weights_all_queries": all_weights,
        },
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"partner_search{tag}.json"
    path.write_text(json.dumps(result, indent=2, default=float) + "\n", encoding="utf-8")
    print(f"wrote {path}")
    return result


# ---- scale ----------------------------------------------------------------------------------------
def scale_documents(data: Data, n_orgs: int, n_opps: int, seed: int = 20261126):
    """Derived (synthetic) collection from the real rows: see bench/README.md."""
    rng = random.Random(seed)
    org_ids = list(data.orgs)
    proj_ids = list(data.projects)
    sentences: dict[str, list[str]] = {}
    by_programme: dict[str, list[str]] = defaultdict(list)
    for pid in proj_ids:
        p = data.projects[pid]
        sentences[pid] = [s.strip() for s in (p.get("description") or "").split(". ") if s.strip()] or [
            p.get("title", "")
        ]
        by_programme[p.get("programme", "")].append(pid)

    def passage(pid: str) -> str:
        p = data.projects[pid]
        pool = sentences[pid] + sentences[rng.choice(by_programme[p.get("programme", "")])]
        picked = rng.sample(pool, min(len(pool), rng.randint(3, 6)))
        return ". ".join([p.get("title", ""), *picked, (p.get("themes") or "").replace(" | ", ". ")])

    orgs = []
    for i in range(n_orgs):
        seed_id = org_ids[i % len(org_ids)]
        copy = i // len(org_ids)
        o = data.orgs[seed_id]
        real = list(dict.fromkeys(data.org_projects.get(seed_id, ()))) or [rng.choice(proj_ids)]
        pids = rng.sample(real, min(len(real), rng.randint(1, 3)))
        themes: Counter[str] = Counter()
        partners: Counter[str] = Counter()
        for pid in pids:
            themes.update(project_themes(data.projects[pid]))
            partners.update(f"{m}#{copy}" for m, _ in data.members[pid] if m != seed_id)
        orgs.append(
            Document(
                id=f"{seed_id}#{copy}",
                name=f"{o['name']} {copy}" if copy else o["name"],
                texts=[passage(pid) for pid in pids],
                themes=themes,
                country=o["country"],
                city=o["city"],
                org_type=o["type"],
                partners=partners,
                groups={"programme:" + data.projects[pid]["programme"] for pid in pids},
            )
        )
    opps = []
    for j in range(n_opps):
        pid = proj_ids[j % len(proj_ids)]
        copy = j // len(proj_ids)
        p = data.projects[pid]
        lead = next(
            (o for o, r in data.members[pid] if r == "lead"),
            data.members[pid][0][0] if data.members[pid] else "",
        )
        opps.append(
            Document(
                id=f"opp:{pid}#{copy}",
                kind="opportunity",
                texts=[passage(pid)],
                themes=project_themes(p),
                owner=f"{lead}#{copy % max(1, n_orgs // len(org_ids))}" if lead else "",
                intent=("offer", "request")[j % 2],
                category="rnd",
                groups={"programme:" + p["programme"]},
            )
        )
    return orgs, opps


def run_scale(data: Data, out_dir: Path, n_orgs: int, n_opps: int, n_queries: int) -> dict:
    t0 = time.perf_counter()
    orgs, opps = scale_documents(data, n_orgs, n_opps)
    gen_s = time.perf_counter() - t0
    n_pass = sum(len(d.texts) for d in orgs + opps)
    chars = sum(len(t.text) for d in orgs + opps for t in d.texts)
    print(
        f"scale: {len(orgs)} organisations + {len(opps)} opportunities, {n_pass} passages, "
        f"{chars / 1e6:.0f} M characters (generated in {gen_s:.1f} s)",
        flush=True,
    )
    engine = MatchEngine()
    load_before = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    engine.rebuild(orgs + opps)
    rebuild_s, rebuild_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"full rebuild: {rebuild_s:.1f} s wall, {rebuild_cpu:.1f} s CPU (target <= 120 s); "
        f"load average before {load_before:.1f}",
        flush=True,
    )
    rng = random.Random(7)
    timings = {}
    for label, sources, target in (
        ("opportunity -> organisations", opps, "organisation"),
        ("organisation -> opportunities", orgs, "opportunity"),
        ("organisation -> organisations", orgs, "organisation"),
    ):
        picked = rng.sample(sources, n_queries)
        engine.recommend(picked[0].id, target_kind=target, k=K)  # warm-up
        ts, cpu = [], []
        for d in picked:
            t1, c1 = time.perf_counter(), time.process_time()
            engine.recommend(d.id, target_kind=target, k=K)
            ts.append(1000 * (time.perf_counter() - t1))
            cpu.append(1000 * (time.process_time() - c1))
        timings[label] = {
            "p50_ms": float(np.percentile(ts, 50)),
            "p95_ms": float(np.percentile(ts, 95)),
            "max_ms": float(max(ts)),
            "cpu_p50_ms": float(np.percentile(cpu, 50)),
            "cpu_p95_ms": float(np.percentile(cpu, 95)),
            "queries": len(ts),
            "load_average": os.getloadavg()[0],
        }
        print(
            f"top-10 {label:<31} p50 {timings[label]['p50_ms']:.1f} ms   p95 {timings[label]['p95_ms']:.1f} ms "
            f"wall (CPU p95 {timings[label]['cpu_p95_ms']:.1f} ms; target p95 <= 20 ms); "
            f"load average {timings[label]['load_average']:.1f}",
            flush=True,
        )
    # Incremental updates at scale.
    ts = []
    for d in rng.sample(orgs, 200):
        t1 = time.perf_counter()
        engine.upsert(d)
        ts.append(1000 * (time.perf_counter() - t1))
    print(
        f"incremental upsert of one organisation: p50 {np.percentile(ts, 50):.2f} ms, p95 {np.percentile(ts, 95):.2f} ms"
    )
    result = {
        "benchmark": "partner_search_scale",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "organisations": len(orgs),
        "opportunities": len(opps),
        "passages": n_pass,
        "characters": chars,
        "rebuild_s": rebuild_s,
        "rebuild_cpu_s": rebuild_cpu,
        "load_average_before": load_before,
        "query_ms": timings,
        "upsert_ms": {"p50": float(np.percentile(ts, 50)), "p95": float(np.percentile(ts, 95))},
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "partner_search_scale.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "partner_search")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--tag", default="", help="suffix of the result file name")
    parser.add_argument("--scale", action="store_true", help="measure rebuild and top-k latency at scale")
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--opportunities", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=300, help="queries per direction in --scale")
    args = parser.parse_args(argv)
    for name in ("projects.csv", "organisations.csv", "participation.csv"):
        if not (args.data / name).exists():
            parser.error(
                f"{args.data / name} not found: --data must be a folder in the partner_search format"
            )
    data = load(args.data)
    if args.scale:
        run_scale(data, args.out, args.orgs, args.opportunities, args.queries)
    else:
        run_search(data, args.out, args.tag)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
