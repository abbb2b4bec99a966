"""Reads of the prepaid-fee ledger: balances (sums of entries) and the invariants.

A ``Balance`` has paid, released, refunded, settled and the derived held (paid − released
− refunded: the family's money not yet earned) and owed (released − settled: earned, not
yet paid out). Balances are per family account (child × activity, or child × the school's
supervised study) and per payee (a vendor; a school for its staff-run activities and its
supervised study).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, DecimalField, ExpressionWrapper, F, IntegerField, Q, Sum, Value, When

from marketplace.courses.models import Activity
from marketplace.enrolment.models import Enrolment
from marketplace.households.models import Child
from marketplace.ledger.models import LedgerEntry, Payout

Kind = LedgerEntry.Kind
ZERO = Decimal("0.00")


@dataclass
class Balance:
    paid: Decimal = ZERO
    released: Decimal = ZERO
    refunded: Decimal = ZERO
    settled: Decimal = ZERO
    # What the balance is of: child/activity/school ids for an account; payee for a payee.
    key: tuple = field(default=())
    # The part of ``refunded`` the gateway has not accepted yet: still owed to the family.
    refund_owed: Decimal = ZERO

    @property
    def held(self) -> Decimal:
        return self.paid - self.released - self.refunded

    @property
    def refund_done(self) -> Decimal:
        """Refunds the family has actually got back (the gateway accepted them)."""
        return self.refunded - self.refund_owed

    @property
    def owed(self) -> Decimal:
        return self.released - self.settled

    def add(self, kind: str, amount: Decimal) -> None:
        setattr(self, kind, getattr(self, kind) + amount)


def _payee_expr():
    """('vendor', id) when the activity has a vendor, else ('school', id) — as SQL columns."""
    return {
        "payee_vendor": F("activity__vendor_id"),
        "payee_school": Case(
            When(activity__vendor_id__isnull=True, then=F("school_id")),
            default=Value(None),
            output_field=IntegerField(),
        ),
    }


def refunds_unconfirmed(entries=None):
    """The ``refunded`` entries of ``entries`` (all by default) annotated with ``owed``: the
    part the gateway has not accepted yet.

    A refund is *refunded* only when the gateway accepted it (its ``PaymentRefund`` rows
    succeeded); a row pending or failed (refused, unreachable; retried daily) is still owed
    to the family. The part of an entry with no gateway row at all is money that never came
    through the gateway (paid at the school) and is given back by the school in hand.
    """
    entries = LedgerEntry.objects.all() if entries is None else entries
    sent = Sum("gateway_refunds__amount", default=ZERO)
    accepted = Sum("gateway_refunds__amount", filter=Q(gateway_refunds__status="succeeded"), default=ZERO)
    return (
        entries.filter(kind=Kind.REFUNDED)
        .annotate(
            owed=ExpressionWrapper(
                sent - accepted, output_field=DecimalField(max_digits=12, decimal_places=2)
            )
        )
        .filter(owed__gt=0)
    )


def account_balances(entries=None) -> dict[tuple, Balance]:
    """Balances keyed by (child_id, activity_id or None, school_id) for ``entries`` (all by
    default), with the refunds the gateway has not accepted yet in ``refund_owed``."""
    entries = LedgerEntry.objects.all() if entries is None else entries
    result: dict[tuple, Balance] = {}
    for row in entries.values("child_id", "activity_id", "school_id", "kind").annotate(total=Sum("amount")):
        key = (row["child_id"], row["activity_id"], row["school_id"])
        result.setdefault(key, Balance(key=key)).add(row["kind"], row["total"])
    for entry in refunds_unconfirmed(entries).values("child_id", "activity_id", "school_id", "owed"):
        key = (entry["child_id"], entry["activity_id"], entry["school_id"])
        result[key].refund_owed += entry["owed"]
    return result


def household_balances(household) -> list[Balance]:
    """The household's balances, one per child and account (child, activity, school ids in ``key``)."""
    return sorted(
        account_balances(LedgerEntry.objects.filter(household=household)).values(),
        key=lambda b: (b.key[0], b.key[1] or 0, b.key[2]),
    )


def household_total(household) -> Balance:
    """The household's totals across its children and accounts."""
    total = Balance(key=("household", household.pk))
    for balance in household_balances(household):
        for kind in (Kind.PAID, Kind.RELEASED, Kind.REFUNDED, Kind.SETTLED):
            total.add(kind, getattr(balance, kind))
        total.refund_owed += balance.refund_owed
    return total


