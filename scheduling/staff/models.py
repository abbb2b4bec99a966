import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from core.fields import WeekdaySetField, weekday_mask_check
from core.models import BilingualName
from core.weekdays import day_labels, days_from_mask
from scheduling.slots.models import Slot


class Subject(BilingualName):
    """Something a teacher can lead (art, basketball, homework supervision…)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")


class StaffMember(models.Model):
    """A teacher or other staff member of one school, as the scheduler sees them.

    ``max_duties`` is the weekly duty cap (empty: no cap); ``rest_days`` are standing
    weekly rest days; ``unavailable`` lists slots of the school's grid they cannot work.
    """

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="staff",
        verbose_name=_("school"),
    )
    staff_no = models.CharField(_("staff number"), max_length=20)
    name = models.CharField(_("name"), max_length=80)
    subjects = models.ManyToManyField(Subject, blank=True, related_name="staff", verbose_name=_("subjects"))
    unavailable = models.ManyToManyField(
        "slots.Slot",
        blank=True,
        related_name="unavailable_staff",
        verbose_name=_("unavailable slots"),
    )
    rest_days = WeekdaySetField(_("standing rest days"), default=0, blank=True)
    min_duties = models.PositiveSmallIntegerField(_("minimum weekly duties"), default=0)
    max_duties = models.PositiveSmallIntegerField(
        _("weekly duty cap"),
        null=True,
        blank=True,
        help_text=_("Leave empty for no cap."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["school", "staff_no"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        constraints = [
            models.UniqueConstraint(fields=["school", "staff_no"], name="staff_no_unique_per_school"),
            models.CheckConstraint(
                condition=Q(max_duties__isnull=True) | Q(max_duties__gte=F("min_duties")),
                name="staff_duty_cap_not_below_minimum",
            ),
            weekday_mask_check("rest_days", "staff_rest_days_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def rest_day_list(self) -> list[int]:
        return days_from_mask(self.rest_days)

    @property
    def rest_day_labels(self) -> list:
        return day_labels(self.rest_days)


def check_unavailable_slots(school_id: int, slots) -> None:
    """Refuse unavailable slots of another school's grid (a form's or a service's check)."""
    if any(slot.school_id != school_id for slot in slots):
        raise ValidationError(
            {
                "unavailable": ValidationError(
                    _("Unavailable slots must belong to the staff member's school."),
                    code="slot_of_other_school",
                )
            }
        )


@receiver(m2m_changed, sender=StaffMember.unavailable.through)
def _unavailable_slots_of_own_school(sender, instance, action, reverse, pk_set, **kwargs):
    """The last line of defence: no path may link a slot of another school."""
    if action != "pre_add" or not pk_set:
        return

    if reverse:  # slot.unavailable_staff.add(staff...)
        if StaffMember.objects.filter(pk__in=pk_set).exclude(school_id=instance.school_id).exists():
            raise ValidationError(
                _("Unavailable slots must belong to the staff member's school."), code="slot_of_other_school"
            )
    else:
        check_unavailable_slots(instance.school_id, Slot.objects.filter(pk__in=pk_set))


class AvailabilityRequest(models.Model):
    """A teacher's proposal of new standing rest days and unavailable slots.

    It changes nothing until an administrator of the school approves it; approval copies
    ``rest_days`` and ``unavailable`` onto the staff record (``services.availability_decide``),
    so the next timetable solve reads them. One pending request per staff member at a time.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting the administrator")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    staff = models.ForeignKey(
        StaffMember,
        on_delete=models.CASCADE,
        related_name="availability_requests",
        verbose_name=_("staff member"),
    )
    rest_days = WeekdaySetField(_("proposed rest days"), default=0, blank=True)
    unavailable = models.ManyToManyField(
        "slots.Slot",
        blank=True,
        related_name="+",
        verbose_name=_("proposed unavailable slots"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("availability request")
        verbose_name_plural = _("availability requests")
        constraints = [
            models.UniqueConstraint(
                fields=["staff"],
                condition=Q(status="pending"),
                name="availability_one_pending_per_staff",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "rejected", "withdrawn"]),
                name="availability_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False),
                name="availability_decided_has_time",
            ),
            weekday_mask_check("rest_days", "availability_rest_days_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.staff} · {self.get_status_display()}"

    @property
    def rest_day_labels(self) -> list:
        return day_labels(self.rest_days)


def feed_token_hash(token: str) -> str:
    """The SHA-256 (hex) of a feed token: the key a feed is looked up by."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class CalendarFeed(models.Model):
    """A teacher's private iCalendar subscription address (``/teachers/feed/<token>.ics``).

    The token is a 256-bit random secret (``secrets.token_urlsafe(32)``). It is kept so the
    teacher's page can show the address again, but the feed is found by ``token_hash`` (its
    SHA-256), so the time a lookup takes says nothing about how much of a guess was right.
    Resetting replaces both: the old address stops working at once.
    """

    staff = models.OneToOneField(
        StaffMember, on_delete=models.CASCADE, related_name="calendar_feed", verbose_name=_("staff member")
    )
    token = models.CharField(_("token"), max_length=64)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    reset_at = models.DateTimeField(_("reset at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.staff} · feed"
