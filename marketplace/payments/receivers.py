"""Signal receivers of payments."""

from .services import payment_refund_waiver, payment_refunds_for_entry


def refund_through_gateway(sender, *, entry, **kwargs) -> None:
    """``ledger_refunded``: give the refunded money back through the gateway that took it."""
    payment_refunds_for_entry(entry=entry)


def refund_after_waiver(sender, *, waiver, approved, **kwargs) -> None:
    """``waiver_decided``: an approved waiver gives back what was already paid beyond the new
    quote, and the family is e-mailed (in the decision's transaction; nothing for a rejection)."""
    if approved:
        payment_refund_waiver(waiver=waiver)
