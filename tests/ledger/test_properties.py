"""Property-based tests: the ledger's invariants under random sequences of pay, attend
(deliver a session), withdraw (refund) and settle.

Each example builds the small world of ``tests.ledger.build_world`` inside a transaction
that is rolled back at the end, runs the operations through the services, and after every
step checks ``ledger_invariants_hold()`` and that money is conserved against a plain model:
what families paid = held + released + refunded, released = settled + owed, and the
payouts add up to what was settled.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.enrolment.models import Enrolment
from marketplace.ledger.models import LedgerEntry, Payout
from marketplace.ledger.selectors import household_total, ledger_invariants_hold, payee_balances
from marketplace.ledger.services import (
    held_in,
    ledger_pay,
    ledger_refund_held,
    ledger_refund_undelivered,
    ledger_release_session,
    ledger_settle,
)
from tests.ledger import TERM_START, build_world, withdraw

Kind = LedgerEntry.Kind
ACCOUNTS = ["vendor", "staff", "supervision"]
SESSIONS = 9  # 3 supervisions, 3 vendor meetings, 3 staff meetings

operation = st.one_of(
    st.tuples(
        st.just("pay"),
        st.integers(0, 1),
        st.sampled_from(ACCOUNTS),
        st.integers(1, 10_000).map(lambda fen: Decimal(fen) / 100),
    ),
    st.tuples(st.just("attend"), st.integers(0, SESSIONS - 1)),
    st.tuples(st.just("withdraw"), st.integers(0, 1), st.sampled_from(ACCOUNTS), st.integers(1, 18)),
    st.tuples(st.just("settle"), st.integers(-1, 20)),
)


def _total(**filters) -> Decimal:
    return LedgerEntry.objects.filter(**filters).aggregate(s=Sum("amount"))["s"] or Decimal("0")


def _check(paid_by_family: Decimal) -> None:
    assert ledger_invariants_hold() == []
    paid = _total(kind=Kind.PAID)
    released = _total(kind=Kind.RELEASED)
    refunded = _total(kind=Kind.REFUNDED)
    settled = _total(kind=Kind.SETTLED)
    assert paid == paid_by_family
    payees = payee_balances().values()
    held = sum((b.held for b in payees), Decimal("0"))
    assert held >= 0 and held + released + refunded == paid
    assert sum((b.owed for b in payees), Decimal("0")) == released - settled >= 0
    assert (Payout.objects.aggregate(s=Sum("amount"))["s"] or Decimal("0")) == settled


def _run(ops) -> None:
    world = build_world()
    sessions = world.supervision + world.vendor_meetings + world.staff_meetings
    activity = {"vendor": world.vendor_activity, "staff": world.staff_activity, "supervision": None}
    paid_by_family = Decimal("0")
    released_sessions: dict[int, set[int]] = {}
    for op in ops:
        name = op[0]
        if name == "pay":
            _, index, account, amount = op
            child = world.children[index]
            ledger_pay(child=child, lines=[(activity[account], amount)], memo="hypothesis")
            paid_by_family += amount
        elif name == "attend":
            session = sessions[op[1]]
            before = _total(kind=Kind.RELEASED)
            written = ledger_release_session(dated_session=session)
            seen = released_sessions.setdefault(session.pk, set())
            assert not (seen & {e.child_id for e in written})  # never twice per (session, child)
            seen.update(e.child_id for e in written)
            assert _total(kind=Kind.RELEASED) == before + sum((e.amount for e in written), Decimal("0"))
        elif name == "withdraw":
            _, index, account, day = op
            child = world.children[index]
            if account == "supervision":
                ledger_refund_held(child=child)
                assert held_in(child=child) == 0
                continue
            enrolment = world.enrolments.get((index, account))
            if enrolment is None:
                continue
            if enrolment.status != Enrolment.Status.WITHDRAWN:
                withdraw(enrolment, on=TERM_START + datetime.timedelta(days=day))
            ledger_refund_undelivered(enrolment=enrolment)
            assert held_in(child=child, activity=activity[account]) == 0
        else:
            for_date = TERM_START + datetime.timedelta(days=op[1])
            ledger_settle(for_date=for_date)
            assert ledger_settle(for_date=for_date) == []  # running it twice pays nothing more
        _check(paid_by_family)
    # Each family's own totals agree with the ledger too.
    for child in world.children:
        total = household_total(child.household)
        assert total.held + total.released + total.refunded == total.paid >= 0


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operation, min_size=1, max_size=25))
def test_ledger_invariants_under_random_operations(ops):
    with transaction.atomic():
        _run(ops)
        transaction.set_rollback(True)
