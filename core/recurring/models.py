"""One row per recurring job and day it was enqueued (see ``core.recurring.services``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecurringRun(models.Model):
    """A recurring job's run for one local day.

    The unique (job, for_date) pair is the lock that makes a job run at most once a day even
    with several schedulers: a scheduler inserts the row first and enqueues the task only when
    its insert won.
    """

    job = models.CharField(_("job"), max_length=100, help_text=_("The name in RECURRING_JOBS."))
    for_date = models.DateField(_("for date"), help_text=_("The local day the run belongs to."))
    enqueued_at = models.DateTimeField(_("enqueued at"), auto_now_add=True)
    result_id = models.CharField(
        _("task result id"), max_length=100, blank=True, help_text=_("The task backend's id of the run.")
    )

    class Meta:
        ordering = ["-for_date", "job"]
        verbose_name = _("recurring run")
        verbose_name_plural = _("recurring runs")
        constraints = [models.UniqueConstraint(fields=["job", "for_date"], name="recurring_run_once_per_day")]

    def __str__(self) -> str:
        return f"{self.job} · {self.for_date}"