def payee_balances() -> dict[tuple[str, int], Balance]:
    """Balances per payee: ``('vendor', id)`` or ``('school', id)``."""
    result: dict[tuple[str, int], Balance] = {}
    rows = (
        LedgerEntry.objects.annotate(**_payee_expr())
        .values("payee_vendor", "payee_school", "kind")
        .annotate(total=Sum("amount"))
    )
    for row in rows:
        key = ("vendor", row["payee_vendor"]) if row["payee_vendor"] else ("school", row["payee_school"])
        result.setdefault(key, Balance(key=key)).add(row["kind"], row["total"])
    return result


def vendor_balance(vendor) -> Balance:
    """A vendor's totals over its activities: paid, held, released, refunded, settled, owed."""
    return payee_balances().get(("vendor", vendor.pk), Balance(key=("vendor", vendor.pk)))


def school_service_balance(school) -> Balance:
    """A school's own services (supervised study and staff-run activities) as a payee."""
    return payee_balances().get(("school", school.pk), Balance(key=("school", school.pk)))


def payouts_for(*, vendor=None, school=None):
    """A payee's payouts, newest first (each has ``statement()``)."""
    if (vendor is None) == (school is None):
        raise ValueError("pass exactly one of vendor= or school=")
    return (
        Payout.objects.filter(vendor=vendor) if vendor is not None else Payout.objects.filter(school=school)
    )


def ledger_invariants_hold() -> list[str]:
    """The violated invariants of the whole ledger, as messages (empty when all hold).

    For every family account and every payee: held + released + refunded = paid with
    every figure ≥ 0 (so held ≥ 0), and settled ≤ released (owed ≥ 0). Also: each payout
    equals the sum of its statement, and each settled entry equals the released entry it
    pays, in the same account.
    """
    problems: list[str] = []
    groups = [("account", account_balances()), ("payee", payee_balances())]
    for label, balances in groups:
        for key, b in balances.items():
            if b.held + b.released + b.refunded != b.paid:
                problems.append(f"{label} {key}: held + released + refunded != paid")
            for name in ("paid", "released", "refunded", "settled", "held", "owed"):
                if getattr(b, name) < 0:
                    problems.append(f"{label} {key}: {name} is negative ({getattr(b, name)})")
    statement = defaultdict(lambda: ZERO)
    for row in (
        LedgerEntry.objects.filter(kind=Kind.SETTLED).values("payout_id").annotate(total=Sum("amount"))
    ):
        statement[row["payout_id"]] = row["total"]
    for payout in Payout.objects.all():
        if payout.amount != statement[payout.pk]:
            problems.append(f"payout {payout.pk}: amount {payout.amount} != statement {statement[payout.pk]}")
    mismatched = LedgerEntry.objects.filter(kind=Kind.SETTLED).exclude(
        amount=F("settles__amount"),
        child_id=F("settles__child_id"),
        school_id=F("settles__school_id"),
        settles__kind=Kind.RELEASED,
    )
    for entry_id in mismatched.values_list("pk", flat=True):
        problems.append(f"settled entry {entry_id} does not match the released entry it pays")
    return problems


@dataclass
class VendorExposure:
    """What families stand to lose if a vendor fails (the risk grade's money factors).

    ``pupils_holding``: children with money still held in the vendor's activities;
    ``held``: that money; ``refunds_owed``: money due back to families — the part of it
    held for children who are no longer placed in the activity (withdrawn or removed), and
    the refunds of the vendor's activities the gateway has not accepted yet (pending, or
    refused and waiting for the retry).
    """

    vendor_id: int
    pupils_holding: int = 0
    held: Decimal = ZERO
    refunds_owed: Decimal = ZERO


