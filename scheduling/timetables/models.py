"""Solve runs of a school's weekly timetable, and the dated sessions a published one yields.

A ``TimetableRun`` keeps the exact problem it solved (the public JSON format), the pins the
administrator set, its progress while it runs in the background, and the solution. Publishing
a run turns its weekly decisions into ``DatedSession`` rows, one per teaching day of the term
(see ``schools.calendar``): attendance, fees, settlement and rest claims all count those.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStamped


class TimetableRun(TimeStamped):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="timetable_runs", verbose_name=_("school")
    )
    term = models.ForeignKey(
        "schools.Term", on_delete=models.PROTECT, related_name="timetable_runs", verbose_name=_("term")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    previous_run = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("re-solve of"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    time_limit = models.PositiveSmallIntegerField(_("time limit (seconds)"), default=30)
    problem = models.JSONField(_("problem"))
    solution = models.JSONField(_("solution"), null=True, blank=True)
    pins = models.JSONField(
        _("pins for the next re-solve"),
        default=dict,
        blank=True,
        help_text=_("Decisions of this run the administrator wants kept, in the format's pinned shape."),
    )
    # Live progress, written by the background task while it runs.
    best_objective = models.IntegerField(_("best objective so far"), null=True, blank=True)
    seconds = models.FloatField(_("time used (seconds)"), default=0)
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # One published run per school and term is live: the one whose sessions are in force.
    # Publishing another supersedes it (``superseded_at``); the history stays readable.
    live = models.BooleanField(_("live"), default=False)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("timetable run")
        verbose_name_plural = _("timetable runs")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed", "cancelled"]),
                name="timetablerun_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(status="done"),
                name="timetablerun_publish_only_done",
            ),
            models.CheckConstraint(condition=Q(time_limit__gte=1), name="timetablerun_time_limit_positive"),
            models.CheckConstraint(
                condition=Q(live=False) | Q(published_at__isnull=False, superseded_at__isnull=True),
                name="timetablerun_live_is_published",
            ),
            models.UniqueConstraint(
                fields=["school", "term"], condition=Q(live=True), name="timetablerun_one_live_per_term"
            ),
            # A school solves one timetable at a time: a second solve would race the first
            # for the same records and its result would hide the other's.
            models.UniqueConstraint(
                fields=["school"],
                condition=Q(status__in=["queued", "running"]),
                name="timetablerun_one_solve_per_school",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} · {self.term} · #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED)

    @property
    def superseded(self) -> bool:
        """Published once, then replaced by another published run of the term."""
        return self.published_at is not None and not self.live

    @property
    def solution_status(self) -> str | None:
        return (self.solution or {}).get("status")


class DatedSession(models.Model):
    """One dated meeting of a published timetable: a supervision or an activity meeting."""

    class Kind(models.TextChoices):
        SUPERVISION = "supervision", _("Supervised study")
        MEETING = "meeting", _("Enrichment activity")

    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="dated_sessions", verbose_name=_("school")
    )
    term = models.ForeignKey(
        "schools.Term", on_delete=models.PROTECT, related_name="dated_sessions", verbose_name=_("term")
    )
    run = models.ForeignKey(
        TimetableRun, on_delete=models.PROTECT, related_name="dated_sessions", verbose_name=_("run")
    )
    date = models.DateField(_("date"))
    slot = models.ForeignKey(
        "slots.Slot", on_delete=models.PROTECT, related_name="dated_sessions", verbose_name=_("slot")
    )
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    school_class = models.ForeignKey(
        "schools.SchoolClass",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dated_sessions",
        verbose_name=_("class"),
    )
    activity = models.ForeignKey(
        "courses.Activity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dated_sessions",
        verbose_name=_("activity"),
    )
    staff = models.ForeignKey(
        "staff.StaffMember",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dated_sessions",
        verbose_name=_("staff teacher"),
    )
    instructor = models.ForeignKey(
        "vendors.Instructor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dated_sessions",
        verbose_name=_("vendor instructor"),
    )
    room = models.ForeignKey(
        "rooms.Room", on_delete=models.PROTECT, related_name="dated_sessions", verbose_name=_("room")
    )

    class Meta:
        ordering = ["date", "start"]
        verbose_name = _("dated session")
        verbose_name_plural = _("dated sessions")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="supervision",
                        school_class__isnull=False,
                        activity__isnull=True,
                        staff__isnull=False,
                    )
                )
                | (Q(kind="meeting", school_class__isnull=True, activity__isnull=False)),
                name="datedsession_kind_matches_subject",
            ),
            models.CheckConstraint(
                condition=(Q(staff__isnull=False) & Q(instructor__isnull=True))
                | (Q(staff__isnull=True) & Q(instructor__isnull=False)),
                name="datedsession_one_teacher",
            ),
            models.UniqueConstraint(
                fields=["school", "date", "slot", "school_class"],
                condition=Q(kind="supervision"),
                name="datedsession_one_supervision_per_class",
            ),
            models.UniqueConstraint(
                fields=["school", "date", "slot", "activity"],
                condition=Q(kind="meeting"),
                name="datedsession_one_meeting_per_activity",
            ),
            models.UniqueConstraint(fields=["date", "slot", "room"], name="datedsession_room_once_per_slot"),
        ]
        indexes = [models.Index(fields=["school", "term", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.start:%H:%M} {self.get_kind_display()}"
