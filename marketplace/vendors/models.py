"""Outside institutions (non-academic vendors) and their instructors."""

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from core.models import TimeStamped
from core.weekdays import WEEKDAY_CHOICES
from marketplace.vendors.credit_code import validate_credit_code


class VendorStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")


class RiskGrade(models.TextChoices):
    A = "A", _("A (low risk)")
    B = "B", _("B")
    C = "C", _("C")
    D = "D", _("D (high risk)")


class Vendor(TimeStamped):
    """A non-academic training institution that may supply after-school courses.

    Only vendors with status *approved* form the approved vendor list (白名单).
    """

    Status = VendorStatus
    RiskGrade = RiskGrade

    name = models.CharField(_("institution name"), max_length=120)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
    )
    category = models.ForeignKey(
        "courses.Category",
        on_delete=models.PROTECT,
        related_name="vendors",
        verbose_name=_("category"),
    )
    district = models.ForeignKey(
        "schools.District",
        on_delete=models.PROTECT,
        related_name="vendors",
        verbose_name=_("district"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=80, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    risk_grade = models.CharField(_("risk grade"), max_length=1, choices=RiskGrade.choices, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        constraints = [
            models.CheckConstraint(
                condition=Exact(Length("credit_code"), 18),
                name="vendor_credit_code_18_chars",
            ),
            models.CheckConstraint(condition=Q(status__in=VendorStatus.values), name="vendor_status_valid"),
            models.CheckConstraint(
                condition=Q(risk_grade__in=["", "A", "B", "C", "D"]),
                name="vendor_risk_grade_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Instructor(models.Model):
    vendor = models.ForeignKey(
        Vendor,
        on_delete=models.CASCADE,
        related_name="instructors",
        verbose_name=_("vendor"),
    )
    name = models.CharField(_("name"), max_length=80)
    subjects = models.ManyToManyField(
        "staff.Subject",
        blank=True,
        related_name="instructors",
        verbose_name=_("subjects"),
    )
    qualifications = models.TextField(
        _("qualifications"), blank=True, help_text=_("Certificates, one per line.")
    )
    max_sessions = models.PositiveSmallIntegerField(
        _("weekly session cap"),
        null=True,
        blank=True,
        help_text=_("Leave empty for no cap."),
    )

    class Meta:
        ordering = ["vendor", "name"]
        verbose_name = _("instructor")
        verbose_name_plural = _("instructors")

    def __str__(self) -> str:
        return self.name


class InstructorAvailability(models.Model):
    """A weekly window in which an instructor can teach (any school's slot inside it)."""

    instructor = models.ForeignKey(
        Instructor,
        on_delete=models.CASCADE,
        related_name="availability",
        verbose_name=_("instructor"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAY_CHOICES)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        ordering = ["instructor", "weekday", "start"]
        verbose_name = _("availability window")
        verbose_name_plural = _("availability windows")
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="availability_end_after_start"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="availability_weekday_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"
