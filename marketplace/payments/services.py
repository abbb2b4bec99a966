"""Payment state changes: start a payment, record what the gateway reports, refund.

The gateway is the source of truth for money received. A payment becomes *succeeded* only
from the gateway: a verified webhook event (``payment_record_event``) or the intent read back
from the gateway after the family's checkout (``payment_sync`` / ``payment_confirm``). Either
way ``_mark_succeeded`` runs under the payment's row lock and writes the ledger once, so a
replayed webhook, a webhook racing the family's return, or a double click changes nothing.

Refunds follow the ledger: when a ``refunded`` entry is written (a withdrawal), its amount
is matched to the lines of the payments that paid that account (``PaymentRefund`` rows, in
the ledger's transaction), and sent to the gateway after commit with a stable idempotency
key per row. A refund the gateway refuses or cannot take now stays outstanding and is
retried by the daily task (``payments_retry_refunds``).

Over-payments: when the quote falls after a payment (a waiver approved, supervised study
left mid-term), ``payment_refund_overpayment`` writes the ledger refunds of the difference,
which then follow the same path.
"""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.money import format_yuan, money
from marketplace.billing.quotes import QuoteError
from marketplace.enrolment.models import TermPlan
from marketplace.fees.services import is_parent_of
from marketplace.households.models import Household
from marketplace.ledger.services import ledger_pay, ledger_refund
from marketplace.ledger.signals import ledger_moved
from marketplace.payments.models import Payment, PaymentEvent, PaymentLine, PaymentRefund
from marketplace.payments.providers import (
    PROVIDERS,
    Event,
    Intent,
    PaymentDeclined,
    PaymentError,
    PaymentProvider,
    get_provider,
)
from marketplace.payments.selectors import amount_due, over_paid_by_account
from people.roles.models import Membership, Role

logger = logging.getLogger(__name__)


class PaymentRefused(DomainError):
    """A payment cannot be started or confirmed (nothing due, wrong state, declined card)."""


def provider_for(payment: Payment) -> PaymentProvider:
    """The provider that holds ``payment`` (the one that created it, even if the setting changed)."""
    return PROVIDERS[payment.provider]()


def _pending_for(child, term, lines) -> Payment | None:
    """A pending payment of ``child``'s ``term`` for exactly these lines, if one exists."""
    wanted = sorted((line.activity.pk if line.activity else 0, line.amount) for line in lines)
    pending = Payment.objects.filter(child=child, term=term, status=Payment.Status.PENDING)
    for payment in pending.prefetch_related("lines"):
        if sorted((line.activity_id or 0, line.amount) for line in payment.lines.all()) == wanted:
            return payment
    return None


@transaction.atomic
def payment_start(*, child, term, user, provider: PaymentProvider | None = None) -> Payment:
    """Start paying what is due for ``child`` in ``term`` (``amount_due``): one intent at the
    gateway and one ``Payment`` with a line per account.

    While the same amounts are due, starting again returns the same pending payment (the
    household's row is locked, so two clicks at once make one), and a retried request to
    the gateway carries the same idempotency key: a reload or a double click never makes a
    second charge. Refused when the child has no household or nothing is due.
    """
    if child.household_id is None:
        raise PaymentRefused(_("The child is not linked to a household."), code="payment_no_household")
    Household.objects.select_for_update().filter(pk=child.household_id).first()
    lines = amount_due(child=child, term=term)
    if not lines:
        raise PaymentRefused(
            _("Nothing is due for %(child)s this term.") % {"child": child.name}, code="payment_nothing_due"
        )
    existing = _pending_for(child, term, lines)
    if existing is not None:
        return existing
    provider = provider or get_provider()
    total = money(sum((line.amount for line in lines), Decimal("0")))
    # Random, not derived from our ids: a gateway outlives a reset demo database.
    key = "pay-" + uuid.uuid4().hex
    try:
        intent = provider.create_intent(
            amount=total,
            reference=f"child-{child.pk}-term-{term.pk}",
            idempotency_key=key,
            description=f"{child.name} {term}",
        )
    except PaymentError as error:
        raise PaymentRefused(str(error), code="payment_gateway_error") from error
    payment = Payment.objects.create(
        household_id=child.household_id,
        child=child,
        term=term,
        created_by=user,
        provider=provider.name,
        intent_id=intent.id,
        client_secret=intent.client_secret,
        idempotency_key=key,
        amount=total,
        currency=intent.currency,
    )
    PaymentLine.objects.bulk_create(
        PaymentLine(
            payment=payment, activity=line.activity, description=line.description[:200], amount=line.amount
        )
        for line in lines
    )
    return payment


