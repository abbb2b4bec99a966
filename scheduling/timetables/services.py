"""State changes of timetable runs: create and enqueue, execute, cancel, pin, re-solve.

A run is created ``queued`` with the exact problem it will solve, then a background task
(``scheduling.timetables.tasks.timetable_solve``) executes it: ``running`` with live progress
(best objective so far, seconds used), then ``done`` (whatever the solution's status:
optimal, feasible, infeasible with its explanation, or unknown), ``failed`` on an error, or
``cancelled`` when the administrator asked to stop (the best solution so far is kept).
"""

from __future__ import annotations

import copy
import logging
import threading
import time

from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from scheduling.solver import model as solver_model
from scheduling.solver.problem import load_problem
from scheduling.solver.validate import validate_problem
from scheduling.timetables.assembly import problem_assemble
from scheduling.timetables.models import TimetableRun

logger = logging.getLogger(__name__)

# How often the worker writes progress and looks for a cancel request, in seconds.
PROGRESS_INTERVAL = 0.5


class TimetableError(DomainError):
    """A request about a timetable run that cannot be carried out; the message says why and
    ``code`` names the refusal (stable, snake_case)."""

    default_code = "invalid"

    def __str__(self) -> str:
        return str(self.message)


PIN_KINDS = ("supervisions", "meetings", "enrollments", "cancelled")


def run_create(
    *, school, term, user=None, previous_run: TimetableRun | None = None, time_limit: int = 30
) -> TimetableRun:
    """Assemble the school's problem, store it on a new queued run and enqueue its solve.

    A re-solve (``previous_run``) carries the earlier solution as ``previous`` and the pins
    set on that run as ``pinned``, so few decisions move. The pins carry over: the new run
    starts with the same pins (those the new problem still accepts), so every later re-solve
    keeps them too until the administrator unpins them.

    Refused with ``TimetableError`` code ``solve_running`` while another solve of the school is
    queued or running, ``invalid_problem`` when the school's records do not make a valid
    problem, ``other_school_or_term`` for a re-solve of another school's or term's run.
    """
    problem = problem_assemble(school=school, term=term)
    pins: dict = {}
    if previous_run is not None:
        if previous_run.school_id != school.pk or previous_run.term_id != term.pk:
            raise TimetableError(
                _("A re-solve must be of the same school and term."), code="other_school_or_term"
            )
        if previous_run.solution and previous_run.solution.get("status") in ("optimal", "feasible"):
            problem["previous"] = previous_run.solution
        pins = _pins_still_valid(problem, previous_run.pins or {})
        if pins:
            problem["pinned"] = pins
    errors = validate_problem(problem)
    if errors:
        raise TimetableError(
            _("The school's records do not make a valid problem: %(errors)s")
            % {"errors": "; ".join(errors[:5])},
            code="invalid_problem",
        )
    with transaction.atomic():
        refuse_if_solving(school)
        try:
            with transaction.atomic():
                run = TimetableRun.objects.create(
                    school=school,
                    term=term,
                    created_by=user,
                    previous_run=previous_run,
                    problem=problem,
                    pins=pins,
                    time_limit=time_limit,
                )
        except IntegrityError as error:  # another request started one in between
            raise _solve_running_error() from error
        transaction.on_commit(lambda: enqueue_solve(run.pk))
    return run


def _solve_running_error() -> TimetableError:
    return TimetableError(
        _("A solve of this school is already queued or running: wait for it to end, or cancel it."),
        code="solve_running",
    )


def refuse_if_solving(school) -> None:
    """Refuse (code ``solve_running``) while a solve of ``school`` is queued or running.

    Call inside a transaction: the unfinished runs found are locked, and a run another request
    creates meanwhile is caught by the database's ``timetablerun_one_solve_per_school``
    constraint (``run_create`` turns that into the same refusal).
    """
    solving = (
        TimetableRun.objects.select_for_update()
        .filter(school=school, status__in=(TimetableRun.Status.QUEUED, TimetableRun.Status.RUNNING))
        .values_list("pk", flat=True)
    )
    if list(solving):
        raise _solve_running_error()


def _pins_still_valid(problem: dict, pins: dict) -> dict:
    """The pins that the freshly assembled ``problem`` still accepts, each checked on its own.

    A pin naming a record that is gone (an activity withdrawn, a teacher who left) would make
    the whole problem invalid; it is dropped rather than blocking every re-solve.
    """
    kept: dict[str, list] = {}
    for kind in PIN_KINDS:
        for entry in pins.get(kind) or []:
            candidate = copy.deepcopy(kept)
            candidate.setdefault(kind, []).append(entry)
            if not validate_problem({**problem, "pinned": candidate}):
                kept = candidate
    return kept


def enqueue_solve(run_id: int) -> None:
    """Hand a queued run to the background task queue (call once its row is committed)."""
    # Imported here: tasks imports this module (circular).
    from scheduling.timetables.tasks import timetable_solve

    result = timetable_solve.enqueue(run_id)
    TimetableRun.objects.filter(pk=run_id, task_id="").update(task_id=str(result.id)[:64])


