"""Signal receivers that keep the risk grades following their factors (connected in
``RiskConfig.ready``).

A failed regrade is logged and left to the daily task: it must never undo the vendor
decision or the ledger movement that set it off.
"""

import logging

from marketplace.risk.models import RiskAssessment
from marketplace.risk.services import risk_grade_vendor
from marketplace.vendors.models import Vendor

logger = logging.getLogger(__name__)
Trigger = RiskAssessment.Trigger


def regrade_on_vendor_change(sender, *, vendor, risk_only=False, **kwargs) -> None:
    """``vendor_changed`` (status, institution type…; inside the vendor's transaction).

    Signals the grading itself sent (``risk_only``) are ignored: that is what stops the
    loop grade → vendor_changed → grade.
    """
    if risk_only:
        return

    try:
        risk_grade_vendor(vendor=vendor, trigger=Trigger.VENDOR, notify=False)
    except Exception:
        logger.exception("Regrading vendor %s after a change failed", vendor.pk)


def regrade_on_ledger_move(sender, *, vendor_ids=(), **kwargs) -> None:
    """``ledger_moved`` (after the ledger's commit): the money factors of these vendors moved."""
    for vendor in Vendor.objects.filter(pk__in=list(vendor_ids or ())).order_by("pk"):
        try:
            risk_grade_vendor(vendor=vendor, trigger=Trigger.LEDGER)
        except Exception:
            logger.exception("Regrading vendor %s after a ledger movement failed", vendor.pk)