@transaction.atomic
def _mark_succeeded(*, payment_id: int, intent: Intent) -> bool:
    """Record the gateway's succeeded ``intent`` for the payment: once. Returns True when this
    call recorded it (and wrote the ledger), False when it was already recorded or refused."""
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.status == Payment.Status.SUCCEEDED:
        return False
    if (
        intent.id != payment.intent_id
        or intent.amount != payment.amount
        or intent.currency != payment.currency
    ):
        # Never trust a mismatch: the ledger would disagree with what the family was charged.
        logger.error(
            "payment %s: intent %s reports %s %s", payment.pk, intent.id, intent.amount, intent.currency
        )
        return False
    payment.status = Payment.Status.SUCCEEDED
    payment.succeeded_at = timezone.now()
    payment.failure = ""
    payment.save(update_fields=["status", "succeeded_at", "failure"])
    ledger_pay(
        child=payment.child,
        lines=[(line.activity, line.amount) for line in payment.lines.select_related("activity")],
        memo=f"payment {payment.pk} {payment.intent_id}"[:200],
    )
    return True


def _note_failure(payment: Payment, message: str) -> None:
    Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING).update(failure=str(message)[:200])


def payment_confirm(*, payment: Payment, payment_method: str) -> Intent:
    """Pay ``payment`` with the card the family entered (its gateway id).

    Returns the intent: ``succeeded`` (recorded now), or ``requires_action`` (the browser
    finishes 3-D Secure, then ``payment_sync``). Raises PaymentRefused for a declined card or a
    payment that is not pending, with a message to show.
    """
    if payment.status != Payment.Status.PENDING:
        raise PaymentRefused(_("This payment is not awaiting payment."), code="payment_not_pending")
    if not payment_method or len(payment_method) > 255:
        raise PaymentRefused(_("Enter the card details."), code="payment_no_card")
    provider = provider_for(payment)
    try:
        intent = provider.confirm(payment.intent_id, payment_method=payment_method)
    except PaymentDeclined as error:
        _note_failure(payment, str(error))
        raise PaymentRefused(str(error), code="payment_declined") from error
    except PaymentError as error:
        raise PaymentRefused(str(error), code="payment_gateway_error") from error
    if intent.succeeded:
        if payment.provider == "offline":
            # The offline gateway keeps no state: feed its signed event through the webhook
            # path, exactly as a real gateway's event would arrive.
            payload, header = provider.event_for(intent)
            payment_record_event(event=provider.parse_webhook(payload=payload, signature_header=header))
        else:
            _mark_succeeded(payment_id=payment.pk, intent=intent)
    return intent


def payment_sync(*, payment: Payment) -> Payment:
    """Read the intent back from the gateway and record it if it succeeded (the family's
    return from checkout; the webhook may come before or after, either is recorded once)."""
    if payment.status == Payment.Status.PENDING and payment.provider != "offline":
        try:
            intent = provider_for(payment).retrieve_intent(payment.intent_id)
        except PaymentError as error:
            logger.warning("payment %s: %s", payment.pk, error)
        else:
            if intent.succeeded:
                _mark_succeeded(payment_id=payment.pk, intent=intent)
            elif intent.status == "canceled":
                Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING).update(
                    status=Payment.Status.CANCELED
                )
    payment.refresh_from_db()
    return payment


def payment_record_event(*, event: Event) -> bool:
    """Record a verified webhook event. Returns False for an event already recorded (a replay:
    nothing changes), True otherwise.

    ``payment_intent.succeeded`` marks the payment succeeded and writes the ledger (once);
    ``payment_intent.payment_failed`` notes the failure (the family may try another card);
    ``payment_intent.canceled`` cancels a pending payment. Events about unknown intents
    (another system's, say) are recorded and otherwise ignored.
    """
    with transaction.atomic():
        payment = Payment.objects.filter(intent_id=event.intent_id).first() if event.intent_id else None
        try:
            with transaction.atomic():
                PaymentEvent.objects.create(
                    event_id=event.id[:255],
                    type=event.type[:80],
                    intent_id=event.intent_id[:255],
                    payment=payment,
                )
        except IntegrityError:
            return False
        if payment is None:
            return True
        if event.type == "payment_intent.succeeded":
            data = event.data
            intent = Intent(
                id=event.intent_id,
                client_secret="",
                amount=event.amount if event.amount is not None else Decimal("-1"),
                currency=event.currency,
                status=str(data.get("status") or "succeeded"),
            )
            _mark_succeeded(payment_id=payment.pk, intent=intent)
        elif event.type == "payment_intent.payment_failed":
            error = (event.data.get("last_payment_error") or {}).get("message") or _("The card was declined.")
            _note_failure(payment, error)
        elif event.type == "payment_intent.canceled":
            Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING).update(
                status=Payment.Status.CANCELED
            )
    return True


