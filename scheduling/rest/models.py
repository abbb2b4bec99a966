"""Teachers' after-school duty and the compensatory rest it earns (调休).

* ``RestPolicy`` — a school's rule, as data: so many duties earn one rest credit, at most so
  many credits per term, credits expire at the end of the school year (a month and day).
* ``DutyRecord`` — one supervision or staff activity session a staff member delivered
  (written when attendance is taken for the published dated session; the holder on the day,
  a substitute included, is the one on duty). Append-only in practice: one per session.
* ``RestClaim`` — a teacher's claim of one day of rest, no reason asked. Approved at once when
  the cover engine finds substitutes for all that day's duties, else pending for the
  administrator with the duties no one can cover named (``uncovered``).
* ``CoverAssignment`` — one dated session handed from the resting teacher to a substitute by
  an approved claim; withdrawn (and the session handed back) when the claim is cancelled.

Credits are not stored: a teacher's balance is computed from duty records, the policy and
the live claims (``selectors``), so cancelling a claim restores its credit by construction.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RestPolicy(models.Model):
    school = models.OneToOneField(
        "schools.School", on_delete=models.CASCADE, related_name="rest_policy", verbose_name=_("school")
    )
    duties_per_credit = models.PositiveSmallIntegerField(
        _("duties per rest day"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("How many delivered after-school duties earn one day of compensatory rest."),
    )
    max_credits_per_term = models.PositiveSmallIntegerField(
        _("rest days a term at most"),
        null=True,
        blank=True,
        default=5,
        validators=[MaxValueValidator(100)],
        help_text=_("Leave empty for no cap."),
    )
    expiry_month = models.PositiveSmallIntegerField(
        _("credits expire after (month)"), default=8, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    expiry_day = models.PositiveSmallIntegerField(
        _("credits expire after (day)"), default=31, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("rest policy")
        verbose_name_plural = _("rest policies")
        constraints = [
            models.CheckConstraint(condition=Q(duties_per_credit__gte=1), name="rest_policy_duties_positive"),
            models.CheckConstraint(
                condition=Q(expiry_month__gte=1, expiry_month__lte=12, expiry_day__gte=1, expiry_day__lte=31),
                name="rest_policy_expiry_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} · {self.duties_per_credit}"


class DutyRecord(models.Model):
    class Kind(models.TextChoices):
        SUPERVISION = "supervision", _("Supervised study")
        ACTIVITY = "activity", _("Activity")

    staff = models.ForeignKey(
        "staff.StaffMember",
        on_delete=models.PROTECT,
        related_name="duty_records",
        verbose_name=_("staff member"),
    )
    dated_session = models.OneToOneField(
        "timetables.DatedSession",
        on_delete=models.PROTECT,
        related_name="duty_record",
        verbose_name=_("session"),
    )
    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="duty_records", verbose_name=_("school")
    )
    term = models.ForeignKey(
        "schools.Term", on_delete=models.PROTECT, related_name="duty_records", verbose_name=_("term")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    as_cover = models.BooleanField(
        _("as cover"), default=False, help_text=_("Taken over from a teacher at rest.")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = _("duty record")
        verbose_name_plural = _("duty records")
        indexes = [models.Index(fields=["staff", "term"]), models.Index(fields=["school", "term"])]

    def __str__(self) -> str:
        return f"{self.staff} · {self.date}"


class RestClaim(models.Model):
    class Status(models.TextChoices):
        APPROVED = "approved", _("Approved")
        PENDING = "pending", _("Awaiting the administrator")
        REJECTED = "rejected", _("Refused")
        CANCELLED = "cancelled", _("Cancelled")

    LIVE = (Status.APPROVED, Status.PENDING)

    staff = models.ForeignKey(
        "staff.StaffMember",
        on_delete=models.CASCADE,
        related_name="rest_claims",
        verbose_name=_("staff member"),
    )
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    automatic = models.BooleanField(_("approved automatically"), default=False)
    uncovered = models.JSONField(
        _("duties without a substitute"),
        default=list,
        blank=True,
        help_text=_("What the cover engine could not cover, as it reported it."),
    )
    created_at = models.DateTimeField(_("claimed at"), auto_now_add=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("claimed by"),
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
    decision_note = models.CharField(_("note"), max_length=200, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancelled_by_claimant = models.BooleanField(
        _("cancelled by the teacher"), default=False, help_text=_("The teacher withdrew their own claim.")
    )
    # Set when a re-published timetable left an approved claim's day uncovered: the claim went
    # back to the administrator (pending) and the teacher was told.
    reopened_at = models.DateTimeField(_("returned to the administrator at"), null=True, blank=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("rest claim")
        verbose_name_plural = _("rest claims")
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "date"],
                condition=Q(status__in=["approved", "pending"]),
                name="rest_claim_one_live_per_day",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["approved", "pending", "rejected", "cancelled"]),
                name="rest_claim_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                name="rest_claim_cancel_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} · {self.date} · {self.get_status_display()}"

    @property
    def status_text(self) -> str:
        """The status as the pages word it: who cancelled, whether the approval was automatic,
        whether a timetable change sent the claim back to the administrator."""
        if self.status == self.Status.CANCELLED:
            if self.cancelled_by_claimant:
                return str(_("Cancelled by the teacher"))
            if self.cancelled_by_id is not None:
                return str(_("Cancelled by the administrator"))
        if self.status == self.Status.APPROVED and self.automatic:
            return str(_("Approved automatically"))
        if self.status == self.Status.PENDING and self.reopened_at is not None:
            return str(_("Back with the administrator: the timetable changed"))
        return str(self.get_status_display())


class CoverAssignment(models.Model):
    claim = models.ForeignKey(
        RestClaim, on_delete=models.CASCADE, related_name="covers", verbose_name=_("claim")
    )
    # Re-publishing the timetable rewrites future sessions: their covers go with them, and
    # publishing covers the claim's new sessions again (or returns the claim to the
    # administrator, the teacher told) — ``scheduling.rest.services.rest_claims_recover``.
    dated_session = models.ForeignKey(
        "timetables.DatedSession", on_delete=models.CASCADE, related_name="covers", verbose_name=_("session")
    )
    from_staff = models.ForeignKey(
        "staff.StaffMember", on_delete=models.PROTECT, related_name="covers_given", verbose_name=_("from")
    )
    to_staff = models.ForeignKey(
        "staff.StaffMember",
        on_delete=models.PROTECT,
        related_name="covers_taken",
        verbose_name=_("substitute"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["dated_session__date", "dated_session__start", "pk"]
        verbose_name = _("cover")
        verbose_name_plural = _("covers")
        constraints = [
            models.UniqueConstraint(
                fields=["dated_session"],
                condition=Q(withdrawn_at__isnull=True),
                name="cover_one_active_per_session",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dated_session} · {self.from_staff} → {self.to_staff}"
