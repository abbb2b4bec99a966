"""The Stripe provider: PaymentIntents with card payment methods, through stripe-python's
``StripeClient``, and Stripe's signed webhooks.

``STRIPE_API_BASE`` points it at a Stripe-compatible server (localstripe in tests and the
demo); empty means Stripe's own API. Yuan become fen (Stripe's integer minor unit) only here.

Stripe's webhook format (``verify_signature``, ``event_from_payload``) is also what the
offline provider signs and parses, so the demo's events take the same path as Stripe's.
"""

from __future__ import annotations

import json

import stripe
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.money import from_fen, to_fen

from .base import (
    DEFAULT_CURRENCY,
    WEBHOOK_TOLERANCE_SECONDS,
    Event,
    Intent,
    IntentNotFound,
    PaymentDeclined,
    PaymentError,
    PaymentProvider,
    Refund,
    WebhookSignatureError,
    gateway_amount,
    gateway_currency,
)

# --- Webhooks --------------------------------------------------------------------------------


def verify_signature(payload: bytes, signature_header: str, secret: str, tolerance: int) -> None:
    """Stripe's scheme: header ``t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``."""
    if not secret:
        # A missing secret must not turn verification off.
        raise WebhookSignatureError(_("No webhook secret is configured."), code="no_secret")
    try:
        stripe.WebhookSignature.verify_header(payload, signature_header, secret, tolerance)
    except stripe.SignatureVerificationError as error:
        raise WebhookSignatureError(_("Invalid webhook signature."), code="bad_signature") from error
    except UnicodeDecodeError as error:
        raise WebhookSignatureError(_("Invalid webhook payload."), code="bad_payload") from error


def event_from_payload(payload: bytes) -> Event:
    """Build an Event from a payload whose signature has already been verified."""
    try:
        body = json.loads(payload)
        obj = body["data"]["object"]
        event_id, event_type = body["id"], body["type"]
    except (ValueError, KeyError, TypeError) as error:
        raise WebhookSignatureError(_("Invalid webhook payload."), code="bad_payload") from error
    if not isinstance(obj, dict):
        raise WebhookSignatureError(_("Invalid webhook payload."), code="bad_payload")
    if obj.get("object") == "payment_intent":
        intent_id = obj.get("id") or ""
    else:
        intent_id = obj.get("payment_intent") or ""
    fen = obj.get("amount_refunded") if event_type == "charge.refunded" else obj.get("amount")
    amount = from_fen(fen) if isinstance(fen, int) and not isinstance(fen, bool) else None
    return Event(
        id=event_id,
        type=event_type,
        intent_id=intent_id,
        amount=amount,
        currency=str(obj.get("currency") or ""),
        data=obj,
    )


# --- The provider ----------------------------------------------------------------------------


