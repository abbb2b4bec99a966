from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Public pages")

    def ready(self):
        from cms import receivers  # noqa: F401 - connects the signal receivers
