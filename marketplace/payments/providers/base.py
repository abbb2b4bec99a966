"""The payment provider interface: what the application needs from a payment gateway, the
values a gateway reports, its errors, and the checks every provider applies to what it sends.

Amounts are ``Decimal`` yuan (two places) everywhere here; a provider converts them to its
gateway's own unit. Each provider is a module of this package (``stripe``, ``offline``) and
parses its own webhooks.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.money import money

DEFAULT_CURRENCY = "cny"
# Stripe's own default: a signed webhook older than five minutes is refused (replay window).
WEBHOOK_TOLERANCE_SECONDS = 300


# --- Errors ----------------------------------------------------------------------------------


class PaymentError(DomainError):
    """A payment operation failed; ``str(error)`` is a message fit to show (translatable),
    ``code`` the reason (a ``core.errors.DomainError``: ``payment_error`` when none is given)."""

    default_code = "payment_error"

    def __init__(self, message, *, code: str | None = None):
        super().__init__(message, code=code)
        self.args = (message,)  # rebuilt from the message alone (pickling): ``code`` is keyword-only

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


# --- Checks shared by the providers ----------------------------------------------------------


def gateway_amount(amount) -> Decimal:
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


def gateway_currency(currency: str) -> str:
    """Check a currency bound for a gateway (three letters) and give it in lower case."""
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha():
        raise PaymentError(_("Unknown currency %(currency)s.") % {"currency": currency}, code="bad_currency")
    return currency.lower()
