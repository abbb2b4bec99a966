"""Payments end to end below the browser: start, confirm, webhooks, refunds.

The offline provider covers the embedded demo; the Stripe provider runs against the real
localstripe server started by conftest.py, including webhooks that localstripe itself signs
and sends.
"""

import json
import threading
import time
import urllib.request
import uuid
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from marketplace.enrolment.services import enrolment_withdraw
from marketplace.ledger.models import LedgerEntry
from marketplace.ledger.selectors import household_total, ledger_invariants_hold
from marketplace.payments import services
from marketplace.payments.models import Payment, PaymentEvent, PaymentRefund
from marketplace.payments.providers import OfflineProvider
from marketplace.payments.selectors import amount_due
from marketplace.payments.tasks import payments_retry_refunds
from tests import factories as f
from tests.ledger import build_paying_world
from tests.payments import sign
from tests.payments.conftest import SECRET_KEY, WEBHOOK_SECRET

M = Decimal
PAID = LedgerEntry.Kind.PAID


@pytest.fixture
def world(db):
    return build_paying_world()


def paid_entries(child):
    return LedgerEntry.objects.filter(child=child, kind=PAID)


def gateway(localstripe, path):
    request = urllib.request.Request(
        f"{localstripe.url}{path}", headers={"Authorization": f"Bearer {SECRET_KEY}"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


# --- what is due --------------------------------------------------------------------------


def test_amount_due_splits_the_quote_by_ledger_account(world):
    lines = amount_due(child=world.child, term=world.term)
    accounts = {line.activity.pk if line.activity else None for line in lines}
    assert accounts == {None, world.vendor_activity.pk, world.staff_activity.pk}
    study = next(line for line in lines if line.activity is None)
    assert study.amount == M("90.00")  # 9 teaching days Mon–Wed × ¥10
    assert all(line.amount > 0 and line.paid == 0 for line in lines)


def test_a_partial_waiver_is_shared_over_the_accounts_and_adds_up(world):
    from marketplace.billing.quotes import quote_for
    from marketplace.fees.models import Waiver

    Waiver.objects.create(
        child=world.child,
        term=world.term,
        kind="partial",
        percent=33,
        status="approved",
        requested_by=world.parent,
        decided_by=world.parent,
        decided_at=timezone.now(),
        reason="hardship",
    )
    quote = quote_for(child=world.child, term=world.term)
    lines = amount_due(child=world.child, term=world.term)
    assert sum(line.amount for line in lines) == quote.total
    assert quote.total < quote.subtotal


# --- offline provider (the demo) ----------------------------------------------------------


def test_start_is_idempotent_and_confirm_writes_the_ledger_once(world):
    first = services.payment_start(child=world.child, term=world.term, user=world.parent)
    again = services.payment_start(child=world.child, term=world.term, user=world.parent)
    assert first.pk == again.pk and Payment.objects.count() == 1
    assert first.provider == "offline" and first.status == Payment.Status.PENDING
    assert first.amount == sum(line.amount for line in first.lines.all())

    intent = services.payment_confirm(payment=first, payment_method="pm_card_visa")
    assert intent.succeeded
    first.refresh_from_db()
    assert first.status == Payment.Status.SUCCEEDED and first.succeeded_at
    assert paid_entries(world.child).count() == first.lines.count()
    assert household_total(world.child.household).held == first.amount
    assert PaymentEvent.objects.filter(payment=first).count() == 1
    assert ledger_invariants_hold() == []

    with pytest.raises(services.PaymentRefused) as caught:
        services.payment_confirm(payment=first, payment_method="pm_card_visa")
    assert caught.value.code == "payment_not_pending"
    with translation.override("en"), pytest.raises(services.PaymentRefused, match="Nothing is due") as caught:
        services.payment_start(child=world.child, term=world.term, user=world.parent)
    assert caught.value.code == "payment_nothing_due"
    assert amount_due(child=world.child, term=world.term) == []


def test_a_declined_card_writes_nothing_and_says_why(world):
    payment = services.payment_start(child=world.child, term=world.term, user=world.parent)
    with translation.override("en"), pytest.raises(services.PaymentRefused, match="declined") as caught:
        services.payment_confirm(payment=payment, payment_method="pm_card_visa_chargeDeclined")
    assert caught.value.code == "payment_declined"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING and payment.failure
    assert not paid_entries(world.child).exists()


def test_start_refuses_a_child_without_household(world):
    orphan = f.ChildFactory(school_class=world.school_class, household=None)
    with pytest.raises(services.PaymentRefused) as caught:
        services.payment_start(child=orphan, term=world.term, user=world.parent)
    assert caught.value.code == "payment_no_household"
    assert not Payment.objects.exists()


def test_webhook_bad_signature_is_400_and_writes_nothing_offline(client, world):
    payment = services.payment_start(child=world.child, term=world.term, user=world.parent)
    provider = OfflineProvider()
    intent = provider.confirm_test_card(payment.intent_id)
    payload, header = provider.event_for(intent)
    url = reverse("payments:webhook")
    for bad in ("", "t=1,v1=deadbeef", sign(payload, "whsec_wrong")):
        response = client.post(url, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=bad)
        assert response.status_code == 400
    assert not PaymentEvent.objects.exists() and not paid_entries(world.child).exists()
    for _ in range(10):
        response = client.post(url, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)
        assert response.status_code == 200
    assert PaymentEvent.objects.count() == 1
    assert paid_entries(world.child).count() == payment.lines.count()


# --- Stripe provider against localstripe --------------------------------------------------


class _Catcher:
    """A local HTTP endpoint that keeps what localstripe's webhooks POST to it."""

    def __init__(self, localstripe):
        self.received: list[tuple[bytes, str]] = []
        received = self.received

        class Receiver(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((body, self.headers["Stripe-Signature"]))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        hook = urllib.request.Request(
            f"{localstripe.url}/_config/webhooks/pay_{uuid.uuid4().hex[:8]}",
            data=json.dumps(
                {"url": f"http://127.0.0.1:{self.server.server_port}/hook", "secret": WEBHOOK_SECRET}
            ).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        urllib.request.urlopen(hook, timeout=5).close()

    def wait_for(self, intent_id: str, event_type: str) -> tuple[bytes, str]:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            for body, header in list(self.received):
                data = json.loads(body)
                if data["type"] == event_type and data["data"]["object"].get("id") == intent_id:
                    return body, header
            time.sleep(0.1)
        raise AssertionError(f"no {event_type} for {intent_id}")

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def catcher(localstripe):
    catcher = _Catcher(localstripe)
    yield catcher
    catcher.close()


def test_localstripe_webhook_replayed_ten_times_gives_one_payment(
    client, world, stripe_settings, localstripe, catcher
):
    payment = services.payment_start(child=world.child, term=world.term, user=world.parent)
    assert payment.provider == "stripe" and payment.intent_id.startswith("pi_")
    assert gateway(localstripe, f"/v1/payment_intents/{payment.intent_id}")["amount"] == int(
        payment.amount * 100
    )
    # The family pays at the gateway; only the gateway's webhook tells us.
    services.provider_for(payment).confirm_test_card(payment.intent_id)
    body, header = catcher.wait_for(payment.intent_id, "payment_intent.succeeded")
    url = reverse("payments:webhook")

    tampered = body.replace(b'"succeeded"', b'"succeeded" ', 1)
    for payload, signature in ((tampered, header), (body, sign(body, "whsec_other")), (body, "")):
        response = client.post(url, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)
        assert response.status_code == 400
    assert not PaymentEvent.objects.exists() and not paid_entries(world.child).exists()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING

    for _ in range(10):
        response = client.post(url, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)
        assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert PaymentEvent.objects.filter(type="payment_intent.succeeded").count() == 1
    assert paid_entries(world.child).count() == payment.lines.count()
    assert household_total(world.child.household).paid == payment.amount
    # The family's return after the webhook changes nothing either.
    services.payment_sync(payment=payment)
    assert paid_entries(world.child).count() == payment.lines.count()
    assert ledger_invariants_hold() == []


def test_localstripe_confirm_and_return_record_the_payment_without_a_webhook(world, stripe_settings):
    payment = services.payment_start(child=world.child, term=world.term, user=world.parent)
    intent = services.payment_confirm(payment=payment, payment_method="pm_card_visa")
    assert intent.succeeded
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert household_total(world.child.household).held == payment.amount


def test_localstripe_declined_card(world, stripe_settings):
    payment = services.payment_start(child=world.child, term=world.term, user=world.parent)
    with pytest.raises(services.PaymentRefused) as caught:
        services.payment_confirm(payment=payment, payment_method="pm_card_chargeDeclined")
    assert caught.value.code == "payment_gateway_error"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING and not paid_entries(world.child).exists()


def test_withdrawal_refunds_through_localstripe_and_failed_refunds_are_retried(
    world, stripe_settings, localstripe, django_capture_on_commit_callbacks
):
    payment = services.payment_start(child=world.child, term=world.term, user=world.parent)
    services.payment_confirm(payment=payment, payment_method="pm_card_visa")
    vendor_line = payment.lines.get(activity=world.vendor_activity)

    # The gateway is unreachable when the family withdraws: the refund waits, nothing is lost.
    stripe_settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_withdraw(
            enrolment=world.enrolments[(0, "vendor")], user=world.parent, today=world.term.start
        )
    [refund] = PaymentRefund.objects.all()
    assert refund.line == vendor_line and refund.amount == vendor_line.amount
    assert refund.status == PaymentRefund.Status.FAILED and refund.attempts == 1
    assert refund.ledger_entry.kind == LedgerEntry.Kind.REFUNDED

    stripe_settings.STRIPE_API_BASE = localstripe.url
    assert payments_retry_refunds.call() == 1
    refund.refresh_from_db()
    assert refund.status == PaymentRefund.Status.SUCCEEDED and refund.refund_id.startswith("re_")
    charge = gateway(localstripe, f"/v1/payment_intents/{payment.intent_id}")
    assert charge["status"] == "succeeded"
    refunds = gateway(localstripe, f"/v1/refunds?payment_intent={payment.intent_id}")["data"]
    assert [r["amount"] for r in refunds] == [int(vendor_line.amount * 100)]
    assert payments_retry_refunds.call() == 0  # nothing outstanding: nothing sent twice
    # What was refunded is no longer counted as paid, and the activity is no longer quoted.
    assert all(
        line.activity != world.vendor_activity for line in amount_due(child=world.child, term=world.term)
    )
    assert ledger_invariants_hold() == []


# --- pages --------------------------------------------------------------------------------


def test_pages_start_pay_and_other_households_get_404(client, world):
    client.force_login(world.parent)
    client.cookies["django_language"] = "en"
    quote = client.get(
        reverse("payments:quote", args=[world.child.household_id, world.child.pk]), {"term": world.term.pk}
    )
    assert b'data-testid="pay-now"' in quote.content
    response = client.post(
        reverse("payments:start", args=[world.child.household_id, world.child.pk]), {"term": world.term.pk}
    )
    payment = Payment.objects.get()
    assert response.url == reverse("payments:pay", args=[world.child.household_id, payment.pk])
    page = client.get(response.url)
    assert b'data-testid="test-card-form"' in page.content
    done = client.post(
        reverse("payments:confirm", args=[world.child.household_id, payment.pk]),
        {"payment_method": "pm_card_visa"},
    )
    assert done.status_code == 302
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    history = client.get(reverse("payments:history", args=[world.child.household_id]))
    assert b'data-status="succeeded"' in history.content

    stranger = f.ParentFactory().user
    client.force_login(stranger)
    for url in (
        reverse("payments:pay", args=[world.child.household_id, payment.pk]),
        reverse("payments:history", args=[world.child.household_id]),
        reverse("payments:done", args=[world.child.household_id, payment.pk]),
    ):
        assert client.get(url).status_code == 404
    own = stranger.memberships.get().household_id
    assert client.get(reverse("payments:pay", args=[own, payment.pk])).status_code == 404
    assert client.post(reverse("payments:confirm", args=[own, payment.pk])).status_code == 404


def test_stripe_pay_page_loads_stripe_js_and_json_confirm(client, world, stripe_settings, localstripe):
    client.force_login(world.parent)
    payment = services.payment_start(child=world.child, term=world.term, user=world.parent)
    page = client.get(reverse("payments:pay", args=[world.child.household_id, payment.pk]))
    assert f'src="{localstripe.url}/js.stripe.com/v3/"'.encode() in page.content
    url = reverse("payments:confirm", args=[world.child.household_id, payment.pk])
    declined = client.post(url, {"payment_method": "pm_card_chargeDeclined"}, HTTP_ACCEPT="application/json")
    assert declined.status_code == 402 and declined.json()["error"]
    ok = client.post(url, {"payment_method": "pm_card_visa"}, HTTP_ACCEPT="application/json")
    assert ok.json()["status"] == "succeeded"
    assert ok.json()["redirect"] == reverse("payments:done", args=[world.child.household_id, payment.pk])
