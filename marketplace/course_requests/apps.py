from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CourseRequestsConfig(AppConfig):
    name = "marketplace.course_requests"
    # The label (and so the tables, migrations, templates and URL names) keeps the app's
    # first name: renaming the package must not ask an existing database to migrate.
    label = "purchases"
    verbose_name = _("Course purchases")
