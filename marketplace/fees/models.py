"""Charging standards (收费标准) approved for after-school service.

A standard is a versioned, dated rule: later issues quote and charge from the one in force
on a date and keep a reference to it, so a new standard never rewrites a past charge.
Standards are therefore never edited once in use; a change is a new row with new dates.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStamped


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
        return f"{self.district} {kind} ≤ ¥{self.cap_amount} {unit}"

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
