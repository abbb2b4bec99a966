"""Recurring jobs: Django tasks enqueued once a day at a local time (``settings.RECURRING_JOBS``).

``RECURRING_JOBS`` maps a job's name to ``{"task": "<dotted path of a Django task>", "at":
"HH:MM"}`` (local time, ``TIME_ZONE``). ``manage.py run_recurring`` calls
``recurring_enqueue_due`` every 30 seconds (or once with ``--once``, from cron).

**When a job runs.** A job is *due* when the local time has reached its ``at`` and it has
no ``RecurringRun`` for today. So a run missed because nothing was running at ``at`` is
caught up as soon as a scheduler runs later **the same day**. Past days are not caught
up: each nightly task covers what is pending when it runs (the settlement pays every
released entry up to yesterday that is not yet settled; the risk grading grades today's
data), so running it once more for each missed day would add nothing.

**Once a day, even with several schedulers.** The ``RecurringRun`` row is inserted first;
its unique (job, for_date) constraint lets exactly one scheduler win, and only the winner
enqueues the task. If enqueueing fails the row is removed again, so the next tick retries.

**Tasks are imported lazily**, when a job is due: a job whose task cannot be imported (a
typo, an app not yet written) is reported in the outcome and logged, and the other jobs run.
"""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.tasks import Task
from django.utils import timezone
from django.utils.module_loading import import_string

from core.recurring.models import RecurringRun

logger = logging.getLogger(__name__)

_AT = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class RecurringJob:
    """One entry of ``RECURRING_JOBS``; ``at`` is None when the setting's time is malformed."""

    name: str
    task_path: str
    at: datetime.time | None


@dataclass
class RecurringOutcome:
    """What ``recurring_enqueue_due`` did with one due job.

    ``status`` is ``"enqueued"`` (``result_id`` set), ``"skipped"`` (another scheduler
    already ran it today) or ``"error"`` (``error`` says why; nothing was recorded, so it
    is tried again on the next tick).
    """

    job: str
    for_date: datetime.date
    status: str
    result_id: str = ""
    error: str = ""


def recurring_jobs() -> list[RecurringJob]:
    """The configured jobs, sorted by time then name (malformed times sort first, at=None)."""
    jobs = []
    for name, spec in (getattr(settings, "RECURRING_JOBS", None) or {}).items():
        spec = spec or {}
        match = _AT.match(str(spec.get("at", "")).strip())
        at = datetime.time(int(match[1]), int(match[2])) if match else None
        jobs.append(RecurringJob(name=name, task_path=str(spec.get("task", "")), at=at))
    return sorted(jobs, key=lambda j: (j.at or datetime.time.min, j.name))


def recurring_resolve(job: RecurringJob) -> Task:
    """The job's Django task, imported now. Raises ``ImportError`` or ``TypeError`` with a
    message naming the job when the path does not lead to a task."""
    if not job.task_path:
        raise ImportError(f"recurring job {job.name!r}: no task path configured")
    try:
        target = import_string(job.task_path)
    except ImportError as exc:
        raise ImportError(
            f"recurring job {job.name!r}: cannot import task {job.task_path!r} ({exc})"
        ) from exc
    if not isinstance(target, Task):
        raise TypeError(
            f"recurring job {job.name!r}: {job.task_path!r} is not a Django task (decorate it with @task)"
        )
    return target


def recurring_due(now: datetime.datetime) -> list[RecurringJob]:
    """The jobs due at ``now``: their local time has come today and they have not run today."""
    local = timezone.localtime(now)
    ran = set(RecurringRun.objects.filter(for_date=local.date()).values_list("job", flat=True))
    return [
        job
        for job in recurring_jobs()
        if job.name not in ran and (job.at is None or job.at <= local.time())
        # A malformed time is "due" so that it is reported, not silently never run.
    ]


def recurring_enqueue_due(*, now: datetime.datetime) -> list[RecurringOutcome]:
    """Enqueue each job due at ``now`` (at most once per job and local day); returns what
    happened to each due job (see ``RecurringOutcome``)."""
    day = timezone.localtime(now).date()
    outcomes = []
    for job in recurring_due(now):
        if job.at is None:
            outcomes.append(_error(job, day, f"recurring job {job.name!r}: 'at' must be HH:MM (local time)"))
            continue
        try:
            task = recurring_resolve(job)
        except (ImportError, TypeError) as exc:
            outcomes.append(_error(job, day, str(exc)))
            continue
        try:
            with transaction.atomic():
                run = RecurringRun.objects.create(job=job.name, for_date=day)
        except IntegrityError:
            # Another scheduler inserted the row first: it enqueues, we do not.
            outcomes.append(RecurringOutcome(job=job.name, for_date=day, status="skipped"))
            continue
        try:
            result = task.enqueue()
        except Exception as exc:  # the queue is down or refused: free the day for a retry
            RecurringRun.objects.filter(pk=run.pk).delete()
            outcomes.append(_error(job, day, f"recurring job {job.name!r}: enqueue failed ({exc!r})"))
            continue
        RecurringRun.objects.filter(pk=run.pk).update(result_id=str(result.id))
        logger.info("recurring job %s enqueued for %s as %s", job.name, day, result.id)
        outcomes.append(
            RecurringOutcome(job=job.name, for_date=day, status="enqueued", result_id=str(result.id))
        )
    return outcomes


def _error(job: RecurringJob, day: datetime.date, message: str) -> RecurringOutcome:
    logger.error(message)
    return RecurringOutcome(job=job.name, for_date=day, status="error", error=message)
