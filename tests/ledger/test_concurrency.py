"""PostgreSQL only: concurrent refunds and settlements cannot move money twice."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from marketplace.ledger.models import LedgerEntry, Payout
from marketplace.ledger.selectors import ledger_invariants_hold
from marketplace.ledger.services import ledger_pay, ledger_refund_held, ledger_release_session, ledger_settle
from tests.ledger import build_world

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")


def _race(target, n: int = 8) -> list:
    barrier = threading.Barrier(n)
    results, errors = [], []

    def work():
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_refunds_refund_once():
    world = build_world()
    child = world.children[0]
    ledger_pay(child=child, lines=[(None, Decimal("30.00"))])
    results = _race(lambda: ledger_refund_held(child=child))
    assert sum(r is not None for r in results) == 1
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFUNDED).count() == 1
    assert ledger_invariants_hold() == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_releases_and_settlements_move_money_once():
    world = build_world()
    for child in world.children:
        ledger_pay(child=child, lines=[(world.vendor_activity, Decimal("30.00"))])
    _race(lambda: ledger_release_session(dated_session=world.vendor_meetings[0]))
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.RELEASED).count() == 2
    results = _race(lambda: len(ledger_settle(for_date=datetime.date(2026, 9, 30))))
    assert sorted(results) == [0] * 7 + [1]
    assert Payout.objects.get().amount == Decimal("20.00")
    assert ledger_invariants_hold() == []