def run_cancel(*, run: TimetableRun) -> TimetableRun:
    """Stop a queued or running solve. A queued run ends at once; a running one soon."""
    with transaction.atomic():
        locked = TimetableRun.objects.select_for_update().get(pk=run.pk)
        if locked.status == TimetableRun.Status.QUEUED:
            locked.status = TimetableRun.Status.CANCELLED
            locked.finished_at = timezone.now()
            locked.save(update_fields=["status", "finished_at", "updated_at"])
        elif locked.status == TimetableRun.Status.RUNNING:
            locked.cancel_requested = True
            locked.save(update_fields=["cancel_requested", "updated_at"])
        else:
            raise TimetableError(_("This solve has already finished."), code="already_finished")
    return locked


def run_execute(*, run_id: int) -> TimetableRun:
    """The background task's body: solve the run's problem, reporting progress as it goes."""
    with transaction.atomic():
        run = TimetableRun.objects.select_for_update().get(pk=run_id)
        if run.status != TimetableRun.Status.QUEUED:
            return run  # cancelled before it started, or a duplicate delivery of the task
        run.status = TimetableRun.Status.RUNNING
        run.started_at = timezone.now()
        run.save(update_fields=["status", "started_at", "updated_at"])

    stop = threading.Event()
    progress = {"best": None, "started": time.perf_counter()}
    finished = threading.Event()

    def report():
        # The only thread that touches the database while CP-SAT searches.
        try:
            while not finished.wait(PROGRESS_INTERVAL):
                seconds = time.perf_counter() - progress["started"]
                TimetableRun.objects.filter(pk=run_id).update(
                    best_objective=progress["best"], seconds=seconds
                )
                if TimetableRun.objects.filter(pk=run_id, cancel_requested=True).exists():
                    stop.set()
        finally:
            connection.close()

    reporter = threading.Thread(target=report, name=f"timetable-run-{run_id}", daemon=True)
    reporter.start()
    try:
        problem = load_problem(copy.deepcopy(run.problem))
        solution = solver_model.solve(
            problem,
            time_limit=run.time_limit,
            on_solution=lambda s, _seconds: progress.__setitem__("best", s.objective),
            stop=stop,
        )
    except Exception as error:  # a failed run must say so, whatever went wrong
        logger.exception("timetable run %s failed", run_id)
        finished.set()
        reporter.join()
        close_old_connections()
        TimetableRun.objects.filter(pk=run_id).update(
            status=TimetableRun.Status.FAILED,
            error=f"{type(error).__name__}: {error}",
            finished_at=timezone.now(),
            seconds=time.perf_counter() - progress["started"],
        )
        return TimetableRun.objects.get(pk=run_id)
    finished.set()
    reporter.join()
    cancelled = stop.is_set()
    TimetableRun.objects.filter(pk=run_id).update(
        status=TimetableRun.Status.CANCELLED if cancelled else TimetableRun.Status.DONE,
        solution=solution.to_dict(),
        best_objective=solution.objective,
        seconds=solution.solve_seconds,
        finished_at=timezone.now(),
    )
    return TimetableRun.objects.get(pk=run_id)


def _pin_entry(kind: str, entry) -> object:
    if kind == "cancelled":
        if not isinstance(entry, str):
            raise TimetableError(_("A pinned cancellation names one activity."), code="invalid_pin")
        return entry
    if not isinstance(entry, dict):
        raise TimetableError(_("A pinned decision is an object."), code="invalid_pin")
    return dict(sorted(entry.items()))


def run_pin(*, run: TimetableRun, kind: str, entry) -> TimetableRun:
    """Keep one decision of this run in the next re-solve (idempotent)."""
    if kind not in PIN_KINDS:
        raise TimetableError(_("Unknown kind of decision: %(kind)s") % {"kind": kind}, code="invalid_pin")
    entry = _pin_entry(kind, entry)
    pins = copy.deepcopy(run.pins or {})
    entries = pins.setdefault(kind, [])
    if entry not in entries:
        entries.append(entry)
    candidate = copy.deepcopy(run.problem)
    candidate["pinned"] = pins
    errors = validate_problem(candidate)
    if errors:
        raise TimetableError("; ".join(errors[:3]), code="invalid_pin")
    run.pins = pins
    run.save(update_fields=["pins", "updated_at"])
    return run


def run_unpin(*, run: TimetableRun, kind: str, entry) -> TimetableRun:
    if kind not in PIN_KINDS:
        raise TimetableError(_("Unknown kind of decision: %(kind)s") % {"kind": kind}, code="invalid_pin")
    entry = _pin_entry(kind, entry)
    pins = copy.deepcopy(run.pins or {})
    pins[kind] = [e for e in pins.get(kind, []) if e != entry]
    run.pins = {k: v for k, v in pins.items() if v}
    run.save(update_fields=["pins", "updated_at"])
    return run


def run_resolve(*, run: TimetableRun, user=None) -> TimetableRun:
    """Solve again from this run: its solution as ``previous``, its pins as ``pinned``."""
    if not run.finished or not run.solution:
        raise TimetableError(_("Only a finished solve can be solved again."), code="not_finished")
    return run_create(
        school=run.school, term=run.term, user=user, previous_run=run, time_limit=run.time_limit
    )
