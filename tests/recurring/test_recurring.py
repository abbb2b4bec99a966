"""The scheduler of the recurring jobs: when a job is due, once a day, catch-up, errors."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from core.recurring.models import RecurringRun
from core.recurring.services import recurring_due, recurring_enqueue_due, recurring_jobs
from marketplace.ledger.models import LedgerEntry, Payout
from marketplace.ledger.services import ledger_pay, ledger_release_session
from tests.ledger import build_world
from tests.recurring import tasks as probe

SHANGHAI = ZoneInfo("Asia/Shanghai")
PROBE = "tests.recurring.tasks.recurring_probe"


def at(hour, minute=0, day=10):
    """An aware datetime: ``day`` Oct 2026 at hour:minute, Shanghai time (TIME_ZONE)."""
    return datetime.datetime(2026, 10, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _reset_probe():
    probe.CALLS.clear()
    yield
    probe.CALLS.clear()


JOBS = {"probe": {"task": PROBE, "at": "01:00"}, "late": {"task": PROBE, "at": "23:30"}}


def test_default_setting_names_the_nightly_jobs(settings):
    assert settings.RECURRING_JOBS["ledger_settle"] == {
        "task": "marketplace.ledger.tasks.ledger_settle_yesterday",
        "at": "01:00",
    }
    assert settings.RECURRING_JOBS["risk_grade"]["at"] == "02:00"
    assert [j.name for j in recurring_jobs()] == ["ledger_settle", "risk_grade", "refund_retry"]


@override_settings(RECURRING_JOBS=JOBS)
def test_due_by_local_time(db):
    assert recurring_due(at(0, 59)) == []
    assert [j.name for j in recurring_due(at(1, 0))] == ["probe"]
    assert [j.name for j in recurring_due(at(23, 30))] == ["probe", "late"]
    # 17:00 UTC on the 9th is 01:00 on the 10th in Shanghai: due by local time.
    utc = datetime.datetime(2026, 10, 9, 17, 0, tzinfo=datetime.UTC)
    assert [j.name for j in recurring_due(utc)] == ["probe"]
    assert recurring_due(utc - datetime.timedelta(minutes=1)) == []


@override_settings(RECURRING_JOBS=JOBS)
def test_enqueues_once_per_day_even_when_called_twice(db):
    [outcome] = recurring_enqueue_due(now=at(1, 0))
    assert (outcome.job, outcome.status, outcome.for_date) == (
        "probe",
        "enqueued",
        datetime.date(2026, 10, 10),
    )
    assert outcome.result_id
    assert probe.CALLS == ["ran"]
    run = RecurringRun.objects.get()
    assert (run.job, run.for_date, run.result_id) == ("probe", datetime.date(2026, 10, 10), outcome.result_id)
    assert recurring_enqueue_due(now=at(1, 0)) == []
    assert recurring_enqueue_due(now=at(9, 0)) == []
    assert probe.CALLS == ["ran"]
    # The next day it is due again.
    [again] = recurring_enqueue_due(now=at(1, 0, day=11))
    assert again.for_date == datetime.date(2026, 10, 11)
    assert probe.CALLS == ["ran", "ran"]


@override_settings(RECURRING_JOBS=JOBS)
def test_another_scheduler_that_won_the_day_is_not_doubled(db):
    """A scheduler that saw the job due but lost the insert race skips it."""
    from core.recurring import services

    due = services.recurring_due(at(1, 0))
    RecurringRun.objects.create(job="probe", for_date=datetime.date(2026, 10, 10))  # the winner
    original = services.recurring_due
    services.recurring_due = lambda now: due  # this scheduler read "due" before the winner wrote
    try:
        [outcome] = services.recurring_enqueue_due(now=at(1, 0))
    finally:
        services.recurring_due = original
    assert outcome.status == "skipped"
    assert probe.CALLS == []
    assert RecurringRun.objects.count() == 1


@override_settings(RECURRING_JOBS=JOBS)
def test_missed_run_is_caught_up_later_the_same_day_not_for_past_days(db):
    # The server was down at 01:00 on the 9th and the 10th; it starts at 15:20 on the 10th.
    outcomes = recurring_enqueue_due(now=at(15, 20))
    assert [(o.job, o.for_date) for o in outcomes] == [("probe", datetime.date(2026, 10, 10))]
    assert probe.CALLS == ["ran"]  # once, for today only
    assert not RecurringRun.objects.filter(for_date=datetime.date(2026, 10, 9)).exists()


@override_settings(
    RECURRING_JOBS={
        "missing": {"task": "marketplace.nowhere.tasks.not_written_yet", "at": "00:30"},
        "plain": {"task": "tests.recurring.tasks.not_a_task", "at": "00:40"},
        "bad_time": {"task": PROBE, "at": "25:00"},
        "probe": {"task": PROBE, "at": "01:00"},
    }
)
def test_unknown_task_is_reported_and_the_others_still_run(db):
    outcomes = {o.job: o for o in recurring_enqueue_due(now=at(2, 0))}
    assert outcomes["missing"].status == "error"
    assert "marketplace.nowhere.tasks.not_written_yet" in outcomes["missing"].error
    assert outcomes["plain"].status == "error"
    assert "not a Django task" in outcomes["plain"].error
    assert outcomes["bad_time"].status == "error"
    assert "HH:MM" in outcomes["bad_time"].error
    assert outcomes["probe"].status == "enqueued"
    assert probe.CALLS == ["ran"]
    # Nothing is recorded for the failures: they are retried (and reported) on the next tick.
    assert list(RecurringRun.objects.values_list("job", flat=True)) == ["probe"]
    assert {o.job for o in recurring_enqueue_due(now=at(2, 1))} == {"missing", "plain", "bad_time"}


@override_settings(RECURRING_JOBS={"probe": {"task": PROBE, "at": "01:00"}})
def test_failed_enqueue_frees_the_day_for_a_retry(db, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("queue down")

    monkeypatch.setattr(probe.recurring_probe.__class__, "enqueue", refuse)
    [outcome] = recurring_enqueue_due(now=at(1, 0))
    assert outcome.status == "error" and "queue down" in outcome.error
    assert not RecurringRun.objects.exists()
    monkeypatch.undo()
    [outcome] = recurring_enqueue_due(now=at(1, 1))
    assert outcome.status == "enqueued"


@override_settings(RECURRING_JOBS={"missing": {"task": "marketplace.nowhere.tasks.nope", "at": "00:00"}})
def test_command_once_reports_an_unknown_task_as_a_failure(db):
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("run_recurring", "--once", stdout=StringIO(), stderr=err)
    assert "marketplace.nowhere.tasks.nope" in err.getvalue()


@override_settings(
    RECURRING_JOBS={
        "ledger_settle": {"task": "marketplace.ledger.tasks.ledger_settle_yesterday", "at": "00:00"}
    }
)
def test_command_once_enqueues_the_ledger_settlement(db):
    world = build_world()
    ledger_pay(child=world.children[0], lines=[(world.vendor_activity, Decimal("30"))])
    [released] = ledger_release_session(dated_session=world.vendor_meetings[0])
    out = StringIO()
    call_command("run_recurring", "--once", stdout=out, stderr=StringIO())
    assert "ledger_settle" in out.getvalue() and "enqueued" in out.getvalue()
    payout = Payout.objects.get()
    assert payout.vendor == world.vendor
    assert payout.amount == released.amount
    assert LedgerEntry.objects.get(kind=LedgerEntry.Kind.SETTLED).settles == released
    assert RecurringRun.objects.get().job == "ledger_settle"
    # Run again the same day: nothing more is enqueued, nothing paid twice.
    call_command("run_recurring", "--once", stdout=StringIO(), stderr=StringIO())
    assert Payout.objects.count() == 1
    assert RecurringRun.objects.count() == 1
