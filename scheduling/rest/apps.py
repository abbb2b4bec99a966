from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RestConfig(AppConfig):
    name = "scheduling.rest"
    label = "rest"
    verbose_name = _("Duty and compensatory rest")

    def ready(self) -> None:
        # Each delivered staff-held session is a duty record (in the attendance transaction).
        from scheduling.attendance.signals import session_delivered

        from . import receivers

        session_delivered.connect(receivers.record_duty_on_delivery, dispatch_uid="rest_record_duty")
