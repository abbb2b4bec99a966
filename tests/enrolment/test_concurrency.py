"""Late joins under load on PostgreSQL: the activity row lock keeps a 30-seat activity at 30.

200 first-come attempts from 40 threads, each with its own database connection, all opened
before any attempt starts. With the lock: exactly 30 placed and 170 waiting. The control run
turns the lock off (``services._LOCK_ACTIVITY``) and sleeps between counting the placed
children and writing the enrolment (``services._after_count``), widening the race window on
purpose: the activity is overbooked, which is what the lock prevents.

SQLite has no row locks (``select_for_update`` does nothing there and writers queue on the
whole file), so the test runs only on PostgreSQL.
"""

import datetime
import queue
import threading
import time

import pytest
from django.conf import settings
from django.db import connection

from marketplace.enrolment import services
from marketplace.enrolment.models import Enrolment
from marketplace.households.models import Child
from tests.enrolment import allocate, enrolment_world
from tests.timetables import TERM_START

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="needs PostgreSQL: row locks (select_for_update) and real concurrent connections; "
        "set DATABASE_URL=postgres://… to run it",
    ),
]

THREADS = 40  # concurrent connections; PostgreSQL allows 100, keep well under 50
ATTEMPTS = 200
SEATS = 30
TODAY = TERM_START + datetime.timedelta(days=2)


def world_with_pupils():
    world = enrolment_world()
    for activity in (world.go, world.activity):
        activity.max_size = SEATS
        activity.save()
    allocate(world)  # late joining opens once the places are allocated
    Child.objects.bulk_create(
        [
            Child(
                household=world.parent.household,
                school_class=world.school_class,
                name=f"学生{n}",
                student_no=f"C{n:04d}",
            )
            for n in range(ATTEMPTS)
        ]
    )
    world.pupils = list(
        Child.objects.filter(student_no__startswith="C").select_related("school_class__school")
    )
    assert len(world.pupils) == ATTEMPTS
    return world


def storm(activity, pupils) -> tuple[list, list, int]:
    """Every pupil tries to join ``activity`` at once from THREADS connections.

    Returns (enrolments, errors, connections seen open to the test database at the start)."""
    work = queue.SimpleQueue()
    for child in pupils:
        work.put(child)
    start = threading.Barrier(THREADS + 1)
    results, errors, lock = [], [], threading.Lock()

    def worker():
        try:
            connection.ensure_connection()  # open before the start, so all are open at once
            start.wait(timeout=30)
            while True:
                try:
                    child = work.get_nowait()
                except queue.Empty:
                    return
                try:
                    enrolment = services.enrolment_late_join(
                        child=child, activity=activity, user=None, today=TODAY
                    )
                except Exception as error:
                    with lock:
                        errors.append(repr(error))
                else:
                    with lock:
                        results.append(enrolment)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    start.wait(timeout=30)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        (open_connections,) = cursor.fetchone()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors, open_connections


def counts(activity) -> dict[str, int]:
    rows = Enrolment.objects.filter(activity=activity)
    return {status: rows.filter(status=status).count() for status in ("placed", "waiting")}


def test_the_lock_gives_exactly_the_seats_and_a_waiting_list_of_the_rest():
    world = world_with_pupils()
    assert services._LOCK_ACTIVITY is True
    results, errors, open_connections = storm(world.go, world.pupils)
    assert errors == []
    assert open_connections >= THREADS + 1  # the workers' connections and this one
    assert len(results) == ATTEMPTS
    assert counts(world.go) == {"placed": SEATS, "waiting": ATTEMPTS - SEATS}
    assert sum(e.status == "placed" for e in results) == SEATS
    # The places went to the first comers: every placed row was written before every waiting one.
    placed = Enrolment.objects.filter(activity=world.go, status="placed").order_by("-pk").first()
    waiting = Enrolment.objects.filter(activity=world.go, status="waiting").order_by("pk").first()
    assert placed.pk < waiting.pk


def test_control_without_the_lock_and_a_wider_race_window_overbooks(monkeypatch):
    world = world_with_pupils()
    monkeypatch.setattr(services, "_LOCK_ACTIVITY", False)
    monkeypatch.setattr(services, "_after_count", lambda: time.sleep(0.005))
    results, errors, open_connections = storm(world.activity, world.pupils)
    assert errors == []
    assert open_connections >= THREADS + 1
    assert len(results) == ATTEMPTS
    placed = counts(world.activity)["placed"]
    print(f"control run without the lock: {placed} placed in {SEATS} seats")
    assert placed > SEATS, "without the lock the race should overbook the activity"
    assert counts(world.activity)["waiting"] == ATTEMPTS - placed
