"""Enrolment: the window in which families choose, their ranked choices and days, and the
places children hold.

Per school and term the school opens an *enrolment window*. Inside it, a family makes a
*term plan* for each child: the weekdays the child stays for after-school service (they drive
fees, attendance and which activities fit) and how many activities the child wants, with
*choices* ranked among the activities open to the child's grade. When the window closes the
timetable and the allocation are solved together (the families' plans go into the problem
as ``students``), so places go by fairness and preference, not by speed. The published
solution becomes *enrolments*; once it is allocated, late joiners enrol first-come while
seats are free and nobody the rules admit waits, and each activity keeps a waiting list that
promotes automatically. The rules of every way into a place are in ``rules``.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.fields import WeekdaySetField, weekday_mask_check
from core.models import TimeStamped
from core.weekdays import ALL_SCHOOL_DAYS_MASK


class EnrolmentWindow(TimeStamped):
    """When families of one school may choose for one term, and how much they may ask."""

    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="enrolment_windows", verbose_name=_("school")
    )
    term = models.ForeignKey(
        "schools.Term", on_delete=models.PROTECT, related_name="enrolment_windows", verbose_name=_("term")
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    max_choices = models.PositiveSmallIntegerField(
        _("choices a family may rank"), default=4, help_text=_("How many activities a child may rank.")
    )
    max_activities = models.PositiveSmallIntegerField(
        _("activities a child may take"), default=2, help_text=_("The most places one child can get.")
    )
    allocated_run = models.ForeignKey(
        "timetables.TimetableRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("allocation run"),
        help_text=_("The published timetable run whose solution placed the children."),
    )
    allocated_at = models.DateTimeField(_("allocated at"), null=True, blank=True)

    class Meta:
        ordering = ["school", "term"]
        verbose_name = _("enrolment window")
        verbose_name_plural = _("enrolment windows")
        constraints = [
            models.UniqueConstraint(fields=["school", "term"], name="window_one_per_school_term"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="window_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(max_choices__gte=1, max_activities__gte=1, max_activities__lte=F("max_choices")),
                name="window_limits_valid",
            ),
            models.CheckConstraint(
                condition=Q(allocated_run__isnull=True) | Q(allocated_at__isnull=False),
                name="window_allocation_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} · {self.term}"


class TermPlan(TimeStamped):
    """A child's after-school plan for one term: the days they stay and what they choose."""

    child = models.ForeignKey(
        "households.Child", on_delete=models.CASCADE, related_name="term_plans", verbose_name=_("child")
    )
    term = models.ForeignKey(
        "schools.Term", on_delete=models.PROTECT, related_name="term_plans", verbose_name=_("term")
    )
    days = WeekdaySetField(_("after-school days"), default=ALL_SCHOOL_DAYS_MASK)
    wants = models.PositiveSmallIntegerField(
        _("activities wanted"),
        default=1,
        help_text=_("How many of the ranked activities the child would take."),
    )
    study_left_on = models.DateField(
        _("left supervised study on"),
        null=True,
        blank=True,
        help_text=_("The first day the child no longer stays for supervised study (not charged)."),
    )

    class Meta:
        ordering = ["term", "child"]
        verbose_name = _("term plan")
        verbose_name_plural = _("term plans")
        constraints = [
            models.UniqueConstraint(fields=["child", "term"], name="term_plan_one_per_child_term"),
            weekday_mask_check("days", "term_plan_days_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.child} · {self.term}"


class Choice(models.Model):
    """One ranked choice (1 = most wanted) of a term plan."""

    plan = models.ForeignKey(
        TermPlan, on_delete=models.CASCADE, related_name="choices", verbose_name=_("plan")
    )
    activity = models.ForeignKey(
        "courses.Activity", on_delete=models.CASCADE, related_name="choices", verbose_name=_("activity")
    )
    rank = models.PositiveSmallIntegerField(_("rank"))

    class Meta:
        ordering = ["plan", "rank"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        constraints = [
            models.UniqueConstraint(fields=["plan", "activity"], name="choice_activity_once_per_plan"),
            models.UniqueConstraint(fields=["plan", "rank"], name="choice_rank_once_per_plan"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="choice_rank_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.activity}"


class Enrolment(TimeStamped):
    """A child's place in an activity, or their place on its waiting list."""

    class Status(models.TextChoices):
        PLACED = "placed", _("Placed")
        WAITING = "waiting", _("On the waiting list")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Source(models.TextChoices):
        ALLOCATION = "allocation", _("Allocation after the window")
        LATE = "late", _("Late enrolment")
        WAITING_LIST = "waiting_list", _("Promoted from the waiting list")
        MOVE = "move", _("Moved by the school")

    class LeftBecause(models.TextChoices):
        FAMILY = "family", _("The family withdrew")
        CANCELLED = "cancelled", _("The activity was cancelled")
        MOVED = "moved", _("Moved to another activity")

    child = models.ForeignKey(
        "households.Child", on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("child")
    )
    activity = models.ForeignKey(
        "courses.Activity", on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("activity")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    source = models.CharField(_("how"), max_length=12, choices=Source.choices)
    choice_rank = models.PositiveSmallIntegerField(
        _("choice"), null=True, blank=True, help_text=_("Which of the family's choices this was.")
    )
    joined_on = models.DateField(_("joined on"), help_text=_("Sessions from this day on are charged."))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    left_because = models.CharField(
        _("left because"), max_length=10, choices=LeftBecause.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["activity", "status", "created_at", "pk"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["placed", "waiting", "withdrawn"]), name="enrolment_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=["allocation", "late", "waiting_list", "move"]),
                name="enrolment_source_valid",
            ),
            models.UniqueConstraint(
                fields=["child", "activity"],
                condition=Q(status__in=["placed", "waiting"]),
                name="enrolment_one_live_per_child_activity",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | Q(left_on__isnull=False),
                name="enrolment_withdrawn_has_date",
            ),
            models.CheckConstraint(
                condition=Q(left_because__in=["", "family", "cancelled", "moved"]),
                name="enrolment_left_because_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} · {self.activity} · {self.get_status_display()}"
