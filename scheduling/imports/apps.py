from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """Bulk imports of a school's records (staff, rooms, classes, activities) from Excel or CSV."""

    name = "scheduling.imports"
    label = "imports"
