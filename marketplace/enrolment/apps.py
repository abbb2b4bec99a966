from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from scheduling.timetables.signals import problem_assembling, timetable_published


class EnrolmentConfig(AppConfig):
    name = "marketplace.enrolment"
    label = "enrolment"
    verbose_name = _("Enrolment")

    def ready(self) -> None:
        # Imported here: receivers use models, which load only once the app registry is ready.
        from . import receivers

        # Families' choices go into the timetable problem, and their places follow the
        # published timetable (in the publishing transaction).
        problem_assembling.connect(receivers.problem_demand, dispatch_uid="enrolment_problem_demand")
        timetable_published.connect(receivers.places_after_publish, dispatch_uid="enrolment_after_publish")
