"""Courses (what is taught) and activities (a course offered at a school in a term)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import BilingualName, TimeStamped


class Category(BilingualName):
    """A course and vendor category (sports, arts, STEM…).

    Academic tutoring is a category too, marked ``is_academic``: vendors and courses in it
    are refused for after-school service.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    is_academic = models.BooleanField(_("academic subject tutoring"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")


class Course(TimeStamped):
    """A course, owned either by a school (school-made) or by a vendor.

    A vendor's course is used in schools only once the course review committee approves
    it; a school's own course needs no review.
    """

    class ReviewStatus(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Under review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    title = models.CharField(_("title"), max_length=120)
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="own_courses",
        verbose_name=_("owning school"),
    )
    vendor = models.ForeignKey(
        "vendors.Vendor",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="courses",
        verbose_name=_("owning vendor"),
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="courses",
        verbose_name=_("category"),
    )
    subject = models.ForeignKey(
        "staff.Subject",
        on_delete=models.PROTECT,
        related_name="courses",
        verbose_name=_("subject"),
    )
    grade_min = models.PositiveSmallIntegerField(_("lowest grade"))
    grade_max = models.PositiveSmallIntegerField(_("highest grade"))
    sessions = models.PositiveSmallIntegerField(_("number of sessions"))
    price_per_session = models.DecimalField(_("price per session (yuan)"), max_digits=8, decimal_places=2)
    description = models.TextField(_("description"), blank=True)
    review_status = models.CharField(
        _("review status"),
        max_length=12,
        choices=ReviewStatus.choices,
        default=ReviewStatus.DRAFT,
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(
                condition=(Q(school__isnull=False) & Q(vendor__isnull=True))
                | (Q(school__isnull=True) & Q(vendor__isnull=False)),
                name="course_owned_by_school_xor_vendor",
            ),
            models.CheckConstraint(
                condition=Q(grade_min__gte=1, grade_max__lte=9, grade_min__lte=F("grade_max")),
                name="course_grade_band_valid",
            ),
            models.CheckConstraint(condition=Q(sessions__gte=1), name="course_sessions_positive"),
            models.CheckConstraint(condition=Q(price_per_session__gte=0), name="course_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner(self):
        return self.school or self.vendor


class Activity(TimeStamped):
    """A course offered at one school in one term (an enrichment activity, 社团).

    Run by the school's staff (``vendor`` empty) or by the course's vendor. The scheduler
    places it: ``meetings_per_week`` meetings in a room of ``room_kind``, with between
    ``min_size`` and ``max_size`` pupils of grades ``grade_min``–``grade_max``.
    """

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=_("school"),
    )
    term = models.ForeignKey(
        "schools.Term",
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("term"),
    )
    course = models.ForeignKey(
        Course,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("course"),
    )
    vendor = models.ForeignKey(
        "vendors.Vendor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("provider (vendor)"),
        help_text=_("Empty when the school's own staff run it."),
    )
    name = models.CharField(_("name"), max_length=120)
    grade_min = models.PositiveSmallIntegerField(_("lowest grade"))
    grade_max = models.PositiveSmallIntegerField(_("highest grade"))
    meetings_per_week = models.PositiveSmallIntegerField(_("meetings per week"), default=1)
    room_kind = models.ForeignKey(
        "rooms.RoomKind",
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("room kind"),
    )
    min_size = models.PositiveSmallIntegerField(_("minimum size"), default=0)
    max_size = models.PositiveSmallIntegerField(_("maximum size"))
    staff_instructor = models.ForeignKey(
        "staff.StaffMember",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fixed_activities",
        verbose_name=_("fixed staff teacher"),
    )
    vendor_instructor = models.ForeignKey(
        "vendors.Instructor",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fixed_activities",
        verbose_name=_("fixed vendor instructor"),
    )

    class Meta:
        ordering = ["school", "term", "name"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(meetings_per_week__gte=1, meetings_per_week__lte=5),
                name="activity_meetings_1_to_5",
            ),
            models.CheckConstraint(condition=Q(max_size__gte=1), name="activity_max_size_positive"),
            models.CheckConstraint(
                condition=Q(min_size__lte=F("max_size")),
                name="activity_min_not_above_max",
            ),
            models.CheckConstraint(
                condition=Q(grade_min__gte=1, grade_max__lte=9, grade_min__lte=F("grade_max")),
                name="activity_grade_band_valid",
            ),
            models.CheckConstraint(
                condition=Q(staff_instructor__isnull=True) | Q(vendor_instructor__isnull=True),
                name="activity_one_fixed_instructor",
            ),
            models.CheckConstraint(
                condition=Q(vendor__isnull=False) | Q(vendor_instructor__isnull=True),
                name="activity_vendor_instructor_needs_vendor",
            ),
            models.CheckConstraint(
                condition=Q(vendor__isnull=True) | Q(staff_instructor__isnull=True),
                name="activity_staff_instructor_only_for_staff_run",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def provider_code(self) -> str:
        """``staff`` or the vendor's id, as the timetable format names the provider."""
        return "staff" if self.vendor_id is None else f"v{self.vendor_id}"

    def clean(self):
        errors = {}
        course = self.course if self.course_id else None
        if course is not None:
            if course.vendor_id and self.vendor_id != course.vendor_id:
                errors["vendor"] = _("A vendor's course is run by that vendor.")
            if course.school_id and self.vendor_id:
                errors["vendor"] = _("A school-made course is run by the school's staff.")
            if course.school_id and course.school_id != self.school_id:
                errors["course"] = _("This course belongs to another school.")
            if (
                self.grade_min is not None
                and self.grade_max is not None
                and not (course.grade_min <= self.grade_min and self.grade_max <= course.grade_max)
            ):
                errors["grade_min"] = _("The grades must lie within the course's grade band.")
        if self.vendor_instructor_id and self.vendor_instructor.vendor_id != self.vendor_id:
            errors["vendor_instructor"] = _("The instructor must work for the activity's vendor.")
        if self.staff_instructor_id and self.staff_instructor.school_id != self.school_id:
            errors["staff_instructor"] = _("The teacher must be staff of the activity's school.")
        if errors:
            raise ValidationError(errors)
