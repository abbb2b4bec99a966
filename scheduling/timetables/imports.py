"""Importing a problem file: a queued run that solves exactly the uploaded problem.

A school may solve a problem prepared elsewhere in the public JSON format (see
``shared/spec/timetable-json.md``) instead of the one assembled from its records. The run is
created like ``services.run_create``'s, with the uploaded problem as it is, and its solve is
enqueued once the run is committed.
"""

from __future__ import annotations

import copy

from django.db import transaction
from django.utils.translation import gettext as _

from scheduling.solver.validate import validate_problem
from scheduling.timetables.models import TimetableRun
from scheduling.timetables.services import TimetableError


def run_import(*, school, term, user=None, problem: dict, time_limit: int = 30) -> TimetableRun:
    """Store ``problem`` on a new queued run of ``school`` and ``term`` and enqueue its solve.

    The problem must be valid (``validate_problem``); otherwise ``TimetableError`` is raised,
    listing its first faults, and nothing is written.
    """
    errors = validate_problem(problem)
    if errors:
        raise TimetableError(
            _("The file is not a valid timetable problem: %(errors)s") % {"errors": "; ".join(errors[:5])}
        )
    with transaction.atomic():
        run = TimetableRun.objects.create(
            school=school,
            term=term,
            created_by=user,
            problem=copy.deepcopy(problem),
            time_limit=time_limit,
        )
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    from scheduling.timetables.tasks import timetable_solve

    result = timetable_solve.enqueue(run_id)
    TimetableRun.objects.filter(pk=run_id, task_id="").update(task_id=str(result.id)[:64])
