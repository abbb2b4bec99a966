"""Districts, schools, their terms with calendars, and their classes."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.fields import WeekdaySetField, weekday_mask_check
from core.models import BilingualName
from core.weekdays import (
    ALL_SCHOOL_DAYS_MASK,
    WEEKDAY_CHOICES,
    day_labels,
    days_from_mask,
)


class District(BilingualName):
    """A district (区/县) of the city; its bureau office approves vendors and fees."""

    code = models.SlugField(_("code"), max_length=40, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")


class School(BilingualName):
    class Stage(models.TextChoices):
        PRIMARY = "primary", _("Primary school")
        JUNIOR = "junior", _("Junior secondary school")
        NINE_YEAR = "nine_year", _("Nine-year school")

    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="schools",
        verbose_name=_("district"),
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        ordering = ["district__code", "code"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")

    @property
    def grades(self) -> range:
        return {
            self.Stage.PRIMARY: range(1, 7),
            self.Stage.JUNIOR: range(7, 10),
            self.Stage.NINE_YEAR: range(1, 10),
        }[self.Stage(self.stage)]


class Term(BilingualName):
    """A school term of the city (e.g. the 2026 autumn term), with its calendar.

    The weekly timetable repeats on each *teaching day* of the term: a weekday between
    ``start`` and ``end`` that is not a holiday or closure, plus each make-up working day,
    which follows the timetable of the weekday it names (see ``schools.calendar``).
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))

    class Meta:
        ordering = ["-start"]
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="term_end_after_start"),
        ]


class CalendarDay(models.Model):
    """An exception to a term's ordinary weekdays.

    A holiday or closure removes a date; a make-up working day (调休上班日, usually a
    weekend) adds one and says which weekday's timetable it follows. A row without a school
    applies to the whole city; a row with a school (a closure, say) to that school alone.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")
        CLOSURE = "closure", _("School closure")
        MAKEUP = "makeup", _("Make-up working day")

    term = models.ForeignKey(
        Term,
        on_delete=models.CASCADE,
        related_name="calendar_days",
        verbose_name=_("term"),
    )
    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_days",
        verbose_name=_("school"),
        help_text=_("Leave empty for a day that applies to every school."),
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    follows_weekday = models.PositiveSmallIntegerField(
        _("follows the timetable of"),
        choices=WEEKDAY_CHOICES[:5],
        null=True,
        blank=True,
        help_text=_("For a make-up working day: whose weekday timetable runs."),
    )
    note = models.CharField(_("note"), max_length=120, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="makeup",
                        follows_weekday__isnull=False,
                        follows_weekday__lte=4,
                    )
                )
                | (Q(kind__in=["holiday", "closure"], follows_weekday__isnull=True)),
                name="calendarday_makeup_follows_weekday",
            ),
            models.UniqueConstraint(
                fields=["term", "date"],
                condition=Q(school__isnull=True),
                name="calendarday_unique_citywide",
            ),
            models.UniqueConstraint(
                fields=["term", "school", "date"],
                condition=Q(school__isnull=False),
                name="calendarday_unique_per_school",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"

    def clean(self):
        if self.term_id and self.date and not (self.term.start <= self.date <= self.term.end):
            raise ValidationError(
                {"date": ValidationError(_("The date must lie within the term."), code="date_outside_term")}
            )


class SchoolClass(models.Model):
    """A class (班级) of a school: the unit that is supervised in supervised study."""

    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        related_name="classes",
        verbose_name=_("school"),
    )
    grade = models.PositiveSmallIntegerField(_("grade"))
    number = models.PositiveSmallIntegerField(_("class number"))
    size = models.PositiveSmallIntegerField(_("number of pupils"))
    home_room = models.ForeignKey(
        "rooms.Room",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="home_classes",
        verbose_name=_("home room"),
    )
    days = WeekdaySetField(
        _("after-school days"),
        default=ALL_SCHOOL_DAYS_MASK,
        help_text=_("Weekdays on which the class takes part in after-school service."),
    )

    class Meta:
        ordering = ["school", "grade", "number"]
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        constraints = [
            models.UniqueConstraint(fields=["school", "grade", "number"], name="class_unique_per_school"),
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=9), name="class_grade_1_to_9"),
            models.CheckConstraint(condition=Q(number__gte=1), name="class_number_positive"),
            models.CheckConstraint(condition=Q(size__gte=1), name="class_size_positive"),
            weekday_mask_check("days", "class_days_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.grade}-{self.number}"

    @property
    def code(self) -> str:
        return f"{self.grade}-{self.number}"

    @property
    def day_list(self) -> list[int]:
        return days_from_mask(self.days)

    @property
    def day_labels(self) -> list:
        return day_labels(self.days)

    def clean(self):
        if self.home_room_id and self.school_id and self.home_room.school_id != self.school_id:
            raise ValidationError(
                {
                    "home_room": ValidationError(
                        _("The home room must belong to the class's school."), code="room_of_other_school"
                    )
                }
            )
