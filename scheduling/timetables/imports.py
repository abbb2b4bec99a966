"""Importing files of the public JSON format (``shared/spec/timetable-json.md``).

A school may solve a problem prepared elsewhere instead of the one assembled from its
records: the run is created like ``services.run_create``'s, with the uploaded problem as it
is, and its solve is enqueued once the run is committed. With a solution file too (say, one
exported earlier and edited by hand), nothing is solved: the solution is checked against the
problem's hard rules by the independent checker and stored as a finished run, ready to view,
pin, re-solve or publish.
"""

from __future__ import annotations

import copy

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from scheduling.solver.check import check
from scheduling.solver.problem import load_problem, load_solution
from scheduling.solver.validate import validate_problem, validate_solution
from scheduling.timetables.models import TimetableRun
from scheduling.timetables.services import TimetableError, enqueue_solve, refuse_if_solving


def run_import(
    *, school, term, user=None, problem: dict, solution: dict | None = None, time_limit: int = 30
) -> TimetableRun:
    """Store ``problem`` on a new run of ``school`` and ``term``.

    Without ``solution`` the run is queued and its solve enqueued. With one, the solution must
    keep every hard rule (``check``) and the run is stored as done. Invalid files raise
    ``TimetableError`` listing their first faults, and nothing is written.
    """
    errors = validate_problem(problem)
    if errors:
        raise TimetableError(
            _("The file is not a valid timetable problem: %(errors)s") % {"errors": "; ".join(errors[:5])},
            code="invalid_problem",
        )
    if solution is not None:
        return _import_solved(school=school, term=term, user=user, problem=problem, solution=solution)
    with transaction.atomic():
        refuse_if_solving(school)
        run = TimetableRun.objects.create(
            school=school,
            term=term,
            created_by=user,
            problem=copy.deepcopy(problem),
            time_limit=time_limit,
        )
        transaction.on_commit(lambda: enqueue_solve(run.pk))
    return run


def _import_solved(*, school, term, user, problem: dict, solution: dict) -> TimetableRun:
    errors = validate_solution(problem, solution)
    if errors:
        raise TimetableError(
            _("The file is not a valid timetable solution: %(errors)s") % {"errors": "; ".join(errors[:5])},
            code="invalid_solution",
        )
    if solution.get("status") not in ("optimal", "feasible"):
        raise TimetableError(_("Only a feasible or optimal solution can be imported."), code="no_timetable")
    report = check(load_problem(copy.deepcopy(problem)), load_solution(solution))
    if report.violations:
        raise TimetableError(
            _("The solution breaks hard rules: %(violations)s")
            % {"violations": "; ".join(report.violations[:5])},
            code="breaks_hard_rules",
        )
    now = timezone.now()
    return TimetableRun.objects.create(
        school=school,
        term=term,
        created_by=user,
        problem=copy.deepcopy(problem),
        solution=copy.deepcopy(solution),
        status=TimetableRun.Status.DONE,
        best_objective=solution.get("objective"),
        started_at=now,
        finished_at=now,
    )
