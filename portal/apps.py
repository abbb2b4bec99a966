from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The top floor: pages that gather several apps' rows (role home pages, week pages, the
    household and teacher calendars) and the demo city loader."""

    name = "portal"
    label = "portal"
