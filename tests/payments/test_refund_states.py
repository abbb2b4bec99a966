"""Money given back: over-payments after a waiver, leaving supervised study, and refunds the
gateway has not accepted (owed, not refunded), against a real localstripe."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from marketplace.billing.quotes import LineKind, quote_for
from marketplace.fees import services as fees
from marketplace.fees.models import SchoolFeePolicy, Waiver
from marketplace.ledger.selectors import household_total, ledger_invariants_hold, vendor_exposures
from marketplace.ledger.services import ledger_refund_undelivered, ledger_release_session
from marketplace.payments import services
from marketplace.payments.models import Payment, PaymentRefund
from marketplace.payments.providers import Intent
from marketplace.risk.models import RiskAssessment
from marketplace.risk.services import risk_grade_vendor
from tests import factories as f
from tests.ledger import build_paying_world, withdraw

M = Decimal
D = datetime.date


@pytest.fixture
def world(db):
    w = build_paying_world(parent_email="parent@example.org")
    w.admin = f.SchoolAdminFactory(school=w.school).user
    return w


def paid(world) -> Payment:
    payment = services.payment_start(child=world.child, term=world.term, user=world.parent)
    services.payment_confirm(payment=payment, payment_method="pm_card_visa")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    return payment


def text_of(response, testid: str) -> str:
    match = re.search(rf'data-testid="{re.escape(testid)}"[^>]*>([^<]*)<', response.content.decode())
    assert match, f"no {testid} on the page"
    return match.group(1).strip()


# --- a waiver approved after payment ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_waiver_approved_after_payment_refunds_the_difference_and_tells_the_family(
    world, stripe_settings, django_capture_on_commit_callbacks
):
    payment = paid(world)
    waiver = fees.waiver_request(
        child=world.child, term=world.term, user=world.parent, kind="full", reason="hardship"
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        fees.waiver_decide(waiver=waiver, user=world.admin, approve=True)
    assert quote_for(child=world.child, term=world.term).total == 0
    refunds = list(PaymentRefund.objects.all())
    assert sum(r.amount for r in refunds) == payment.amount
    assert all(r.status == PaymentRefund.Status.SUCCEEDED and r.refund_id.startswith("re_") for r in refunds)
    total = household_total(world.child.household)
    assert total.refund_done == payment.amount and total.refund_owed == 0 and total.held == 0
    [message] = mail.outbox
    assert message.to == ["parent@example.org"] and world.child.name in message.subject
    # Approving is final: nothing is refunded twice.
    assert services.payment_refund_overpayment(child=world.child, term=world.term) == []
    waiver.refresh_from_db()
    assert waiver.borne_by == Waiver.Bearer.SCHOOL  # the default
    assert ledger_invariants_hold() == []


@pytest.mark.django_db(transaction=True)
def test_a_partial_waiver_refunds_only_the_waived_part_and_the_school_may_make_the_vendor_bear_it(
    world, stripe_settings, django_capture_on_commit_callbacks
):
    SchoolFeePolicy.objects.create(school=world.school, waiver_bearer=Waiver.Bearer.VENDOR)
    payment = paid(world)
    waiver = fees.waiver_request(
        child=world.child, term=world.term, user=world.parent, kind="partial", percent=50, reason="hardship"
    )
    with django_capture_on_commit_callbacks(execute=True):
        fees.waiver_decide(waiver=waiver, user=world.admin, approve=True)
    quote = quote_for(child=world.child, term=world.term)
    refunded = sum(r.amount for r in PaymentRefund.objects.filter(status=PaymentRefund.Status.SUCCEEDED))
    assert refunded == payment.amount - quote.total
    waiver.refresh_from_db()
    assert waiver.borne_by == Waiver.Bearer.VENDOR


# --- a refund the gateway refuses is owed, not refunded -----------------------------------


def refused_refund(world, capture):
    """A payment the gateway's charge then failed on (declined card), recorded as paid from the
    gateway's report; the refund of a withdrawal is refused by localstripe."""
    payment = services.payment_start(child=world.child, term=world.term, user=world.parent)
    with pytest.raises(services.PaymentRefused) as caught:
        services.payment_confirm(payment=payment, payment_method="pm_card_chargeDeclined")
    assert caught.value.code == "payment_gateway_error"
    intent = Intent(
        id=payment.intent_id, client_secret="", amount=payment.amount, currency="cny", status="succeeded"
    )
    assert services._mark_succeeded(payment_id=payment.pk, intent=intent)
    line = payment.lines.get(activity=world.vendor_activity)
    with capture(execute=True):
        ledger_refund_undelivered(enrolment=withdraw(world.enrolments[(0, "vendor")]))
    [refund] = PaymentRefund.objects.all()
    assert refund.status == PaymentRefund.Status.FAILED and refund.failure
    return line.amount


