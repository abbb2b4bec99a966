from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimetablesConfig(AppConfig):
    name = "scheduling.timetables"
    label = "timetables"
    verbose_name = _("Timetables")
