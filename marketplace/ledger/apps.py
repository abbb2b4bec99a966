from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from marketplace.enrolment.signals import enrolment_withdrawn
from scheduling.attendance.signals import session_delivered


class LedgerConfig(AppConfig):
    name = "marketplace.ledger"
    label = "ledger"
    verbose_name = _("Prepaid-fee ledger")

    def ready(self) -> None:
        # Imported here: receivers use models, which load only once the app registry is ready.
        from . import receivers

        # Each delivered session releases the money held for it (see services).
        session_delivered.connect(receivers.release_on_delivery, dispatch_uid="ledger_release_on_delivery")
        # A withdrawal gives back the money of the sessions not yet delivered.
        enrolment_withdrawn.connect(
            receivers.refund_on_withdrawal, dispatch_uid="ledger_refund_on_withdrawal"
        )
