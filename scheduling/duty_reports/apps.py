from django.apps import AppConfig


class DutyReportsConfig(AppConfig):
    """Duty reports: what teachers did on after-school duty, per teacher and per school (no
    models; it reads the rest app's duty records)."""

    name = "scheduling.duty_reports"
    label = "duty_reports"
