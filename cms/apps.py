from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Public pages")

    def ready(self):
        # Imported here: receivers use models, which load only once the app registry is ready.
        from cms import receivers  # noqa: F401 - connects the signal receivers
