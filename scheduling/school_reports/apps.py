from django.apps import AppConfig


class SchoolReportsConfig(AppConfig):
    """Reports a school administrator reads: unplaced pupils, small activities, staff duties, missed registers."""

    name = "scheduling.school_reports"
    label = "school_reports"