class StripeProvider(PaymentProvider):
    """Stripe PaymentIntents (card only) through stripe-python's ``StripeClient``.

    Settings (all optional here, read when the provider is built): ``STRIPE_SECRET_KEY``,
    ``STRIPE_WEBHOOK_SECRET``, ``STRIPE_API_BASE`` (empty: Stripe's own API). The publishable
    key (``STRIPE_PUBLISHABLE_KEY``) is only for the browser and is exposed as
    ``publishable_key``.

    ``reference`` and ``description`` travel in the intent's metadata (localstripe refuses a
    top-level ``description``), so the same call works on Stripe and on localstripe.
    """

    name = "stripe"

    def __init__(
        self,
        *,
        secret_key: str | None = None,
        publishable_key: str | None = None,
        webhook_secret: str | None = None,
        api_base: str | None = None,
        webhook_tolerance: int = WEBHOOK_TOLERANCE_SECONDS,
    ):
        self.secret_key = secret_key if secret_key is not None else getattr(settings, "STRIPE_SECRET_KEY", "")
        self.publishable_key = (
            publishable_key
            if publishable_key is not None
            else getattr(settings, "STRIPE_PUBLISHABLE_KEY", "")
        )
        self.webhook_secret = (
            webhook_secret if webhook_secret is not None else getattr(settings, "STRIPE_WEBHOOK_SECRET", "")
        )
        self.api_base = (
            api_base if api_base is not None else getattr(settings, "STRIPE_API_BASE", "")
        ).rstrip("/")
        self.webhook_tolerance = webhook_tolerance
        self._client: stripe.StripeClient | None = None

    @property
    def supports_test_cards(self) -> bool:  # type: ignore[override]
        return not self.secret_key.startswith("sk_live_")

    @property
    def client(self) -> stripe.StripeClient:
        if self._client is None:
            if not self.secret_key:
                raise PaymentError(_("Stripe is not configured (no secret key)."), code="not_configured")
            self._client = stripe.StripeClient(
                self.secret_key,
                base_addresses={"api": self.api_base} if self.api_base else None,
                # Retries are safe: every POST carries an idempotency key.
                max_network_retries=2,
            )
        return self._client

    # Stripe errors become ours, with no gateway details leaking to users.
    def _call(self, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except stripe.CardError as error:
            raise PaymentDeclined(_("The card was declined."), code=error.code or "card_declined") from error
        except stripe.InvalidRequestError as error:
            if error.http_status == 404:
                raise IntentNotFound(_("No such payment."), code="not_found") from error
            raise PaymentError(
                _("The payment gateway refused the request."), code=error.code or "gateway_refused"
            ) from error
        except stripe.StripeError as error:
            raise PaymentError(
                _("The payment gateway is unavailable; please try again."), code="gateway_unavailable"
            ) from error

    @staticmethod
    def _intent(obj) -> Intent:
        obj = obj.to_dict()  # stripe-python objects are not dicts (no .get)
        metadata = obj.get("metadata") or {}
        return Intent(
            id=obj["id"],
            client_secret=obj.get("client_secret") or "",
            amount=from_fen(obj["amount"]),
            currency=obj["currency"],
            status=obj["status"],
            reference=metadata.get("reference", ""),
        )

    def create_intent(self, *, amount, currency=DEFAULT_CURRENCY, reference, idempotency_key, description=""):
        amount = gateway_amount(amount)
        if not idempotency_key:
            raise PaymentError(_("An idempotency key is required."), code="no_idempotency_key")
        params = {
            "amount": to_fen(amount),
            "currency": gateway_currency(currency),
            "payment_method_types": ["card"],
            "metadata": {"reference": reference, "description": description},
        }
        obj = self._call(
            self.client.v1.payment_intents.create, params=params, options={"idempotency_key": idempotency_key}
        )
        return self._intent(obj)

    def retrieve_intent(self, intent_id):
        return self._intent(self._call(self.client.v1.payment_intents.retrieve, intent_id))

    def confirm(self, intent_id, *, payment_method):
        # Attach first, then confirm: localstripe does not take payment_method at confirm.
        self._call(
            self.client.v1.payment_intents.update, intent_id, params={"payment_method": payment_method}
        )
        return self._intent(self._call(self.client.v1.payment_intents.confirm, intent_id))

    def confirm_test_card(self, intent_id, *, payment_method="pm_card_visa"):
        if not self.supports_test_cards:
            return super().confirm_test_card(intent_id, payment_method=payment_method)
        # Attach first, then confirm: localstripe does not take payment_method at confirm.
        self._call(
            self.client.v1.payment_intents.update, intent_id, params={"payment_method": payment_method}
        )
        return self._intent(self._call(self.client.v1.payment_intents.confirm, intent_id))

    def refund(self, *, intent_id, amount, idempotency_key):
        amount = gateway_amount(amount)
        if not idempotency_key:
            raise PaymentError(_("An idempotency key is required."), code="no_idempotency_key")
        obj = self._call(
            self.client.v1.refunds.create,
            params={"payment_intent": intent_id, "amount": to_fen(amount)},
            options={"idempotency_key": idempotency_key},
        ).to_dict()
        return Refund(
            id=obj["id"],
            intent_id=obj.get("payment_intent") or intent_id,
            amount=from_fen(obj["amount"]),
            currency=obj["currency"],
            status=obj["status"],
        )

    def parse_webhook(self, *, payload, signature_header):
        verify_signature(payload, signature_header, self.webhook_secret, self.webhook_tolerance)
        return event_from_payload(payload)
