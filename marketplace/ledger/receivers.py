"""Signal receivers of the ledger."""

from .services import ledger_release_session


def release_on_delivery(sender, *, dated_session, **kwargs) -> None:
    """``session_delivered``: release the session's money (in the attendance transaction)."""
    ledger_release_session(dated_session=dated_session)
