"""Signals other apps listen to.

``session_delivered`` is sent by ``attendance_record`` the first time attendance is taken
for a dated session (never again on a correction), inside the service's transaction, with
``dated_session=`` the delivered ``DatedSession``. Receivers (the money release of the
prepaid sessions) run in that transaction: if one raises, the attendance is not saved either.
"""

from django.dispatch import Signal

session_delivered = Signal()
