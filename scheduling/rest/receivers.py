"""Signal receivers of duty and rest."""

from .services import duty_record_for_delivery


def record_duty_on_delivery(sender, *, dated_session, **kwargs) -> None:
    """``session_delivered``: the holder of the session on the day has done one duty."""
    duty_record_for_delivery(dated_session=dated_session)
