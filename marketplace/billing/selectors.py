"""Reads of what plans cost beyond one quote: how approved waivers fall on vendors' activities."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F

from marketplace.billing.quotes import LineKind, QuoteError, quote_for, quoted_by_account
from marketplace.fees.models import Waiver


@dataclass(frozen=True)
class WaiverShare:
    """The part of an approved waiver that falls on one vendor activity, and who bears it."""

    waiver: object
    activity: object
    amount: Decimal

    @property
    def borne_by_school(self) -> bool:
        return self.waiver.borne_by == self.waiver.Bearer.SCHOOL


def waiver_shares(*, vendor=None, school=None) -> list[WaiverShare]:
    """The shares of approved waivers on vendors' activities: of ``vendor``'s activities, or
    of the activities at ``school`` (exactly one of the two).

    A waiver is shared over a child's accounts as the family's quote shares it
    (``billing.quotes.quoted_by_account``). Borne by the school, the share is owed by the
    school to the vendor (the vendor's revenue is not cut); borne by the vendor, it is revenue
    the vendor gives up.
    """
    if (vendor is None) == (school is None):
        raise ValueError("pass exactly one of vendor= or school=")
    waivers = Waiver.objects.filter(status=Waiver.Status.APPROVED).select_related(
        "child__school_class__school", "term"
    )
    if vendor is not None:
        waivers = waivers.filter(
            child__enrolments__activity__vendor=vendor, child__enrolments__activity__term=F("term")
        )
    else:
        waivers = waivers.filter(child__school_class__school=school)
    shares = []
    for waiver in waivers.distinct().order_by("decided_at", "pk"):
        try:
            quote = quote_for(child=waiver.child, term=waiver.term)
        except QuoteError:
            continue
        charged: dict[int, Decimal] = {}
        for line in quote.charges:
            if line.kind in (LineKind.ENRICHMENT, LineKind.MATERIALS):
                charged[line.activity.pk] = charged.get(line.activity.pk, Decimal("0")) + line.amount
        for activity, _name, quoted in quoted_by_account(quote):
            if activity is None or activity.vendor_id is None:
                continue
            if vendor is not None and activity.vendor_id != vendor.pk:
                continue
            amount = charged.get(activity.pk, Decimal("0")) - quoted
            if amount > 0:
                shares.append(WaiverShare(waiver=waiver, activity=activity, amount=amount))
    return shares
