"""The school's enrolment window: saving, its derived states, and the admin page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from marketplace.enrolment.models import EnrolmentWindow
from marketplace.enrolment.selectors import window_state
from marketplace.enrolment.services import EnrolmentError, window_save
from scheduling.timetables.models import TimetableRun
from tests import factories as f
from tests.timetables import TERM_START

pytestmark = pytest.mark.django_db
H = datetime.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _before_term(monkeypatch):
    # term_current() follows the local date; keep "now" before the factory term starts.
    monkeypatch.setattr("schools.selectors.today", lambda: TERM_START - datetime.timedelta(days=10))


def make(**kwargs):
    school = kwargs.pop("school", None) or f.SchoolFactory()
    term = kwargs.pop("term", None) or f.TermFactory()
    now = timezone.now()
    values = {"opens_at": now + H, "closes_at": now + 5 * H, "max_choices": 3, "max_activities": 2} | kwargs
    return window_save(school=school, term=term, **values)


def test_window_save_creates_then_edits_one_window():
    window = make()
    again = window_save(
        school=window.school,
        term=window.term,
        opens_at=window.opens_at,
        closes_at=window.closes_at + H,
        max_choices=4,
        max_activities=1,
    )
    assert again.pk == window.pk
    assert EnrolmentWindow.objects.count() == 1
    window.refresh_from_db()
    assert (window.max_choices, window.max_activities) == (4, 1)


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        ({"closes_at_offset": -2}, "window_dates"),
        ({"max_choices": 0}, "window_limits"),
        ({"max_activities": 0}, "window_limits"),
        ({"max_choices": 1, "max_activities": 2}, "window_limits"),
    ],
)
def test_window_save_refuses_bad_values(bad, code):
    now = timezone.now()
    values = {"opens_at": now, "closes_at": now + H, "max_choices": 3, "max_activities": 2}
    if "closes_at_offset" in bad:
        values["closes_at"] = now + bad.pop("closes_at_offset") * H
    values |= bad
    with pytest.raises(EnrolmentError) as caught:
        window_save(school=f.SchoolFactory(), term=f.TermFactory(), **values)
    assert caught.value.code == code
    assert not EnrolmentWindow.objects.exists()


def test_states_follow_the_clock_and_the_allocation():
    window = make()
    now = timezone.now()
    assert window_state(None) is None
    assert window_state(window, now=now) == "upcoming"
    assert window_state(window, now=now + 2 * H) == "open"
    assert window_state(window, now=now + 6 * H) == "closed"
    run = TimetableRun.objects.create(school=window.school, term=window.term, status="done", problem={})
    window.allocated_run, window.allocated_at = run, now
    window.save()
    assert window_state(window, now=now) == "allocated"
    with pytest.raises(EnrolmentError) as caught:
        window_save(
            school=window.school,
            term=window.term,
            opens_at=now,
            closes_at=now + H,
            max_choices=2,
            max_activities=1,
        )
    assert caught.value.code == "window_allocated"


def test_admin_page_saves_the_window(client):
    admin = f.SchoolAdminFactory()
    term = f.TermFactory()
    client.force_login(admin.user)
    url = reverse("enrolment:window", args=[admin.school.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "opens_at": "2026-08-20T08:00",
            "closes_at": "2026-08-25T20:00",
            "max_choices": 3,
            "max_activities": 2,
        },
    )
    assert response.status_code == 302
    window = EnrolmentWindow.objects.get(school=admin.school, term=term)
    assert window.max_choices == 3
    page = client.get(url)
    assert b'data-testid="window-state"' in page.content


def test_admin_page_shows_a_refusal(client):
    admin = f.SchoolAdminFactory()
    f.TermFactory()
    client.force_login(admin.user)
    response = client.post(
        reverse("enrolment:window", args=[admin.school.pk]),
        {
            "opens_at": "2026-08-20T08:00",
            "closes_at": "2026-08-25T20:00",
            "max_choices": 1,
            "max_activities": 2,
        },
    )
    assert response.status_code == 400
    assert b'data-testid="form-errors"' in response.content
    assert not EnrolmentWindow.objects.exists()


def test_window_page_is_404_for_others(client):
    admin = f.SchoolAdminFactory()
    f.TermFactory()
    url = reverse("enrolment:window", args=[admin.school.pk])
    for outsider in (
        f.SchoolAdminFactory().user,
        f.ParentFactory().user,
        f.TeacherFactory(school=admin.school).user,
    ):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.post(url, {}).status_code == 404
    assert not EnrolmentWindow.objects.exists()
