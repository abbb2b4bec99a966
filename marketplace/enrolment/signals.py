"""Signals other apps listen to (the ledger refunds what a withdrawn child still has held)."""

from django.dispatch import Signal

# Sent by ``enrolment_withdraw`` inside its transaction, with ``enrolment=`` the enrolment
# just withdrawn (status withdrawn, ``left_on`` set).
enrolment_withdrawn = Signal()
