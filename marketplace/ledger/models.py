"""The prepaid-fee ledger: one append-only book of the money families pay and where it goes.

Every movement is a ``LedgerEntry``; no balance is stored or edited in place, every balance
is a sum of entries (``selectors``). An *account* is one child's money for one service:

* an **activity** (``activity`` set; run by a vendor or by the school's staff), or
* the school's **supervised-study** service (``activity`` empty).

``school`` is always the account's school (the activity's, or the child's for supervised
study). The kinds of entry:

* ``paid`` — a family paid money into the account; it is *held*.
* ``released`` — one delivered ``dated_session`` released its share of the held money; it is
  now owed to the payee (the activity's vendor; the school for a staff-run activity or for
  supervised study). At most one per (session, child).
* ``refunded`` — held money given back to the family (a withdrawal).
* ``settled`` — a released entry paid out in a ``Payout`` (``settles`` names it, so it is
  settled at most once; the payout's statement is its settled entries).

Per account: held = paid − released − refunded ≥ 0, owed = released − settled ≥ 0.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnly


class Payout(AppendOnly):
    """What one payee (a vendor, or a school for its own services) was paid for one day."""

    vendor = models.ForeignKey(
        "vendors.Vendor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payouts",
        verbose_name=_("vendor"),
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payouts",
        verbose_name=_("school"),
    )
    for_date = models.DateField(_("for date"), help_text=_("The day whose released money it pays."))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-for_date", "pk"]
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        constraints = [
            models.CheckConstraint(
                condition=Q(vendor__isnull=False, school__isnull=True)
                | Q(vendor__isnull=True, school__isnull=False),
                name="payout_one_payee",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive"),
            models.UniqueConstraint(
                fields=["vendor", "for_date"],
                condition=Q(vendor__isnull=False),
                name="payout_once_per_vendor_day",
            ),
            models.UniqueConstraint(
                fields=["school", "for_date"],
                condition=Q(school__isnull=False),
                name="payout_once_per_school_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payee} · {self.for_date} · {self.amount}"

    @property
    def payee(self):
        return self.vendor if self.vendor_id else self.school

    def statement(self):
        """The settled entries this payout pays, with their released entry and session."""
        return self.entries.select_related("settles__dated_session", "child", "activity", "school").order_by(
            "settles__dated_session__date", "child__name", "pk"
        )


class LedgerEntry(AppendOnly):
    """One movement of prepaid money (see the module docstring)."""

    class Kind(models.TextChoices):
        PAID = "paid", _("Paid")
        RELEASED = "released", _("Released")
        REFUNDED = "refunded", _("Refunded")
        SETTLED = "settled", _("Settled")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("household"),
    )
    child = models.ForeignKey(
        "households.Child", on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("child")
    )
    activity = models.ForeignKey(
        "courses.Activity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("activity"),
        help_text=_("Empty for the school's supervised-study service."),
    )
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("school")
    )
    dated_session = models.ForeignKey(
        "timetables.DatedSession",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("session"),
    )
    payout = models.ForeignKey(
        Payout,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("payout"),
    )
    settles = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="settlement",
        verbose_name=_("settles"),
        help_text=_("The released entry this settled entry pays out."),
    )
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    memo = models.CharField(_("memo"), max_length=200, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_amount_positive"),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind__in=["paid", "refunded"],
                        dated_session__isnull=True,
                        payout__isnull=True,
                        settles__isnull=True,
                    )
                    | Q(
                        kind="released",
                        dated_session__isnull=False,
                        payout__isnull=True,
                        settles__isnull=True,
                    )
                    | Q(
                        kind="settled",
                        dated_session__isnull=True,
                        payout__isnull=False,
                        settles__isnull=False,
                    )
                ),
                name="ledger_kind_shape",
            ),
            models.UniqueConstraint(
                fields=["dated_session", "child"],
                condition=Q(kind="released"),
                name="ledger_release_once_per_session_child",
            ),
        ]
        indexes = [models.Index(fields=["child", "activity", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} · {self.child}"