# --- Refunds ---------------------------------------------------------------------------------


def payment_refunds_for_entry(*, entry) -> list[PaymentRefund]:
    """Match a ``refunded`` ledger entry to the payment lines that paid its account (newest
    payment first) and write one outstanding ``PaymentRefund`` per line used. Runs inside the
    ledger's transaction; the gateway is called after commit (``payment_refunds_send``).
    Money that did not come through the gateway (paid at the school) has no line and is
    given back by the school."""
    lines = PaymentLine.objects.select_for_update().filter(
        payment__child_id=entry.child_id,
        payment__status=Payment.Status.SUCCEEDED,
        payment__child__school_class__school_id=entry.school_id,
    )
    lines = (
        lines.filter(activity_id=entry.activity_id)
        if entry.activity_id
        else lines.filter(activity__isnull=True)
    )
    left = entry.amount
    refunds = []
    for line in lines.order_by("-payment__succeeded_at", "-pk"):
        if left <= 0:
            break
        given = line.refunds.aggregate(total=Sum("amount"))["total"] or Decimal("0")
        room = line.amount - given
        if room <= 0:
            continue
        amount = min(room, left)
        refunds.append(PaymentRefund.objects.create(line=line, ledger_entry=entry, amount=amount))
        left -= amount
    if refunds:
        ids = [refund.pk for refund in refunds]
        transaction.on_commit(lambda: payment_refunds_send(refund_ids=ids))
    return refunds


def payment_refunds_send(*, refund_ids=None) -> list[PaymentRefund]:
    """Send outstanding refunds to the gateway (those in ``refund_ids``, or all outstanding).

    Each row is locked while it is sent and carries its own idempotency key, so two workers
    or a retry after a timeout never refund twice. Failures are kept (``failed``, with the
    message) for the next retry; nothing is raised."""
    outstanding = PaymentRefund.objects.exclude(status=PaymentRefund.Status.SUCCEEDED)
    if refund_ids is not None:
        outstanding = outstanding.filter(pk__in=list(refund_ids))
    done = []
    for refund_id in outstanding.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            refund = (
                PaymentRefund.objects.select_for_update()
                .select_related("line__payment")
                .filter(pk=refund_id)
                .exclude(status=PaymentRefund.Status.SUCCEEDED)
                .first()
            )
            if refund is None:
                continue
            payment = refund.line.payment
            refund.attempts += 1
            try:
                result = provider_for(payment).refund(
                    intent_id=payment.intent_id, amount=refund.amount, idempotency_key=refund.idempotency_key
                )
            except PaymentError as error:
                refund.status, refund.failure = PaymentRefund.Status.FAILED, str(error)[:200]
            else:
                refund.refund_id = result.id
                refund.failure = ""
                refund.status = (
                    PaymentRefund.Status.SUCCEEDED
                    if result.status == "succeeded"
                    else (
                        PaymentRefund.Status.FAILED
                        if result.status == "failed"
                        else PaymentRefund.Status.PENDING
                    )
                )
            refund.save(update_fields=["attempts", "refund_id", "failure", "status", "updated_at"])
            done.append(refund)
    # Refunds owed to families are a risk factor of the vendor: regrade on every answer.
    vendor_ids = set(
        PaymentRefund.objects.filter(
            pk__in=[r.pk for r in done], line__activity__vendor__isnull=False
        ).values_list("line__activity__vendor_id", flat=True)
    )
    if vendor_ids:
        ledger_moved.send(sender=PaymentRefund, vendor_ids=vendor_ids)
    return done


# --- Over-payments -----------------------------------------------------------------------------


@transaction.atomic
def payment_refund_overpayment(*, child, term, memo: str = "") -> list:
    """Refund what was paid for ``child``'s ``term`` beyond what the quote now asks, account
    by account (a waiver approved after payment, leaving supervised study mid-term).

    Per account: paid through the gateway (net of refunds already made or on their way)
    less the quote's amount for it; never more than is still held (what was released paid
    for delivered sessions). Each refund is a ledger ``refunded`` entry, which the payment
    layer sends back through the gateway after commit; it stays *owed* until the gateway
    accepts it. Calling it again refunds nothing more. Returns the refunded entries.
    """
    if child.household_id is None:
        return []
    if not Payment.objects.filter(child=child, term=term, status=Payment.Status.SUCCEEDED).exists():
        return []  # nothing paid through the gateway: nothing to give back
    try:
        over_paid = over_paid_by_account(child=child, term=term)
    except QuoteError as error:
        raise ValidationError(
            gettext("What was paid cannot be checked against the fees: %(reason)s")
            % {"reason": error.messages[0]},
            code="fees_quote_unavailable",
        ) from error
    entries = []
    for activity, amount in over_paid:
        entry = ledger_refund(child=child, activity=activity, amount=amount, memo=memo)
        if entry is not None:
            entries.append(entry)
    return entries


