"""Deploy checks (``manage.py check --deploy``): are payments real?"""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def payments_are_real(app_configs, **kwargs):
    """Warn when the site would take money that is not real: the offline provider (test
    cards), Stripe test keys, a missing webhook secret, or a stand-in gateway address."""
    provider = getattr(settings, "PAYMENT_PROVIDER", "offline") or "offline"
    if provider == "offline":
        return [
            Warning(
                "PAYMENT_PROVIDER is 'offline': test cards are accepted and no money moves.",
                hint="Set PAYMENT_PROVIDER=stripe with live keys (a demo site may keep offline).",
                id="payments.W001",
            )
        ]
    warnings = []
    secret = settings.STRIPE_SECRET_KEY or ""
    if not secret.startswith(("sk_live_", "rk_live_")):
        warnings.append(
            Warning(
                "STRIPE_SECRET_KEY is not a live key: Stripe takes no real money with it.",
                hint="Use the account's live secret key (sk_live_…).",
                id="payments.W002",
            )
        )
    if not (settings.STRIPE_PUBLISHABLE_KEY or "").startswith("pk_live_"):
        warnings.append(
            Warning(
                "STRIPE_PUBLISHABLE_KEY is not a live key.",
                hint="Use the account's live publishable key (pk_live_…).",
                id="payments.W003",
            )
        )
    if not settings.STRIPE_WEBHOOK_SECRET:
        warnings.append(
            Warning(
                "STRIPE_WEBHOOK_SECRET is empty: the gateway's events cannot be verified.",
                hint="Set the signing secret of the webhook endpoint (whsec_…).",
                id="payments.W004",
            )
        )
    if settings.STRIPE_API_BASE:
        warnings.append(
            Warning(
                f"STRIPE_API_BASE points payments at a stand-in gateway ({settings.STRIPE_API_BASE}).",
                hint="Leave STRIPE_API_BASE empty in production.",
                id="payments.W005",
            )
        )
    return warnings
