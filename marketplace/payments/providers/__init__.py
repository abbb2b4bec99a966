"""Payment providers: the only code that talks to a payment gateway.

The rest of the application sees amounts as ``Decimal`` yuan (two places) and never fen;
conversion to the gateway's integer minor unit happens inside the Stripe provider only.

The interface (:class:`PaymentProvider`, the values a gateway reports, its errors) is in
``base``; each provider is a module that implements it and parses its own webhooks:

* ``stripe`` — :class:`StripeProvider`, Stripe PaymentIntents with card payment methods,
  through stripe-python's ``StripeClient``. ``STRIPE_API_BASE`` points it at a
  Stripe-compatible server (localstripe in tests and the demo); empty means Stripe's own API.
* ``offline`` — :class:`OfflineProvider`, for the embedded demo, with no network and no state
  of its own (see its docstring for what that means and what it cannot do).

``get_provider()`` returns the one chosen by the ``PAYMENT_PROVIDER`` setting; the names
callers need are importable from this package.

Webhooks are the source of truth for payments: callers should record money from the
:class:`Event` that ``parse_webhook`` returns (idempotently, keyed by event id and intent id),
not from what a browser claims.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

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
)
from .offline import OfflineProvider
from .stripe import StripeProvider

__all__ = [
    "DEFAULT_CURRENCY",
    "PROVIDERS",
    "WEBHOOK_TOLERANCE_SECONDS",
    "Event",
    "Intent",
    "IntentNotFound",
    "OfflineProvider",
    "PaymentDeclined",
    "PaymentError",
    "PaymentProvider",
    "Refund",
    "StripeProvider",
    "WebhookSignatureError",
    "get_provider",
]

PROVIDERS: dict[str, type[PaymentProvider]] = {"offline": OfflineProvider, "stripe": StripeProvider}


def get_provider() -> PaymentProvider:
    """The provider named by ``settings.PAYMENT_PROVIDER`` ("offline" by default, or "stripe")."""
    name = getattr(settings, "PAYMENT_PROVIDER", "offline") or "offline"
    try:
        return PROVIDERS[name]()
    except KeyError:
        raise ImproperlyConfigured(
            f"PAYMENT_PROVIDER must be one of {sorted(PROVIDERS)}, not {name!r}"
        ) from None
