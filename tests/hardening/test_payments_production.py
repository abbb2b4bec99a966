"""Production takes real money only: the offline provider (test cards) is refused unless a
demo site allows it explicitly, and the deploy checks warn when payments are not real."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from marketplace.payments.checks import payments_are_real
from marketplace.payments.providers import OfflineProvider, get_provider

ROOT = Path(__file__).resolve().parents[2]
LIVE = {
    "PAYMENT_PROVIDER": "stripe",
    "STRIPE_SECRET_KEY": "sk_live_x",
    "STRIPE_PUBLISHABLE_KEY": "pk_live_x",
    "STRIPE_WEBHOOK_SECRET": "whsec_x",
    "STRIPE_API_BASE": "",
}


def warning_ids(**settings):
    with override_settings(**settings):
        return sorted(w.id for w in payments_are_real(None))


@override_settings(PAYMENT_PROVIDER="offline", PAYMENT_OFFLINE_ALLOWED=False)
def test_the_offline_provider_refuses_to_run_where_it_is_not_allowed():
    with pytest.raises(ImproperlyConfigured, match="PAYMENT_OFFLINE_ALLOWED"):
        get_provider()
    with pytest.raises(ImproperlyConfigured):
        OfflineProvider()


def test_the_deploy_check_says_when_payments_are_not_real():
    assert warning_ids(**LIVE) == []
    assert warning_ids(**{**LIVE, "PAYMENT_PROVIDER": "offline"}) == ["payments.W001"]
    assert warning_ids(**{**LIVE, "STRIPE_SECRET_KEY": "sk_test_x"}) == ["payments.W002"]
    assert warning_ids(**{**LIVE, "STRIPE_PUBLISHABLE_KEY": "pk_test_x"}) == ["payments.W003"]
    assert warning_ids(**{**LIVE, "STRIPE_WEBHOOK_SECRET": ""}) == ["payments.W004"]
    assert warning_ids(**{**LIVE, "STRIPE_API_BASE": "http://127.0.0.1:8420"}) == ["payments.W005"]


def production(*args, **env):
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("PAYMENT_", "STRIPE_", "DATABASE_URL"))
    }
    environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="production-test-" + "k" * 50,
        DJANGO_ALLOWED_HOSTS="afterschool.example.cn",
        **env,
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_the_offline_provider_and_defaults_to_stripe():
    refused = production("check", PAYMENT_PROVIDER="offline")
    assert refused.returncode != 0
    assert "PAYMENT_OFFLINE_ALLOWED" in refused.stderr

    demo = production("check", "--deploy", PAYMENT_PROVIDER="offline", PAYMENT_OFFLINE_ALLOWED="1")
    assert "payments.W001" in demo.stdout + demo.stderr

    default = production("check", "--deploy")
    output = default.stdout + default.stderr
    assert "payments.W001" not in output
    assert "payments.W002" in output  # Stripe, but no live key was given
