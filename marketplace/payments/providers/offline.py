"""The offline provider: a gateway stand-in for the embedded demo, with no network and no
state of its own (see ``OfflineProvider`` for what that means and what it cannot do).

Its webhooks are Stripe's format, signed with its own secret, and parsed as Stripe's are.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from decimal import Decimal

import stripe
from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from core.money import to_fen

from .base import (
    DEFAULT_CURRENCY,
    WEBHOOK_TOLERANCE_SECONDS,
    Intent,
    IntentNotFound,
    PaymentDeclined,
    PaymentError,
    PaymentProvider,
    Refund,
    gateway_amount,
    gateway_currency,
)
from .stripe import event_from_payload, verify_signature


class OfflineProvider(PaymentProvider):
    """A gateway stand-in for the embedded demo: no network, no storage, nothing to configure.

    It is stateless on purpose, so it works across requests, processes and restarts:

    * An intent id is ``"off_"`` + a value signed with ``SECRET_KEY`` carrying amount,
      currency, reference and idempotency key. The same arguments give the same id (that is
      its idempotency); a forged or altered id raises IntentNotFound.
    * Because it remembers nothing, ``retrieve_intent`` can only report what the id carries:
      status ``requires_payment_method``, always — it cannot know that a card was "paid".
      ``confirm_test_card`` returns the intent with status ``succeeded`` (every test card
      except the declining ones in ``DECLINING_CARDS`` succeeds), and ``event_for`` produces the signed
      ``payment_intent.succeeded`` webhook that a real gateway would send, so the demo can feed
      it through the very same ``parse_webhook`` path as Stripe. The application's own
      payment records are the truth, as they are with Stripe.
    * A refund id is derived from (intent, amount, key), so it is idempotent too. The offline
      gateway cannot know what was refunded before: it only refuses a single refund above the
      intent's amount; the ledger must enforce the running total.

    No money moves. Never use it outside the demo: it refuses to start unless
    ``PAYMENT_OFFLINE_ALLOWED`` is on (on in the demo and tests, off in production).
    """

    name = "offline"
    supports_test_cards = True
    DECLINING_CARDS = frozenset({"pm_card_chargeCustomerFail", "pm_card_visa_chargeDeclined"})
    _INTENT_SALT = "marketplace.payments.offline.intent"
    _REFUND_SALT = "marketplace.payments.offline.refund"

    def __init__(self, *, webhook_tolerance: int = WEBHOOK_TOLERANCE_SECONDS):
        if not getattr(settings, "PAYMENT_OFFLINE_ALLOWED", False):
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(
                "The offline payment provider takes test cards and moves no money; it is off "
                "unless PAYMENT_OFFLINE_ALLOWED is set (for a demo)."
            )
        self.webhook_tolerance = webhook_tolerance

    @property
    def webhook_secret(self) -> str:
        return (
            "whsec_off_"
            + salted_hmac("marketplace.payments.offline.webhook", "webhook", algorithm="sha256").hexdigest()
        )

    @staticmethod
    def _client_secret(intent_id: str) -> str:
        return (
            intent_id[:12]
            + "_secret_"
            + salted_hmac("marketplace.payments.offline.client", intent_id, algorithm="sha256").hexdigest()[
                :24
            ]
        )

    def _intent(self, intent_id: str, status: str) -> Intent:
        if not isinstance(intent_id, str) or not intent_id.startswith("off_"):
            raise IntentNotFound(_("No such payment."), code="not_found")
        try:
            data = signing.Signer(salt=self._INTENT_SALT).unsign_object(intent_id.removeprefix("off_"))
            amount = Decimal(data["a"])
        except (signing.BadSignature, KeyError, TypeError, ValueError, ArithmeticError) as error:
            raise IntentNotFound(_("No such payment."), code="not_found") from error
        return Intent(
            id=intent_id,
            client_secret=self._client_secret(intent_id),
            amount=amount,
            currency=data["c"],
            status=status,
            reference=data["r"],
        )

    def create_intent(self, *, amount, currency=DEFAULT_CURRENCY, reference, idempotency_key, description=""):
        amount = gateway_amount(amount)
        if not idempotency_key:
            raise PaymentError(_("An idempotency key is required."), code="no_idempotency_key")
        # Signer (no timestamp) is deterministic: same arguments, same id.
        token = signing.Signer(salt=self._INTENT_SALT).sign_object(
            {"a": str(amount), "c": gateway_currency(currency), "r": reference, "k": idempotency_key}
        )
        return self._intent("off_" + token, "requires_payment_method")

    def retrieve_intent(self, intent_id):
        return self._intent(intent_id, "requires_payment_method")

    def confirm_test_card(self, intent_id, *, payment_method="pm_card_visa"):
        intent = self._intent(intent_id, "requires_payment_method")
        if payment_method in self.DECLINING_CARDS:
            raise PaymentDeclined(_("The card was declined."), code="card_declined")
        return replace(intent, status="succeeded")

    def refund(self, *, intent_id, amount, idempotency_key):
        amount = gateway_amount(amount)
        if not idempotency_key:
            raise PaymentError(_("An idempotency key is required."), code="no_idempotency_key")
        intent = self._intent(intent_id, "succeeded")
        if amount > intent.amount:
            raise PaymentError(
                _("A refund cannot exceed the payment (%(amount)s).") % {"amount": intent.amount},
                code="refund_too_large",
            )
        digest = hashlib.sha256(f"{intent_id}|{amount}|{idempotency_key}".encode()).hexdigest()[:24]
        return Refund(
            id="offre_" + digest,
            intent_id=intent_id,
            amount=amount,
            currency=intent.currency,
            status="succeeded",
        )

    def event_for(
        self, intent: Intent, *, type: str = "payment_intent.succeeded", timestamp: int | None = None
    ) -> tuple[bytes, str]:
        """The signed webhook a gateway would send for ``intent``: ``(payload, signature_header)``.

        The event id is derived from intent and type, so the same event delivered twice has the
        same id (handlers deduplicate by it)."""
        event_id = "evt_off_" + hashlib.sha256(f"{intent.id}|{type}".encode()).hexdigest()[:24]
        body = {
            "id": event_id,
            "object": "event",
            "type": type,
            "data": {
                "object": {
                    "id": intent.id,
                    "object": "payment_intent",
                    "amount": to_fen(intent.amount),
                    "currency": intent.currency,
                    "status": intent.status,
                    "metadata": {"reference": intent.reference},
                }
            },
        }
        payload = json.dumps(body, sort_keys=True).encode()
        header = stripe.WebhookSignature.generate_signature_header(
            payload.decode(), self.webhook_secret, timestamp=timestamp
        )
        return payload, header

    def parse_webhook(self, *, payload, signature_header):
        verify_signature(payload, signature_header, self.webhook_secret, self.webhook_tolerance)
        return event_from_payload(payload)
