"""The public event page, rendered in process: the agenda fragment cached against rendered every time.

    .venv/bin/python bench/event_page.py                      # SQLite in a temporary folder
    .venv/bin/python bench/event_page.py --database-url postgres://postgres@127.0.0.1:55432/empty_db

A generated event (synthetic: "Bench …" names, example.org addresses; nothing real): 200 sessions over two
days in 10 rooms, 1 to 3 speakers each out of 300 directory people (two in three with a public profile),
three pitch sessions holding 30 selected startup pitches, a published programme of 12 agreed items, three
partners (lead, co-organiser, supporting) and 5,000 confirmed registrations.

The page (`GET /events/<slug>/`, anonymous, through django.test.Client: middleware, view, template) is
timed in rounds; each round runs, one after the other in the same process:
- `uncached`: the agenda built and rendered on every request (the cache switched off, as before);
- `cached`: the agenda fragment served from the cache (warm);
- `miss`: the agenda's version moved just before (as every write it shows moves it), so the fragment is
  built, rendered and stored again.
Best-of-N and median per mode, the page size, the queries per request, and the load average before and
after. Figures go to stdout and bench/results/event_page-<db>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SLUG = "bench-agenda-day"


def seed(sessions: int, registrations: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from jumelage.directory.models import Organisation, Person, Theme
    from jumelage.ecosystems.models import Ecosystem, NetworkNode
    from jumelage.events.models import (
        Call,
        Event,
        EventPartner,
        Proposal,
        Registration,
        Room,
        Session,
        Submission,
        new_token,
    )

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
        awex = NetworkNode.objects.create(ecosystem=dw, kind="hub", name="Bench Node", slug="bench-node")
        themes = [
            Theme.objects.create(code=f"bench-theme-{i}", label_fr=f"Thème {i}", label_en=f"Theme {i}")
            for i in range(5)
        ]
        event = Event.objects.create(
            slug=SLUG,
            title="Bench Agenda Days",
            summary="A synthetic two-day event for the benchmark.",
            description_fr="Événement synthétique pour la mesure. " * 20,
            description_en="Synthetic benchmark event. " * 20,
            kind="themed_day",
            status="published",
            starts_at=start,
            ends_at=start + timedelta(days=1, hours=10),
            city="Namur",
            country="BE",
            venue="Bench Hall",
            languages=["fr", "en"],
            capacity=registrations + 1000,
            waitlist=True,
        )
        event.themes.set(themes)
        lead = EventPartner.objects.create(event=event, ecosystem=dw, role="lead", position=0)
        EventPartner.objects.create(event=event, node=ftbxl, role="co_organiser", position=1)
        EventPartner.objects.create(event=event, node=awex, role="supporting", position=2)
        rooms = [Room.objects.create(event=event, name=f"Room {r + 1}", capacity=100) for r in range(10)]
        people = Person.objects.bulk_create(
            [Person(name=f"Bench Speaker {i:03d}", public_profile=i % 3 != 0) for i in range(300)]
        )
        orgs = Organisation.objects.bulk_create(
            [
                Organisation(
                    kind="startup", name=f"Bench Startup {i}", slug=f"bench-startup-{i}", country="BE"
                )
                for i in range(40)
            ]
        )
        kinds = ["talk", "panel", "workshop", "talk", "networking"]
        per_day = sessions // 2
        per_room = per_day // len(rooms)
        length = timedelta(minutes=600 // per_room)
        rows = []
        for day in range(2):
            for room in rooms:
                for s in range(per_room):
                    n = len(rows)
                    at = start + timedelta(days=day) + s * length
                    rows.append(
                        Session(
                            event=event,
                            title=f"Bench session {n + 1}: what cities learn from their data",
                            description=(
                                "A synthetic session about open data, mobility and the people who build "
                                "the tools; questions from the room at the end."
                            ),
                            kind="pitches" if n in (5, 105, 155) else kinds[n % len(kinds)],
                            starts_at=at,
                            ends_at=at + length,
                            room=room,
                            language="fr" if n % 2 else "en",
                        )
                    )
        made = Session.objects.bulk_create(rows)
        through = Session.speakers.through
        through.objects.bulk_create(
            [
                through(session_id=s.pk, person_id=people[(i * 7 + k) % len(people)].pk)
                for i, s in enumerate(made)
                for k in range(1 + i % 3)
            ]
        )
        call = Call.objects.create(
            event=event,
            kind="pitch",
            title="Bench pitches",
            opens_at=start - timedelta(days=60),
            closes_at=start - timedelta(days=20),
        )
        pitch_sessions = [s for s in made if s.kind == "pitches"]
        Submission.objects.bulk_create(
            [
                Submission(
                    call=call,
                    organisation=orgs[i],
                    title=f"Bench pitch {i}: a platform for shared parking",
                    abstract="Synthetic.",
                    speaker_name=f"Bench Founder {i}",
                    speaker_email=f"founder-{i}@example.org",
                    status="selected" if i % 2 else "confirmed",
                    session=pitch_sessions[i % len(pitch_sessions)],
                )
                for i in range(30)
            ]
        )
        for i in range(12):
            Proposal.objects.create(
                event=event,
                kind=["theme", "speaker", "showcase"][i % 3],
                title=f"Bench programme item {i}",
                details="Synthetic programme item.",
                proposed_for=lead,
                theme=themes[i % 5] if i % 3 == 0 else None,
                person=people[i] if i % 3 == 1 else None,
                organisation=orgs[i] if i % 3 == 2 else None,
                status="agreed",
            )
        Event.objects.filter(pk=event.pk).update(programme_published_at=timezone.now() + timedelta(seconds=1))
        Registration.objects.bulk_create(
            [
                Registration(
                    event=event,
                    name=f"Bench Person {i}",
                    email=f"bench-person-{i}@example.org",
                    language="fr",
                    organisation_name=f"Bench Org {i % 700}",
                    country="BE" if i % 2 else "FR",
                    status="confirmed",
                    token=new_token(),
                )
                for i in range(registrations)
            ],
            batch_size=1000,
        )
        Event.objects.filter(pk=event.pk).update(confirmed_count=registrations)


def measure(rounds: int, language: str) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from jumelage.events import agenda
    from jumelage.events.models import Event

    client = Client(HTTP_ACCEPT_LANGUAGE=language, HTTP_HOST="localhost")
    url = f"/events/{SLUG}/"
    event_id = Event.objects.get(slug=SLUG).pk
    times: dict[str, list[float]] = {"uncached": [], "cached": [], "miss": []}
    info: dict[str, dict] = {}
    bodies: dict[str, bytes] = {}

    def get(mode: str) -> None:
        agenda.CACHE_ENABLED = mode != "uncached"
        with CaptureQueriesContext(connection) as queries:
            t = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - t) * 1000
        assert response.status_code == 200, response.status_code
        times[mode].append(elapsed)
        info[mode] = {"bytes": len(response.content), "queries": len(queries)}
        bodies[mode] = response.content

    get("cached")  # warm the cache (not counted)
    times["cached"].clear()
    for _round in range(rounds):
        get("uncached")
        get("cached")
        agenda.bump(event_id)  # what every write the agenda shows does (a signal)
        get("miss")
    agenda.CACHE_ENABLED = True
    fragments = {mode: body[body.index(b'id="agenda-heading"') :] for mode, body in bodies.items()}
    same = fragments["uncached"] == fragments["cached"] == fragments["miss"]
    return {
        mode: {
            "best_ms": round(min(values), 1),
            "median_ms": round(statistics.median(values), 1),
            "n": len(values),
            **info[mode],
        }
        for mode, values in times.items()
    } | {"agenda_identical_cached_vs_uncached": same}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite in a temp dir)")
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--registrations", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--languages", default="fr,en")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="jumelage-bench-page."))
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "jumelage.settings",
            "DATABASE_URL": database_url,
            "JUMELAGE_DATA_DIR": str(workdir),
            "JUMELAGE_AXES_ENABLED": "false",
            "JUMELAGE_LOG_LEVEL": "ERROR",
        }
    )
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    seed(args.sessions, args.registrations)
    load_before = os.getloadavg()
    results = {lang: measure(args.rounds, lang) for lang in args.languages.split(",")}
    load_after = os.getloadavg()
    db = "postgres" if database_url.startswith("postgres") else "sqlite"
    report = {
        "db": db,
        "sessions": args.sessions,
        "registrations": args.registrations,
        "rounds": args.rounds,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "results": results,
    }
    for lang, modes in results.items():
        for mode in ("uncached", "cached", "miss"):
            m = modes[mode]
            print(
                f"{db} {lang} {mode:9} best {m['best_ms']:7.1f} ms  median {m['median_ms']:7.1f} ms  "
                f"{m['bytes'] / 1024:6.1f} KB  {m['queries']} queries"
            )
        print(
            f"{db} {lang} agenda identical cached vs uncached: {modes['agenda_identical_cached_vs_uncached']}"
        )
    print(f"load average before {report['load_average_before']}, after {report['load_average_after']}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"event_page-{db}.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