def payment_refund_waiver(*, waiver) -> list:
    """Give back what was paid before ``waiver`` was approved (``payment_refund_overpayment``)
    and, after commit, e-mail the family that the waiver was approved and what is refunded.
    Runs in the decision's transaction (``fees.signals.waiver_decided``). Returns the refunded
    ledger entries."""
    refunds = payment_refund_overpayment(child=waiver.child, term=waiver.term, memo=f"waiver {waiver.pk}")
    transaction.on_commit(lambda: _notify_waiver(waiver, refunds))
    return refunds


def _parent_emails(child) -> list[str]:
    if child.household_id is None:
        return []
    emails = Membership.objects.filter(role=Role.PARENT, household_id=child.household_id).exclude(
        user__email=""
    )
    return sorted(set(emails.values_list("user__email", flat=True)))


def _notify_waiver(waiver, refunds) -> None:
    """E-mail the family that the waiver was approved and what is given back."""
    recipients = _parent_emails(waiver.child)
    if not recipients:
        return
    total = money(sum((entry.amount for entry in refunds), Decimal("0")))
    values = {"child": waiver.child.name, "term": str(waiver.term), "amount": format_yuan(total)}
    subject = gettext("Fee waiver approved for %(child)s") % values
    body = gettext("The school approved a fee waiver for %(child)s for %(term)s.") % values
    if total:
        body += " " + (
            gettext(
                "%(amount)s you had already paid is being refunded to the card you paid with; "
                "the money page shows it as owed to you until the payment gateway accepts the refund."
            )
            % values
        )
    try:
        send_mail(subject, body, None, recipients)
    except Exception:  # the decision is committed; a mail failure must not undo or hide it
        logger.exception("Could not e-mail the family of waiver %s", waiver.pk)


class StudyLeaveError(DomainError):
    """Leaving supervised study is refused (a date outside the term or in the past, already left)."""


@transaction.atomic
def study_leave(*, child, term, user, on, today=None):
    """A parent takes ``child`` out of supervised study for the rest of ``term`` from ``on``
    (the first day not stayed) and is refunded what was paid for the sessions from then on.

    The child's term plan records the day (``TermPlan.study_left_on``; a plan is made with the
    class's days if the family had none), so the quote stops charging supervised study from
    that day and the ledger releases nothing for later sessions. The over-payment is
    refunded through the gateway (``payment_refund_overpayment``): owed until the gateway
    accepts it. Refused: not a parent of the child (``PermissionDenied``); ``on`` before today
    or outside the term, or the child has already left (``StudyLeaveError`` with a code).
    Returns ``(plan, refunded entries)``.
    """
    if not is_parent_of(user, child):
        raise PermissionDenied("Not a parent of this child")
    today = today or timezone.localdate()
    if on is None:
        raise StudyLeaveError(
            {
                "on": ValidationError(
                    gettext("Give the first day your child no longer stays."), code="study_leave_no_date"
                )
            },
            code="study_leave_no_date",
        )
    if on < today:
        raise StudyLeaveError(
            {
                "on": ValidationError(
                    gettext("The day cannot be in the past."), code="study_leave_in_the_past"
                )
            },
            code="study_leave_in_the_past",
        )
    if not term.start <= on <= term.end:
        raise StudyLeaveError(
            {
                "on": ValidationError(
                    gettext("The day must fall within the term."), code="study_leave_outside_term"
                )
            },
            code="study_leave_outside_term",
        )
    plan = TermPlan.objects.select_for_update().filter(child=child, term=term).order_by("pk").first()
    if plan is None:
        try:
            with transaction.atomic():
                plan = TermPlan.objects.create(child=child, term=term, days=child.school_class.days)
        except IntegrityError:  # a concurrent request made the plan first
            plan = TermPlan.objects.select_for_update().get(child=child, term=term)
    if plan.study_left_on is not None:
        raise StudyLeaveError(
            gettext("%(child)s already left supervised study on %(date)s.")
            % {"child": child.name, "date": formats.date_format(plan.study_left_on, "DATE_FORMAT")},
            code="study_already_left",
        )
    plan.study_left_on = on
    plan.save(update_fields=["study_left_on", "updated_at"])
    refunds = payment_refund_overpayment(child=child, term=term, memo=f"left supervised study {on}")
    return plan, refunds
