from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "marketplace.ledger"
    label = "ledger"
    verbose_name = _("Prepaid-fee ledger")

    def ready(self) -> None:
        # Each delivered session releases the money held for it (see services).
        from scheduling.attendance.signals import session_delivered

        from . import receivers

        session_delivered.connect(receivers.release_on_delivery, dispatch_uid="ledger_release_on_delivery")
