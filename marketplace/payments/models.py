"""Payments: what a family paid through the gateway, and what the gateway gave back.

A ``Payment`` is one payment intent at the gateway for one child's term: its ``lines``
split the amount over the child's ledger accounts (one per activity, and one for the
school's supervised study, ``activity`` empty). When the gateway reports the intent
succeeded (webhook, or the family's return from the checkout page), the payment becomes
*succeeded* once and its lines are written to the prepaid-fee ledger as ``paid`` entries.

``PaymentEvent`` remembers every webhook event received (by the gateway's event id), so a
replayed event changes nothing. ``PaymentRefund`` is money given back through the gateway
for a ``refunded`` ledger entry (a withdrawal, a waiver after payment, leaving supervised
study), against the lines of the payments that paid it; it stays *pending* or *failed* until
the gateway confirms it, and is retried. Only a *succeeded* refund counts as refunded on the
money pages and in the risk grade; until then the money is owed to the family.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Payment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        SUCCEEDED = "succeeded", _("Paid")
        FAILED = "failed", _("Failed")
        CANCELED = "canceled", _("Cancelled")

    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="payments", verbose_name=_("household")
    )
    child = models.ForeignKey(
        "households.Child", on_delete=models.PROTECT, related_name="payments", verbose_name=_("child")
    )
    term = models.ForeignKey(
        "schools.Term", on_delete=models.PROTECT, related_name="payments", verbose_name=_("term")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    provider = models.CharField(_("provider"), max_length=20)
    intent_id = models.CharField(_("payment intent"), max_length=255, unique=True)
    client_secret = models.CharField(_("client secret"), max_length=255, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="cny")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    failure = models.CharField(_("failure"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    succeeded_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="succeeded", succeeded_at__isnull=False)
                | (~Q(status="succeeded") & Q(succeeded_at__isnull=True)),
                name="payment_succeeded_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} · {self.term} · {self.amount} ({self.get_status_display()})"


class PaymentLine(models.Model):
    """The part of a payment for one ledger account of the child."""

    payment = models.ForeignKey(
        Payment, on_delete=models.CASCADE, related_name="lines", verbose_name=_("payment")
    )
    activity = models.ForeignKey(
        "courses.Activity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_lines",
        verbose_name=_("activity"),
        help_text=_("Empty for the school's supervised-study service."),
    )
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("payment line")
        verbose_name_plural = _("payment lines")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_line_amount_positive"),
            models.UniqueConstraint(fields=["payment", "activity"], name="payment_line_once_per_activity"),
            models.UniqueConstraint(
                fields=["payment"], condition=Q(activity__isnull=True), name="payment_line_once_for_study"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} · {self.amount}"


class PaymentEvent(models.Model):
    """A webhook event received (and verified): recorded once by the gateway's event id."""

    event_id = models.CharField(_("event id"), max_length=255, unique=True)
    type = models.CharField(_("type"), max_length=80)
    intent_id = models.CharField(_("payment intent"), max_length=255, blank=True)
    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("payment"),
    )
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["received_at", "pk"]
        verbose_name = _("payment event")
        verbose_name_plural = _("payment events")

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


def new_refund_key() -> str:
    return "refund-" + uuid.uuid4().hex


class PaymentRefund(models.Model):
    """Money given back through the gateway for one refunded ledger entry, on one payment line."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being refunded")
        SUCCEEDED = "succeeded", _("Refunded")
        FAILED = "failed", _("Refund failed; will retry")

    line = models.ForeignKey(
        PaymentLine, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("line")
    )
    ledger_entry = models.ForeignKey(
        "ledger.LedgerEntry",
        on_delete=models.PROTECT,
        related_name="gateway_refunds",
        verbose_name=_("ledger entry"),
    )
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    refund_id = models.CharField(_("gateway refund"), max_length=255, blank=True)
    failure = models.CharField(_("failure"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    key = models.CharField(_("idempotency key"), max_length=64, unique=True, default=new_refund_key)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("gateway refund")
        verbose_name_plural = _("gateway refunds")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_refund_amount_positive"),
            models.UniqueConstraint(
                fields=["ledger_entry", "line"], name="payment_refund_once_per_entry_line"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} · {self.get_status_display()}"

    @property
    def idempotency_key(self) -> str:
        # Stable per row: a retry after a timeout can never refund twice. Random, not derived
        # from the row's id: a gateway outlives a reset database, whose ids start again.
        return self.key
