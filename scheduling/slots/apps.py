from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlotsConfig(AppConfig):
    name = "scheduling.slots"
    label = "slots"
    verbose_name = _("After-school slots")
