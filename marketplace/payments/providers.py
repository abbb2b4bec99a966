"""Payment providers: the only code that talks to a payment gateway.

The rest of the application sees amounts as ``Decimal`` yuan (two places) and never fen;
conversion to the gateway's integer minor unit happens inside :class:`StripeProvider` only.

Two providers implement :class:`PaymentProvider`:

* :class:`StripeProvider` — Stripe PaymentIntents with card payment methods, through
  stripe-python's ``StripeClient``. ``STRIPE_API_BASE`` points it at a Stripe-compatible
  server (localstripe in tests and the demo); empty means Stripe's own API.
* :class:`OfflineProvider` — for the embedded demo, with no network and no state of its own
  (see its docstring for what that means and what it cannot do).

``get_provider()`` returns the one chosen by the ``PAYMENT_PROVIDER`` setting.

Webhooks are the source of truth for payments: callers should record money from the
:class:`Event` that ``parse_webhook`` returns (idempotently, keyed by event id and intent id),
not from what a browser claims.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from core.money import from_fen, money, to_fen

DEFAULT_CURRENCY = "cny"
# Stripe's own default: a signed webhook older than five minutes is refused (replay window).
WEBHOOK_TOLERANCE_SECONDS = 300


# --- Errors ----------------------------------------------------------------------------------


class PaymentError(Exception):
    """A payment operation failed; ``str(error)`` is a message fit to show (translatable)."""

    def __init__(self, message, *, code: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return str(self.message)


class PaymentDeclined(PaymentError):
    """The card was declined (the family can try another card)."""


class IntentNotFound(PaymentError):
    """No such payment intent at the gateway (or a forged offline id)."""


class WebhookSignatureError(PaymentError):
    """A webhook's signature is missing, wrong or too old: the payload must be ignored (HTTP 400)."""


# --- Values ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Intent:
    """A payment intent as the gateway reports it. ``amount`` is Decimal yuan.

    ``status`` uses Stripe's vocabulary: requires_payment_method, requires_confirmation,
    requires_action, processing, requires_capture, canceled, succeeded.
    """

    id: str
    client_secret: str
    amount: Decimal
    currency: str
    status: str
    reference: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"


@dataclass(frozen=True)
class Refund:
    id: str
    intent_id: str
    amount: Decimal
    currency: str
    status: str


@dataclass(frozen=True)
class Event:
    """A verified webhook event.

    ``intent_id`` is the payment intent the event concerns ("" when none); ``amount`` is the
    object's amount in yuan (for ``charge.refunded`` the amount refunded so far), or None.
    ``data`` is the event's object as the gateway sent it, for anything else a handler needs.
    """

    id: str
    type: str
    intent_id: str
    amount: Decimal | None
    currency: str
    data: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


# --- Interface -------------------------------------------------------------------------------


class PaymentProvider(ABC):
    """What the application needs from a payment gateway. Amounts are Decimal yuan."""

    name: str = ""
    #: True when ``confirm_test_card`` works (test mode / demo only).
    supports_test_cards: bool = False

    @abstractmethod
    def create_intent(
        self,
        *,
        amount: Decimal,
        currency: str = DEFAULT_CURRENCY,
        reference: str,
        idempotency_key: str,
        description: str = "",
    ) -> Intent:
        """Create an intent to pay ``amount``. The same ``idempotency_key`` with the same
        arguments returns the same intent (a retried request never charges twice)."""

    @abstractmethod
    def retrieve_intent(self, intent_id: str) -> Intent:
        """The intent as the gateway knows it now; raises IntentNotFound."""

    def confirm(self, intent_id: str, *, payment_method: str) -> Intent:
        """Pay the intent with ``payment_method`` (a card the family entered in the gateway's
        own form: Stripe.js returns its id). The result may need the family's action
        (``requires_action``: 3-D Secure, finished in the browser). Raises PaymentDeclined."""
        return self.confirm_test_card(intent_id, payment_method=payment_method)

    def confirm_test_card(self, intent_id: str, *, payment_method: str = "pm_card_visa") -> Intent:
        """Pay the intent with a test card, server-side (tests and demo only).

        Raises PaymentDeclined for a declining test card and PaymentError where the provider
        does not support test cards (live Stripe keys)."""
        raise PaymentError(_("This payment provider does not accept test cards."), code="no_test_cards")

    @abstractmethod
    def refund(self, *, intent_id: str, amount: Decimal, idempotency_key: str) -> Refund:
        """Refund part or all of a succeeded intent. Idempotent by ``idempotency_key``."""

    @abstractmethod
    def parse_webhook(self, *, payload: bytes, signature_header: str) -> Event:
        """Verify a webhook's ``Stripe-Signature``-style header and return its event.

        Raises WebhookSignatureError on a missing, wrong or stale signature, or a body that is
        not an event; nothing in the payload may be trusted before this returns."""


