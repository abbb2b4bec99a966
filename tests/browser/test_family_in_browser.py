"""The family path in a real browser: a parent ranks choices, the school solves and
publishes, the parent pays by card (Stripe.js from localstripe, the card confirmed at
localstripe, whose signed webhook also arrives), a teacher and the vendor's instructor take
attendance on the day, the next night's settlement pays the vendor, and the family's held
balance falls.

Time moves with time-machine (in this process: the live server's thread too), because
attendance is only taken once a session has started and settlement pays the day before.

Where the solver places the child is not what this test is about (``tests/solver`` is): within
a short time limit on a busy machine the search may or may not have moved the child beyond
the first-come start, which leaves this child without a place. So the school re-solves from an
earlier timetable that places the child, with that placement pinned: whatever the search
finds, the pinned placement holds and the earlier timetable is a valid fallback, and the test
waits only for the background worker to finish the solve.
"""

import copy
import json
import urllib.request
import uuid
from collections import Counter
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.weekdays import days_from_mask
from marketplace.courses.models import Activity
from marketplace.enrolment.models import Enrolment, EnrolmentWindow, TermPlan
from marketplace.ledger.models import LedgerEntry, Payout
from marketplace.ledger.selectors import household_total, ledger_invariants_hold
from marketplace.payments.models import Payment, PaymentEvent
from people.accounts.models import User
from people.roles.models import Membership, Role
from scheduling.solver.baseline import baseline
from scheduling.solver.check import check, objective
from scheduling.solver.problem import Enrollment, load_problem
from scheduling.timetables import services
from scheduling.timetables.assembly import activity_key, problem_assemble, student_key
from scheduling.timetables.imports import run_import
from scheduling.timetables.models import DatedSession, TimetableRun
from schools.selectors import term_current
from tests.browser.conftest import login
from tests.browser.test_timetable_in_browser import db_worker, wait_until_finished  # noqa: F401
from tests.payments.conftest import SECRET_KEY, WEBHOOK_SECRET, localstripe  # noqa: F401

PASSWORD = "demo12345"


def yuan(text: str) -> Decimal:
    return Decimal(text.strip().lstrip("¥").replace(",", ""))


def timetable_placing(problem: dict, student: str) -> tuple[dict, str]:
    """A valid solution of ``problem`` that places ``student``, and the activity it places them in.

    The first-come baseline, with the student moved into the first of their choices that runs
    in it and has a free seat (the baseline may leave them without a place)."""
    loaded = load_problem(copy.deepcopy(problem))
    solution = baseline(loaded, seed=0)
    choices = next(s for s in problem["students"] if s["id"] == student)["choices"]
    max_size = {a["id"]: a["max_size"] for a in problem["activities"]}
    others = [e for e in solution.enrollments if e.student != student]
    running = {m.activity for m in solution.meetings}
    taken = Counter(e.activity for e in others)
    activity = next(a for a in choices if a in running and taken[a] < max_size[a])
    solution.enrollments = [*others, Enrollment(student=student, activity=activity)]
    solution.status = "feasible"
    solution.objective = objective(loaded, solution)
    assert check(loaded, solution).violations == []
    return solution.to_dict(), activity


def user_with(role, email, **scope) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, name=email.split("@")[0])
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    Membership.objects.create(user=user, role=role, **scope)
    return user


@pytest.fixture
def browser_page(new_page):
    """Pages with a generous wait: while the worker process solves (CP-SAT on every core) or
    indexes the demo's pages, a small CI machine answers the live server's requests slowly."""

    def make():
        page = new_page()
        page.set_default_timeout(90_000)
        page.set_default_navigation_timeout(90_000)
        return page

    return make


