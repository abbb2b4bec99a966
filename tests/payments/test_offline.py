"""OfflineProvider (embedded demo) and get_provider(); no server involved."""

import json
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from marketplace.payments.providers import (
    IntentNotFound,
    OfflineProvider,
    PaymentDeclined,
    PaymentError,
    StripeProvider,
    WebhookSignatureError,
    get_provider,
)
from tests.payments import sign


@pytest.fixture
def offline():
    return OfflineProvider()


def test_an_intent_carries_its_amount_and_reference(offline):
    intent = offline.create_intent(amount=Decimal("123.45"), reference="enrolment-7", idempotency_key="k1")
    assert intent.id.startswith("off_")
    assert intent.amount == Decimal("123.45")
    assert intent.currency == "cny"
    assert intent.reference == "enrolment-7"
    assert intent.status == "requires_payment_method"
    assert intent.client_secret
    # Stateless: a fresh provider object (another request, process) reads the same intent.
    assert OfflineProvider().retrieve_intent(intent.id) == intent


def test_the_same_key_gives_the_same_intent_and_another_key_another(offline):
    first = offline.create_intent(amount=Decimal("50.00"), reference="r", idempotency_key="same")
    assert (
        offline.create_intent(amount=Decimal("50.00"), reference="r", idempotency_key="same").id == first.id
    )
    assert (
        offline.create_intent(amount=Decimal("50.00"), reference="r", idempotency_key="other").id != first.id
    )


def test_an_intent_id_depends_on_the_secret_key(offline, settings):
    first = offline.create_intent(amount=Decimal("50.00"), reference="r", idempotency_key="k")
    settings.SECRET_KEY = "another-secret-key-for-this-test"
    with pytest.raises(IntentNotFound) as caught:
        offline.retrieve_intent(first.id)
    assert caught.value.code == "not_found"


@pytest.mark.parametrize("intent_id", ["pi_123", "off_", "off_garbage", 42])
def test_a_forged_or_unknown_id_is_not_found(offline, intent_id):
    with pytest.raises(IntentNotFound) as caught:
        offline.retrieve_intent(intent_id)
    assert caught.value.code == "not_found"


def test_an_altered_amount_breaks_the_signature(offline):
    intent = offline.create_intent(amount=Decimal("50.00"), reference="r", idempotency_key="k")
    forged = offline.create_intent(amount=Decimal("0.01"), reference="r", idempotency_key="k")
    value, _, signature = intent.id.rpartition(":")
    forged_value, _, _ = forged.id.rpartition(":")
    with pytest.raises(IntentNotFound) as caught:
        offline.retrieve_intent(f"{forged_value}:{signature}")
    assert caught.value.code == "not_found"
    assert offline.retrieve_intent(f"{value}:{signature}").amount == Decimal("50.00")


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5"), Decimal("0.001"), 2.5, None])
def test_bad_amounts_are_refused(offline, amount):
    with pytest.raises(PaymentError) as caught:
        offline.create_intent(amount=amount, reference="r", idempotency_key="k")
    assert caught.value.code == "bad_amount"


def test_a_missing_idempotency_key_is_refused(offline):
    with pytest.raises(PaymentError) as caught:
        offline.create_intent(amount=Decimal("1.00"), reference="r", idempotency_key="")
    assert caught.value.code == "no_idempotency_key"


def test_a_test_card_pays_and_a_declining_one_does_not(offline):
    intent = offline.create_intent(amount=Decimal("10.00"), reference="r", idempotency_key="k")
    paid = offline.confirm_test_card(intent.id)
    assert paid.succeeded
    assert (paid.id, paid.amount) == (intent.id, Decimal("10.00"))
    with pytest.raises(PaymentDeclined) as caught:
        offline.confirm_test_card(intent.id, payment_method="pm_card_chargeCustomerFail")
    assert caught.value.code == "card_declined"
    with pytest.raises(IntentNotFound) as caught:
        offline.confirm_test_card("off_forged")
    assert caught.value.code == "not_found"


def test_the_offline_gateway_remembers_nothing(offline):
    """Documented limit: retrieve cannot know about a confirmation (the app's records can)."""
    intent = offline.create_intent(amount=Decimal("10.00"), reference="r", idempotency_key="k")
    offline.confirm_test_card(intent.id)
    assert offline.retrieve_intent(intent.id).status == "requires_payment_method"


