"""Never more confirmed than capacity under concurrent registrations: threads, each with its own
database connection, register for the last seats at the same moment.

On PostgreSQL the threads share the test database (a `transaction=True` test, so they see the committed
event). On SQLite the test database is in memory, where connections share one cache and lock whole
tables instead of waiting; so the test copies it to a file (the SQLite backup API) and the threads use
that file with the production settings (WAL, IMMEDIATE transactions, a busy timeout) — the real setup.
"""

import sqlite3
import threading
import traceback

import pytest
from django.db import connection, connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SqliteWrapper

from jumelage.events.models import Event, Registration
from jumelage.events.services import registration as services
from tests.factories import build_event, build_world

THREADS = 8
ATTEMPTS_PER_THREAD = 4  # 32 attempts for 5 seats


def _thread_settings(tmp_path):
    """Connection settings for the worker threads: the test database itself, or (SQLite) a file copy."""
    if connection.vendor != "sqlite":
        return None
    path = tmp_path / "concurrency.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    return {**connection.settings_dict, "NAME": str(path)}


def _run(settings_dict, worker):
    """Run `worker(i)` in THREADS threads released at once; returns their results and errors."""
    barrier = threading.Barrier(THREADS)
    results, errors = [], []
    lock = threading.Lock()

    def target(i):
        if settings_dict is not None:
            connections["default"] = SqliteWrapper(settings_dict, "default")
        try:
            barrier.wait()
            out = worker(i)
            with lock:
                results.extend(out)
        except Exception:  # reported by the assertion below
            with lock:
                errors.append(traceback.format_exc())
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


def _read(settings_dict, fn):
    """Read through the threads' database (SQLite: the file copy)."""
    if settings_dict is None:
        return fn()
    out = []

    def target():
        connections["default"] = SqliteWrapper(settings_dict, "default")
        try:
            out.append(fn())
        finally:
            connections["default"].close()

    t = threading.Thread(target=target)
    t.start()
    t.join()
    return out[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("waitlist", [True, False])
def test_concurrent_registrations_never_overbook(tmp_path, waitlist):
    world = build_world()
    event = build_event(world, capacity=5, waitlist=waitlist)
    Event.objects.filter(pk=event.pk).update(confirmed_count=2)  # 3 seats left
    settings_dict = _thread_settings(tmp_path)

    def worker(i):
        event = Event.objects.get(pk=event_pk)
        outcomes = []
        for n in range(ATTEMPTS_PER_THREAD):
            try:
                r = services.register(event=event, name=f"T{i}-{n}", email=f"t{i}-{n}@example.org")
                outcomes.append(r.status)
            except services.RegistrationRefused as exc:
                outcomes.append(exc.code)
        return outcomes

    event_pk = event.pk
    outcomes, errors = _run(settings_dict, worker)
    assert errors == []
    total = THREADS * ATTEMPTS_PER_THREAD
    assert outcomes.count("confirmed") == 3
    if waitlist:
        assert outcomes.count("waitlisted") == total - 3
    else:
        assert outcomes.count("full") == total - 3
    counts = _read(
        settings_dict,
        lambda: (
            Event.objects.get(pk=event_pk).confirmed_count,
            Registration.objects.filter(event_id=event_pk, status="confirmed").count(),
            Registration.objects.filter(event_id=event_pk).count(),
        ),
    )
    assert counts == (5, 3, total if waitlist else 3)


@pytest.mark.django_db(transaction=True)
def test_concurrent_cancellations_promote_each_waiting_person_once(tmp_path):
    world = build_world()
    event = build_event(world, capacity=THREADS)
    confirmed = [
        services.register(event=event, name=f"C{i}", email=f"c{i}@example.org") for i in range(THREADS)
    ]
    for i in range(THREADS):
        services.register(event=event, name=f"W{i}", email=f"w{i}@example.org")
    settings_dict = _thread_settings(tmp_path)
    pks = [r.pk for r in confirmed]

    def worker(i):
        result = services.cancel(registration=Registration.objects.get(pk=pks[i]))
        return [result.promoted.pk]

    promoted, errors = _run(settings_dict, worker)
    assert errors == []
    assert len(set(promoted)) == THREADS, "each waiting person promoted exactly once"
    counts = _read(
        settings_dict,
        lambda: (
            Event.objects.get(pk=event.pk).confirmed_count,
            Registration.objects.filter(event=event, status="confirmed").count(),
            Registration.objects.filter(event=event, status="waitlisted").count(),
        ),
    )
    assert counts == (THREADS, THREADS, 0)


@pytest.mark.django_db(transaction=True)
def test_the_same_person_registering_twice_at_once_gets_one_seat(tmp_path):
    world = build_world()
    event = build_event(world, capacity=5)
    settings_dict = _thread_settings(tmp_path)
    event_pk = event.pk

    def worker(i):
        try:
            services.register(event=Event.objects.get(pk=event_pk), name="Ada", email="ada@example.org")
            return ["registered"]
        except services.RegistrationRefused as exc:
            return [exc.code]

    outcomes, errors = _run(settings_dict, worker)
    assert errors == []
    assert sorted(outcomes) == ["duplicate"] * (THREADS - 1) + ["registered"]
    counts = _read(
        settings_dict,
        lambda: (
            Event.objects.get(pk=event_pk).confirmed_count,
            Registration.objects.filter(event_id=event_pk).count(),
        ),
    )
    assert counts == (1, 1), "the refused twins took no seat"
