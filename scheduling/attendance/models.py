"""Attendance of dated sessions, and the record that a session was delivered.

A teacher or a vendor's instructor takes attendance for one published ``DatedSession``:
one ``AttendanceRecord`` per child on the session's roster (``selectors.roster_for``). The
first time attendance is taken the session gets its ``SessionDelivery`` — the fact that the
session happened, which releases the money held for it (``signals.session_delivered``).

Append-only in spirit: taking attendance again corrects the records in place (status, note,
who and when), but the delivery is never removed nor re-dated — once a session is delivered,
it stays delivered, so money released for it is never released twice nor taken back here.
Both point at the session with ``PROTECT``: a session with attendance cannot be deleted.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnly


class AttendanceRecord(models.Model):
    """Whether one child was at one dated session."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    dated_session = models.ForeignKey(
        "timetables.DatedSession",
        on_delete=models.PROTECT,
        related_name="attendance",
        verbose_name=_("session"),
    )
    child = models.ForeignKey(
        "households.Child", on_delete=models.PROTECT, related_name="attendance", verbose_name=_("child")
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["dated_session", "child"]
        verbose_name = _("attendance record")
        verbose_name_plural = _("attendance records")
        constraints = [
            models.UniqueConstraint(
                fields=["dated_session", "child"], name="attendance_once_per_child_session"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["present", "absent", "excused"]), name="attendance_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dated_session} · {self.child} · {self.get_status_display()}"


class SessionDelivery(models.Model):
    """A dated session that took place: written once, when attendance is first taken."""

    dated_session = models.OneToOneField(
        "timetables.DatedSession",
        on_delete=models.PROTECT,
        related_name="delivery",
        verbose_name=_("session"),
    )
    delivered_at = models.DateTimeField(_("delivered at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    note = models.CharField(
        _("note on the session"),
        max_length=500,
        blank=True,
        help_text=_("Updated when attendance is corrected."),
    )

    class Meta:
        ordering = ["-delivered_at"]
        verbose_name = _("session delivery")
        verbose_name_plural = _("session deliveries")

    def __str__(self) -> str:
        return f"{self.dated_session} · {self.delivered_at:%Y-%m-%d %H:%M}"


class RegisterDelegation(AppendOnly):
    """A school administrator handing one session's register to a member of staff.

    A log: the latest row of a session names who may take its register besides those who
    always may (its teacher or vendor, the school's administrators); a row without
    ``staff`` withdraws the delegation. Rows are never changed nor removed.
    """

    dated_session = models.ForeignKey(
        "timetables.DatedSession",
        on_delete=models.CASCADE,
        related_name="register_delegations",
        verbose_name=_("session"),
    )
    staff = models.ForeignKey(
        "staff.StaffMember",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="register_delegations",
        verbose_name=_("delegated to"),
    )
    delegated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("delegated by"),
    )
    delegated_at = models.DateTimeField(_("delegated at"))

    class Meta:
        ordering = ["dated_session", "-delegated_at", "-pk"]
        verbose_name = _("register delegation")
        verbose_name_plural = _("register delegations")

    def __str__(self) -> str:
        return f"{self.dated_session} → {self.staff or '—'}"
