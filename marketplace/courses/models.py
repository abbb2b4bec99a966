"""Courses (what is taught) and activities (a course offered at a school in a term)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from core.i18n import prefers_english
from core.models import BilingualName, PrivateDocument, TimeStamped
from core.pinyin import PinyinSortKeyField
from scheduling.slots.models import Slot


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
    title_en = models.CharField(_("title (English)"), max_length=120, blank=True)
    # The title's pinyin, so lists sort as a Chinese reader expects (see ``core.pinyin``).
    title_sort = PinyinSortKeyField(_("title sort key"), source="title")
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
    materials_fee = models.DecimalField(
        _("materials fee (yuan)"),
        max_digits=8,
        decimal_places=2,
        default=0,
        help_text=_("Charged once per pupil for the whole course; 0 when there is none."),
    )
    description = models.TextField(_("description"), blank=True)
    objectives = models.TextField(_("learning objectives"), blank=True)
    instructors = models.ManyToManyField(
        "vendors.Instructor",
        blank=True,
        related_name="courses",
        verbose_name=_("instructors"),
        help_text=_("The vendor's instructors who can teach this course."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
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
            models.CheckConstraint(
                condition=Q(materials_fee__gte=0), name="course_materials_fee_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(review_status__in=["draft", "submitted", "approved", "rejected"]),
                name="course_review_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(vendor__isnull=True)
                | ~Q(review_status="submitted")
                | Q(submitted_at__isnull=False),
                name="course_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        if prefers_english() and self.title_en:
            return self.title_en
        return self.title

    @property
    def owner(self):
        return self.school or self.vendor

    @property
    def is_editable(self) -> bool:
        """A vendor's course can be changed while a draft or after a rejection, not in review."""
        return self.review_status in (self.ReviewStatus.DRAFT, self.ReviewStatus.REJECTED)

    @property
    def usable_by_schools(self) -> bool:
        """A school may buy it: an approved course of an approved vendor."""
        return (
            self.vendor_id is not None
            and self.review_status == self.ReviewStatus.APPROVED
            and self.vendor.status == "approved"
        )


class SessionPlan(models.Model):
    """The plan of one numbered session of a course (教学计划)."""

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="session_plans", verbose_name=_("course")
    )
    number = models.PositiveSmallIntegerField(_("session"))
    title = models.CharField(_("topic"), max_length=120)
    content = models.TextField(_("content"), blank=True)

    class Meta:
        ordering = ["course", "number"]
        verbose_name = _("session plan")
        verbose_name_plural = _("session plans")
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="session_plan_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="session_plan_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class CourseDocument(PrivateDocument):
    """A PDF or image filed with a course (syllabus, materials list, safety plan…)."""

    UPLOAD_FOLDER = "course-documents"

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="documents", verbose_name=_("course")
    )

    class Meta(PrivateDocument.Meta):
        ordering = ["course", "uploaded_at"]
        verbose_name = _("course document")
        verbose_name_plural = _("course documents")


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
    allowed_slots = models.ManyToManyField(
        "slots.Slot",
        blank=True,
        related_name="+",
        verbose_name=_("allowed slots"),
        help_text=_("Enrichment slots it may meet in; none chosen: any enrichment slot."),
    )
    course_request = models.ForeignKey(
        "purchases.CourseRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("from course request"),
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


def check_allowed_slots(school_id: int, slots) -> None:
    """An activity may be limited only to enrichment slots of its own school's grid."""
    for slot in slots:
        if slot.school_id != school_id:
            raise ValidationError({"allowed_slots": _("Allowed slots must belong to the activity's school.")})
        if slot.kind != "enrichment":
            raise ValidationError({"allowed_slots": _("Allowed slots must be enrichment slots.")})


@receiver(m2m_changed, sender=Activity.allowed_slots.through)
def _allowed_slots_of_own_school(sender, instance, action, reverse, pk_set, **kwargs):
    """The last line of defence: no path may link another school's slot or a study slot."""
    if action != "pre_add" or not pk_set:
        return

    if reverse:  # slot.<activities>.add(...) — the related name is hidden, so this is rare
        for activity in Activity.objects.filter(pk__in=pk_set):
            check_allowed_slots(activity.school_id, [instance])
    else:
        check_allowed_slots(instance.school_id, Slot.objects.filter(pk__in=pk_set))
