"""Unit tests of the ledger's services, constraints and selectors."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from core.models import AppendOnlyError
from marketplace.enrolment.models import TermPlan
from marketplace.ledger.models import LedgerEntry, Payout
from marketplace.ledger.selectors import (
    household_balances,
    household_total,
    ledger_invariants_hold,
    school_service_balance,
    vendor_balance,
)
from marketplace.ledger.services import (
    LedgerError,
    held_in,
    ledger_pay,
    ledger_refund_held,
    ledger_refund_undelivered,
    ledger_release_session,
    ledger_settle,
)
from marketplace.ledger.tasks import ledger_settle_yesterday
from scheduling.attendance.signals import session_delivered
from tests import factories as f
from tests.ledger import withdraw

M = Decimal
Kind = LedgerEntry.Kind


def test_pay_holds_money_per_account(world):
    c0 = world.children[0]
    entries = ledger_pay(
        child=c0,
        lines=[(world.vendor_activity, M("30.00")), (None, "45.50"), (world.staff_activity, 12)],
        memo="p1",
    )
    assert [e.kind for e in entries] == [Kind.PAID] * 3
    assert held_in(child=c0, activity=world.vendor_activity) == M("30.00")
    assert held_in(child=c0) == M("45.50")
    assert held_in(child=c0, activity=world.staff_activity) == M("12.00")
    assert all(e.household_id == c0.household_id and e.school_id == world.school.pk for e in entries)
    assert household_total(c0.household).held == M("87.50")
    assert ledger_invariants_hold() == []


@pytest.mark.parametrize(
    "amount", [0, M("-1"), M("1.005"), 1.5, "abc", M("NaN"), None], ids=lambda a: repr(a)
)
def test_pay_refuses_bad_amounts_and_writes_nothing(world, amount):
    with pytest.raises(LedgerError) as caught:
        ledger_pay(child=world.children[0], lines=[(world.vendor_activity, M("10")), (None, amount)])
    assert caught.value.code == "ledger_bad_amount"
    assert not LedgerEntry.objects.exists()


def test_pay_refuses_empty_lines_foreign_activity_and_unlinked_child(world):
    with pytest.raises(LedgerError) as caught:
        ledger_pay(child=world.children[0], lines=[])
    assert caught.value.code == "ledger_no_lines"
    other = f.ActivityFactory()
    with pytest.raises(LedgerError) as caught:
        ledger_pay(child=world.children[0], lines=[(other, M("10"))])
    assert caught.value.code == "ledger_wrong_school"
    orphan = f.ChildFactory(school_class=world.school_class, household=None)
    with pytest.raises(LedgerError) as caught:
        ledger_pay(child=orphan, lines=[(None, M("10"))])
    assert caught.value.code == "ledger_no_household"
    assert not LedgerEntry.objects.exists()


def test_release_one_session_worth_and_idempotent(world):
    c0, c1 = world.children
    ledger_pay(child=c0, lines=[(world.vendor_activity, M("30.00"))])
    ledger_pay(child=c1, lines=[(world.vendor_activity, M("10.00"))])
    first = world.vendor_meetings[0]
    written = ledger_release_session(dated_session=first)
    assert sorted((e.child_id, e.amount) for e in written) == sorted(
        [(c0.pk, M("10.00")), (c1.pk, M("3.33"))]
    )
    assert ledger_release_session(dated_session=first) == []
    assert LedgerEntry.objects.filter(kind=Kind.RELEASED).count() == 2
    # 6.67 left for c1 over 2 sessions: 3.34 (half up), then the last releases the rest.
    assert [
        e.amount
        for e in ledger_release_session(dated_session=world.vendor_meetings[1])
        if e.child_id == c1.pk
    ] == [M("3.34")]
    ledger_release_session(dated_session=world.vendor_meetings[2])
    assert held_in(child=c0, activity=world.vendor_activity) == 0
    assert held_in(child=c1, activity=world.vendor_activity) == 0
    assert vendor_balance(world.vendor).released == M("40.00")
    assert ledger_invariants_hold() == []


def test_release_skips_children_without_money_or_off_the_roster(world):
    c0, c1 = world.children
    ledger_pay(child=c1, lines=[(world.vendor_activity, M("30.00"))])
    withdraw(world.enrolments[(1, "vendor")], on=datetime.date(2026, 9, 8))
    assert ledger_release_session(dated_session=world.vendor_meetings[0]) == []  # c0 paid nothing
    assert held_in(child=c1, activity=world.vendor_activity) == M("30.00")


def test_undelivered_session_stays_held_and_delivery_signal_releases(world):
    c0 = world.children[0]
    ledger_pay(child=c0, lines=[(world.staff_activity, M("30.00"))])
    # The middle session is delivered first (the first one never is): one third released.
    session_delivered.send(sender=None, dated_session=world.staff_meetings[1])
    released = LedgerEntry.objects.get(kind=Kind.RELEASED)
    assert (released.amount, released.dated_session_id) == (M("10.00"), world.staff_meetings[1].pk)
    assert held_in(child=c0, activity=world.staff_activity) == M("20.00")


def test_attendance_service_releases_through_the_signal(world):
    from scheduling.attendance.services import attendance_record

    c0, c1 = world.children
    ledger_pay(child=c0, lines=[(world.vendor_activity, M("30.00"))])
    admin = f.SchoolAdminFactory(school=world.school).user
    attendance_record(
        dated_session=world.vendor_meetings[0],
        user=admin,
        statuses={c0.pk: "present", c1.pk: "absent"},
        today=world.vendor_meetings[0].date,
    )
    assert held_in(child=c0, activity=world.vendor_activity) == M("20.00")


def test_supervision_release_follows_the_term_plan_days(world):
    c0, c1 = world.children
    TermPlan.objects.create(child=c1, term=world.term, days=0b0000110)  # not Mondays
    ledger_pay(child=c0, lines=[(None, M("30.00"))])
    ledger_pay(child=c1, lines=[(None, M("30.00"))])
    written = ledger_release_session(dated_session=world.supervision[0])
    assert [(e.child_id, e.amount, e.activity_id) for e in written] == [(c0.pk, M("10.00"), None)]
    assert school_service_balance(world.school).released == M("10.00")


def test_refund_undelivered_on_withdrawal(world):
    c0 = world.children[0]
    enrolment = world.enrolments[(0, "vendor")]
    ledger_pay(child=c0, lines=[(world.vendor_activity, M("30.00"))])
    ledger_release_session(dated_session=world.vendor_meetings[0])
    with pytest.raises(LedgerError) as caught:
        ledger_refund_undelivered(enrolment=enrolment)  # still placed
    assert caught.value.code == "ledger_not_withdrawn"
    withdraw(enrolment, on=datetime.date(2026, 9, 10))
    refund = ledger_refund_undelivered(enrolment=enrolment)
    assert (refund.kind, refund.amount) == (Kind.REFUNDED, M("20.00"))
    assert ledger_refund_undelivered(enrolment=enrolment) is None
    assert ledger_release_session(dated_session=world.vendor_meetings[1]) == []  # off the roster
    [balance] = household_balances(c0.household)
    assert (balance.paid, balance.released, balance.refunded, balance.held) == (
        M("30.00"),
        M("10.00"),
        M("20.00"),
        0,
    )
    assert ledger_refund_held(child=c0) is None  # nothing held for supervised study


def test_settle_pays_each_payee_once_with_a_statement(world):
    c0, c1 = world.children
    ledger_pay(
        child=c0, lines=[(world.vendor_activity, M("30")), (world.staff_activity, M("15")), (None, M("9"))]
    )
    ledger_pay(child=c1, lines=[(world.vendor_activity, M("60"))])
    ledger_release_session(dated_session=world.supervision[0])  # 7 Sept, school
    ledger_release_session(dated_session=world.vendor_meetings[0])  # 8 Sept, vendor
    ledger_release_session(dated_session=world.staff_meetings[0])  # 9 Sept, school
    assert ledger_settle(for_date=datetime.date(2026, 9, 6)) == []
    payouts = ledger_settle(for_date=datetime.date(2026, 9, 8))
    by_payee = {p.payee: p for p in payouts}
    assert set(by_payee) == {world.vendor, world.school}
    assert by_payee[world.vendor].amount == M("30.00")
    assert by_payee[world.school].amount == M("3.00")  # the 9 Sept session is not yet due
    assert [e.settles.dated_session for e in by_payee[world.vendor].statement()] == [
        world.vendor_meetings[0]
    ] * 2
    assert ledger_settle(for_date=datetime.date(2026, 9, 8)) == []  # idempotent
    # A release for 7 Sept written after that payout (c1 paid late): not paid twice for
    # 8 Sept, but caught up by the next night's run with the 9 Sept session.
    ledger_pay(child=c1, lines=[(None, M("9"))])
    assert [e.child_id for e in ledger_release_session(dated_session=world.supervision[0])] == [c1.pk]
    assert ledger_settle(for_date=datetime.date(2026, 9, 8)) == []
    nxt = ledger_settle(for_date=datetime.date(2026, 9, 9))
    assert [(p.payee, p.amount) for p in nxt] == [(world.school, M("8.00"))]
    assert vendor_balance(world.vendor).owed == 0
    assert school_service_balance(world.school).settled == M("11.00")
    assert school_service_balance(world.school).owed == 0
    assert Payout.objects.count() == 3
    assert ledger_invariants_hold() == []


def test_settle_yesterday_task(world):
    ledger_pay(child=world.children[0], lines=[(world.vendor_activity, M("30"))])
    ledger_release_session(dated_session=world.vendor_meetings[0])
    result = ledger_settle_yesterday.enqueue()
    assert result.return_value == 1
    assert Payout.objects.get().vendor == world.vendor


def test_entries_and_payouts_are_append_only(world):
    [entry] = ledger_pay(child=world.children[0], lines=[(None, M("5"))])
    entry.amount = M("50")
    with pytest.raises(AppendOnlyError) as caught:
        entry.save()
    assert caught.value.code == "append_only"
    with pytest.raises(AppendOnlyError) as caught:
        entry.delete()
    assert caught.value.code == "append_only"
    with pytest.raises(AppendOnlyError) as caught:
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=M("50"))
    assert caught.value.code == "append_only"
    with pytest.raises(AppendOnlyError) as caught:
        LedgerEntry.objects.all().delete()
    assert caught.value.code == "append_only"
    ledger_release_session(dated_session=world.supervision[0])
    [payout] = ledger_settle(for_date=datetime.date(2026, 9, 30))
    with pytest.raises(AppendOnlyError) as caught:
        payout.delete()
    assert caught.value.code == "append_only"
    assert LedgerEntry.objects.get(pk=entry.pk).amount == M("5.00")


def _entry(world, **kwargs):
    c0 = world.children[0]
    values = {
        "kind": Kind.PAID,
        "household_id": c0.household_id,
        "child": c0,
        "school": world.school,
        "amount": M("1.00"),
    }
    values.update(kwargs)
    with transaction.atomic():
        LedgerEntry.objects.create(**values)


@pytest.mark.parametrize(
    "bad",
    [
        {"amount": M("0")},
        {"amount": M("-1")},
        {"kind": Kind.RELEASED},  # no session
        {"kind": "gift"},
        {"kind": Kind.SETTLED},  # no payout nor released entry
    ],
    ids=["zero", "negative", "release-without-session", "unknown-kind", "settled-without-payout"],
)
def test_db_refuses_misshapen_entries(world, bad):
    with pytest.raises(IntegrityError):
        _entry(world, **bad)


def test_db_refuses_paid_with_session_and_double_release(world):
    with pytest.raises(IntegrityError):
        _entry(world, dated_session=world.supervision[0])
    _entry(world, kind=Kind.RELEASED, dated_session=world.supervision[0])
    with pytest.raises(IntegrityError):
        _entry(world, kind=Kind.RELEASED, dated_session=world.supervision[0])


def test_db_refuses_payout_with_two_or_no_payees_and_a_second_for_the_day(world):
    day = datetime.date(2026, 9, 8)
    for payee in ({"vendor": world.vendor, "school": world.school}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Payout.objects.create(for_date=day, amount=M("1"), **payee)
    Payout.objects.create(for_date=day, amount=M("1"), vendor=world.vendor)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payout.objects.create(for_date=day, amount=M("2"), vendor=world.vendor)


def test_invariants_report_violations(world):
    c0 = world.children[0]
    ledger_pay(child=c0, lines=[(None, M("5"))])
    assert ledger_invariants_hold() == []
    _entry(world, kind=Kind.REFUNDED, amount=M("7"))  # bypassing the service
    problems = ledger_invariants_hold()
    assert any("held is negative" in p for p in problems)


def test_withdrawing_through_the_enrolment_service_refunds_what_is_held(world):
    """The enrolment service's withdrawal gives the family back the undelivered sessions'
    money through the ledger (``enrolment_withdrawn``), in the same transaction."""
    from marketplace.enrolment.services import enrolment_withdraw

    c0 = world.children[0]
    ledger_pay(child=c0, lines=[(world.vendor_activity, M("30.00"))])
    ledger_release_session(dated_session=world.vendor_meetings[0])
    held = held_in(child=c0, activity=world.vendor_activity)
    assert held > 0
    enrolment = world.enrolments[(0, "vendor")]
    enrolment_withdraw(enrolment=enrolment, user=None, today=datetime.date(2026, 9, 20))
    assert held_in(child=c0, activity=world.vendor_activity) == 0
    refund = LedgerEntry.objects.get(kind="refunded", child=c0, activity=world.vendor_activity)
    assert refund.amount == held
    assert ledger_invariants_hold() == []