def vendor_exposures(vendor_ids=None) -> dict[int, VendorExposure]:
    """``VendorExposure`` per vendor (only vendors with ledger entries; ``vendor_ids`` narrows)."""
    entries = LedgerEntry.objects.filter(activity__vendor__isnull=False).exclude(kind=Kind.SETTLED)
    if vendor_ids is not None:
        entries = entries.filter(activity__vendor_id__in=list(vendor_ids))
    held: dict[tuple[int, int, int], Decimal] = defaultdict(lambda: ZERO)
    sign = {Kind.PAID: 1, Kind.RELEASED: -1, Kind.REFUNDED: -1}
    for row in entries.values("activity__vendor_id", "activity_id", "child_id", "kind").annotate(
        total=Sum("amount")
    ):
        key = (row["activity__vendor_id"], row["activity_id"], row["child_id"])
        held[key] += sign[row["kind"]] * row["total"]
    holding = {key: amount for key, amount in held.items() if amount > 0}
    placed = set(
        Enrolment.objects.filter(
            status=Enrolment.Status.PLACED, activity_id__in={k[1] for k in holding}
        ).values_list("activity_id", "child_id")
    )
    result: dict[int, VendorExposure] = {}
    children: dict[int, set[int]] = defaultdict(set)
    for (vendor_id, activity_id, child_id), amount in holding.items():
        exposure = result.setdefault(vendor_id, VendorExposure(vendor_id=vendor_id))
        exposure.held += amount
        children[vendor_id].add(child_id)
        if (activity_id, child_id) not in placed:
            exposure.refunds_owed += amount
    for vendor_id, exposure in result.items():
        exposure.pupils_holding = len(children[vendor_id])
    unconfirmed = refunds_unconfirmed(LedgerEntry.objects.filter(activity__vendor__isnull=False))
    if vendor_ids is not None:
        unconfirmed = unconfirmed.filter(activity__vendor_id__in=list(vendor_ids))
    for row in unconfirmed.values("activity__vendor_id", "owed"):
        exposure = result.setdefault(
            row["activity__vendor_id"], VendorExposure(vendor_id=row["activity__vendor_id"])
        )
        exposure.refunds_owed += row["owed"]
    return result


# --- The money pages: payout statements, a household's accounts, the bureau's overview ----


def payout_for_payee(*, payout_id: int, vendor=None, school=None) -> Payout | None:
    """One payout of the payee (exactly one of ``vendor=``/``school=``), or None — another
    payee's payout is not found."""
    return payouts_for(vendor=vendor, school=school).filter(pk=payout_id).first()


@dataclass
class StatementLine:
    """One settled entry of a payout: the delivered session it pays for."""

    date: object
    activity: object  # an Activity, or None for supervised study
    child: object
    amount: Decimal


def payout_statement_lines(payout: Payout) -> list[StatementLine]:
    """The payout's statement as lines in session-date order (the sum is the payout's amount)."""
    return [
        StatementLine(
            date=entry.settles.dated_session.date,
            activity=entry.activity,
            child=entry.child,
            amount=entry.amount,
        )
        for entry in payout.statement()
    ]


@dataclass
class HouseholdAccount:
    """One child's money in one account (``activity`` None: the school's supervised study)."""

    child: object
    activity: object
    school_id: int
    balance: Balance


def household_accounts(household) -> list[HouseholdAccount]:
    """The household's accounts with their balances, by child name then activity."""
    balances = household_balances(household)
    children = Child.objects.in_bulk({b.key[0] for b in balances})
    activities = Activity.objects.select_related("vendor").in_bulk({b.key[1] for b in balances if b.key[1]})
    accounts = [
        HouseholdAccount(
            child=children[b.key[0]], activity=activities.get(b.key[1]), school_id=b.key[2], balance=b
        )
        for b in balances
    ]
    return sorted(
        accounts,
        key=lambda a: (
            a.child.name,
            a.child.pk,
            a.activity is not None,
            a.activity.name if a.activity else "",
        ),
    )


@dataclass
class VendorMoney:
    """A vendor's row on the bureau's overview (``vendor_exposures`` and ``payee_balances``)."""

    vendor: object
    pupils_holding: int = 0
    held: Decimal = ZERO
    owed: Decimal = ZERO
    refunds_owed: Decimal = ZERO


def vendor_money(vendors) -> list[VendorMoney]:
    """One row per vendor of ``vendors`` (a queryset) that has ledger money, unsorted."""
    vendors = {v.pk: v for v in vendors}
    balances = payee_balances()
    exposures = vendor_exposures(vendors.keys())
    rows = []
    for vendor_id, vendor in vendors.items():
        balance = balances.get(("vendor", vendor_id))
        exposure = exposures.get(vendor_id)
        if balance is None and exposure is None:
            continue
        rows.append(
            VendorMoney(
                vendor=vendor,
                pupils_holding=exposure.pupils_holding if exposure else 0,
                held=balance.held if balance else ZERO,
                owed=balance.owed if balance else ZERO,
                refunds_owed=exposure.refunds_owed if exposure else ZERO,
            )
        )
    return rows


def held_at_schools(district_ids=None) -> Decimal:
    """Prepaid money held (paid − released − refunded) in every account at the schools of
    ``district_ids`` (every school when None): vendors' activities and the schools' own."""
    entries = LedgerEntry.objects.exclude(kind=Kind.SETTLED)
    if district_ids is not None:
        entries = entries.filter(school__district_id__in=list(district_ids))
    total = Balance()
    for row in entries.values("kind").annotate(total=Sum("amount")):
        total.add(row["kind"], row["total"])
    return total.held
