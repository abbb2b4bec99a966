"""Withdrawing a place asks to confirm: GET shows what happens (the place goes to the next
child on the waiting list, the undelivered sessions are refunded); only a POST with
``confirm`` withdraws."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from marketplace.enrolment.models import Enrolment
from marketplace.ledger.services import ledger_pay
from tests import factories as f
from tests.ledger import build_world

pytestmark = pytest.mark.django_db
NOON = datetime.datetime(2026, 9, 15, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture
def world():
    with time_machine.travel(NOON, tick=False):
        w = build_world()
        w.parent = f.ParentFactory(household=w.children[0].household).user
        yield w


def url(world, enrolment):
    return reverse("ledger:withdraw", args=[world.children[0].household.pk, enrolment.pk])


def test_get_shows_the_consequences_and_changes_nothing(client, world):
    c0, c1 = world.children
    ledger_pay(child=c0, lines=[(world.staff_activity, Decimal("150.00"))])
    Enrolment.objects.create(
        child=c1,
        activity=world.staff_activity,
        status=Enrolment.Status.WAITING,
        source=Enrolment.Source.LATE,
        joined_on=datetime.date(2026, 9, 10),
    )
    placed = world.enrolments[(0, "staff")]
    client.force_login(world.parent)
    with translation.override("en"):
        response = client.get(url(world, placed))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="confirm-withdraw"' in html
    assert world.staff_activity.name in html and c0.name in html
    assert 'data-testid="refund-amount">¥150.00<' in html
    assert 'data-testid="next-on-waiting-list"' in html
    placed.refresh_from_db()
    assert placed.status == "placed"


def test_post_without_confirm_only_asks_again(client, world):
    placed = world.enrolments[(0, "vendor")]
    client.force_login(world.parent)
    response = client.post(url(world, placed))
    assert response.status_code == 200
    assert 'data-testid="confirm-withdraw"' in response.content.decode()
    placed.refresh_from_db()
    assert placed.status == "placed"


def test_post_with_confirm_withdraws_and_refunds(client, world, django_capture_on_commit_callbacks):
    c0 = world.children[0]
    ledger_pay(child=c0, lines=[(world.vendor_activity, Decimal("90.00"))])
    placed = world.enrolments[(0, "vendor")]
    client.force_login(world.parent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(world, placed), {"confirm": "yes"})
    assert response.status_code == 302
    placed.refresh_from_db()
    assert placed.status == "withdrawn"
    from marketplace.ledger.services import held_in

    assert held_in(child=c0, activity=world.vendor_activity) == Decimal("0.00")


def test_a_waiting_place_says_nothing_is_refunded_or_handed_on(client, world):
    c0 = world.children[0]
    Enrolment.objects.filter(pk=world.enrolments[(0, "vendor")].pk).update(status=Enrolment.Status.WAITING)
    client.force_login(world.parent)
    html = client.get(url(world, world.enrolments[(0, "vendor")])).content.decode()
    assert 'data-testid="next-on-waiting-list"' not in html
    assert 'data-testid="refund-amount"' not in html
    assert c0.name in html


def test_another_households_enrolment_is_404_on_the_confirmation_too(client, world):
    client.force_login(f.ParentFactory().user)
    assert client.get(url(world, world.enrolments[(0, "vendor")])).status_code == 404


def test_the_household_page_links_to_the_confirmation_instead_of_posting(client, world):
    client.force_login(world.parent)
    html = client.get(reverse("enrolment:household", args=[world.children[0].household.pk])).content.decode()
    placed = world.enrolments[(0, "vendor")]
    assert f'href="{url(world, placed)}"' in html
    assert f'action="{url(world, placed)}"' not in html
