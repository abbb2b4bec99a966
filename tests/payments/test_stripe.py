"""StripeProvider against a real localstripe server (see conftest.py)."""

import json
import threading
import time
import urllib.request
import uuid
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from marketplace.payments.providers import (
    IntentNotFound,
    PaymentDeclined,
    PaymentError,
    StripeProvider,
    WebhookSignatureError,
)
from tests.payments import sign
from tests.payments.conftest import SECRET_KEY, WEBHOOK_SECRET


def key() -> str:
    return uuid.uuid4().hex


def gateway_intent(localstripe, intent_id: str) -> dict:
    """The intent as localstripe stores it, read over plain HTTP (not through our code)."""
    request = urllib.request.Request(
        f"{localstripe.url}/v1/payment_intents/{intent_id}", headers={"Authorization": f"Bearer {SECRET_KEY}"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


def test_the_server_is_local_and_keeps_its_data_in_the_temporary_folder(localstripe, stripe_provider):
    assert localstripe.url.startswith("http://127.0.0.1:")
    shared = Path("/tmp/localstripe.pickle")  # localstripe's own fixed file, left alone
    before = shared.stat().st_mtime_ns if shared.exists() else None
    stripe_provider.create_intent(amount=Decimal("1.00"), reference="r", idempotency_key=key())
    store = localstripe.data_dir / "localstripe.pickle"
    assert store.exists() and store.stat().st_size > 0
    assert (shared.stat().st_mtime_ns if shared.exists() else None) == before


def test_an_intent_is_created_in_fen_and_read_back_in_yuan(localstripe, stripe_provider):
    intent = stripe_provider.create_intent(
        amount=Decimal("123.45"), reference="enrolment-7", idempotency_key=key(), description="Chess, autumn"
    )
    assert intent.id.startswith("pi_")
    assert intent.client_secret.startswith(intent.id + "_secret_")
    assert intent.amount == Decimal("123.45")
    assert intent.currency == "cny"
    assert intent.status == "requires_payment_method"
    assert intent.reference == "enrolment-7"

    raw = gateway_intent(localstripe, intent.id)
    assert raw["amount"] == 12345  # fen at the gateway only
    # (localstripe accepts payment_method_types=["card"] but does not echo it back.)
    assert raw["metadata"] == {"reference": "enrolment-7", "description": "Chess, autumn"}

    again = stripe_provider.retrieve_intent(intent.id)
    assert again == intent
    assert isinstance(again.amount, Decimal)


def test_the_same_idempotency_key_gives_the_same_intent(stripe_provider):
    shared = key()
    first = stripe_provider.create_intent(amount=Decimal("50.00"), reference="r1", idempotency_key=shared)
    second = stripe_provider.create_intent(amount=Decimal("50.00"), reference="r1", idempotency_key=shared)
    other = stripe_provider.create_intent(amount=Decimal("50.00"), reference="r1", idempotency_key=key())
    assert second.id == first.id
    assert other.id != first.id


def test_reusing_a_key_with_other_parameters_is_refused(stripe_provider):
    shared = key()
    stripe_provider.create_intent(amount=Decimal("50.00"), reference="r1", idempotency_key=shared)
    with pytest.raises(PaymentError) as caught:
        stripe_provider.create_intent(amount=Decimal("60.00"), reference="r1", idempotency_key=shared)
    assert caught.value.code == "gateway_unavailable"


@pytest.mark.parametrize(
    "amount", [Decimal("0"), Decimal("-1.00"), Decimal("1.005"), Decimal("NaN"), 1.5, "12"]
)
def test_bad_amounts_are_refused_before_the_gateway(stripe_provider, amount):
    with pytest.raises(PaymentError) as caught:
        stripe_provider.create_intent(amount=amount, reference="r", idempotency_key=key())
    assert caught.value.code == "bad_amount"


def test_a_test_card_pays_the_intent(stripe_provider):
    intent = stripe_provider.create_intent(amount=Decimal("123.45"), reference="r", idempotency_key=key())
    paid = stripe_provider.confirm_test_card(intent.id)
    assert paid.status == "succeeded"
    assert paid.succeeded
    assert stripe_provider.retrieve_intent(intent.id).status == "succeeded"


def test_a_declining_test_card_raises_declined(stripe_provider):
    # Stripe's "attaches, but the charge fails" test card (pm_card_visa_chargeDeclined only
    # declines when attached to a customer, in localstripe as in Stripe).
    intent = stripe_provider.create_intent(amount=Decimal("10.00"), reference="r", idempotency_key=key())
    with pytest.raises(PaymentDeclined) as caught:
        stripe_provider.confirm_test_card(intent.id, payment_method="pm_card_chargeCustomerFail")
    assert caught.value.code == "card_declined"
    assert stripe_provider.retrieve_intent(intent.id).status == "requires_payment_method"


def test_live_keys_never_take_test_cards(localstripe):
    live = StripeProvider(secret_key="sk_live_x", webhook_secret=WEBHOOK_SECRET, api_base=localstripe.url)
    assert not live.supports_test_cards
    with pytest.raises(PaymentError) as caught:
        live.confirm_test_card("pi_whatever")
    assert caught.value.code == "no_test_cards"


def test_an_unknown_intent_is_not_found(stripe_provider):
    with pytest.raises(IntentNotFound) as caught:
        stripe_provider.retrieve_intent("pi_doesnotexist")
    assert caught.value.code == "not_found"


def test_part_of_a_payment_is_refunded_once_per_key(localstripe, stripe_provider):
    intent = stripe_provider.create_intent(amount=Decimal("123.45"), reference="r", idempotency_key=key())
    stripe_provider.confirm_test_card(intent.id)
    refund_key = key()
    refund = stripe_provider.refund(intent_id=intent.id, amount=Decimal("23.45"), idempotency_key=refund_key)
    assert refund.id.startswith("re_")
    assert refund.intent_id == intent.id
    assert refund.amount == Decimal("23.45")
    assert refund.currency == "cny"
    assert refund.status == "succeeded"
    replay = stripe_provider.refund(intent_id=intent.id, amount=Decimal("23.45"), idempotency_key=refund_key)
    assert replay.id == refund.id

    request = urllib.request.Request(
        f"{localstripe.url}/v1/refunds?payment_intent={intent.id}",
        headers={"Authorization": f"Bearer {SECRET_KEY}"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        refunds = json.load(response)["data"]
    assert [r["amount"] for r in refunds] == [2345]  # one refund at the gateway, in fen


def test_an_unpaid_intent_cannot_be_refunded(stripe_provider):
    intent = stripe_provider.create_intent(amount=Decimal("5.00"), reference="r", idempotency_key=key())
    with pytest.raises(PaymentError) as caught:
        stripe_provider.refund(intent_id=intent.id, amount=Decimal("5.00"), idempotency_key=key())
    assert caught.value.code == "gateway_refused"


def event_payload(intent_id="pi_123", amount=12345, event_type="payment_intent.succeeded") -> bytes:
    body = {
        "id": "evt_1",
        "object": "event",
        "type": event_type,
        "data": {
            "object": {"id": intent_id, "object": "payment_intent", "amount": amount, "currency": "cny"}
        },
    }
    return json.dumps(body).encode()


def test_a_signed_webhook_parses(stripe_provider):
    payload = event_payload()
    event = stripe_provider.parse_webhook(payload=payload, signature_header=sign(payload, WEBHOOK_SECRET))
    assert event.id == "evt_1"
    assert event.type == "payment_intent.succeeded"
    assert event.intent_id == "pi_123"
    assert event.amount == Decimal("123.45")
    assert event.currency == "cny"


def test_a_refund_event_names_its_intent_and_refunded_amount(stripe_provider):
    body = {
        "id": "evt_2",
        "type": "charge.refunded",
        "data": {
            "object": {
                "id": "ch_1",
                "object": "charge",
                "payment_intent": "pi_9",
                "amount": 10000,
                "amount_refunded": 2345,
                "currency": "cny",
            }
        },
    }
    payload = json.dumps(body).encode()
    event = stripe_provider.parse_webhook(payload=payload, signature_header=sign(payload, WEBHOOK_SECRET))
    assert (event.intent_id, event.amount) == ("pi_9", Decimal("23.45"))


@pytest.mark.parametrize(
    "make_header",
    [
        pytest.param(lambda payload: sign(payload, "whsec_wrong"), id="wrong secret"),
        pytest.param(
            lambda payload: sign(event_payload(amount=1), WEBHOOK_SECRET), id="signature of another body"
        ),
        pytest.param(
            lambda payload: sign(payload, WEBHOOK_SECRET, timestamp=int(time.time()) - 3600), id="stale"
        ),
        pytest.param(lambda payload: sign(payload, WEBHOOK_SECRET).replace("v1=", "v0="), id="other scheme"),
        pytest.param(lambda payload: "", id="no header"),
        pytest.param(lambda payload: "garbage", id="garbage header"),
    ],
)
def test_a_bad_signature_is_refused(stripe_provider, make_header):
    payload = event_payload()
    with pytest.raises(WebhookSignatureError) as caught:
        stripe_provider.parse_webhook(payload=payload, signature_header=make_header(payload))
    assert caught.value.code == "bad_signature"


def test_a_tampered_payload_is_refused(stripe_provider):
    payload = event_payload(amount=100)
    header = sign(payload, WEBHOOK_SECRET)
    tampered = payload.replace(b"100", b"100000")
    with pytest.raises(WebhookSignatureError) as caught:
        stripe_provider.parse_webhook(payload=tampered, signature_header=header)
    assert caught.value.code == "bad_signature"


def test_a_signed_body_that_is_not_an_event_is_refused(stripe_provider):
    payload = b'{"hello": "world"}'
    with pytest.raises(WebhookSignatureError) as caught:
        stripe_provider.parse_webhook(payload=payload, signature_header=sign(payload, WEBHOOK_SECRET))
    assert caught.value.code == "bad_payload"


def test_no_webhook_secret_never_means_no_check(localstripe):
    provider = StripeProvider(secret_key=SECRET_KEY, webhook_secret="", api_base=localstripe.url)
    payload = event_payload()
    with pytest.raises(WebhookSignatureError) as caught:
        provider.parse_webhook(payload=payload, signature_header=sign(payload, ""))
    assert caught.value.code == "no_secret"


def test_a_webhook_sent_by_the_gateway_itself_parses(localstripe, stripe_provider):
    """localstripe signs and POSTs real events; catch one and parse it."""
    received: list[tuple[bytes, str]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((body, self.headers["Stripe-Signature"]))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=receiver.serve_forever, daemon=True)
    thread.start()
    try:
        hook = urllib.request.Request(
            f"{localstripe.url}/_config/webhooks/test_{uuid.uuid4().hex[:8]}",
            data=json.dumps(
                {
                    "url": f"http://127.0.0.1:{receiver.server_port}/hook",
                    "secret": WEBHOOK_SECRET,
                    "events": ["payment_intent.succeeded"],
                }
            ).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        urllib.request.urlopen(hook, timeout=5).close()
        intent = stripe_provider.create_intent(amount=Decimal("88.80"), reference="r", idempotency_key=key())
        stripe_provider.confirm_test_card(intent.id)

        events = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(e.intent_id == intent.id for e in events):
            events = [stripe_provider.parse_webhook(payload=b, signature_header=h) for b, h in list(received)]
            time.sleep(0.1)
    finally:
        receiver.shutdown()
        receiver.server_close()
    [event] = [e for e in events if e.intent_id == intent.id]
    assert event.type == "payment_intent.succeeded"
    assert event.id.startswith("evt_")
    assert event.amount == Decimal("88.80")
