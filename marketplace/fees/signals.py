"""Signals other apps listen to (payments gives back what a waiver makes over-paid)."""

from django.dispatch import Signal

# Sent by ``waiver_decide`` inside its transaction, once the decision is saved, with
# ``waiver=`` the decided waiver (status approved or rejected, ``borne_by`` set when approved)
# and ``approved=`` True or False. A receiver that raises undoes the decision.
waiver_decided = Signal()
