"""Vendor risk grades (A/B/C/D): the bureau's policy, complaints, and the grading history.

The grade follows the four risk factors of the Zhenhai district practice:

1. **institution type** — points per legal form (``RiskPolicy.points_<type>``);
2. **prepaid exposure** — pupils who still hold prepaid sessions and the money held for
   them: the worse of the two measures counts (one exposure, not counted twice);
3. **refunds owed** — money held for pupils no longer placed in the activity, and refunds
   the payment gateway has not accepted yet (pending, or refused and awaiting the retry):
   a refund counts as paid back only once the gateway took it;
4. **operating status** — a suspended vendor is D outright (when the policy says so); open
   complaints add points.

Each measured factor gives ``points_1`` at or above its first threshold and ``points_2`` at
or above its second; the points add up to a score and the bands turn it into a grade (A up
to ``band_a_max``, B up to ``band_b_max``, C up to ``band_c_max``, else D). Every number is
data in the single ``RiskPolicy`` row, which officers of the city bureau edit.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import AppendOnly
from marketplace.vendors.models import InstitutionType, RiskGrade

MAX_POINTS = 10


def _points(verbose_name, default, help_text=""):
    return models.PositiveSmallIntegerField(
        verbose_name,
        default=default,
        validators=[MaxValueValidator(MAX_POINTS)],
        help_text=help_text,
    )


def _money(verbose_name, default, help_text=""):
    return models.DecimalField(
        verbose_name,
        max_digits=12,
        decimal_places=2,
        default=Decimal(default),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=help_text,
    )


# (first, second) threshold pairs and point pairs, for the checks and the pages.
THRESHOLD_PAIRS = (
    ("pupils_threshold_1", "pupils_threshold_2"),
    ("held_threshold_1", "held_threshold_2"),
    ("refunds_threshold_1", "refunds_threshold_2"),
    ("complaints_threshold_1", "complaints_threshold_2"),
)
POINT_PAIRS = (
    ("prepaid_points_1", "prepaid_points_2"),
    ("refunds_points_1", "refunds_points_2"),
    ("complaints_points_1", "complaints_points_2"),
)


class RiskPolicy(models.Model):
    """The thresholds and points of the risk grade: one row (``RiskPolicy.current()``)."""

    SINGLETON_PK = 1

    # 1. institution type
    points_public = _points(_("points: public institution"), 0)
    points_non_profit = _points(_("points: private non-profit"), 0)
    points_company = _points(_("points: for-profit company"), 1)
    points_individual = _points(_("points: individual-run or other"), 2)
    # 2. prepaid exposure (pupils holding prepaid sessions, money held)
    pupils_threshold_1 = models.PositiveIntegerField(
        _("pupils holding prepaid sessions: first threshold"), default=50, validators=[MinValueValidator(1)]
    )
    pupils_threshold_2 = models.PositiveIntegerField(
        _("pupils holding prepaid sessions: second threshold"), default=200, validators=[MinValueValidator(1)]
    )
    held_threshold_1 = _money(_("money held (yuan): first threshold"), "50000.00")
    held_threshold_2 = _money(_("money held (yuan): second threshold"), "200000.00")
    prepaid_points_1 = _points(_("prepaid exposure: points at the first threshold"), 1)
    prepaid_points_2 = _points(_("prepaid exposure: points at the second threshold"), 2)
    # 3. refunds owed
    refunds_threshold_1 = _money(
        _("refunds owed (yuan): first threshold"), "0.01", _("0.01 means: any refund owed at all.")
    )
    refunds_threshold_2 = _money(_("refunds owed (yuan): second threshold"), "10000.00")
    refunds_points_1 = _points(_("refunds owed: points at the first threshold"), 1)
    refunds_points_2 = _points(_("refunds owed: points at the second threshold"), 2)
    # 4. operating status
    complaints_threshold_1 = models.PositiveSmallIntegerField(
        _("open complaints: first threshold"), default=1, validators=[MinValueValidator(1)]
    )
    complaints_threshold_2 = models.PositiveSmallIntegerField(
        _("open complaints: second threshold"), default=3, validators=[MinValueValidator(1)]
    )
    complaints_points_1 = _points(_("open complaints: points at the first threshold"), 1)
    complaints_points_2 = _points(_("open complaints: points at the second threshold"), 2)
    suspended_is_d = models.BooleanField(_("a suspended vendor is graded D"), default=True)
    # score → grade
    band_a_max = models.PositiveSmallIntegerField(_("highest score graded A"), default=1)
    band_b_max = models.PositiveSmallIntegerField(_("highest score graded B"), default=3)
    band_c_max = models.PositiveSmallIntegerField(_("highest score graded C"), default=5)

    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    THRESHOLD_PAIRS = THRESHOLD_PAIRS
    POINT_PAIRS = POINT_PAIRS

    class Meta:
        verbose_name = _("risk grading policy")
        verbose_name_plural = _("risk grading policy")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="risk_policy_single_row"),
            *[
                models.CheckConstraint(condition=Q(**{f"{b}__gt": F(a)}), name=f"risk_policy_{b}_gt_first")
                for a, b in THRESHOLD_PAIRS
            ],
            *[
                models.CheckConstraint(condition=Q(**{f"{b}__gte": F(a)}), name=f"risk_policy_{b}_gte_first")
                for a, b in POINT_PAIRS
            ],
            models.CheckConstraint(
                condition=Q(pupils_threshold_1__gte=1, complaints_threshold_1__gte=1),
                name="risk_policy_counts_positive",
            ),
            models.CheckConstraint(
                condition=Q(held_threshold_1__gte=Decimal("0.01"), refunds_threshold_1__gte=Decimal("0.01")),
                name="risk_policy_money_positive",
            ),
            models.CheckConstraint(
                condition=Q(band_b_max__gt=F("band_a_max"), band_c_max__gt=F("band_b_max")),
                name="risk_policy_bands_increasing",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Risk grading policy"))

    @classmethod
    def current(cls) -> "RiskPolicy":
        """The policy row, created with the defaults on first use."""
        policy, _created = cls.objects.get_or_create(pk=cls.SINGLETON_PK)
        return policy

    def type_points(self, institution_type: str) -> int:
        return getattr(self, f"points_{institution_type}", 0)

    def grade_for(self, score: int) -> str:
        if score <= self.band_a_max:
            return RiskGrade.A
        if score <= self.band_b_max:
            return RiskGrade.B
        if score <= self.band_c_max:
            return RiskGrade.C
        return RiskGrade.D

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        for a, b in self.THRESHOLD_PAIRS:
            first, second = getattr(self, a), getattr(self, b)
            if first is not None and second is not None and second <= first:
                errors[b] = ValidationError(
                    _("The second threshold must be above the first (%(first)s).") % {"first": first},
                    code="thresholds_out_of_order",
                )
        for a, b in self.POINT_PAIRS:
            first, second = getattr(self, a), getattr(self, b)
            if first is not None and second is not None and second < first:
                errors[b] = ValidationError(
                    _("The points at the second threshold cannot be fewer than at the first (%(first)s).")
                    % {"first": first},
                    code="points_out_of_order",
                )
        a, b, c = self.band_a_max, self.band_b_max, self.band_c_max
        if a is not None and b is not None and b <= a:
            errors["band_b_max"] = ValidationError(
                _("Grade B must start above grade A's highest score (%(a)s).") % {"a": a},
                code="bands_out_of_order",
            )
        if b is not None and c is not None and c <= b:
            errors["band_c_max"] = ValidationError(
                _("Grade C must start above grade B's highest score (%(b)s).") % {"b": b},
                code="bands_out_of_order",
            )
        if errors:
            raise ValidationError(errors)


class Complaint(models.Model):
    """A complaint against a vendor that an officer recorded; open ones count in the grade."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("complaint status", "Open")
        RESOLVED = "resolved", _("Resolved")

    vendor = models.ForeignKey(
        "vendors.Vendor", on_delete=models.CASCADE, related_name="complaints", verbose_name=_("vendor")
    )
    received_on = models.DateField(_("received on"))
    summary = models.TextField(_("summary"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["vendor", "-received_on", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "resolved"]), name="complaint_status_valid"
            ),
            models.CheckConstraint(condition=~Q(summary=""), name="complaint_summary_required"),
            models.CheckConstraint(
                condition=(
                    Q(status="open", resolved_at__isnull=True, resolved_by__isnull=True, resolution="")
                    | (
                        Q(status="resolved", resolved_at__isnull=False, resolved_by__isnull=False)
                        & ~Q(resolution="")
                    )
                ),
                name="complaint_resolution_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vendor} · {self.received_on:%Y-%m-%d}"


class RiskAssessment(AppendOnly):
    """One grading of a vendor (append-only): the grade, the score, each factor's value and
    points, the reasons, and what set it off.

    ``factors`` holds, per factor code, ``value`` (and ``pupils``/``held`` for the prepaid
    factor) and ``points``; ``reasons`` holds ``{"code": …, "params": {…}}`` items, worded
    in the reader's language by ``marketplace.risk.selectors.reason_text``. A blank grade
    records that the vendor stopped being graded (it is no longer approved or suspended).
    """

    class Trigger(models.TextChoices):
        DAILY = "daily", _("Daily regrade")
        VENDOR = "vendor", _("Vendor changed")
        LEDGER = "ledger", _("Prepaid money moved")
        COMPLAINT = "complaint", _("Complaint recorded or resolved")
        POLICY = "policy", _("Policy changed")
        MANUAL = "manual", _("Recomputed by an officer")

    vendor = models.ForeignKey(
        "vendors.Vendor", on_delete=models.CASCADE, related_name="risk_assessments", verbose_name=_("vendor")
    )
    grade = models.CharField(_("grade"), max_length=1, choices=RiskGrade.choices, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    factors = models.JSONField(_("factors"), default=dict)
    reasons = models.JSONField(_("reasons"), default=list)
    trigger = models.CharField(_("trigger"), max_length=12, choices=Trigger.choices)
    computed_at = models.DateTimeField(_("computed at"), auto_now_add=True)

    class Meta:
        ordering = ["vendor", "-computed_at", "-pk"]
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        constraints = [
            models.CheckConstraint(
                condition=Q(grade__in=["", "A", "B", "C", "D"]), name="risk_assessment_grade_valid"
            ),
            models.CheckConstraint(
                condition=Q(trigger__in=["daily", "vendor", "ledger", "complaint", "policy", "manual"]),
                name="risk_assessment_trigger_valid",
            ),
        ]
        indexes = [models.Index(fields=["vendor", "-computed_at"], name="risk_assessment_latest")]

    def __str__(self) -> str:
        return f"{self.vendor} · {self.grade or '—'} · {self.computed_at:%Y-%m-%d %H:%M}"


__all__ = ["Complaint", "InstitutionType", "RiskAssessment", "RiskPolicy"]