# --- Shared helpers --------------------------------------------------------------------------


def _gateway_amount(amount) -> Decimal:
    """Check an amount bound for a gateway: positive yuan with at most two places.

    Refuses rather than rounds, so a caller's arithmetic slip is never silently charged."""
    if not isinstance(amount, Decimal | int) or isinstance(amount, bool):
        raise PaymentError(_("A payment amount must be a Decimal number of yuan."), code="bad_amount")
    if not Decimal(amount).is_finite() or money(amount) != amount or amount <= 0:
        raise PaymentError(
            _("A payment amount must be positive with at most two decimal places (got %(amount)s).")
            % {"amount": amount},
            code="bad_amount",
        )
    return money(amount)


def _currency(currency: str) -> str:
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha():
        raise PaymentError(_("Unknown currency %(currency)s.") % {"currency": currency}, code="bad_currency")
    return currency.lower()


def _verify_signature(payload: bytes, signature_header: str, secret: str, tolerance: int) -> None:
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


def _event_from_payload(payload: bytes) -> Event:
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


# --- Stripe ----------------------------------------------------------------------------------


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
                _("The payment gateway refused the request."), code=error.code or "invalid"
            ) from error
        except stripe.StripeError as error:
            raise PaymentError(
                _("The payment gateway is unavailable; please try again."), code="gateway"
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
        amount = _gateway_amount(amount)
        if not idempotency_key:
            raise PaymentError(_("An idempotency key is required."), code="no_idempotency_key")
        params = {
            "amount": to_fen(amount),
            "currency": _currency(currency),
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
        amount = _gateway_amount(amount)
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
        _verify_signature(payload, signature_header, self.webhook_secret, self.webhook_tolerance)
        return _event_from_payload(payload)


# --- Offline (embedded demo) -----------------------------------------------------------------


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
        amount = _gateway_amount(amount)
        if not idempotency_key:
            raise PaymentError(_("An idempotency key is required."), code="no_idempotency_key")
        # Signer (no timestamp) is deterministic: same arguments, same id.
        token = signing.Signer(salt=self._INTENT_SALT).sign_object(
            {"a": str(amount), "c": _currency(currency), "r": reference, "k": idempotency_key}
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
        amount = _gateway_amount(amount)
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
        _verify_signature(payload, signature_header, self.webhook_secret, self.webhook_tolerance)
        return _event_from_payload(payload)


# --- Choice ----------------------------------------------------------------------------------

PROVIDERS: dict[str, type[PaymentProvider]] = {"offline": OfflineProvider, "stripe": StripeProvider}


def get_provider() -> PaymentProvider:
    """The provider named by ``settings.PAYMENT_PROVIDER`` ("offline" by default, or "stripe")."""
    name = getattr(settings, "PAYMENT_PROVIDER", "offline") or "offline"
    try:
        return PROVIDERS[name]()
    except KeyError:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"PAYMENT_PROVIDER must be one of {sorted(PROVIDERS)}, not {name!r}"
        ) from None
