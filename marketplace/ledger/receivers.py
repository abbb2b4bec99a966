"""Signal receivers of the ledger."""

from .services import ledger_refund_undelivered, ledger_release_session


def release_on_delivery(sender, *, dated_session, **kwargs) -> None:
    """``session_delivered``: release the session's money (in the attendance transaction)."""
    ledger_release_session(dated_session=dated_session)


def refund_on_withdrawal(sender, *, enrolment, **kwargs) -> None:
    """``enrolment_withdrawn``: refund what is still held for the child in that activity (in
    the withdrawal's transaction; nothing when nothing was paid)."""
    ledger_refund_undelivered(enrolment=enrolment)
