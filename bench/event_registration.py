"""Event registration benchmark, through gunicorn over HTTP, on SQLite or PostgreSQL.

    .venv/bin/python bench/event_registration.py --db sqlite
    .venv/bin/python bench/event_registration.py --db postgres [--database-url postgres://…]

1. The rush: ATTEMPTS (500) visitors, each with its own e-mail, register at once for SEATS (300) seats
   through the real form (GET the form for the CSRF cookie and token, then all POST together, released by
   a barrier). Asserted: exactly 300 confirmed and 200 on the waiting list (in the database and in the
   answers), the event's seat counter at 300, zero errors (every answer a redirect to the registrant's
   page), and one e-mail per registrant received by a loopback SMTP sink (aiosmtpd in this process).
   The e-mails are background tasks (database task backend) sent by `jumelage worker` processes over
   real SMTP, with the QR code PNG and the .ics for the confirmed. Printed: p50/p95/max latency of the
   POSTs, the wall time of the rush, and when the last e-mail arrived.
2. The public event page (/events/<slug>/, the events core's page) of an event with 200 sessions in
   10 rooms and 5,000 registrations, p50/p95 at 1 and 16 concurrent clients, each request interleaved
   with a baseline request on the same connection: the bare Django 404 (an address no route matches,
   through the whole middleware stack). The ratio page/baseline survives machine noise.

Data are synthetic (generated names "Bench Person 123", example.org addresses): nothing real.
Figures go to stdout and bench/results/event_registration-<db>.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT / "bench"))

from directory_search import (  # noqa: E402 (the bench folder is put on the path just above)
    ThrowawayPostgres,
    free_port,
    percentile,
    stop_gunicorn,
)

RUSH_SLUG = "bench-rush-day"
STEADY_SLUG = "bench-steady-day"
PAGE_SLUG = "bench-big-day"
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def summary(latencies_ms: list[float]) -> dict:
    return {
        "n": len(latencies_ms),
        "p50_ms": round(statistics.median(latencies_ms), 1),
        "p95_ms": round(percentile(latencies_ms, 95), 1),
        "max_ms": round(max(latencies_ms), 1),
    }


# --- SMTP sink ---------------------------------------------------------------------------------------------


class SmtpSink:
    """A loopback SMTP server that counts what it receives (recipients, QR images, calendar files)."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.lock = threading.Lock()
        self.recipients: list[str] = []
        self.with_qr = 0
        self.with_ics = 0
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                raw = envelope.original_content or b""
                with sink.lock:
                    sink.recipients.extend(envelope.rcpt_tos)
                    sink.with_qr += b"Content-Type: image/png" in raw
                    sink.with_ics += b"Content-Type: text/calendar" in raw
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()

    def stop(self):
        self.controller.stop()


# --- Data --------------------------------------------------------------------------------------------------


