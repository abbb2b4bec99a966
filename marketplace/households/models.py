"""Households (families) and their children."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import WeekdaySetField, weekday_mask_check
from core.models import AppendOnly, TimeStamped
from core.weekdays import ALL_SCHOOL_DAYS_MASK, day_labels


class Household(TimeStamped):
    """A family. Parents are the users holding a *parent* membership of it."""

    name = models.CharField(_("household name"), max_length=80)
    hardship = models.BooleanField(
        _("family in hardship"),
        default=False,
        help_text=_("Eligible for fee waivers once the school approves."),
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.name


class Child(models.Model):
    """A pupil. The school is the school of the class, so the two can never disagree.

    A school's import of its pupils puts them on the roster before any family has claimed
    them (``household`` empty); each carries a ``link_code`` the school hands to the family,
    who enters it to link the child to their household.
    """

    household = models.ForeignKey(
        Household,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("household"),
    )
    link_code = models.CharField(
        _("link code"),
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The code the school gives the family to link the child to their household."),
    )
    name = models.CharField(_("name"), max_length=80)
    school_class = models.ForeignKey(
        "schools.SchoolClass",
        on_delete=models.PROTECT,
        related_name="pupils",
        verbose_name=_("class"),
    )
    student_no = models.CharField(_("student number"), max_length=30)
    days = WeekdaySetField(_("after-school days"), default=ALL_SCHOOL_DAYS_MASK)

    class Meta:
        ordering = ["school_class", "name"]
        verbose_name = _("child")
        verbose_name_plural = _("children")
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "student_no"],
                name="child_student_no_unique_in_class",
            ),
            weekday_mask_check("days", "child_days_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def day_labels(self) -> list:
        return day_labels(self.days)

    @property
    def school(self):
        return self.school_class.school


class ChildLink(AppendOnly):
    """Who linked a child to a household, when and how (append-only).

    ``code``: a parent entered the slip's code; ``import``: a school's pupil import matched
    the parent's verified email address.
    """

    class Method(models.TextChoices):
        CODE = "code", _("link code from the school")
        IMPORT = "import", _("pupil import (verified email)")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="links", verbose_name=_("child"))
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="child_links", verbose_name=_("household")
    )
    method = models.CharField(_("how"), max_length=10, choices=Method.choices)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("made by")
    )
    email = models.EmailField(_("verified email matched"), blank=True)
    created_at = models.DateTimeField(_("linked at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("child link")
        verbose_name_plural = _("child links")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(method="code", email="") | models.Q(method="import") & ~models.Q(email=""),
                name="child_link_email_only_for_import",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} → {self.household} ({self.get_method_display()})"
