"""Measure the scheduler's latencies that the unit tests check only for behaviour.

The tests say *that* a big school validates, that a short time limit still gives a valid
timetable, that a stop ends the search with the best solution so far and that a cancelled run
ends ``cancelled``; how long each takes depends on the machine and its load, so it is
measured here instead of asserted there. Four measurements, each printed as it finishes:

- ``validate``: ``validate_problem`` of a generated school of about 3,000 pupils (``huge``),
  after one untimed call that loads the schema (``tests/solver/test_validate.py``);
- ``limit``: the wall time of ``solve`` with ``--limit`` seconds (1 by default), model building
  included, on generated ``small`` and ``large`` schools with one and two workers, against
  the limit it was given (``tests/solver/test_model.py``);
- ``stop``: ``solve`` of a ``large`` school with a 60 s limit, ``stop`` set after 3 s: the
  seconds from the stop to the return (``tests/solver/test_model.py``);
- ``cancel``: a ``large`` run executed by ``services.run_execute`` in a thread, as the
  background worker does, cancelled with ``services.run_cancel`` once it reports progress:
  the seconds from the cancel to the run being ``cancelled`` (the worker polls every
  ``PROGRESS_INTERVAL``; ``tests/timetables/test_runs.py``). It uses a fresh database made
  with Django's test-database machinery (a SQLite file in the temporary folder, or
  ``test_<name>`` beside the PostgreSQL database that ``DATABASE_URL`` names), dropped at
  the end.

Times are wall-clock (``time.perf_counter``). Usage::

    python -m benchmarks.timing [--only validate,limit,stop,cancel] [--repeat 5] [--limit 1]

Exit status: 0, or 1 when a solve or a run did not end as the tests require (no valid
solution, a run not cancelled).
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import tempfile
import threading
import time

from benchmarks.generate import generate, summary

MEASUREMENTS = ("validate", "limit", "stop", "cancel")


@functools.cache
def _school(size: str) -> str:
    counts = summary(generate(size, 1))
    return f"{size} ({counts['pupils']} pupils, {counts['activities']} activities)"


def measure_validate(repeat: int) -> bool:
    from scheduling.solver.validate import validate_problem

    data = generate("huge", 1)
    started = time.perf_counter()
    errors = validate_problem(data)  # loads and compiles the schema
    first = time.perf_counter() - started
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        validate_problem(data)
        times.append(time.perf_counter() - started)
    print(
        f"validate  {_school('huge')}: first call {first:.3f} s; then median "
        f"{statistics.median(times):.3f} s, max {max(times):.3f} s over {repeat}"
        + (f"; INVALID: {errors[:3]}" if errors else "")
    )
    return not errors


def measure_limit(limit: float) -> bool:
    from scheduling.solver.check import check
    from scheduling.solver.model import solve
    from scheduling.solver.problem import load_problem

    ok = True
    for size in ("small", "large"):
        data = generate(size, 1)
        for workers in (1, 2):
            started = time.perf_counter()
            problem = load_problem(data)
            solution = solve(problem, time_limit=limit, workers=workers)
            wall = time.perf_counter() - started
            valid = solution.status in ("optimal", "feasible") and not check(problem, solution).violations
            ok = ok and valid
            print(
                f"limit     {_school(size)}, {workers} worker(s), limit {limit:g} s: "
                f"returned after {wall:.2f} s ({wall - limit:+.2f} s against the limit), {solution.status}"
                + ("" if valid else " NOT VALID")
            )
    return ok


def measure_stop(after: float = 3.0) -> bool:
    from scheduling.solver.check import check
    from scheduling.solver.model import solve
    from scheduling.solver.problem import load_problem

    problem = load_problem(generate("large", 1))
    stop = threading.Event()
    stopped_at: list[float] = []

    def request_stop():
        stopped_at.append(time.perf_counter())
        stop.set()

    timer = threading.Timer(after, request_stop)
    started = time.perf_counter()
    timer.start()
    solution = solve(problem, time_limit=60, workers=2, stop=stop)
    returned = time.perf_counter()
    timer.cancel()
    valid = solution.status == "feasible" and not check(problem, solution).violations
    latency = f"{returned - stopped_at[0]:.2f} s" if stopped_at else "no stop (solve ended first)"
    print(
        f"stop      {_school('large')}, limit 60 s, stop after {after:g} s: returned "
        f"{latency} after the stop ({returned - started:.2f} s in all), {solution.status}"
        + ("" if valid else " NOT VALID")
    )
    return valid and bool(stopped_at)


def measure_cancel() -> bool:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.db import connection, connections
    from django.test.utils import setup_databases, teardown_databases

    settings_dict = connections["default"].settings_dict
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        path = os.path.join(tempfile.gettempdir(), f"timing-bench-{os.getpid()}.sqlite3")
        settings_dict.setdefault("TEST", {})["NAME"] = path
    old_config = setup_databases(
        verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set()
    )
    try:
        import datetime

        from scheduling.timetables import services
        from scheduling.timetables.models import TimetableRun
        from schools.models import District, School, Term

        district = District.objects.create(code="bench", name="基准区", name_en="Bench")
        school = School.objects.create(
            district=district, code="bench-primary", name="基准小学", stage=School.Stage.PRIMARY
        )
        term = Term.objects.create(
            code="bench-term",
            name="基准学期",
            start=datetime.date(2026, 9, 1),
            end=datetime.date(2027, 1, 22),
        )
        run = TimetableRun.objects.create(
            school=school, term=term, problem=generate("large", 1), time_limit=60
        )

        def execute():
            try:
                services.run_execute(run_id=run.pk)
            finally:
                connection.close()  # this thread's own connection

        def current():
            return TimetableRun.objects.get(pk=run.pk)

        worker = threading.Thread(target=execute)
        started = time.perf_counter()
        worker.start()
        while worker.is_alive() and current().best_objective is None:
            time.sleep(0.05)
        progress = time.perf_counter() - started
        cancelled_at = time.perf_counter()
        services.run_cancel(run=current())
        worker.join()
        ended = time.perf_counter()
        run.refresh_from_db()
        print(
            f"cancel    {_school('large')}, limit 60 s: first progress after {progress:.2f} s; "
            f"cancelled run ended {ended - cancelled_at:.2f} s after the cancel "
            f"(progress polled every {services.PROGRESS_INTERVAL:g} s), status {run.status}"
        )
        return run.status == TimetableRun.Status.CANCELLED
    finally:
        connection.close()
        teardown_databases(old_config, verbosity=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.timing", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only", default=",".join(MEASUREMENTS), help=f"comma-separated: {', '.join(MEASUREMENTS)}"
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed validations (default 5)")
    parser.add_argument("--limit", type=float, default=1.0, help="the short time limit, seconds (default 1)")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in MEASUREMENTS]
    if unknown:
        parser.error(f"unknown measurement {', '.join(unknown)}: choose among {', '.join(MEASUREMENTS)}")
    print(
        f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} cores", flush=True
    )
    ok = True
    for name in MEASUREMENTS:
        if name in chosen:
            if name == "validate":
                ok = measure_validate(args.repeat) and ok
            elif name == "limit":
                ok = measure_limit(args.limit) and ok
            elif name == "stop":
                ok = measure_stop() and ok
            else:
                ok = measure_cancel() and ok
            sys.stdout.flush()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