def seed(seats: int, sessions: int, registrations: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from jumelage.directory.models import Theme
    from jumelage.ecosystems.models import Ecosystem, NetworkNode
    from jumelage.events.models import Event, EventPartner, Question, Registration, Room, Session, new_token

    start = (timezone.now() + timedelta(days=30)).replace(hour=8, minute=0, second=0, microsecond=0)
    with transaction.atomic():
        dw = Ecosystem.objects.create(
            name="Digital Wallonia", short_name="DW", slug="digital-wallonia", country="BE"
        )
        ft = Ecosystem.objects.create(
            name="La French Tech", short_name="FT", slug="la-french-tech", country="FR"
        )
        ftbxl = NetworkNode.objects.create(
            ecosystem=ft, kind="hub", name="French Tech Brussels", slug="french-tech-brussels"
        )
        themes = [
            Theme.objects.create(code=f"bench-theme-{i}", label_fr=f"Thème {i}", label_en=f"Theme {i}")
            for i in range(5)
        ]
        for slug, title, capacity in (
            (RUSH_SLUG, "Bench Rush Day", seats),
            (STEADY_SLUG, "Bench Steady Day", 100_000),
            (PAGE_SLUG, "Bench Big Day", registrations + 1000),
        ):
            event = Event.objects.create(
                slug=slug,
                title=title,
                summary="A synthetic event for the benchmark.",
                description_en="Synthetic benchmark event. " * 20,
                kind="themed_day",
                status="published",
                starts_at=start,
                ends_at=start + timedelta(hours=10),
                city="Namur",
                country="BE",
                venue="Bench Hall",
                languages=["fr", "en"],
                capacity=capacity,
                waitlist=True,
            )
            event.themes.set(themes)
            EventPartner.objects.create(event=event, ecosystem=dw, role="lead", position=0)
            EventPartner.objects.create(event=event, node=ftbxl, role="co_organiser", position=1)
            Question.objects.create(
                event=event, label="How did you hear about it?", choices=["web", "friend"]
            )
        big = Event.objects.get(slug=PAGE_SLUG)
        rooms = [Room.objects.create(event=big, name=f"Room {r + 1}", capacity=100) for r in range(10)]
        per_room = sessions // len(rooms)
        length = timedelta(minutes=600 // per_room)
        Session.objects.bulk_create(
            [
                Session(
                    event=big,
                    title=f"Bench session {r + 1}.{s + 1}",
                    description="A synthetic session.",
                    kind="talk",
                    starts_at=start + s * length,
                    ends_at=start + (s + 1) * length,
                    room=room,
                    language="fr",
                )
                for r, room in enumerate(rooms)
                for s in range(per_room)
            ]
        )
        partners = list(big.partners.all())
        Registration.objects.bulk_create(
            [
                Registration(
                    event=big,
                    name=f"Bench Person {i}",
                    email=f"bench-person-{i}@example.org",
                    language="fr",
                    organisation_name=f"Bench Org {i % 700}",
                    country="BE" if i % 2 else "FR",
                    status="confirmed",
                    via_partner=partners[i % 2],
                    token=new_token(),
                )
                for i in range(registrations)
            ],
            batch_size=1000,
        )
        Event.objects.filter(pk=big.pk).update(confirmed_count=registrations)


# --- HTTP --------------------------------------------------------------------------------------------------


def start_gunicorn(env: dict, workers: int, threads: int, backlog: int) -> tuple[subprocess.Popen, int]:
    """gunicorn on a free loopback port, with a listen backlog that holds the whole rush."""
    port = free_port()
    cmd = [
        sys.executable, "-m", "gunicorn", "jumelage.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
        "--backlog", str(backlog), "--timeout", "120", "--log-level", "warning",
    ]  # fmt: skip
    log = open(Path(env["JUMELAGE_DATA_DIR"]) / "gunicorn.log", "ab")  # noqa: SIM115 (lives as long as gunicorn)
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", f"/events/{RUSH_SLUG}/register/")
            ok = conn.getresponse().status == 200
            conn.close()
            if ok:
                return proc, port
        except (OSError, http.client.HTTPException):
            pass
        if proc.poll() is not None:
            sys.exit("gunicorn exited early")
        time.sleep(0.3)
    stop_gunicorn(proc)
    sys.exit("gunicorn did not answer within 60 s")


def get_form(port: int, slug: str = RUSH_SLUG) -> tuple[str, str]:
    """GET the registration form: the CSRF cookie and the form's token."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", f"/events/{slug}/register/", headers={"Accept-Language": "en"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"form: HTTP {response.status}")
    cookie = next(
        c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or [] if c.startswith("csrftoken=")
    )
    token = CSRF_INPUT.search(body).group(1).decode()
    return cookie, token


def start_task_workers(env: dict, count: int) -> list[subprocess.Popen]:
    """The background-task workers that build and send the e-mails (`jumelage worker`)."""
    log = open(Path(env["JUMELAGE_DATA_DIR"]) / "worker.log", "ab")  # noqa: SIM115 (lives as long as they do)
    cmd = [sys.executable, "-m", "jumelage.cli", "worker", "--interval", "0.1", "--no-startup-delay"]
    return [
        subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True, stdout=log, stderr=log)
        for _ in range(count)
    ]


def rush(port: int, attempts: int) -> dict:
    """`attempts` threads, each with its own e-mail and connection, POST the form at the same moment."""
    forms = [None] * attempts

    def prepare(i):
        forms[i] = get_form(port)

    prep = [threading.Thread(target=prepare, args=(i,)) for i in range(attempts)]
    for batch in range(0, attempts, 50):  # don't open 500 connections at once just to read the form
        for t in prep[batch : batch + 50]:
            t.start()
        for t in prep[batch : batch + 50]:
            t.join()

    barrier = threading.Barrier(attempts + 1)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors: list[str] = []
    lock = threading.Lock()

    def attempt(i):
        cookie, token = forms[i]
        body = urlencode(
            {
                "csrfmiddlewaretoken": token,
                "name": f"Rush Person {i}",
                "email": f"rush-{i}@example.org",
                "language": ("fr", "nl", "en")[i % 3],
                "organisation_name": f"Rush Org {i % 50}",
                "organisation_kind": "startup",
                "country": "BE",
                "role": "Founder",
                "interests": "bench-theme-1",
                "via": "french-tech-brussels" if i % 3 == 0 else "",
            }
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "Accept-Language": "en",
        }
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        barrier.wait()
        t = time.perf_counter()
        try:
            conn.request("POST", f"/events/{RUSH_SLUG}/register/", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - t) * 1000
            location = response.getheader("Location", "")
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1
                if response.status != 302 or "/events/registration/" not in location:
                    errors.append(f"attempt {i}: HTTP {response.status} {location}")
        except Exception as exc:  # counted as an error: the run is then invalid
            with lock:
                errors.append(f"attempt {i}: {exc!r}")
        finally:
            conn.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(attempts)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {
        "attempts": attempts,
        "statuses": statuses,
        "errors": errors,
        "latency": summary(latencies) if latencies else None,
        "wall_s": round(wall, 2),
        "throughput_rps": round(attempts / wall, 1),
    }


def steady(port: int, clients: int, per_client: int) -> dict:
    """Registration latency without a queue in front: `clients` visitors at a time, each registering
    `per_client` people one after the other (form GET, then the timed POST)."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(c):
        for n in range(per_client):
            cookie, token = get_form(port, STEADY_SLUG)
            body = urlencode(
                {
                    "csrfmiddlewaretoken": token,
                    "name": f"Steady Person {c}-{n}",
                    "email": f"steady-{c}-{n}@example.org",
                    "language": "fr",
                    "interests": "bench-theme-2",
                }
            )
            headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            t = time.perf_counter()
            try:
                conn.request("POST", f"/events/{STEADY_SLUG}/register/", body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                elapsed = (time.perf_counter() - t) * 1000
                with lock:
                    latencies.append(elapsed)
                    if response.status != 302:
                        errors.append(f"HTTP {response.status}")
            except Exception as exc:
                with lock:
                    errors.append(repr(exc))
            finally:
                conn.close()

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {
        "clients": clients,
        "registrations": clients * per_client,
        "errors": errors[:20],
        "latency": summary(latencies),
        "wall_s": round(wall, 2),
    }


def page_vs_baseline(port: int, clients: int, requests_per_client: int) -> dict:
    """Each client alternates the event page and the baseline (Django's 404) on one keep-alive
    connection, so both see the same machine at the same moments."""
    page_ms: list[float] = []
    base_ms: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def get(conn, path, expect):
        t = time.perf_counter()
        conn.request("GET", path, headers={"Accept-Language": "fr"})
        response = conn.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - t) * 1000
        if response.status != expect:
            raise RuntimeError(f"{path}: HTTP {response.status}")
        return elapsed, body

    def client(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine_page, mine_base = [], []
        barrier.wait()
        try:
            for n in range(requests_per_client):
                order = (
                    ("page", f"/events/{PAGE_SLUG}/", 200),
                    ("base", "/bench-baseline-no-such-page/", 404),
                )
                for kind, path, expect in order if (n + i) % 2 == 0 else order[::-1]:
                    elapsed, _body = get(conn, path, expect)
                    (mine_page if kind == "page" else mine_base).append(elapsed)
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            conn.close()
        with lock:
            page_ms.extend(mine_page)
            base_ms.extend(mine_base)

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
    page, base = summary(page_ms), summary(base_ms)
    return {
        "clients": clients,
        "page": page,
        "baseline_404": base,
        "page_over_baseline_p50": round(page["p50_ms"] / base["p50_ms"], 2),
        "page_over_baseline_p95": round(page["p95_ms"] / base["p95_ms"], 2),
        "wall_s": round(wall, 2),
    }


def check_page(port: int) -> dict:
    """What the measured page holds (so the figure is about a page that shows the programme)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", f"/events/{PAGE_SLUG}/", headers={"Accept-Language": "fr"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return {
        "status": response.status,
        "bytes": len(body),
        "sessions_shown": body.count(b"Bench session "),
        "shows_both_partners": b"Digital Wallonia" in body and b"French Tech Brussels" in body,
    }


# --- Main --------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--database-url", help="an empty PostgreSQL database instead of a throwaway cluster")
    parser.add_argument("--seats", type=int, default=300)
    parser.add_argument("--attempts", type=int, default=500)
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--registrations", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--steady-per-client", type=int, default=25, help="steady phase: per client (8)")
    parser.add_argument("--task-workers", type=int, default=2, help="background-task workers (mail)")
    parser.add_argument("--page-requests", type=int, default=50, help="page requests per client")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="jumelage-bench-evreg."))
    pg = None
    if args.db == "postgres":
        database_url = args.database_url or None
        if database_url is None:
            pg = ThrowawayPostgres()
            database_url = pg.start()
    else:
        database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    sink = SmtpSink()
    sink.start()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jumelage.settings",
        "DATABASE_URL": database_url,
        "JUMELAGE_DATA_DIR": str(workdir),
        "JUMELAGE_AXES_ENABLED": "false",
        "JUMELAGE_LOG_LEVEL": "ERROR",
        "JUMELAGE_EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    gunicorn = None
    task_workers: list = []
    try:
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        t = time.perf_counter()
        seed(args.seats, args.sessions, args.registrations)
        seeded_s = round(time.perf_counter() - t, 1)
        connections.close_all()
        gunicorn, port = start_gunicorn(env, args.workers, args.threads, backlog=max(1024, 2 * args.attempts))
        task_workers = start_task_workers(env, args.task_workers)
        print(f"Rush: {args.attempts} registrations at once for {args.seats} seats…", flush=True)
        rush_result = rush(port, args.attempts)
        rush_end = time.perf_counter()

        from jumelage.events.models import Event, Registration

        event = Event.objects.get(slug=RUSH_SLUG)
        by_status = {
            s: Registration.objects.filter(event=event, status=s).count()
            for s in ("confirmed", "waitlisted", "cancelled")
        }
        deadline = time.monotonic() + 300  # the task workers send the mail after the answers
        while len(sink.recipients) < args.attempts and time.monotonic() < deadline:
            time.sleep(0.1)
        rush_result["mail_drained_s_after_rush"] = round(time.perf_counter() - rush_end, 1)
        rush_result.update(
            {
                "db_confirmed": by_status["confirmed"],
                "db_waitlisted": by_status["waitlisted"],
                "seat_counter": event.confirmed_count,
                "mails_received": len(sink.recipients),
                "distinct_recipients": len(set(sink.recipients)),
                "mails_with_qr": sink.with_qr,
                "mails_with_ics": sink.with_ics,
                "attributed_to_ftbxl": Registration.objects.filter(
                    event=event, via_partner__node__slug="french-tech-brussels"
                ).count(),
            }
        )
        connections.close_all()

        print("Steady registrations (8 at a time)…", flush=True)
        steady_result = steady(port, 8, args.steady_per_client)

        print("Public event page…", flush=True)
        page_info = check_page(port)
        page_vs_baseline(port, 2, 5)  # warm-up: templates, connections, every worker
        page_results = {
            "1_client": page_vs_baseline(port, 1, args.page_requests),
            "16_clients": page_vs_baseline(port, 16, max(5, args.page_requests // 4)),
        }
    finally:
        for worker in task_workers:
            stop_gunicorn(worker)
        if gunicorn is not None:
            stop_gunicorn(gunicorn)
        sink.stop()
        connections.close_all()
        if pg is not None:
            pg.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    rr = rush_result
    checks = {
        "exactly_seats_confirmed": rr["db_confirmed"] == args.seats == rr["seat_counter"],
        "rest_waitlisted": rr["db_waitlisted"] == args.attempts - args.seats,
        "zero_errors": not rr["errors"],
        "one_mail_each": rr["distinct_recipients"] == args.attempts == rr["mails_received"],
        "qr_for_each_confirmed": rr["mails_with_qr"] == args.seats,
        "page_ok": page_info["status"] == 200,
        "steady_zero_errors": not steady_result["errors"],
    }
    report = {
        "db": args.db,
        "sqlite_version": __import__("sqlite3").sqlite_version if args.db == "sqlite" else None,
        "cpus": os.cpu_count(),
        "gunicorn": {"workers": args.workers, "threads": args.threads},
        "mail": "queued as background tasks (database backend), sent by `jumelage worker` processes over "
        "real SMTP to an aiosmtpd sink on loopback in the bench process",
        "task_workers": args.task_workers,
        "seed_s": seeded_s,
        "rush": {**rr, "errors": rr["errors"][:20], "error_count": len(rr["errors"])},
        "steady": steady_result,
        "page": {"sessions": args.sessions, "registrations": args.registrations, **page_info, **page_results},
        "checks": checks,
        "load_average_at_end": os.getloadavg(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "data": "synthetic (generated names, example.org addresses)",
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"event_registration-{args.db}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")

    lat = rr["latency"] or {}
    print(f"\nEvent registration, {args.db}, gunicorn {args.workers}w×{args.threads}t, {os.cpu_count()} CPUs")
    print(
        f"rush: {args.attempts} attempts for {args.seats} seats → {rr['db_confirmed']} confirmed, "
        f"{rr['db_waitlisted']} waitlisted, seat counter {rr['seat_counter']}, {len(rr['errors'])} errors, "
        f"{rr['mails_received']} mails ({rr['mails_with_qr']} with QR, {rr['mails_with_ics']} with .ics), "
        f"all sent {rr['mail_drained_s_after_rush']} s after the rush"
    )
    print(
        f"      POST latency p50 {lat.get('p50_ms')} ms, p95 {lat.get('p95_ms')} ms, max {lat.get('max_ms')} ms; "
        f"wall {rr['wall_s']} s ({rr['throughput_rps']} registrations/s)"
    )
    sl = steady_result["latency"]
    print(
        f"steady: {steady_result['registrations']} registrations, 8 clients: POST p50 {sl['p50_ms']} ms, "
        f"p95 {sl['p95_ms']} ms, max {sl['max_ms']} ms, {len(steady_result['errors'])} errors"
    )
    print(f"page: {page_info}")
    for label, r in page_results.items():
        print(
            f"      {label:>10}: page p50 {r['page']['p50_ms']} / p95 {r['page']['p95_ms']} ms; "
            f"baseline 404 p50 {r['baseline_404']['p50_ms']} / p95 {r['baseline_404']['p95_ms']} ms; "
            f"ratio p50 {r['page_over_baseline_p50']}, p95 {r['page_over_baseline_p95']}"
        )
    print(f"checks: {checks}")
    print(f"load average at the end: {os.getloadavg()}")
    print(f"Written {out.relative_to(ROOT)}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
