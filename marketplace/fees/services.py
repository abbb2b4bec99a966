"""State changes of fee waivers: a parent asks, the child's school approves or rejects.

Both functions are atomic and check who may act as well as what may happen: a user who is
not a parent of the child's household (or not an administrator of the child's school)
gets ``PermissionDenied`` (views turn it into a 404 through the access helpers); bad input
or a wrong state raises ``WaiverError`` (a ``ValidationError``: field errors name the form
field) and nothing is written.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.money import format_yuan, money
from marketplace.fees.models import SchoolFeePolicy, Waiver
from people.roles.access import roles_of
from people.roles.models import Role

logger = logging.getLogger(__name__)


class WaiverError(ValidationError):
    """A waiver request or decision that cannot be made."""


def _is_parent_of(user, child) -> bool:
    return child.household_id is not None and any(
        m.household_id == child.household_id for m in roles_of(user, Role.PARENT)
    )


def _is_admin_of(user, school_id: int) -> bool:
    return any(m.school_id == school_id for m in roles_of(user, Role.SCHOOL_ADMIN))


@transaction.atomic
def waiver_request(*, child, term, user, kind: str, percent: int | None = None, reason: str) -> Waiver:
    """A parent of the child's household asks for a full or partial waiver for a term."""
    if not _is_parent_of(user, child):
        raise PermissionDenied("Not a parent of this child")
    errors = {}
    if kind not in Waiver.Kind.values:
        errors["kind"] = ValidationError(_("Choose a full or a partial waiver."), code="waiver_kind_invalid")
    elif kind == Waiver.Kind.FULL:
        percent = None
    elif percent is None or not 1 <= int(percent) <= 99:
        errors["percent"] = ValidationError(
            _("A partial waiver waives between 1 and 99 percent."), code="waiver_percent_invalid"
        )
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ValidationError(
            _("Say why the family asks for a waiver."), code="waiver_reason_missing"
        )
    if errors:
        raise WaiverError(errors)
    if Waiver.objects.filter(
        child=child, term=term, status__in=[Waiver.Status.REQUESTED, Waiver.Status.APPROVED]
    ).exists():
        raise WaiverError(
            _("This child already has a waiver requested or approved for this term."),
            code="waiver_already_live",
        )
    try:
        with transaction.atomic():
            return Waiver.objects.create(
                child=child,
                term=term,
                kind=kind,
                percent=int(percent) if percent is not None else None,
                reason=reason,
                requested_by=user,
            )
    except IntegrityError:  # a concurrent request won the race
        raise WaiverError(
            _("This child already has a waiver requested or approved for this term."),
            code="waiver_already_live",
        ) from None


@transaction.atomic
def waiver_decide(*, waiver: Waiver, user, approve: bool, note: str = "") -> Waiver:
    """An administrator of the child's school approves or rejects a requested waiver."""
    waiver = Waiver.objects.select_for_update().select_related("child__school_class").get(pk=waiver.pk)
    if not _is_admin_of(user, waiver.child.school_class.school_id):
        raise PermissionDenied("Not an administrator of this child's school")
    if waiver.status != Waiver.Status.REQUESTED:
        raise WaiverError(_("This waiver has already been decided."), code="waiver_already_decided")
    note = (note or "").strip()
    if not approve and not note:
        raise WaiverError(
            {
                "note": ValidationError(
                    _("Give the family the reason for the rejection."), code="waiver_note_missing"
                )
            }
        )
    waiver.status = Waiver.Status.APPROVED if approve else Waiver.Status.REJECTED
    waiver.decided_by = user
    waiver.decided_at = timezone.now()
    waiver.decision_note = note
    if approve:
        waiver.borne_by = SchoolFeePolicy.for_school(waiver.child.school_class.school_id).waiver_bearer
    waiver.save(
        update_fields=["status", "decided_by", "decided_at", "decision_note", "borne_by", "updated_at"]
    )
    if approve:
        # Money paid before the waiver is over-paid now: give it back through the gateway.
        refunds = fees_refund_overpayment(child=waiver.child, term=waiver.term, memo=f"waiver {waiver.pk}")
        transaction.on_commit(lambda: _notify_waiver(waiver, refunds))
    return waiver


@transaction.atomic
def fee_policy_save(*, school, user, waiver_bearer: str) -> SchoolFeePolicy:
    """A school administrator chooses who bears waivers of vendors' activities from now on.

    Waivers already decided keep the bearer they were approved with."""
    if not _is_admin_of(user, school.pk):
        raise PermissionDenied
    if waiver_bearer not in Waiver.Bearer.values:
        raise WaiverError(_("Choose the school or the vendor."), code="fee_policy_bearer_invalid")
    policy, _created = SchoolFeePolicy.objects.select_for_update().get_or_create(school=school)
    policy.waiver_bearer = waiver_bearer
    policy.save(update_fields=["waiver_bearer", "updated_at"])
    return policy


