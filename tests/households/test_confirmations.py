"""Destructive actions ask to confirm. Reissuing link codes cancels the slips already handed
out, so it asks first;
the first codes of a class (nothing to cancel) are issued at once. The message counts codes
with plural forms."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_class():
    return f.SchoolClassFactory()


def issue_url(school_class):
    return reverse("households:link_codes_issue", args=[school_class.school_id, school_class.pk])


def test_reissuing_over_handed_out_codes_asks_to_confirm(client, school_class):
    admin = f.SchoolAdminFactory(school=school_class.school)
    holder = f.ChildFactory(household=None, school_class=school_class, link_code="HELD2345")
    f.ChildFactory(household=None, school_class=school_class)
    client.force_login(admin.user)
    response = client.post(issue_url(school_class))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="confirm-issue-codes"' in html
    assert 'data-testid="codes-cancelled">1<' in html
    holder.refresh_from_db()
    assert holder.link_code == "HELD2345"  # nothing changed yet

    response = client.post(issue_url(school_class), {"confirm": "yes"})
    assert response.status_code == 302
    holder.refresh_from_db()
    assert holder.link_code != "HELD2345"


def test_first_codes_need_no_confirmation(client, school_class):
    admin = f.SchoolAdminFactory(school=school_class.school)
    pupil = f.ChildFactory(household=None, school_class=school_class)
    client.force_login(admin.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(issue_url(school_class), follow=True)
    pupil.refresh_from_db()
    assert pupil.link_code
    assert "1 link code issued." in response.content.decode()


# --- a school withdrawing its open course request (the vendor stops seeing it) --------------


def test_withdrawing_a_course_request_asks_to_confirm(client):
    from marketplace.course_requests.models import CourseRequest
    from tests.course_requests import build_world, request_for

    world = build_world()
    course_request = request_for(world)
    client.force_login(world.admin.user)
    url = reverse("purchases:request_withdraw", args=[world.school.pk, course_request.pk])
    response = client.post(url)
    assert response.status_code == 200
    assert 'data-testid="confirm-withdraw-request"' in response.content.decode()
    course_request.refresh_from_db()
    assert course_request.status == CourseRequest.Status.REQUESTED

    response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 302
    course_request.refresh_from_db()
    assert course_request.status == CourseRequest.Status.WITHDRAWN


# --- a teacher resetting their private calendar address (the old one stops working) ---------


def test_resetting_the_calendar_address_asks_to_confirm(client):
    from scheduling.staff import services as staff_services
    from scheduling.staff.models import CalendarFeed

    teacher = f.TeacherFactory()
    token = staff_services.calendar_feed_for(staff=teacher.staff).token
    client.force_login(teacher.user)
    url = reverse("staff:feed_reset", args=[teacher.staff.pk])
    response = client.post(url)
    assert response.status_code == 200
    assert 'data-testid="confirm-feed-reset"' in response.content.decode()
    assert CalendarFeed.objects.get(staff=teacher.staff).token == token

    assert client.post(url, {"confirm": "yes"}).status_code == 302
    assert CalendarFeed.objects.get(staff=teacher.staff).token != token
