"""Signals other apps listen to (the vendor risk grade follows the money held for a vendor)."""

from django.dispatch import Signal

# Sent once per ledger write that moves a family's money (pay, release, refund, settle),
# after the write's transaction commits, with ``vendor_ids=`` the set of vendors whose
# activities the entries concern (empty when only schools' own services moved).
ledger_moved = Signal()

# Sent inside the refund's transaction with ``entry=`` the new ``refunded`` entry, so the
# payment layer can give the money back through the gateway (after commit).
ledger_refunded = Signal()
