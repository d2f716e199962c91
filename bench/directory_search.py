"""Directory search benchmark: 100,000 organisations, measured through gunicorn over HTTP.

    .venv/bin/python bench/directory_search.py --db sqlite [--orgs 100000]
    .venv/bin/python bench/directory_search.py --db postgres [--database-url postgres://…]

The 100,000 organisations are DERIVED from the real seed in ../shared/data/directory/ (i-Lab laureates
with their French descriptions, CORDIS H2020 organisations): each seed record is repeated with a
deterministic variant name (seed name + a real city name from the CORDIS file) and, for CORDIS
records that have no description, an i-Lab description picked with a fixed seed. So the text is real,
the 100k set is synthetic. Nothing here is shipped or shown as real data.

What it measures, in one run:
- the load: bulk_create + search.reindex_all() (not one service call per row);
- the floor: the bare search query (match + relevance order + first page of 25) called directly in
  this process, for the same queries;
- through the real HTTP stack (gunicorn, loopback): the directory page /directory/?q=… (HTML, with
  facet counts) and the API /api/v1/organisations?q=…, p50/p95 at 1 client and at 16 concurrent
  clients, and throughput at 16 clients.
Figures go to stdout (a table) and bench/results/directory_search-<db>-<orgs>.json.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("JUMELAGE_SHARED_DATA", ROOT.parent / "shared" / "data")) / "directory"
RESULTS = ROOT / "bench" / "results"
SEED = 20261126
TARGETS = {"p95_1_client_ms": 50.0, "throughput_16_clients_rps": 200.0, "app_over_bare": 2.0}

# A fixed mix: description words in French (with and without accents, other word forms), names,
# aliases, typos in names, two-word queries, and queries combined with facet filters.
QUERIES: list[dict] = [
    {"q": "énergie"},
    {"q": "energie solaire"},
    {"q": "mobilités"},
    {"q": "capteurs"},
    {"q": "intelligence artificielle"},
    {"q": "logiciel"},
    {"q": "batteries lithium"},
    {"q": "diagnostic cancer"},
    {"q": "imagerie médicale"},
    {"q": "robotique"},
    {"q": "cybersécurité"},
    {"q": "satellite"},
    {"q": "CNRS"},
    {"q": "universite"},
    {"q": "Thales"},
    {"q": "Thalse alenia"},
    {"q": "Louvian"},
    {"q": "Airbsu"},
    {"q": "NMRTEC"},
    {"q": "Vigicel"},
    {"q": "hydrogene"},
    {"q": "biotechnologies"},
    {"q": "micro"},
    {"q": "nano"},
    {"q": "recyclage plastique"},
    {"q": "energie", "country": "BE"},
    {"q": "logiciel", "kind": "startup"},
    {"q": "capteurs", "ecosystem": "la-french-tech"},
    {"q": "sante", "region": "Bretagne"},
    {"q": "laser", "stage": "seed"},
]
CITY_POOL_SIZE = 400


# --- Environment -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_pg_bin() -> Path:
    for v in (15, 16, 17):
        p = Path(f"/usr/lib/postgresql/{v}/bin")
        if (p / "initdb").exists():
            return p
    sys.exit("PostgreSQL server binaries not found: sudo apt-get install -y postgresql-15")


class ThrowawayPostgres:
    """initdb + pg_ctl in a temporary folder on a free port (like scripts/test.sh); removed on stop."""

    def __init__(self):
        self.bin = find_pg_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="jumelage-bench-pg."))
        self.port = free_port()
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        cmd = [str(a) for a in args]
        if self.as_root:
            cmd = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(cmd)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)

    def start(self) -> str:
        if self.as_root:
            shutil.chown(self.dir, "postgres")
        self._run(
            self.bin / "initdb",
            "-D",
            self.dir / "data",
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c shared_buffers=256MB -c max_connections=100"
        self._run(
            self.bin / "pg_ctl",
            "-D",
            self.dir / "data",
            "-l",
            self.dir / "log",
            "-w",
            "-o",
            f"'{opts}'",
            "start",
        )
        self._run(
            self.bin / "createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", "jumelage_bench"
        )
        return f"postgres://postgres@127.0.0.1:{self.port}/jumelage_bench"

    def stop(self) -> None:
        try:
            self._run(self.bin / "pg_ctl", "-D", self.dir / "data", "-m", "fast", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


# --- Data ---------------------------------------------------------------------------------------------


def read_seed() -> tuple[list[dict], list[dict]]:
    with open(DATA / "ilab_laureates_FR.csv", encoding="utf-8") as f:
        ilab = list(csv.DictReader(f))
    with open(DATA / "cordis_h2020_2017_orgs_BE_FR.csv", encoding="utf-8") as f:
        cordis = list(csv.DictReader(f))
    return ilab, cordis


CORDIS_KIND = {
    "PRC": "company",
    "REC": "research_lab",
    "HES": "university",
    "PUB": "public_body",
    "OTH": "support",
}
STAGES = ["", "idea", "pre_seed", "seed", "series_a", "growth", "mature"]


def seed_database(n_orgs: int) -> dict:
    """Create ecosystems, nodes, themes and `n_orgs` organisations derived from the real seed."""
    from django.db import connection, transaction
    from django.utils.text import slugify

    from jumelage.directory import search
    from jumelage.directory.models import Membership, Organisation, Theme
    from jumelage.ecosystems.models import Ecosystem, NetworkNode

    rng = random.Random(SEED)
    ilab, cordis = read_seed()
    started = time.perf_counter()
    with transaction.atomic():
        dw = Ecosystem.objects.create(
            name="Digital Wallonia", short_name="DW", slug="digital-wallonia", country="BE", region="Wallonie"
        )
        ft = Ecosystem.objects.create(
            name="La French Tech", short_name="FT", slug="la-french-tech", country="FR"
        )
        dw_nodes = [
            NetworkNode.objects.create(ecosystem=dw, kind=kind, name=name, slug=slugify(name))
            for kind, name in [
                ("agency", "Agence du Numérique"),
                ("export_agency", "AWEX"),
                ("cluster", "Infopole Cluster TIC"),
                ("cluster", "Cluster Twist"),
            ]
        ]
        ft_nodes = [
            NetworkNode.objects.create(
                ecosystem=ft, kind="hub", name="French Tech Brussels", slug="french-tech-brussels"
            ),
            NetworkNode.objects.create(ecosystem=ft, kind="region", name="Bretagne", slug="bretagne"),
            NetworkNode.objects.create(
                ecosystem=ft, kind="region", name="Hauts-de-France", slug="hauts-de-france"
            ),
            NetworkNode.objects.create(
                ecosystem=ft, kind="region", name="Nouvelle-Aquitaine", slug="nouvelle-aquitaine"
            ),
        ]
        sectors = sorted({s.strip() for r in ilab for s in r["sectors"].split("|") if s.strip()})
        themes: dict[str, Theme] = {}
        by_code: dict[str, Theme] = {}
        for sector in sectors:
            code = slugify(sector)[:100]
            if code not in by_code:
                by_code[code] = Theme.objects.create(code=code, label_fr=sector)
            themes[sector] = by_code[code]
        theme_list = list(by_code.values())

    cities = sorted({r["city"].title() for r in cordis if r["city"]})[:CITY_POOL_SIZE]
    descriptions = [
        (r["description_short_fr"], r["description_long_fr"]) for r in ilab if r["description_long_fr"]
    ]
    seeds = []
    for r in ilab:
        seeds.append(
            {
                "name": r["name"],
                "aliases": [],
                "kind": "startup",
                "country": "FR",
                "region": r["region"],
                "city": r["city"],
                "tagline": r["description_short_fr"],
                "description": r["description_long_fr"],
                "website": r["website"] if r["website"].startswith("http") else "",
                "themes": [themes[s.strip()] for s in r["sectors"].split("|") if s.strip() in themes],
            }
        )
    for r in cordis:
        tagline, description = rng.choice(descriptions)
        seeds.append(
            {
                "name": r["name"].title(),
                "aliases": [r["shortName"]] if r["shortName"] else [],
                "kind": CORDIS_KIND.get(r["activityType"], "support"),
                "country": r["country"],
                "region": "",
                "city": r["city"].title(),
                "tagline": tagline,
                "description": description,
                "website": "",
                "themes": rng.sample(theme_list, k=rng.randint(0, 2)),
            }
        )

    orgs, theme_rows, member_rows = [], [], []
    for i in range(n_orgs):
        s = seeds[i % len(seeds)]
        variant = i // len(seeds)
        name = s["name"] if variant == 0 else f"{s['name']} {cities[(i * 7919) % len(cities)]}"
        orgs.append(
            Organisation(
                name=name[:255],
                slug=f"{slugify(name)[:90]}-{i}",
                aliases=s["aliases"],
                kind=s["kind"],
                country=s["country"],
                region=s["region"],
                city=s["city"],
                tagline_fr=s["tagline"][:300],
                description_fr=s["description"],
                website=s["website"],
                stage=rng.choice(STAGES) if s["kind"] == "startup" else "",
                published=rng.random() > 0.03,
                source="bench: derived from i-Lab / CORDIS seed",
            )
        )
    Through = Organisation.themes.through
    with transaction.atomic():
        created = Organisation.objects.bulk_create(orgs, batch_size=2000)
        if connection.vendor != "postgresql":  # SQLite returns ids since 3.35 too; keep one path
            pass
        for i, org in enumerate(created):
            s = seeds[i % len(seeds)]
            theme_rows += [Through(organisation_id=org.pk, theme_id=t.pk) for t in s["themes"]]
            if org.country == "BE":
                member_rows.append(
                    Membership(organisation_id=org.pk, ecosystem=dw, node=rng.choice(dw_nodes))
                )
            else:
                member_rows.append(
                    Membership(
                        organisation_id=org.pk,
                        ecosystem=ft,
                        node=rng.choice(ft_nodes) if rng.random() < 0.5 else None,
                    )
                )
        Through.objects.bulk_create(theme_rows, batch_size=5000)
        Membership.objects.bulk_create(member_rows, batch_size=5000)
    loaded = time.perf_counter()
    search.reindex_all()
    indexed = time.perf_counter()
    return {
        "organisations": n_orgs,
        "seed_records": len(seeds),
        "bulk_create_s": round(loaded - started, 2),
        "reindex_all_s": round(indexed - loaded, 2),
    }


# --- Measuring ----------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(latencies_ms: list[float], wall_s: float | None = None) -> dict:
    out = {
        "n": len(latencies_ms),
        "p50_ms": round(statistics.median(latencies_ms), 2),
        "p95_ms": round(percentile(latencies_ms, 95), 2),
        "max_ms": round(max(latencies_ms), 2),
    }
    if wall_s:
        out["throughput_rps"] = round(len(latencies_ms) / wall_s, 1)
    return out


def bare_query_times(passes: int) -> dict:
    """The floor: the search query itself (match, relevance order, first page of 25), no HTTP, no
    template, no facets, no count; called through the same function the views use."""
    from django.contrib.auth.models import AnonymousUser

    from jumelage.directory import queries

    times = []
    for _ in range(passes):
        for params in QUERIES:
            t = time.perf_counter()
            qs, _active = queries.filter_organisations(queries.visible_to(AnonymousUser()), params)
            list(qs.values_list("pk", flat=True)[:25])
            times.append((time.perf_counter() - t) * 1000)
    return summary(times)


def match_only_times(passes: int) -> dict:
    """What the app itself asks the database for a search (search.prepare_query() + matching_ids(): the
    matching ids and the name matches, no order, no rows); lower than the bare query, reported beside it."""
    from jumelage.directory import search

    times = []
    for _ in range(passes):
        for params in QUERIES:
            t = time.perf_counter()
            search.matching_ids(search.prepare_query(params["q"]))
            times.append((time.perf_counter() - t) * 1000)
    return summary(times)


def index_build() -> dict:
    """The per-process in-memory index (jumelage.directory.facets): build time, after every write, once
    per process; and its size."""
    from jumelage.directory import facets

    times, index = [], None
    for _ in range(3):
        t = time.perf_counter()
        index = facets.build_index()
        times.append((time.perf_counter() - t) * 1000)
    return {
        "build_ms_min": round(min(times), 1),
        "build_ms_max": round(max(times), 1),
        "arrays_mb": round(index.nbytes / 1e6, 2),
        "organisations": index.size,
    }


def after_write(port: int, samples: int) -> dict:
    """Latency of the first HTML search after a write: each sample changes the shared index version (what
    every directory write does), so the worker that answers rebuilds its index first."""
    from jumelage.directory import search

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies = []
    for i in range(samples):
        search.bump_index_version()
        latencies.append(http_get(conn, paths("html")[i % len(QUERIES)]))
    conn.close()
    return summary(latencies)


def results_per_query() -> dict:
    from django.contrib.auth.models import AnonymousUser

    from jumelage.directory import queries

    out = {}
    for params in QUERIES:
        qs, _active = queries.filter_organisations(queries.visible_to(AnonymousUser()), params)
        out[urlencode(params)] = qs.count()
    return out


def http_get(conn: http.client.HTTPConnection, path: str) -> float:
    t = time.perf_counter()
    conn.request("GET", path, headers={"Accept-Language": "fr"})
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - t) * 1000
    if response.status != 200:
        raise RuntimeError(f"{path}: HTTP {response.status}: {body[:300]!r}")
    return elapsed


def paths(kind: str) -> list[str]:
    base = "/directory/?" if kind == "html" else "/api/v1/organisations?"
    return [base + urlencode(p) for p in QUERIES]


def run_clients(port: int, kind: str, clients: int, passes: int) -> dict:
    """`clients` threads, each with its own keep-alive connection, each going `passes` times through
    the query list (rotated so that they do not all ask the same thing at once)."""
    all_paths = paths(kind)
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []
    barrier = threading.Barrier(clients + 1)

    def client(idx: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        barrier.wait()
        try:
            for p in range(passes):
                for j in range(len(all_paths)):
                    mine.append(http_get(conn, all_paths[(j + idx * 3 + p) % len(all_paths)]))
        except Exception as exc:  # reported below, the run is then invalid
            errors.append(repr(exc))
        finally:
            conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    if errors:
        raise RuntimeError(f"{len(errors)} client(s) failed: {errors[0]}")
    return summary(latencies, wall)


def start_gunicorn(env: dict, workers: int, threads: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    cmd = [
        sys.executable, "-m", "gunicorn", "jumelage.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
        "--backlog", "256", "--log-level", "warning",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            http_get(conn, "/api/v1/organisations?limit=1")
            conn.close()
            return proc, port
        except (OSError, RuntimeError, http.client.HTTPException):
            if proc.poll() is not None:
                sys.exit("gunicorn exited early")
            time.sleep(0.3)
    proc.terminate()
    sys.exit("gunicorn did not answer within 60 s")


def stop_gunicorn(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument(
        "--database-url", help="use this (empty) PostgreSQL database instead of a throwaway cluster"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--passes", type=int, default=3, help="passes over the query list per client")
    parser.add_argument("--keep", help="keep the SQLite database in this folder and reuse it when it exists")
    args = parser.parse_args()

    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="jumelage-bench."))
    workdir.mkdir(parents=True, exist_ok=True)
    pg = None
    if args.db == "postgres":
        if args.database_url:
            database_url = args.database_url
        else:
            pg = ThrowawayPostgres()
            database_url = pg.start()
    else:
        database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jumelage.settings",
        "DATABASE_URL": database_url,
        "JUMELAGE_DATA_DIR": str(workdir),
        "JUMELAGE_AXES_ENABLED": "false",
        "JUMELAGE_LOG_LEVEL": "ERROR",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    from jumelage.directory.models import Organisation

    gunicorn = None
    try:
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        existing = Organisation.objects.count()
        if existing == 0:
            print(f"Loading {args.orgs:,} organisations derived from the real seed…", flush=True)
            load = seed_database(args.orgs)
        elif existing == args.orgs:
            load = {"organisations": existing, "reused": True}
        else:
            sys.exit(f"The database already holds {existing} organisations, not {args.orgs}.")
        print(f"Load: {load}", flush=True)
        from django.db import connection

        connection.close()
        matches = results_per_query()
        bare_query_times(1)  # warm caches
        bare = bare_query_times(args.passes)
        match_only = match_only_times(args.passes)
        index = index_build()
        print(f"Index: {index}", flush=True)

        http_results: dict = {"warm": {}, "cold": {}}
        # Warm: the app as configured (per-process result cache on); each query was asked before.
        gunicorn, port = start_gunicorn(env, args.workers, args.threads)
        for kind in ("html", "api"):
            run_clients(port, kind, 1, 1)  # warm-up: every worker process, every query
            run_clients(port, kind, 4, 1)
            one = run_clients(port, kind, 1, args.passes)
            sixteen = run_clients(port, kind, 16, args.passes)
            http_results["warm"][kind] = {
                "1_client": one,
                "16_clients": sixteen,
                "app_over_bare_p50": round(one["p50_ms"] / bare["p50_ms"], 2),
            }
        stop_gunicorn(gunicorn)
        # Cold: result cache off, so every request runs the search, the count and the facets (on the
        # per-process index, built by the warm-up; the first search after a write is measured apart).
        gunicorn, port = start_gunicorn(
            {**env, "JUMELAGE_DIRECTORY_CACHE_SIZE": "0"}, args.workers, args.threads
        )
        for kind in ("html", "api"):
            run_clients(port, kind, 2, 1)  # warm-up (database pages, templates)
            one = run_clients(port, kind, 1, 1)
            sixteen = run_clients(port, kind, 16, 1)
            http_results["cold"][kind] = {
                "1_client": one,
                "16_clients": sixteen,
                "app_over_bare_p50": round(one["p50_ms"] / bare["p50_ms"], 2),
            }
        http_results["after_write"] = {"html": after_write(port, 6)}
    finally:
        if gunicorn is not None:
            stop_gunicorn(gunicorn)
        if pg is not None:
            from django.db import connections

            connections.close_all()
            pg.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    import django as dj

    report = {
        "db": args.db,
        "sqlite_version": __import__("sqlite3").sqlite_version if args.db == "sqlite" else None,
        "django": dj.get_version(),
        "cpus": os.cpu_count(),
        "gunicorn": {"workers": args.workers, "threads": args.threads},
        "load": load,
        "queries": QUERIES,
        "matches_per_query": matches,
        "bare_query": bare,
        "match_only": match_only,
        "index": index,
        "http": http_results,
        "targets": TARGETS,
        "load_average_at_end": os.getloadavg(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "data": "derived/synthetic: real i-Lab and CORDIS seed records repeated with variant names",
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"directory_search-{args.db}-{args.orgs}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")

    print(
        f"\nDirectory search, {args.db}, {args.orgs:,} organisations, gunicorn {args.workers}w×{args.threads}t"
    )
    print(f"bare query (floor): p50 {bare['p50_ms']} ms, p95 {bare['p95_ms']} ms")
    print(f"match only (what the app asks): p50 {match_only['p50_ms']} ms, p95 {match_only['p95_ms']} ms")
    print(f"index: {index}")
    print(f"load average at the end: {os.getloadavg()}")
    print(
        f"{'cache':<7}{'endpoint':<10}{'clients':>8}{'p50 ms':>10}{'p95 ms':>10}{'req/s':>10}{'app/bare p50':>14}"
    )
    for cache_state, by_kind in http_results.items():
        if cache_state == "after_write":
            m = by_kind["html"]
            print(
                f"first HTML search after a write (index rebuilt): p50 {m['p50_ms']} ms, max {m['max_ms']} ms"
            )
            continue
        for kind, r in by_kind.items():
            for label, key in (("1", "1_client"), ("16", "16_clients")):
                m = r[key]
                ratio = r["app_over_bare_p50"] if key == "1_client" else ""
                print(
                    f"{cache_state:<7}{kind:<10}{label:>8}{m['p50_ms']:>10}{m['p95_ms']:>10}{m.get('throughput_rps', ''):>10}{ratio!s:>14}"
                )
    print(f"\nWritten {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
