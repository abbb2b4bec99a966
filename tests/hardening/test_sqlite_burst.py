"""A burst of the same form at a live server on the embedded SQLite database.

A family double- and triple-clicks "Pay", then the card page's "Confirm" fires several times
at once. Each request runs in its own server thread with its own database connection, as under
``make run``. Every answer must be a clear one (a redirect or the JSON the page expects), never
a 500 "database is locked", and the burst must leave one payment recorded once.
"""

import http.client
import threading
from urllib.parse import urlencode, urlparse

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from marketplace.ledger.models import LedgerEntry
from marketplace.payments.models import Payment
from tests.ledger import build_paying_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
        reason="the embedded database's own concurrency",
    ),
]

CSRF = "burst" * 6 + "ok"  # 32 allowed characters: an unmasked CSRF secret


def burst(live_server, session_key, path, data, count, headers=None):
    """POST ``data`` to ``path`` ``count`` times at once (a barrier releases every thread
    together); returns the status codes and bodies."""
    address = urlparse(live_server.url)
    barrier = threading.Barrier(count)
    results = [None] * count

    def post(i):
        conn = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        body = urlencode({**data, "csrfmiddlewaretoken": CSRF})
        barrier.wait()
        conn.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}; {settings.CSRF_COOKIE_NAME}={CSRF}",
                **(headers or {}),
            },
        )
        response = conn.getresponse()
        results[i] = (response.status, response.read().decode("utf-8", "replace"))
        conn.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    return results


def test_the_database_runs_in_write_ahead_mode():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0].lower() == "wal"


def test_a_burst_of_pay_and_confirm_gives_one_payment_and_no_500(live_server, client, settings):
    settings.PAYMENT_PROVIDER = "offline"
    world = build_paying_world()
    child, parent = world.child, world.parent
    client.force_login(parent)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value

    start = reverse("payments:start", args=[child.household_id, child.pk])
    answers = burst(live_server, session_key, start, {"term": world.term.pk}, 6)
    assert [status for status, _ in answers] == [302] * 6, answers
    assert Payment.objects.filter(child=child).count() == 1
    payment = Payment.objects.get(child=child)

    confirm = reverse("payments:confirm", args=[child.household_id, payment.pk])
    answers = burst(
        live_server,
        session_key,
        confirm,
        {"payment_method": "pm_card_visa"},
        4,
        headers={"Accept": "application/json"},
    )
    statuses = [status for status, _ in answers]
    assert 500 not in statuses, answers
    assert set(statuses) <= {200, 402}, answers
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    paid = LedgerEntry.objects.filter(child=child, kind=LedgerEntry.Kind.PAID)
    assert sum(entry.amount for entry in paid) == payment.amount
