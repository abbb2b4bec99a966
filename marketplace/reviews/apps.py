from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "marketplace.reviews"
    label = "reviews"
    verbose_name = _("Course review")

    def ready(self):
        # Imported here: receivers use models, which load only once the app registry is ready.
        from marketplace.reviews import receivers  # noqa: F401 - connects the signal receivers
