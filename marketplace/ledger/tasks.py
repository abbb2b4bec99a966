"""Background tasks of the ledger (Django's tasks framework; scheduled nightly)."""

from datetime import timedelta

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from marketplace.ledger.services import ledger_settle


@task(queue_name=settings.TASKS_QUEUE)
def ledger_settle_yesterday() -> int:
    """Settle what was released for sessions up to yesterday; returns the payouts written."""
    return len(ledger_settle(for_date=timezone.localdate() - timedelta(days=1)))