def test_a_refund_is_idempotent_and_never_above_the_payment(offline):
    intent = offline.create_intent(amount=Decimal("100.00"), reference="r", idempotency_key="k")
    refund = offline.refund(intent_id=intent.id, amount=Decimal("30.00"), idempotency_key="rk")
    assert (refund.intent_id, refund.amount, refund.status) == (intent.id, Decimal("30.00"), "succeeded")
    assert offline.refund(intent_id=intent.id, amount=Decimal("30.00"), idempotency_key="rk").id == refund.id
    assert offline.refund(intent_id=intent.id, amount=Decimal("30.00"), idempotency_key="rk2").id != refund.id
    with pytest.raises(PaymentError) as caught:
        offline.refund(intent_id=intent.id, amount=Decimal("100.01"), idempotency_key="rk3")
    assert caught.value.code == "refund_too_large"
    with pytest.raises(IntentNotFound) as caught:
        offline.refund(intent_id="off_forged", amount=Decimal("1.00"), idempotency_key="rk4")
    assert caught.value.code == "not_found"


def test_its_own_signed_event_parses(offline):
    intent = offline.confirm_test_card(
        offline.create_intent(amount=Decimal("123.45"), reference="r", idempotency_key="k").id
    )
    payload, header = offline.event_for(intent)
    event = offline.parse_webhook(payload=payload, signature_header=header)
    assert event.type == "payment_intent.succeeded"
    assert event.intent_id == intent.id
    assert event.amount == Decimal("123.45")
    assert event.id == offline.parse_webhook(payload=payload, signature_header=header).id
    # The same event delivered again has the same id, so a handler can drop the replay.
    assert offline.event_for(intent)[0] == payload


def test_a_tampered_or_wrongly_signed_offline_event_is_refused(offline):
    intent = offline.create_intent(amount=Decimal("1.00"), reference="r", idempotency_key="k")
    payload, header = offline.event_for(intent)
    body = json.loads(payload)
    body["data"]["object"]["amount"] = 999999
    with pytest.raises(WebhookSignatureError) as caught:
        offline.parse_webhook(payload=json.dumps(body).encode(), signature_header=header)
    assert caught.value.code == "bad_signature"
    with pytest.raises(WebhookSignatureError) as caught:
        offline.parse_webhook(payload=payload, signature_header=sign(payload, "whsec_guess"))
    assert caught.value.code == "bad_signature"
    stale_payload, stale_header = offline.event_for(intent, timestamp=int(time.time()) - 3600)
    with pytest.raises(WebhookSignatureError) as caught:
        offline.parse_webhook(payload=stale_payload, signature_header=stale_header)
    assert caught.value.code == "bad_signature"


def test_the_offline_webhook_secret_is_not_the_stripe_one(offline, settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_stripe"
    payload = json.dumps({"id": "evt_1", "type": "x", "data": {"object": {}}}).encode()
    with pytest.raises(WebhookSignatureError) as caught:
        offline.parse_webhook(payload=payload, signature_header=sign(payload, "whsec_stripe"))
    assert caught.value.code == "bad_signature"
    assert offline.webhook_secret.startswith("whsec_off_")


def test_get_provider_defaults_to_offline(settings):
    del settings.PAYMENT_PROVIDER
    assert isinstance(get_provider(), OfflineProvider)
    settings.PAYMENT_PROVIDER = "offline"
    assert isinstance(get_provider(), OfflineProvider)


def test_get_provider_builds_stripe_from_settings(settings):
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_abc"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_abc"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_abc"
    settings.STRIPE_API_BASE = "http://127.0.0.1:8420/"
    provider = get_provider()
    assert isinstance(provider, StripeProvider)
    assert (provider.secret_key, provider.publishable_key, provider.webhook_secret, provider.api_base) == (
        "sk_test_abc",
        "pk_test_abc",
        "whsec_abc",
        "http://127.0.0.1:8420",
    )
    payload = json.dumps({"id": "evt_1", "type": "payment_intent.created", "data": {"object": {}}}).encode()
    assert provider.parse_webhook(payload=payload, signature_header=sign(payload, "whsec_abc")).id == "evt_1"


def test_stripe_without_a_secret_key_says_so(settings):
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = ""
    with translation.override("en"), pytest.raises(PaymentError, match="not configured") as caught:
        get_provider().retrieve_intent("pi_1")
    assert caught.value.code == "not_configured"


def test_an_unknown_provider_is_a_configuration_error(settings):
    settings.PAYMENT_PROVIDER = "paypal"
    with pytest.raises(ImproperlyConfigured):
        get_provider()