@pytest.mark.django_db(transaction=True)
def test_a_refused_refund_is_owed_on_the_familys_page(
    client, world, stripe_settings, django_capture_on_commit_callbacks
):
    amount = refused_refund(world, django_capture_on_commit_callbacks)
    total = household_total(world.child.household)
    assert total.refunded == amount  # the ledger gave it back from the held money …
    assert total.refund_owed == amount and total.refund_done == 0  # … but the family has not got it
    client.force_login(world.parent)
    with translation.override("en"):
        response = client.get(reverse("ledger:household"))
    assert text_of(response, "refunded-total") == "¥0.00"
    assert text_of(response, "refund-owed-total") == f"¥{amount}"
    assert text_of(response, f"refund-owed-{world.child.pk}-{world.vendor_activity.pk}") == f"¥{amount}"


@pytest.mark.django_db(transaction=True)
def test_a_refused_refund_is_owed_on_the_bureau_overview_and_in_the_risk_factor(
    client, world, stripe_settings, django_capture_on_commit_callbacks
):
    amount = refused_refund(world, django_capture_on_commit_callbacks)
    assert vendor_exposures()[world.vendor.pk].refunds_owed == amount
    officer = f.BureauOfficerFactory(district=world.vendor.district).user
    client.force_login(officer)
    with translation.override("en"):
        response = client.get(reverse("ledger:overview"))
    assert text_of(response, f"refunds-{world.vendor.pk}") == f"¥{amount}"
    assert text_of(response, "vendors-refunds") == f"¥{amount}"
    risk_grade_vendor(vendor=world.vendor)
    latest = RiskAssessment.objects.filter(vendor=world.vendor).first()
    assert latest.factors["refunds"]["value"] == str(amount)


@pytest.mark.django_db(transaction=True)
def test_a_refund_accepted_on_retry_is_refunded_and_no_longer_owed(
    world, stripe_settings, localstripe, django_capture_on_commit_callbacks
):
    payment = paid(world)
    stripe_settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # the gateway is unreachable
    with django_capture_on_commit_callbacks(execute=True):
        ledger_refund_undelivered(enrolment=withdraw(world.enrolments[(0, "vendor")]))
    amount = payment.lines.get(activity=world.vendor_activity).amount
    assert household_total(world.child.household).refund_owed == amount
    assert vendor_exposures()[world.vendor.pk].refunds_owed == amount
    stripe_settings.STRIPE_API_BASE = localstripe.url
    services.payment_refunds_send()
    total = household_total(world.child.household)
    assert total.refund_owed == 0 and total.refund_done == amount
    assert world.vendor.pk not in vendor_exposures() or vendor_exposures()[world.vendor.pk].refunds_owed == 0


# --- leaving supervised study -------------------------------------------------------------


def study_lines(world):
    return [
        line
        for line in quote_for(child=world.child, term=world.term).lines
        if line.kind == LineKind.SUPERVISION
    ]