@pytest.fixture
def stripe_site(settings, localstripe, live_server):  # noqa: F811
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_marketplace"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = localstripe.url
    settings.STRIPE_JS_URL = f"{localstripe.url}/js.stripe.com/v3/"
    # localstripe signs and sends its events to the live server's webhook.
    hook = urllib.request.Request(
        f"{localstripe.url}/_config/webhooks/site_{uuid.uuid4().hex[:8]}",
        data=json.dumps(
            {"url": f"{live_server.url}{reverse('payments:webhook')}", "secret": WEBHOOK_SECRET}
        ).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(hook, timeout=5).close()
    return settings


def test_rank_publish_pay_attend_settle(db_worker, stripe_site, live_server, browser_page, settings):  # noqa: F811
    new_page = browser_page
    parent = Membership.objects.select_related("household").get(user__email="parent@demo.afterschool.cn")
    admin = Membership.objects.select_related("school").get(user__email="admin@demo.afterschool.cn")
    household, school = parent.household, admin.school
    child = (
        household.children.select_related("school_class")
        .filter(school_class__school=school)
        .order_by("pk")
        .first()
    )
    term = term_current()
    window = EnrolmentWindow.objects.update_or_create(
        school=school,
        term=term,
        defaults={
            "opens_at": timezone.now() - timedelta(days=7),
            "closes_at": timezone.now() + timedelta(hours=1),
            "max_choices": 3,
            "max_activities": 1,
            "allocated_run": None,
            "allocated_at": None,
        },
    )[0]

    # 1. The parent ranks two vendor-run activities and says which days the child stays.
    page = new_page()
    login(page, live_server, "parent@demo.afterschool.cn")
    page.goto(f"{live_server.url}{reverse('enrolment:plan', args=[household.pk, child.pk])}")
    form = page.get_by_test_id("plan-form")
    offered = [
        v for v in form.locator("select[name=rank_1] option").evaluate_all("os => os.map(o => o.value)") if v
    ]
    vendor_run = list(
        Activity.objects.filter(pk__in=offered, vendor__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    assert len(vendor_run) >= 2, "the demo school offers vendor-run activities to the child's grade"
    for box in form.locator("input[name=days]").all():
        box.check()
    form.locator("input[name=wants]").fill("1")
    form.locator("select[name=rank_1]").select_option(str(vendor_run[0]))
    form.locator("select[name=rank_2]").select_option(str(vendor_run[1]))
    page.get_by_test_id("save-plan").click()
    page.wait_for_load_state("networkidle")
    plan = TermPlan.objects.get(child=child, term=term)
    assert [c.activity_id for c in plan.choices.order_by("rank")] == vendor_run[:2]

    # 2. The window closes; the school re-solves in the background (families' choices in the
    # problem) from an earlier timetable that places the child, keeping that placement pinned
    # (see the module's docstring), and publishes.
    EnrolmentWindow.objects.filter(pk=window.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    student = student_key(child.pk)
    problem = problem_assemble(school=school, term=term)
    solution, placed_in = timetable_placing(problem, student)
    earlier = run_import(school=school, term=term, problem=problem, solution=solution, time_limit=5)
    pin = {"student": student, "activity": placed_in}
    services.run_pin(run=earlier, kind="enrollments", entry=pin)
    admin_page = new_page()
    login(admin_page, live_server, "admin@demo.afterschool.cn")
    admin_page.goto(f"{live_server.url}{reverse('timetables:run', args=[school.pk, earlier.pk])}")
    admin_page.get_by_test_id("resolve-button").click()
    admin_page.get_by_test_id("progress").wait_for()
    wait_until_finished(admin_page, timeout=120_000)
    run = TimetableRun.objects.filter(school=school).latest("pk")
    assert run.previous_run_id == earlier.pk
    assert run.status == TimetableRun.Status.DONE, run.solution
    assert any(s["id"] == student for s in run.problem["students"])
    assert run.problem["pinned"] == {"enrollments": [pin]}
    assert pin in run.solution["enrollments"]
    admin_page.get_by_test_id("publish-button").click()
    admin_page.get_by_test_id("published").wait_for()

    # 3. The family sees which choice it got.
    page.goto(f"{live_server.url}{reverse('enrolment:plan', args=[household.pk, child.pk])}")
    page.get_by_test_id("result-placed").wait_for()
    enrolment = Enrolment.objects.select_related("activity__vendor").get(
        child=child, status=Enrolment.Status.PLACED
    )
    assert activity_key(enrolment.activity_id) == placed_in
    assert enrolment.activity_id in vendor_run[:2] and enrolment.activity.vendor_id

    # 4. The parent pays by card in Stripe.js (localstripe's stand-in).
    page.goto(f"{live_server.url}{reverse('payments:quote', args=[household.pk, child.pk])}?term={term.pk}")
    page.get_by_test_id("pay-now").click()
    card = page.get_by_test_id("card-element")
    card.locator("input[placeholder=number]").fill("4242424242424242")
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("30")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("31500")
    page.get_by_test_id("pay-button").click()
    page.locator("[data-testid=payment-status][data-status=succeeded]").wait_for()
    payment = Payment.objects.get(child=child, status=Payment.Status.SUCCEEDED)
    paid = household_total(household).paid
    assert paid == payment.amount > 0
    # localstripe's own webhook arrives too; it is recorded once and changes nothing.
    page.wait_for_timeout(2500)
    assert (
        PaymentEvent.objects.filter(intent_id=payment.intent_id, type="payment_intent.succeeded").count() <= 1
    )
    assert LedgerEntry.objects.filter(household=household, kind="paid").count() == payment.lines.count()

    page.goto(f"{live_server.url}{reverse('ledger:household')}")
    held_before = yuan(page.get_by_test_id("held-total").inner_text())
    assert held_before == payment.amount

    # 5. On the day: the class teacher takes the supervision, the vendor's instructor the activity.
    days = set(days_from_mask(plan.days))
    today = timezone.localdate()
    meeting = (
        DatedSession.objects.filter(activity=enrolment.activity, date__gte=today)
        .order_by("date", "start")
        .first()
    )
    supervision = next(
        s
        for s in DatedSession.objects.filter(
            kind=DatedSession.Kind.SUPERVISION, school_class=child.school_class, date__gte=today
        ).order_by("date", "start")
        if s.date.weekday() in days
    )
    day = max(meeting.date, supervision.date)
    teacher = Membership.objects.filter(staff=supervision.staff).select_related("user").first()
    teacher_user = (
        teacher.user
        if teacher
        else user_with(
            Role.TEACHER, "class.teacher@demo.afterschool.cn", school=school, staff=supervision.staff
        )
    )
    clerk = user_with(Role.VENDOR_MEMBER, "instructor@demo.afterschool.cn", vendor=enrolment.activity.vendor)
    tz = timezone.get_current_timezone()
    with time_machine.travel(datetime.combine(day, time(18, 30), tzinfo=tz), tick=True):
        for user, session in ((teacher_user, supervision), (clerk, meeting)):
            taker = new_page()
            login(taker, live_server, user.email)
            taker.goto(f"{live_server.url}{reverse('attendance:take', args=[session.pk])}")
            # Nobody is pre-marked: every child on the roster gets a status of its own.
            row = taker.locator(f"[data-testid=roster-row][data-child='{child.pk}']")
            assert row.locator("input[type=radio]:checked").count() == 0
            for radio in taker.locator("[data-testid=status-present]").all():
                radio.check()
            taker.get_by_test_id("save").click()
            taker.get_by_test_id("delivered").wait_for()
        released = LedgerEntry.objects.filter(household=household, kind="released")
        assert set(released.values_list("dated_session_id", flat=True)) == {supervision.pk, meeting.pk}

    # 6. The next night the scheduler runs the settlement; the vendor sees its payout.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with time_machine.travel(datetime.combine(day + timedelta(days=1), time(3, 0), tzinfo=tz), tick=True):
        call_command("run_recurring", "--once", verbosity=0)
        payout = Payout.objects.get(vendor=enrolment.activity.vendor, for_date=day)
        vendor_page = new_page()
        login(vendor_page, live_server, clerk.email)
        vendor_page.goto(
            f"{live_server.url}{reverse('ledger:vendor_payouts', args=[enrolment.activity.vendor_id])}"
        )
        vendor_page.get_by_text(f"¥{payout.amount}").first.wait_for()
        vendor_page.goto(
            f"{live_server.url}{reverse('ledger:vendor_payout', args=[enrolment.activity.vendor_id, payout.pk])}"
        )
        assert vendor_page.get_by_text(f"¥{payout.amount}").count() >= 1

        page.goto(f"{live_server.url}{reverse('ledger:household')}")
        held_after = yuan(page.get_by_test_id("held-total").inner_text())
    released_total = sum(e.amount for e in released)
    assert held_after == held_before - released_total < held_before
    assert ledger_invariants_hold() == []
