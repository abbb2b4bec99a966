"""A school's request to buy a vendor's approved course for a term (购买服务).

The school asks for a course in some of its enrichment slots, for some groups of some
grades; the vendor accepts (naming the instructors) or declines with a reason. Acceptance
turns the request into the school's activities, one per group, which the timetable
then places. The price per session is copied from the course when the school
asks, with the charging standard it was checked against, so later changes to the course or
to the standard never rewrite what was agreed.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStamped


class CourseRequest(TimeStamped):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Awaiting the vendor")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="course_requests", verbose_name=_("school")
    )
    term = models.ForeignKey(
        "schools.Term", on_delete=models.PROTECT, related_name="course_requests", verbose_name=_("term")
    )
    course = models.ForeignKey(
        "courses.Course", on_delete=models.PROTECT, related_name="requests", verbose_name=_("course")
    )
    vendor = models.ForeignKey(
        "vendors.Vendor", on_delete=models.PROTECT, related_name="course_requests", verbose_name=_("vendor")
    )
    grade_min = models.PositiveSmallIntegerField(_("lowest grade"))
    grade_max = models.PositiveSmallIntegerField(_("highest grade"))
    groups = models.PositiveSmallIntegerField(_("groups"), default=1)
    meetings_per_week = models.PositiveSmallIntegerField(_("meetings per week"), default=1)
    max_size = models.PositiveSmallIntegerField(_("pupils per group"))
    min_size = models.PositiveSmallIntegerField(_("minimum pupils per group"), default=0)
    room_kind = models.ForeignKey(
        "rooms.RoomKind", on_delete=models.PROTECT, related_name="+", verbose_name=_("room kind")
    )
    slots = models.ManyToManyField(
        "slots.Slot",
        blank=True,
        related_name="+",
        verbose_name=_("slots"),
        help_text=_("Enrichment slots the groups may meet in; none chosen: any enrichment slot."),
    )
    price_per_session = models.DecimalField(_("price per session (yuan)"), max_digits=8, decimal_places=2)
    standard = models.ForeignKey(
        "fees.ChargingStandard",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("charging standard checked"),
    )
    note = models.TextField(_("note to the vendor"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    instructors = models.ManyToManyField(
        "vendors.Instructor", blank=True, related_name="course_requests", verbose_name=_("instructors")
    )
    response_note = models.TextField(_("vendor's note or reason"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    decided_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("course request")
        verbose_name_plural = _("course requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["requested", "accepted", "declined", "withdrawn"]),
                name="course_request_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(groups__gte=1, groups__lte=20), name="course_request_groups_1_to_20"
            ),
            models.CheckConstraint(
                condition=Q(meetings_per_week__gte=1, meetings_per_week__lte=5),
                name="course_request_meetings_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(grade_min__gte=1, grade_max__lte=9, grade_min__lte=F("grade_max")),
                name="course_request_grade_band_valid",
            ),
            models.CheckConstraint(
                condition=Q(max_size__gte=1, min_size__lte=F("max_size")), name="course_request_sizes_valid"
            ),
            models.CheckConstraint(
                condition=Q(price_per_session__gte=0), name="course_request_price_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(response_note=""),
                name="course_request_decline_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="requested", decided_at__isnull=True)
                | (~Q(status="requested") & Q(decided_at__isnull=False)),
                name="course_request_answer_has_time",
            ),
            models.UniqueConstraint(
                fields=["school", "term", "course"],
                condition=Q(status="requested"),
                name="course_request_one_open_per_course",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} · {self.course} · {self.term}"