@pytest.mark.django_db(transaction=True)
def test_leaving_supervised_study_refunds_the_undelivered_sessions(
    world, stripe_settings, django_capture_on_commit_callbacks
):
    payment = paid(world)
    study_paid = payment.lines.get(activity__isnull=True).amount
    assert study_paid == M("90.00")  # 9 teaching days Mon–Wed × ¥10
    ledger_release_session(dated_session=world.supervision[0])  # Monday 7 Sept delivered
    with django_capture_on_commit_callbacks(execute=True):
        plan, refunds = services.study_leave(
            child=world.child, term=world.term, user=world.parent, on=D(2026, 9, 14), today=D(2026, 9, 10)
        )
    assert plan.study_left_on == D(2026, 9, 14)
    (line,) = study_lines(world)
    assert line.quantity == 3 and line.last_date == D(2026, 9, 9)  # 7–9 Sept only
    [entry] = refunds
    assert entry.amount == M("60.00") and entry.activity is None
    [refund] = PaymentRefund.objects.all()
    assert refund.status == PaymentRefund.Status.SUCCEEDED and refund.amount == M("60.00")
    assert household_total(world.child.household).refund_done == M("60.00")
    # A later supervision is not the child's any more: not on its register, nothing released.
    from scheduling.attendance.selectors import roster_for

    assert world.child in roster_for(world.supervision[0])
    assert world.child not in roster_for(world.supervision[2])
    assert [
        e for e in ledger_release_session(dated_session=world.supervision[2]) if e.child_id == world.child.pk
    ] == []
    assert ledger_invariants_hold() == []


def test_leaving_supervised_study_is_refused_with_a_code(world):
    with pytest.raises(services.StudyLeaveError) as excinfo:
        services.study_leave(
            child=world.child, term=world.term, user=world.parent, on=D(2026, 9, 8), today=D(2026, 9, 10)
        )
    assert excinfo.value.error_dict["on"][0].code == "study_leave_in_the_past"
    with pytest.raises(services.StudyLeaveError) as excinfo:
        services.study_leave(
            child=world.child, term=world.term, user=world.parent, on=D(2026, 10, 8), today=D(2026, 9, 10)
        )
    assert excinfo.value.error_dict["on"][0].code == "study_leave_outside_term"
    services.study_leave(
        child=world.child, term=world.term, user=world.parent, on=D(2026, 9, 14), today=D(2026, 9, 10)
    )
    with pytest.raises(services.StudyLeaveError) as excinfo:
        services.study_leave(
            child=world.child, term=world.term, user=world.parent, on=D(2026, 9, 21), today=D(2026, 9, 10)
        )
    assert excinfo.value.code == "study_already_left"
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.study_leave(
            child=world.children[1],
            term=world.term,
            user=world.parent,
            on=D(2026, 9, 14),
            today=D(2026, 9, 10),
        )


def test_leaving_supervised_study_through_the_pages_asks_to_confirm(client, world):
    import time_machine

    url = (
        reverse("payments:study_leave", args=[world.child.household.pk, world.child.pk])
        + f"?term={world.term.pk}"
    )
    client.force_login(world.parent)
    with translation.override("en"), time_machine.travel(datetime.datetime(2026, 9, 10, 9, 0), tick=False):
        assert client.get(url).status_code == 200
        review = client.post(url, {"term": world.term.pk, "on": "2026-09-14"})
        assert review.status_code == 200 and 'data-testid="confirm-leave"' in review.content.decode()
        assert quote_for(child=world.child, term=world.term).lines[0].quantity == 9  # nothing changed yet
        done = client.post(url, {"term": world.term.pk, "on": "2026-09-14", "confirm": "yes"})
        assert done.status_code == 302 and done["Location"] == reverse("ledger:household")
        assert study_lines(world)[0].quantity == 3
        again = client.get(url)
        assert 'data-testid="already-left"' in again.content.decode()
        past = client.post(
            reverse("payments:study_leave", args=[world.children[1].household.pk, world.children[1].pk]),
            {"term": world.term.pk, "on": "2026-09-14", "confirm": "yes"},
        )
        assert past.status_code == 404  # another household's child


def test_a_refund_key_is_never_derived_from_a_row_id():
    # A gateway outlives a reset database: a new row with an old id must not replay an old refund.
    first, second = PaymentRefund(pk=1), PaymentRefund(pk=1)
    assert first.idempotency_key != second.idempotency_key
    assert first.idempotency_key == first.idempotency_key  # stable for its row
