"""Writes to the prepaid-fee ledger. Every function is atomic and only appends entries.

Concurrency: the functions that move a family's money (pay, release, refund) lock the
family's ``Household`` row (in primary-key order when several) before reading a balance, so
two concurrent calls cannot both spend the same held money. Settlement locks the released
entries it pays, then re-reads them, so two concurrent runs cannot pay one twice (and the
one-to-one ``settles`` link and the one-payout-per-payee-and-day constraints back this up).

**The release rule.** When a dated session is delivered, each child on its roster with
money held in that account releases one session's worth::

    unit = held ÷ (the account's sessions for the child not yet released, this one included)

rounded to fen (half up) and never more than what is held; the last remaining session
releases everything still held. For an activity, the child's sessions are its meetings from
the day the placed enrolment began (``joined_on``) until it ended (``left_on``); for
supervised study, the supervision sessions of the child's class on the weekdays the child
stays (the term plan's days, else the class's — as ``roster_for``). A session that is never
delivered keeps its share held (a withdrawal refunds it). With one payment covering the
sessions it was quoted for, the unit is the per-session price the family paid; a late
payment, a partial payment or a price change spread evenly over what is left, so nothing is
ever released twice and the held money always reaches zero with the last session.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.money import money
from marketplace.courses.models import Activity
from marketplace.enrolment.models import Enrolment, TermPlan
from marketplace.households.models import Household
from marketplace.ledger.models import LedgerEntry, Payout
from marketplace.ledger.signals import ledger_moved, ledger_refunded
from scheduling.attendance.selectors import roster_for
from scheduling.timetables.models import DatedSession

Kind = LedgerEntry.Kind


class LedgerError(DomainError):
    """A ledger operation is refused (bad amount, wrong account, wrong state)."""


def _announce(entries) -> None:
    """Send ``ledger_moved`` after commit, naming the vendors whose money the entries moved."""
    entries = [e for e in entries if e is not None]
    if not entries:
        return
    activity_ids = {e.activity_id for e in entries if e.activity_id is not None}
    vendor_ids = set()
    if activity_ids:
        vendor_ids = set(
            Activity.objects.filter(pk__in=activity_ids, vendor__isnull=False).values_list(
                "vendor_id", flat=True
            )
        )
    transaction.on_commit(lambda: ledger_moved.send(sender=LedgerEntry, vendor_ids=vendor_ids))


def _lock_households(ids) -> None:
    list(Household.objects.select_for_update().filter(pk__in=set(ids)).order_by("pk").values_list("pk"))


def _account_filter(*, child, activity, school_id) -> Q:
    if activity is not None:
        return Q(child=child, activity=activity)
    return Q(child=child, activity__isnull=True, school_id=school_id)


def held_in(*, child, activity=None, school_id=None) -> Decimal:
    """Money held for ``child`` in one account (``activity``, or supervised study at ``school_id``)."""
    if activity is None and school_id is None:
        school_id = child.school_class.school_id
    sums = {
        row["kind"]: row["total"]
        for row in LedgerEntry.objects.filter(
            _account_filter(child=child, activity=activity, school_id=school_id)
        )
        .exclude(kind=Kind.SETTLED)
        .values("kind")
        .annotate(total=Sum("amount"))
    }
    zero = Decimal("0.00")
    return money(sums.get(Kind.PAID, zero) - sums.get(Kind.RELEASED, zero) - sums.get(Kind.REFUNDED, zero))


def _clean_amount(amount, where: str) -> Decimal:
    if isinstance(amount, float) or not isinstance(amount, Decimal | int | str):
        raise LedgerError(
            _("%(where)s: the amount must be a decimal number of yuan.") % {"where": where},
            code="ledger_bad_amount",
        )
    try:
        value = Decimal(amount)
    except ArithmeticError as exc:
        raise LedgerError(
            _("%(where)s: the amount is not a number.") % {"where": where}, code="ledger_bad_amount"
        ) from exc
    if not value.is_finite() or value <= 0 or money(value) != value:
        raise LedgerError(
            _("%(where)s: the amount must be positive with at most two decimal places.") % {"where": where},
            code="ledger_bad_amount",
        )
    return money(value)


@transaction.atomic
def ledger_pay(*, child, lines, memo: str = "") -> list[LedgerEntry]:
    """Record a family's payment for ``child``: one ``paid`` entry per line; the money is held.

    ``lines`` is a list of ``(activity, amount)``; ``activity`` None means the school's
    supervised-study service. Refused (nothing written) when the child has no household, a
    line is empty or not a positive amount in fen, or an activity is at another school.
    Idempotency (a payment recorded once) is the payment layer's job.
    """
    if child.household_id is None:
        raise LedgerError(_("The child is not linked to a household."), code="ledger_no_household")
    lines = list(lines)
    if not lines:
        raise LedgerError(_("A payment needs at least one line."), code="ledger_no_lines")
    school_id = child.school_class.school_id
    cleaned = []
    for number, (activity, amount) in enumerate(lines, start=1):
        where = _("Line %(n)s") % {"n": number}
        if activity is not None and activity.school_id != school_id:
            raise LedgerError(
                _("%(where)s: the activity is not at the child's school.") % {"where": where},
                code="ledger_wrong_school",
            )
        cleaned.append((activity, _clean_amount(amount, str(where))))
    _lock_households([child.household_id])
    entries = [
        LedgerEntry.objects.create(
            kind=Kind.PAID,
            household_id=child.household_id,
            child=child,
            activity=activity,
            school_id=school_id,
            amount=amount,
            memo=memo[:200],
        )
        for activity, amount in cleaned
    ]
    _announce(entries)
    return entries


def _remaining_sessions(*, child, dated_session: DatedSession) -> int:
    """The account's sessions for ``child`` not yet released (see the module's rule), ≥ 1."""
    unreleased = ~Exists(
        LedgerEntry.objects.filter(kind=Kind.RELEASED, child=child, dated_session=OuterRef("pk"))
    )
    if dated_session.kind == DatedSession.Kind.MEETING:
        enrolment = (
            Enrolment.objects.filter(
                child=child,
                activity_id=dated_session.activity_id,
                status=Enrolment.Status.PLACED,
                joined_on__lte=dated_session.date,
            )
            .order_by("-joined_on")
            .first()
        )
        sessions = DatedSession.objects.filter(
            kind=DatedSession.Kind.MEETING, activity_id=dated_session.activity_id
        )
        if enrolment is not None:
            sessions = sessions.filter(date__gte=enrolment.joined_on)
            if enrolment.left_on is not None:
                sessions = sessions.filter(date__lt=enrolment.left_on)
        count = sessions.filter(unreleased).count()
    else:
        school_class = child.school_class
        plans = {
            term_id: (days, left_on)
            for term_id, days, left_on in TermPlan.objects.filter(child=child).values_list(
                "term_id", "days", "study_left_on"
            )
        }
        count = 0
        for term_id, weekday, day in DatedSession.objects.filter(
            unreleased, kind=DatedSession.Kind.SUPERVISION, school_class=school_class
        ).values_list("term_id", "slot__weekday", "date"):
            days, left_on = plans.get(term_id, (school_class.days, None))
            # A family that left supervised study owes nothing from that day on.
            if days & (1 << weekday) and (left_on is None or day < left_on):
                count += 1
    return max(count, 1)


@transaction.atomic
def ledger_release_session(*, dated_session: DatedSession) -> list[LedgerEntry]:
    """Release one session's worth of held money for each child on the session's roster.

    Connected to ``session_delivered``. Idempotent per (session, child): a child whose
    money for this session was already released is skipped (and a unique constraint backs
    this). Children with nothing held in the account release nothing. Returns the new
    ``released`` entries.
    """
    roster = [child for child in roster_for(dated_session) if child.household_id is not None]
    if not roster:
        return []
    _lock_households(child.household_id for child in roster)
    already = set(
        LedgerEntry.objects.filter(kind=Kind.RELEASED, dated_session=dated_session).values_list(
            "child_id", flat=True
        )
    )
    activity = dated_session.activity if dated_session.kind == DatedSession.Kind.MEETING else None
    school_id = dated_session.school_id
    written = []
    for child in roster:
        if child.pk in already:
            continue
        held = held_in(child=child, activity=activity, school_id=school_id)
        if held <= 0:
            continue
        remaining = _remaining_sessions(child=child, dated_session=dated_session)
        unit = held if remaining == 1 else min(held, money(held / remaining))
        if unit <= 0:
            continue
        written.append(
            LedgerEntry.objects.create(
                kind=Kind.RELEASED,
                household_id=child.household_id,
                child=child,
                activity=activity,
                school_id=school_id,
                dated_session=dated_session,
                amount=unit,
                memo=f"1/{remaining} of {held}",
            )
        )
    _announce(written)
    return written


@transaction.atomic
def ledger_refund_held(*, child, activity=None, memo: str = "") -> LedgerEntry | None:
    """Refund everything still held for ``child`` in one account (``activity``, or supervised
    study at the child's school when None). Returns the ``refunded`` entry, or None when
    nothing is held (so calling it again refunds nothing more)."""
    return ledger_refund(child=child, activity=activity, amount=None, memo=memo)


@transaction.atomic
def ledger_refund(*, child, activity=None, amount: Decimal | None, memo: str = "") -> LedgerEntry | None:
    """Refund ``amount`` of the money held for ``child`` in one account (``activity``, or
    supervised study at the child's school when None); ``None`` refunds all that is held.

    Never more than is held: a larger amount is cut to what is held (the rest was already
    released for delivered sessions). Returns the ``refunded`` entry, or None when nothing
    is refunded. ``ledger_refunded`` is sent in the transaction, so the payment layer gives
    the money back through the gateway after commit; until the gateway accepts it the
    refund is *owed* to the family (see ``selectors.refunds_unconfirmed``).
    """
    if child.household_id is None:
        raise LedgerError(_("The child is not linked to a household."), code="ledger_no_household")
    if amount is not None:
        amount = _clean_amount(amount, str(_("Refund")))
    _lock_households([child.household_id])
    school_id = activity.school_id if activity is not None else child.school_class.school_id
    held = held_in(child=child, activity=activity, school_id=school_id)
    if held <= 0:
        return None
    amount = held if amount is None else min(held, amount)
    entry = LedgerEntry.objects.create(
        kind=Kind.REFUNDED,
        household_id=child.household_id,
        child=child,
        activity=activity,
        school_id=school_id,
        amount=amount,
        memo=memo[:200],
    )
    ledger_refunded.send(sender=LedgerEntry, entry=entry)
    _announce([entry])
    return entry


@transaction.atomic
def ledger_refund_undelivered(*, enrolment: Enrolment) -> LedgerEntry | None:
    """On withdrawal: refund the money still held for the enrolment's child and activity —
    the sessions not yet delivered. Refused unless the enrolment is withdrawn."""
    if enrolment.status != Enrolment.Status.WITHDRAWN:
        raise LedgerError(_("Only a withdrawn enrolment is refunded."), code="ledger_not_withdrawn")
    return ledger_refund_held(
        child=enrolment.child, activity=enrolment.activity, memo=f"withdrawal {enrolment.left_on}"
    )


def _payee_key(entry: LedgerEntry) -> tuple[str, int]:
    if entry.activity_id is not None and entry.activity.vendor_id is not None:
        return ("vendor", entry.activity.vendor_id)
    return ("school", entry.school_id)


@transaction.atomic
def ledger_settle(*, for_date: date) -> list[Payout]:
    """The nightly settlement: pay each payee what was released for sessions dated on or
    before ``for_date`` and not yet settled (late attendance is caught up on the next run).

    Writes one ``Payout`` per payee (vendor; school for its own services) and one
    ``settled`` entry per released entry it pays (the statement). Idempotent: a second run
    finds nothing unsettled, and a payee already paid for ``for_date`` is left for the next
    day's run. Returns the new payouts.
    """
    unsettled = LedgerEntry.objects.filter(
        kind=Kind.RELEASED, dated_session__date__lte=for_date, settlement__isnull=True
    )
    # Lock, then read again: a concurrent run that settled them first has committed by now.
    list(unsettled.select_for_update(of=("self",)).values_list("pk"))
    groups: dict[tuple[str, int], list[LedgerEntry]] = defaultdict(list)
    for entry in unsettled.select_related("activity").order_by("pk"):
        groups[_payee_key(entry)].append(entry)
    payouts = []
    for (kind, payee_id), entries in sorted(groups.items()):
        payee = {"vendor_id": payee_id} if kind == "vendor" else {"school_id": payee_id}
        if Payout.objects.filter(for_date=for_date, **payee).exists():
            continue
        payout = Payout.objects.create(
            for_date=for_date, amount=money(sum((e.amount for e in entries), Decimal("0"))), **payee
        )
        for entry in entries:
            LedgerEntry.objects.create(
                kind=Kind.SETTLED,
                household_id=entry.household_id,
                child_id=entry.child_id,
                activity_id=entry.activity_id,
                school_id=entry.school_id,
                payout=payout,
                settles=entry,
                amount=entry.amount,
                memo=f"payout {for_date}",
            )
        payouts.append(payout)
    if payouts:
        vendor_ids = {p.vendor_id for p in payouts if p.vendor_id is not None}
        transaction.on_commit(lambda: ledger_moved.send(sender=LedgerEntry, vendor_ids=vendor_ids))
    return payouts