def _parent_emails(child) -> list[str]:
    from people.roles.models import Membership

    if child.household_id is None:
        return []
    emails = Membership.objects.filter(role=Role.PARENT, household_id=child.household_id).exclude(
        user__email=""
    )
    return sorted(set(emails.values_list("user__email", flat=True)))


def _notify_waiver(waiver: Waiver, refunds) -> None:
    """E-mail the family that the waiver was approved and what is given back."""
    recipients = _parent_emails(waiver.child)
    if not recipients:
        return
    total = money(sum((entry.amount for entry in refunds), Decimal("0")))
    values = {"child": waiver.child.name, "term": str(waiver.term), "amount": format_yuan(total)}
    subject = _("Fee waiver approved for %(child)s") % values
    body = _("The school approved a fee waiver for %(child)s for %(term)s.") % values
    if total:
        body += " " + (
            _(
                "%(amount)s you had already paid is being refunded to the card you paid with; "
                "the money page shows it as owed to you until the payment gateway accepts the refund."
            )
            % values
        )
    try:
        send_mail(subject, body, None, recipients)
    except Exception:  # the decision is committed; a mail failure must not undo or hide it
        logger.exception("Could not e-mail the family of waiver %s", waiver.pk)


@transaction.atomic
def fees_refund_overpayment(*, child, term, memo: str = "") -> list:
    """Refund what was paid for ``child``'s ``term`` beyond what the quote now asks, account
    by account (a waiver approved after payment, leaving supervised study mid-term).

    Per account: paid through the gateway (net of refunds already made or on their way)
    less the quote's amount for it; never more than is still held (what was released paid
    for delivered sessions). Each refund is a ledger ``refunded`` entry, which the payment
    layer sends back through the gateway after commit; it stays *owed* until the gateway
    accepts it. Calling it again refunds nothing more. Returns the refunded entries.
    """
    from marketplace.fees.quotes import QuoteError
    from marketplace.ledger.services import ledger_refund
    from marketplace.payments.models import Payment
    from marketplace.payments.selectors import over_paid_by_account

    if child.household_id is None:
        return []
    if not Payment.objects.filter(child=child, term=term, status=Payment.Status.SUCCEEDED).exists():
        return []  # nothing paid through the gateway: nothing to give back
    try:
        over_paid = over_paid_by_account(child=child, term=term)
    except QuoteError as error:
        raise ValidationError(
            _("What was paid cannot be checked against the fees: %(reason)s") % {"reason": error.messages[0]},
            code="fees_quote_unavailable",
        ) from error
    entries = []
    for activity, amount in over_paid:
        entry = ledger_refund(child=child, activity=activity, amount=amount, memo=memo)
        if entry is not None:
            entries.append(entry)
    return entries


class StudyLeaveError(ValidationError):
    """Leaving supervised study is refused (a date outside the term or in the past, already left)."""


@transaction.atomic
def study_leave(*, child, term, user, on, today=None):
    """A parent takes ``child`` out of supervised study for the rest of ``term`` from ``on``
    (the first day not stayed) and is refunded what was paid for the sessions from then on.

    The child's term plan records the day (``TermPlan.study_left_on``; a plan is made with the
    class's days if the family had none), so the quote stops charging supervised study from
    that day and the ledger releases nothing for later sessions. The over-payment is
    refunded through the gateway (``fees_refund_overpayment``): owed until the gateway
    accepts it. Refused: not a parent of the child (``PermissionDenied``); ``on`` before today
    or outside the term, or the child has already left (``StudyLeaveError`` with a code).
    Returns ``(plan, refunded entries)``.
    """
    from marketplace.enrolment.models import TermPlan

    if not _is_parent_of(user, child):
        raise PermissionDenied("Not a parent of this child")
    today = today or timezone.localdate()
    if on is None:
        raise StudyLeaveError(
            {
                "on": ValidationError(
                    _("Give the first day your child no longer stays."), code="study_leave_no_date"
                )
            }
        )
    if on < today:
        raise StudyLeaveError(
            {"on": ValidationError(_("The day cannot be in the past."), code="study_leave_in_the_past")}
        )
    if not term.start <= on <= term.end:
        raise StudyLeaveError(
            {"on": ValidationError(_("The day must fall within the term."), code="study_leave_outside_term")}
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
            _("%(child)s already left supervised study on %(date)s.")
            % {"child": child.name, "date": formats.date_format(plan.study_left_on, "DATE_FORMAT")},
            code="study_already_left",
        )
    plan.study_left_on = on
    plan.save(update_fields=["study_left_on", "updated_at"])
    refunds = fees_refund_overpayment(child=child, term=term, memo=f"left supervised study {on}")
    return plan, refunds
