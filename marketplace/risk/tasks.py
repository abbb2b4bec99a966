"""Background tasks of the risk grades (Django's tasks framework; scheduled daily)."""

from django.conf import settings
from django.tasks import task

from marketplace.risk.services import risk_grade_all


@task(queue_name=settings.TASKS_QUEUE)
def risk_grade_daily() -> int:
    """Regrade every vendor (money held and refunds owed change with time as well as with
    events); returns the number of assessments appended."""
    return risk_grade_all(trigger="daily")
