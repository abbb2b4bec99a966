"""Charging standards (收费标准) approved for after-school service.

A standard is a versioned, dated rule: later issues quote and charge from the one in force
on a date and keep a reference to it, so a new standard never rewrites a past charge.
Standards are therefore never edited once in use; a change is a new row with new dates.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStamped
from core.money import format_yuan


class ChargingStandard(TimeStamped):
    class ServiceKind(models.TextChoices):
        SUPERVISED_STUDY = "supervised_study", _("Supervised study")
        ENRICHMENT = "enrichment", _("Enrichment activity")

    class Unit(models.TextChoices):
        PER_TERM = "per_term", _("per term")
        PER_MONTH = "per_month", _("per month")
        PER_SESSION = "per_session", _("per session")

    district = models.ForeignKey(
        "schools.District",
        on_delete=models.PROTECT,
        related_name="charging_standards",
        verbose_name=_("district"),
    )
    service_kind = models.CharField(_("service"), max_length=20, choices=ServiceKind.choices)
    unit = models.CharField(_("unit"), max_length=12, choices=Unit.choices)
    cap_amount = models.DecimalField(_("capped amount (yuan)"), max_digits=8, decimal_places=2)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(
        _("effective until"),
        null=True,
        blank=True,
        help_text=_("Empty: until replaced."),
    )
    approval_document = models.CharField(_("approval document number"), max_length=80)

    class Meta:
        ordering = ["district", "service_kind", "-effective_from"]
        verbose_name = _("charging standard")
        verbose_name_plural = _("charging standards")
        constraints = [
            models.CheckConstraint(condition=Q(cap_amount__gte=0), name="standard_cap_not_negative"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="standard_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(service_kind__in=["supervised_study", "enrichment"]),
                name="standard_service_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(unit__in=["per_term", "per_month", "per_session"]),
                name="standard_unit_valid",
            ),
            models.UniqueConstraint(
                fields=["district", "service_kind", "unit", "effective_from"],
                name="standard_unique_start",
            ),
        ]

    def __str__(self) -> str:
        kind, unit = self.get_service_kind_display(), self.get_unit_display()
        return f"{self.district} {kind} ≤ {format_yuan(self.cap_amount)} {unit}"

    def overlapping(self):
        """Other standards for the same district, service and unit whose dates overlap."""
        others = ChargingStandard.objects.filter(
            district_id=self.district_id, service_kind=self.service_kind, unit=self.unit
        ).exclude(pk=self.pk)
        others = others.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=self.effective_from))
        if self.effective_to is not None:
            others = others.filter(effective_from__lte=self.effective_to)
        return others

    def clean(self):
        if self.district_id and self.effective_from and self.overlapping().exists():
            raise ValidationError(
                _("Another standard for this district, service and unit is in force on these dates.")
            )


class Waiver(TimeStamped):
    """A fee waiver (减免) for a family in hardship: full, or a percentage of the charges.

    A parent asks; an administrator of the child's school approves or rejects. At most one
    waiver per child and term is live (requested or approved); a rejected one can be asked
    again. An approved waiver adds a negative line to the child's quote for the term.
    """

    class Kind(models.TextChoices):
        FULL = "full", _("Full waiver")
        PARTIAL = "partial", _("Partial waiver")

    class Bearer(models.TextChoices):
        SCHOOL = "school", _("The school's budget")
        VENDOR = "vendor", _("The vendor")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    child = models.ForeignKey(
        "households.Child", on_delete=models.CASCADE, related_name="fee_waivers", verbose_name=_("child")
    )
    term = models.ForeignKey(
        "schools.Term", on_delete=models.PROTECT, related_name="fee_waivers", verbose_name=_("term")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    percent = models.PositiveSmallIntegerField(
        _("percent waived"), null=True, blank=True, help_text=_("For a partial waiver: 1 to 99.")
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("school's note"), blank=True)
    borne_by = models.CharField(
        _("borne by"),
        max_length=10,
        choices=Bearer.choices,
        default=Bearer.SCHOOL,
        help_text=_(
            "Who gives up the waived money of vendors' activities: the school's budget (the vendor "
            "is still paid in full, the school owes it the waived part) or the vendor."
        ),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("fee waiver")
        verbose_name_plural = _("fee waivers")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["full", "partial"]), name="waiver_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=["requested", "approved", "rejected"]), name="waiver_status_valid"
            ),
            models.CheckConstraint(
                condition=(Q(kind="full") & Q(percent__isnull=True))
                | (Q(kind="partial", percent__isnull=False) & Q(percent__gte=1) & Q(percent__lte=99)),
                name="waiver_percent_matches_kind",
            ),
            models.CheckConstraint(
                condition=(Q(status="requested") & Q(decided_by__isnull=True) & Q(decided_at__isnull=True))
                | (~Q(status="requested") & Q(decided_by__isnull=False) & Q(decided_at__isnull=False)),
                name="waiver_decision_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(decision_note=""), name="waiver_rejection_has_reason"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="waiver_has_reason"),
            models.CheckConstraint(
                condition=Q(borne_by__in=["school", "vendor"]), name="waiver_bearer_valid"
            ),
            models.UniqueConstraint(
                fields=["child", "term"],
                condition=Q(status__in=["requested", "approved"]),
                name="waiver_one_live_per_child_term",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} · {self.term} · {self.get_kind_display()}"


class SchoolFeePolicy(TimeStamped):
    """A school's choices about fees; a school without a row has the defaults.

    ``waiver_bearer``: who bears a waiver of a vendor's activity — the school's budget (the
    default: the vendor is paid as if there were no waiver, the school owes it the waived
    part) or the vendor (its revenue is cut by the waived part). It is copied onto each
    waiver when approved, so a later change never rewrites a decided one.
    """

    school = models.OneToOneField(
        "schools.School", on_delete=models.CASCADE, related_name="fee_policy", verbose_name=_("school")
    )
    waiver_bearer = models.CharField(
        _("waivers are borne by"), max_length=10, choices=Waiver.Bearer.choices, default=Waiver.Bearer.SCHOOL
    )

    class Meta:
        verbose_name = _("school fee policy")
        verbose_name_plural = _("school fee policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(waiver_bearer__in=["school", "vendor"]), name="fee_policy_bearer_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} · {self.get_waiver_bearer_display()}"

    @classmethod
    def for_school(cls, school_id: int) -> "SchoolFeePolicy":
        """The school's policy, or an unsaved one with the defaults."""
        return cls.objects.filter(school_id=school_id).first() or cls(school_id=school_id)
