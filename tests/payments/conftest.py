"""A real localstripe server for the payment tests, one per test session.

It runs in a subprocess on 127.0.0.1 and a free port, with its data file in a temporary folder
(see ``localstripe_server.py``). If it cannot start the tests are skipped on a developer's
machine, and fail when the ``CI`` environment variable is set: CI must exercise the gateway.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from marketplace.payments.providers import StripeProvider

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "sk_test_marketplace"
WEBHOOK_SECRET = "whsec_test_marketplace"


@dataclass
class LocalStripe:
    url: str
    data_dir: Path
    process: subprocess.Popen


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/js.stripe.com/v3/", timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"localstripe is unavailable: {reason}; CI must run the payment tests against it")
    pytest.skip(f"localstripe is unavailable: {reason}")


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("localstripe")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(data_dir / "server.log", "wb")  # noqa: SIM115 - closed at teardown
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.payments.localstripe_server", str(port), str(data_dir)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    except OSError as error:
        log.close()
        _unavailable(str(error))
    try:
        deadline = time.monotonic() + 20
        while not _answers(url):
            if process.poll() is not None:
                _unavailable(
                    f"it exited with {process.returncode}: {(data_dir / 'server.log').read_text()[-2000:]}"
                )
            if time.monotonic() > deadline:
                _unavailable(f"no answer at {url} within 20 s")
            time.sleep(0.1)
        yield LocalStripe(url=url, data_dir=data_dir, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def stripe_provider(localstripe):
    return StripeProvider(
        secret_key=SECRET_KEY,
        publishable_key="pk_test_marketplace",
        webhook_secret=WEBHOOK_SECRET,
        api_base=localstripe.url,
    )


@pytest.fixture
def stripe_settings(settings, localstripe):
    """Django settings that point the payments at the localstripe server."""
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_marketplace"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = localstripe.url
    settings.STRIPE_JS_URL = f"{localstripe.url}/js.stripe.com/v3/"
    return settings
