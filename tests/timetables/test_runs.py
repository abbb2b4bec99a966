"""The life of a timetable run: queued, running with progress, done, failed, cancelled;
pins and re-solve."""

import threading
import time

import pytest
from django.db import connection

from benchmarks.generate import generate
from scheduling.solver.check import check
from scheduling.solver.problem import load_problem, load_solution
from scheduling.timetables import services
from scheduling.timetables.assembly import problem_assemble
from scheduling.timetables.models import TimetableRun
from tests.timetables import build_school


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db
def test_a_new_run_is_queued_with_the_assembled_problem(django_capture_on_commit_callbacks):
    world = build_school()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = services.run_create(school=world.school, term=world.term, time_limit=5)
    assert run.status == TimetableRun.Status.QUEUED
    assert run.problem["format"] == "afterschool-timetable/1"
    assert [c["id"] for c in run.problem["classes"]] == ["3-2"]
    assert len(callbacks) == 1  # the solve is enqueued once the run is committed


@pytest.mark.django_db(transaction=True)
def test_a_run_solves_in_the_background_and_records_the_solution():
    world = build_school()
    run = services.run_create(school=world.school, term=world.term, time_limit=5)
    run.refresh_from_db()  # the immediate backend has executed it on commit
    assert run.status == TimetableRun.Status.DONE
    assert run.solution["status"] in ("optimal", "feasible")
    assert run.started_at and run.finished_at and run.finished_at >= run.started_at
    assert run.task_id
    problem = load_problem(run.problem)
    assert check(problem, load_solution(run.solution)).violations == []


@pytest.mark.django_db(transaction=True)
def test_a_failing_solve_is_marked_failed(monkeypatch):
    from scheduling.solver import model

    def broken(*args, **kwargs):
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(model, "solve", broken)
    world = build_school()
    run = services.run_create(school=world.school, term=world.term, time_limit=5)
    run.refresh_from_db()
    assert run.status == TimetableRun.Status.FAILED
    assert "solver exploded" in run.error
    assert run.finished_at is not None


@pytest.mark.django_db
def test_cancelling_a_queued_run_ends_it_and_the_task_then_does_nothing(django_capture_on_commit_callbacks):
    world = build_school()
    with django_capture_on_commit_callbacks(execute=False):
        run = services.run_create(school=world.school, term=world.term, time_limit=5)
    services.run_cancel(run=run)
    run.refresh_from_db()
    assert run.status == TimetableRun.Status.CANCELLED
    services.run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == TimetableRun.Status.CANCELLED
    assert run.solution is None
    with pytest.raises(services.TimetableError) as caught:
        services.run_cancel(run=run)
    assert caught.value.code == "already_finished"


@pytest.mark.django_db(transaction=True)
def test_a_running_solve_reports_progress_and_can_be_cancelled():
    world = build_school()
    run = TimetableRun.objects.create(
        school=world.school, term=world.term, problem=generate("large", 1), time_limit=60
    )

    def execute():
        try:
            services.run_execute(run_id=run.pk)
        finally:
            connection.close()  # this thread's own connection; PostgreSQL would keep it open

    worker = threading.Thread(target=execute)
    worker.start()
    try:
        assert wait_for(lambda: TimetableRun.objects.get(pk=run.pk).status == TimetableRun.Status.RUNNING)
        assert wait_for(lambda: TimetableRun.objects.get(pk=run.pk).best_objective is not None)
        assert wait_for(lambda: TimetableRun.objects.get(pk=run.pk).seconds > 0)
        services.run_cancel(run=TimetableRun.objects.get(pk=run.pk))
    finally:
        worker.join()  # at most the run's 60 s limit; a stop ends it sooner
    run.refresh_from_db()
    # How soon a cancel ends a running solve is measured by ``python -m benchmarks.timing``.
    assert run.status == TimetableRun.Status.CANCELLED
    assert run.solution["status"] == "feasible"  # the best solution so far is kept
    assert check(load_problem(run.problem), load_solution(run.solution)).violations == []


@pytest.mark.django_db(transaction=True)
def test_pin_and_resolve_keeps_the_pin_and_moves_little():
    world = build_school()
    first = services.run_create(school=world.school, term=world.term, time_limit=5)
    first.refresh_from_db()
    supervision = first.solution["supervisions"][0]
    other_pk = world.chen.pk if supervision["staff"] == f"t{world.wang.pk}" else world.wang.pk
    other = f"t{other_pk}"
    pinned = {"class": supervision["class"], "slot": supervision["slot"], "staff": other}
    services.run_pin(run=first, kind="supervisions", entry=pinned)
    services.run_pin(run=first, kind="supervisions", entry=pinned)  # idempotent
    assert first.pins == {"supervisions": [pinned]}

    second = services.run_resolve(run=first)
    second.refresh_from_db()
    assert second.previous_run == first
    assert second.problem["previous"]["supervisions"] == first.solution["supervisions"]
    assert second.problem["pinned"] == {"supervisions": [pinned]}
    assert second.status == TimetableRun.Status.DONE
    assert pinned in second.solution["supervisions"]
    old = {tuple(sorted(s.items())) for s in first.solution["supervisions"]}
    new = {tuple(sorted(s.items())) for s in second.solution["supervisions"]}
    assert len(old ^ new) == 2  # just the pinned one moved

    services.run_unpin(run=first, kind="supervisions", entry=pinned)
    assert first.pins == {}


@pytest.mark.django_db
def test_a_pin_naming_an_unknown_id_is_refused():
    world = build_school()
    run = TimetableRun.objects.create(
        school=world.school,
        term=world.term,
        problem=problem_assemble(school=world.school, term=world.term),
    )
    with pytest.raises(services.TimetableError) as caught:
        services.run_pin(run=run, kind="supervisions", entry={"class": "9-9", "slot": "mon-1", "staff": "t1"})
    assert caught.value.code == "invalid_pin"
    with pytest.raises(services.TimetableError) as caught:
        services.run_pin(run=run, kind="rooms", entry={})
    assert caught.value.code == "invalid_pin"
    run.refresh_from_db()
    assert run.pins == {}
