from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "marketplace.risk"
    label = "risk"
    verbose_name = _("Vendor risk grades")

    def ready(self):
        from marketplace.ledger.signals import ledger_moved
        from marketplace.risk import receivers
        from marketplace.vendors.signals import vendor_changed

        vendor_changed.connect(receivers.regrade_on_vendor_change, dispatch_uid="risk.vendor_changed")
        ledger_moved.connect(receivers.regrade_on_ledger_move, dispatch_uid="risk.ledger_moved")
