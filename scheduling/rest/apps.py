from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from scheduling.attendance.signals import session_delivered
from scheduling.timetables.signals import (
    publish_comparing,
    staff_calendar_annotating,
    timetable_published,
)


class RestConfig(AppConfig):
    name = "scheduling.rest"
    label = "rest"
    verbose_name = _("Duty and compensatory rest")

    def ready(self) -> None:
        # Imported here: receivers use models, which load only once the app registry is ready.
        from . import receivers

        # Each delivered staff-held session is a duty record (in the attendance transaction).
        session_delivered.connect(receivers.record_duty_on_delivery, dispatch_uid="rest_record_duty")
        # A published timetable rewrites the sessions that carried the covers of approved rest
        # days: they are covered again in the publishing transaction, and the confirmation
        # page and the teacher's calendar show the covers.
        timetable_published.connect(receivers.recover_rest_days, dispatch_uid="rest_recover_after_publish")
        publish_comparing.connect(receivers.rest_days_before_publish, dispatch_uid="rest_publish_comparing")
        staff_calendar_annotating.connect(
            receivers.cover_duties_in_calendar, dispatch_uid="rest_staff_calendar_covers"
        )
