"""An administrator of the demo school checks, solves (in the background, on a real
database worker process), watches progress, looks at the grids, pins one decision, re-solves,
publishes; a teacher of that school then sees their week."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from people.accounts.models import User
from people.roles.models import Membership, Role
from scheduling.staff.models import StaffMember
from scheduling.timetables.models import DatedSession, TimetableRun
from tests.browser.conftest import login
from tests.timetables import database_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db_worker(demo_city, settings):
    """django-tasks-db's worker in its own process, as `make run` starts it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "TASKS_BACKEND": "database",
        "DATABASE_URL": database_url(),
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def wait_until_finished(page, timeout=90_000):
    page.get_by_test_id("solution-status").wait_for(timeout=timeout)


def test_admin_solves_pins_resolves_publishes_and_a_teacher_sees_the_week(db_worker, live_server, new_page):
    admin = Membership.objects.select_related("school").get(user__email="admin@demo.afterschool.cn")
    school = admin.school
    page = new_page()
    # Publishing writes a whole term of the demo school's sessions: on a loaded machine (the
    # worker solving or indexing beside it) that takes longer than the default wait.
    page.set_default_timeout(90_000)
    page.set_default_navigation_timeout(90_000)
    login(page, live_server, "admin@demo.afterschool.cn")
    page.get_by_test_id("timetable-link").click()
    page.locator("[data-testid=checklist], [data-testid=checklist-ok]").first.wait_for()
    assert page.get_by_test_id("blocking").count() == 0

    # Solve in the background and watch the progress.
    page.fill("input[name=time_limit]", "12")
    page.get_by_test_id("solve-button").click()
    page.get_by_test_id("progress").wait_for()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=best-objective]').textContent.trim() !== '—'"
        " || document.querySelector('[data-testid=solution-status]') !== null",
        timeout=60_000,
    )
    wait_until_finished(page)
    first = TimetableRun.objects.filter(school=school).latest("pk")
    assert first.status == TimetableRun.Status.DONE
    assert first.solution["status"] in ("optimal", "feasible")

    # The grids: by class (default), by teacher, by room, by day.
    assert page.get_by_test_id("decision").count() > 0
    for view in ("teacher", "room", "day"):
        page.get_by_test_id(f"view-{view}").click()
        assert page.get_by_test_id("decision").count() > 0, view
    page.get_by_test_id("view-class").click()

    # Pin the first supervisor shown, then re-solve.
    page.get_by_test_id("pin-supervisor").first.click()
    page.get_by_test_id("pinned").first.wait_for()
    first.refresh_from_db()
    pinned = first.pins["supervisions"][0]
    page.get_by_test_id("resolve-button").click()
    page.get_by_test_id("progress").wait_for()
    wait_until_finished(page)
    second = TimetableRun.objects.filter(school=school).latest("pk")
    assert second.previous_run_id == first.pk
    assert pinned in second.solution["supervisions"]
    page.get_by_test_id("what-moved").wait_for()

    # Publish, then the pinned teacher looks at their week.
    page.get_by_test_id("publish-button").click()
    page.get_by_test_id("published").wait_for()
    staff = StaffMember.objects.get(pk=int(pinned["staff"][1:]))
    sessions = DatedSession.objects.filter(staff=staff).order_by("date")
    assert sessions.exists()
    existing = Membership.objects.filter(staff=staff).select_related("user").first()
    if existing is not None:  # the demo teacher's own login (password demo12345)
        user = existing.user
    else:
        user = User.objects.create_user(
            email="pinned.teacher@demo.afterschool.cn", password="demo12345", name=staff.name
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        Membership.objects.create(user=user, role=Role.TEACHER, school=school, staff=staff)

    teacher_page = new_page()
    login(teacher_page, live_server, user.email)
    teacher_page.goto(f"{teacher_page.url}?week={sessions.first().date.isoformat()}")
    week = teacher_page.get_by_test_id("my-week")
    assert week.locator("tbody tr").count() >= 1
    assert week.locator(".muted").count() == 0

    # Publishing the first solve over the live one shows the comparison and asks to confirm.
    page.goto(live_server.url + reverse("timetables:run", args=[school.pk, first.pk]))
    page.get_by_test_id("publish-button").click()
    page.get_by_test_id("comparison").wait_for()
    assert page.get_by_test_id("compare-placed").count() == 1
    assert page.get_by_test_id("sessions-moved").count() == 1
    second.refresh_from_db()
    assert second.live  # nothing changed before confirming
    page.get_by_test_id("confirm-publish").click()
    page.get_by_test_id("live").wait_for()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.live and not second.live and second.superseded_at is not None
