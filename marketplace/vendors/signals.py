"""Signals other apps listen to (the CMS keeps the vendor catalogue in step with them)."""

from django.dispatch import Signal

# Sent by every vendor service that changes a vendor's profile or status, inside the
# service's transaction, with ``vendor=`` the changed vendor (already saved).
vendor_changed = Signal()
