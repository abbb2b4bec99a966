"""Reads of payments: what a family still owes for a child's term, and its payments."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from core.money import money
from marketplace.billing.quotes import quote_for, quoted_by_account
from marketplace.courses.models import Activity
from marketplace.payments.models import Payment, PaymentLine, PaymentRefund

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class DueLine:
    """What is still to pay into one ledger account (``activity`` None: supervised study)."""

    activity: object
    description: str
    quoted: Decimal
    paid: Decimal

    @property
    def amount(self) -> Decimal:
        return money(self.quoted - self.paid)


def paid_by_account(*, child, term) -> dict[int | None, Decimal]:
    """Money paid for ``child``'s ``term`` per account (activity pk or None), net of the
    refunds sent through the gateway (pending ones included: that money is on its way back)."""
    paid: dict[int | None, Decimal] = defaultdict(lambda: ZERO)
    lines = PaymentLine.objects.filter(
        payment__child=child, payment__term=term, payment__status=Payment.Status.SUCCEEDED
    )
    for row in lines.values("activity_id").annotate(total=Sum("amount")):
        paid[row["activity_id"]] += row["total"]
    refunds = PaymentRefund.objects.filter(line__in=lines)
    for row in refunds.values("line__activity_id").annotate(total=Sum("amount")):
        paid[row["line__activity_id"]] -= row["total"]
    return paid


def amount_due(*, child, term, quote=None) -> list[DueLine]:
    """The lines still to pay for ``child`` in ``term`` (positive amounts only).

    The quote (from the charging standards in force) per account, less what was already paid
    for that account this term. A line paid in full, or over-paid because the quote fell,
    has nothing due; the over-payment of a waiver approved after payment or of leaving
    supervised study is refunded by ``services.payment_refund_overpayment``.
    """
    quote = quote if quote is not None else quote_for(child=child, term=term)
    paid = paid_by_account(child=child, term=term)
    lines = []
    for activity, description, quoted in quoted_by_account(quote):
        already = paid.get(activity.pk if activity is not None else None, ZERO)
        line = DueLine(activity=activity, description=description, quoted=quoted, paid=money(already))
        if line.amount > 0:
            lines.append(line)
    return lines


def over_paid_by_account(*, child, term, quote=None) -> list[tuple[object, Decimal]]:
    """``(activity or None, amount)`` for each account of ``child``'s ``term`` paid through
    the gateway beyond what the quote now asks (net of refunds already made or on their
    way): a waiver approved after payment, or supervised study left mid-term."""
    quote = quote if quote is not None else quote_for(child=child, term=term)
    quoted = {
        (activity.pk if activity is not None else None): amount
        for activity, _name, amount in quoted_by_account(quote)
    }
    result = []
    for key, paid in sorted(paid_by_account(child=child, term=term).items(), key=lambda kv: kv[0] or 0):
        over = money(paid - quoted.get(key, ZERO))
        if over > 0:
            result.append((Activity.objects.get(pk=key) if key is not None else None, over))
    return result


def payments_of_household(household):
    """The household's payments, newest first, with their lines and refunds."""
    return (
        Payment.objects.filter(household=household)
        .select_related("child", "term")
        .prefetch_related("lines__activity", "lines__refunds")
    )


def refunds_outstanding():
    """Refunds the gateway has not confirmed yet (to retry)."""
    return PaymentRefund.objects.exclude(status=PaymentRefund.Status.SUCCEEDED).select_related(
        "line__payment"
    )
