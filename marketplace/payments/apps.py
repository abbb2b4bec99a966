from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from marketplace.fees.signals import waiver_decided
from marketplace.ledger.signals import ledger_refunded


class PaymentsConfig(AppConfig):
    name = "marketplace.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        # Imported here: receivers use models, which load only once the app registry is ready.
        from . import checks, receivers  # noqa: F401  (checks register themselves)

        # Money the ledger refunds goes back through the gateway that took it.
        ledger_refunded.connect(
            receivers.refund_through_gateway, dispatch_uid="payments_refund_through_gateway"
        )
        # A waiver approved after payment makes the family's payment too much: give it back.
        waiver_decided.connect(receivers.refund_after_waiver, dispatch_uid="payments_refund_after_waiver")
