"""Signal receivers of payments."""

from .services import payment_refunds_for_entry


def refund_through_gateway(sender, *, entry, **kwargs) -> None:
    """``ledger_refunded``: give the refunded money back through the gateway that took it."""
    payment_refunds_for_entry(entry=entry)
