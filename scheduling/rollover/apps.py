from django.apps import AppConfig


class RolloverConfig(AppConfig):
    """Carrying a school's set-up into the next term in one action, with a preview."""

    name = "scheduling.rollover"
    label = "rollover"
