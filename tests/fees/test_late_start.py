"""A late starter is quoted from the day the child joined, for every charging unit.

The fee world (``conftest``): term 7 Sept – 2 Oct 2026, 19 teaching days, ten on or after
Monday 21 September. The child is linked to its household on 21 September.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from marketplace.billing.quotes import LineKind, quote_for
from marketplace.households.models import ChildLink
from marketplace.payments.selectors import amount_due
from tests import factories as f
from tests.fees.conftest import ENR, PER_MONTH, PER_SESSION, PER_TERM, D, activity, enrol, standard

LINKED = D(2026, 9, 21)


def link(world, on=LINKED):
    made_by = f.UserFactory()
    moment = timezone.make_aware(datetime.datetime.combine(on, datetime.time(10, 0)))
    with time_machine.travel(moment, tick=False):
        ChildLink.objects.create(
            child=world.child, household=world.household, method=ChildLink.Method.CODE, made_by=made_by
        )


def supervision(quote):
    return [line for line in quote.lines if line.kind == LineKind.SUPERVISION]


def test_the_start_is_the_later_of_the_term_and_the_link(world):
    from marketplace.fees.selectors import charging_start

    assert charging_start(child=world.child, term=world.term) == world.term.start
    link(world)
    assert charging_start(child=world.child, term=world.term) == LINKED
    link(world, on=D(2026, 8, 20))  # linked again earlier does not move the start back
    assert charging_start(child=world.child, term=world.term) == LINKED


def test_a_late_starter_per_session_pays_the_days_left(world):
    standard(world, unit=PER_SESSION, cap="10.00")
    link(world)
    quote = quote_for(child=world.child, term=world.term)
    assert quote.start == LINKED
    (line,) = supervision(quote)
    assert line.quantity == 10 and line.amount == Decimal("100.00")


def test_a_late_starter_per_term_pays_pro_rata(world):
    standard(world, unit=PER_TERM, cap="190.00")
    link(world)
    (line,) = supervision(quote_for(child=world.child, term=world.term))
    assert line.amount == Decimal("100.00")  # 10 of 19 teaching days


def test_a_late_starter_per_month_pays_only_the_months_days_left(world):
    standard(world, unit=PER_MONTH, cap="100.00")
    link(world)
    lines = supervision(quote_for(child=world.child, term=world.term))
    # September from the 21st (Mon 21, Wed 23–Fri 25, make-up Sat 26, Mon 28–Wed 30) and 1–2 Oct.
    assert [line.first_date for line in lines] == [LINKED, D(2026, 10, 1)]
    assert sum(line.quantity for line in lines) < Decimal("1.0")


def test_enrichment_is_charged_from_the_later_of_the_link_and_joining(world):
    standard(world, unit=PER_SESSION, cap="10.00")
    standard(world, kind=ENR, unit=PER_SESSION, cap="80.00")
    act = activity(world, price="30.00", dates=[D(2026, 9, 9), D(2026, 9, 23), D(2026, 9, 30)])
    enrol(world, act)  # placed from the term's start, but the child was linked on the 21st
    link(world)
    quote = quote_for(child=world.child, term=world.term)
    (line,) = [line for line in quote.lines if line.kind == LineKind.ENRICHMENT]
    assert line.quantity == 2 and line.first_date == D(2026, 9, 23)


def test_the_quote_page_and_what_is_due_start_late(client, world):
    standard(world, unit=PER_SESSION, cap="10.00")
    link(world)
    parent = f.ParentFactory(household=world.household).user
    client.force_login(parent)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        response = client.get(
            reverse("payments:quote", args=[world.household.pk, world.child.pk]) + f"?term={world.term.pk}"
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert "190.00" not in html and "100.00" in html
    assert sum(line.amount for line in amount_due(child=world.child, term=world.term)) == Decimal("100.00")


@pytest.mark.parametrize("on", [D(2026, 9, 14), D(2026, 9, 28)])
def test_an_explicit_start_never_moves_before_the_link(world, on):
    standard(world, unit=PER_SESSION, cap="10.00")
    link(world)
    quote = quote_for(child=world.child, term=world.term, on=on)
    assert quote.start == max(on, LINKED)
