"""Background tasks of payments (Django's tasks framework; scheduled daily)."""

from django.conf import settings
from django.tasks import task

from marketplace.payments.models import PaymentRefund
from marketplace.payments.services import payment_refunds_send


@task(queue_name=settings.TASKS_QUEUE)
def payments_retry_refunds() -> int:
    """Send again the refunds the gateway has not confirmed; returns how many now succeeded."""
    return sum(1 for refund in payment_refunds_send() if refund.status == PaymentRefund.Status.SUCCEEDED)
