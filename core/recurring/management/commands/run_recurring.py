"""``manage.py run_recurring``: enqueue the recurring jobs (``settings.RECURRING_JOBS``) when due.

``--once`` enqueues what is due now and exits (for cron, e.g. every 5 minutes); without it
the command checks every ``--interval`` seconds (30) until it is stopped. Running several
schedulers is safe: each job is enqueued at most once per local day (``RecurringRun``).
"""

import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from core.recurring.services import recurring_enqueue_due, recurring_jobs, recurring_resolve


class Command(BaseCommand):
    help = "Enqueue the recurring jobs (RECURRING_JOBS) that are due; --once for cron."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Enqueue what is due now, then exit.")
        parser.add_argument(
            "--interval", type=float, default=30.0, help="Seconds between checks (default 30)."
        )

    def handle(self, *args, once=False, interval=30.0, **options):
        if once:
            failed = self._tick(reported=None)
            if failed:
                raise CommandError(f"{failed} due job(s) could not be enqueued (see above)")
            return
        self._stopping = False
        signal.signal(signal.SIGTERM, self._stop)
        self._describe()
        reported: set[tuple] = set()
        try:
            while not self._stopping:
                close_old_connections()
                try:
                    self._tick(reported=reported)
                except Exception as exc:  # a database hiccup must not end the scheduler
                    self.stderr.write(f"run_recurring: tick failed: {exc!r}")
                slept = 0.0
                while slept < interval and not self._stopping:
                    time.sleep(min(1.0, interval - slept))
                    slept += 1.0
        except KeyboardInterrupt:
            pass
        self.stdout.write("run_recurring: stopped")

    def _stop(self, signum, frame):
        self._stopping = True

    def _describe(self) -> None:
        """List the jobs at start-up, reporting any whose task cannot be imported (no crash)."""
        for job in recurring_jobs():
            at = job.at.strftime("%H:%M") if job.at else "??:??"
            try:
                recurring_resolve(job)
            except (ImportError, TypeError) as exc:
                self.stderr.write(f"run_recurring: {job.name} at {at}: NOT RUNNABLE: {exc}")
            else:
                self.stdout.write(f"run_recurring: {job.name} at {at} → {job.task_path}")

    def _tick(self, *, reported: set | None) -> int:
        """One check; returns how many due jobs failed. In the loop, an error is written once
        per job, day and message (it is retried every tick)."""
        failed = 0
        for outcome in recurring_enqueue_due(now=timezone.now()):
            if outcome.status == "enqueued":
                self.stdout.write(
                    f"run_recurring: {outcome.job} for {outcome.for_date} enqueued ({outcome.result_id})"
                )
            elif outcome.status == "skipped":
                self.stdout.write(
                    f"run_recurring: {outcome.job} for {outcome.for_date} already enqueued elsewhere"
                )
            else:
                failed += 1
                key = (outcome.job, outcome.for_date, outcome.error)
                if reported is None or key not in reported:
                    self.stderr.write(f"run_recurring: {outcome.error}")
                    if reported is not None:
                        reported.add(key)
        return failed
