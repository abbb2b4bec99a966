"""Teachers see their week and download their calendar; families see their children's week;
administrators download a class calendar. Nobody sees another tenant's."""

import datetime

import pytest
from django.urls import reverse

from scheduling.timetables.publishing import run_publish
from tests import factories as f
from tests.timetables import MAKEUP, TERM_START, build_school, done_run, solution

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(settings):
    world = build_school()
    run_publish(run=done_run(world, solution(world)), today=TERM_START)
    return world


def test_teacher_sees_the_week_with_a_make_up_saturday(client, published):
    world = published
    teacher = f.TeacherFactory(school=world.school, staff=world.wang)
    client.force_login(teacher.user)
    url = reverse("portal:teacher_home", args=[world.wang.pk])
    body = client.get(url, {"week": MAKEUP.isoformat()}).content.decode()
    # That week: Monday supervision (14th), holiday Wednesday (16th: none), Friday 18th,
    # and the make-up Saturday 19th that follows Friday's timetable.
    assert "09-14" in body and "09-18" in body and "09-19" in body
    assert "09-16" not in body
    assert "书法" not in body  # the holiday took Wednesday's meeting


def test_teacher_calendar_is_theirs_only(client, published):
    world = published
    teacher = f.TeacherFactory(school=world.school, staff=world.wang)
    client.force_login(teacher.user)
    response = client.get(reverse("portal:teacher_calendar", args=[world.wang.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response.content.count(b"BEGIN:VEVENT") == 8  # 6 supervisions + 2 meetings
    assert client.get(reverse("portal:teacher_calendar", args=[world.chen.pk])).status_code == 404


def test_family_sees_their_childs_week(client, published, monkeypatch):
    world = published
    parent = f.ParentFactory()
    f.ChildFactory(household=parent.household, school_class=world.school_class)
    client.force_login(parent.user)
    # The page shows the current week: let "today" fall in the published term.
    monkeypatch.setattr("portal.views.today", lambda: datetime.date(2026, 9, 14))
    body = client.get(reverse("portal:household_home", args=[parent.household_id])).content.decode()
    assert 'data-testid="child-week"' in body
    assert "09-14" in body and "09-18" in body and "09-19" in body


def test_class_calendar_for_the_schools_administrators_only(client, published):
    world = published
    admin = f.SchoolAdminFactory(school=world.school)
    client.force_login(admin.user)
    url = reverse("portal:class_calendar", args=[world.school.pk, world.school_class.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.content.count(b"BEGIN:VEVENT") == 6
    other = f.SchoolAdminFactory()
    client.force_login(other.user)
    assert client.get(url).status_code == 404
    other_class = f.SchoolClassFactory(school=other.school)
    assert (
        client.get(reverse("portal:class_calendar", args=[world.school.pk, other_class.pk])).status_code
        == 404
    )
