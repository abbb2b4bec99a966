from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from marketplace.ledger.signals import ledger_moved
from marketplace.vendors.signals import vendor_changed


class RiskConfig(AppConfig):
    name = "marketplace.risk"
    label = "risk"
    verbose_name = _("Vendor risk grades")

    def ready(self):
        # Imported here: receivers use models, which load only once the app registry is ready.
        from marketplace.risk import receivers

        vendor_changed.connect(receivers.regrade_on_vendor_change, dispatch_uid="risk.vendor_changed")
        ledger_moved.connect(receivers.regrade_on_ledger_move, dispatch_uid="risk.ledger_moved")
