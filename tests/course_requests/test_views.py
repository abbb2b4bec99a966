"""The course request pages of schools and vendors, their refusals and the home fragments."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from marketplace.course_requests.models import CourseRequest
from marketplace.course_requests.services import course_request_accept
from marketplace.courses.models import Activity
from marketplace.vendors.models import Vendor
from tests import factories as f
from tests.course_requests import build_world, request_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def create_url(world, school=None, course=None):
    school, course = school or world.school, course or world.course
    return reverse("purchases:request_create", args=[school.pk, course.pk])


def vendor_url(name, world, *args, vendor=None):
    return reverse(f"purchases:{name}", args=[(vendor or world.vendor).pk, *args])


def form_data(world, **overrides):
    data = {
        "term": world.term.pk,
        "grade_min": 3,
        "grade_max": 4,
        "groups": 2,
        "meetings_per_week": 1,
        "max_size": 25,
        "min_size": 8,
        "room_kind": world.sports.pk,
        "slots": [world.slots["mon"].pk, world.slots["wed"].pk],
        "note": "希望周一或周三",
    }
    data.update(overrides)
    return data


@pytest.fixture
def english(client):
    """For tests that read a refusal's words: the page and the services in English."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- the school asks ------------------------------------------------------------------------


def test_the_request_form_offers_open_terms_grades_and_enrichment_slots(client, world):
    past = f.TermFactory(
        start=world.today.replace(year=world.today.year - 2),
        end=world.today.replace(year=world.today.year - 1),
    )
    client.force_login(world.admin.user)
    response = client.get(create_url(world))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields["term"].queryset) == [world.term]
    assert past not in form.fields["term"].queryset
    assert [value for value, _label in form.fields["grade_min"].choices] == [1, 2, 3, 4, 5, 6]
    assert set(form.fields["slots"].queryset) == {world.slots["mon"], world.slots["wed"], world.slots["thu"]}
    html = response.content.decode()
    assert 'data-testid="request-form"' in html and 'type="checkbox"' in html
    assert 'data-testid="cap-ok"' in html and world.standard.approval_document in html


def test_posting_the_form_creates_the_request_and_lists_it(client, world):
    client.force_login(world.admin.user)
    response = client.post(create_url(world), form_data(world))
    assert response.status_code == 302
    assert response.url == reverse("purchases:school_requests", args=[world.school.pk])
    course_request = CourseRequest.objects.get()
    assert course_request.groups == 2 and course_request.requested_by == world.admin.user
    assert set(course_request.slots.all()) == {world.slots["mon"], world.slots["wed"]}
    assert course_request.note == "希望周一或周三"
    html = client.get(response.url).content.decode()
    assert "少儿篮球" in html and 'data-status="requested"' in html
    assert 'data-testid="withdraw-button"' in html


def test_the_form_refuses_a_price_above_the_districts_cap(client, world):
    client.force_login(world.north_admin.user)
    page = client.get(create_url(world, school=world.north))
    assert page.status_code == 200 and 'data-testid="cap-refused"' in page.content.decode()
    response = client.post(
        create_url(world, school=world.north), form_data(world, slots=[world.north_slot.pk], grade_min=3)
    )
    assert response.status_code == 400
    errors = response.context["form"].non_field_errors()
    assert any("25.00" in e and "30.00" in e for e in errors)
    assert 'data-testid="form-errors"' in response.content.decode()
    assert not CourseRequest.objects.exists()


def test_the_form_shows_field_errors_from_the_service(client, world):
    client.force_login(world.admin.user)
    response = client.post(
        create_url(world), form_data(world, meetings_per_week=2, slots=[world.slots["mon"].pk])
    )
    assert response.status_code == 400
    assert response.context["form"].errors["slots"]
    assert 'data-testid="field-errors"' in response.content.decode()
    assert not CourseRequest.objects.exists()


def test_a_supervised_slot_is_not_a_choice(client, world):
    client.force_login(world.admin.user)
    response = client.post(create_url(world), form_data(world, slots=[world.slots["fri"].pk]))
    assert response.status_code == 400 and response.context["form"].errors["slots"]
    assert not CourseRequest.objects.exists()


def test_a_duplicate_open_request_is_refused_in_the_form(english, client, world):
    request_for(world)
    client.force_login(world.admin.user)
    response = client.post(create_url(world), form_data(world))
    assert response.status_code == 400
    assert any("already has an open request" in e for e in response.context["form"].non_field_errors())
    assert CourseRequest.objects.count() == 1


@pytest.mark.parametrize("case", ["vendor_suspended", "school_made", "grades"])
def test_a_course_that_cannot_be_bought_shows_why_and_has_no_form(client, world, case):
    course = world.course
    if case == "vendor_suspended":
        Vendor.objects.filter(pk=world.vendor.pk).update(status=Vendor.Status.SUSPENDED)
    elif case == "school_made":
        course = f.SchoolCourseFactory(school=world.school)
    else:
        course = f.CourseFactory(vendor=world.vendor, grade_min=7, grade_max=9)
    client.force_login(world.admin.user)
    response = client.get(create_url(world, course=course))
    assert response.status_code == 200
    assert response.context["form"] is None
    html = response.content.decode()
    assert 'data-testid="request-refused"' in html and escape(response.context["refusal"]) in html
    assert 'data-testid="request-form"' not in html
    response = client.post(create_url(world, course=course), form_data(world))
    assert response.status_code == 400
    assert not CourseRequest.objects.exists()


def test_only_the_schools_administrators_may_ask(client, world):
    url = create_url(world)
    assert client.get(url).status_code == 302  # to the login page
    for membership in (
        world.north_admin,
        world.vendor_member,
        f.TeacherFactory(school=world.school),
        f.BureauOfficerFactory(district=world.haishu),
    ):
        client.force_login(membership.user)
        assert client.get(url).status_code == 404
        assert client.post(url, form_data(world)).status_code == 404
    assert not CourseRequest.objects.exists()


def test_a_vendors_course_not_approved_is_not_found(client, world):
    # A school must not learn that a draft or a rejected course exists.
    course = f.CourseFactory(vendor=world.vendor, review_status="submitted")
    client.force_login(world.admin.user)
    assert client.get(create_url(world, course=course)).status_code == 404
    assert client.post(create_url(world, course=course), form_data(world)).status_code == 404
    assert not CourseRequest.objects.exists()


def test_another_schools_own_course_is_not_found(client, world):
    theirs = f.SchoolCourseFactory(school=world.north)
    client.force_login(world.admin.user)
    assert client.get(create_url(world, course=theirs)).status_code == 404


# --- the school's list and withdraw ---------------------------------------------------------


def test_the_school_withdraws_an_open_request(english, client, world):
    course_request = request_for(world)
    client.force_login(world.admin.user)
    url = reverse("purchases:request_withdraw", args=[world.school.pk, course_request.pk])
    response = client.post(url, {"confirm": "yes"}, follow=True)
    course_request.refresh_from_db()
    assert course_request.status == CourseRequest.Status.WITHDRAWN
    assert 'data-status="withdrawn"' in response.content.decode()
    assert 'data-testid="withdraw-button"' not in response.content.decode()
    # Again: refused with a message, nothing changes.
    response = client.post(url, {"confirm": "yes"}, follow=True)
    assert any("no longer awaiting" in m for m in messages_of(response))


def test_withdraw_is_a_post(client, world):
    course_request = request_for(world)
    client.force_login(world.admin.user)
    response = client.get(reverse("purchases:request_withdraw", args=[world.school.pk, course_request.pk]))
    assert response.status_code == 405


def test_another_school_cannot_see_or_withdraw_the_request(client, world):
    course_request = request_for(world)
    client.force_login(world.north_admin.user)
    assert client.get(reverse("purchases:school_requests", args=[world.school.pk])).status_code == 404
    assert (
        client.post(
            reverse("purchases:request_withdraw", args=[world.school.pk, course_request.pk])
        ).status_code
        == 404
    )
    # Through its own school's address, the other school's request does not exist either.
    assert (
        client.post(
            reverse("purchases:request_withdraw", args=[world.north.pk, course_request.pk])
        ).status_code
        == 404
    )
    own_list = client.get(reverse("purchases:school_requests", args=[world.north.pk])).content.decode()
    assert "少儿篮球" not in own_list
    course_request.refresh_from_db()
    assert course_request.status == CourseRequest.Status.REQUESTED


def test_the_school_home_shows_this_terms_requests(client, world):
    request_for(world)
    declined = request_for(world, course=f.CourseFactory(vendor=world.vendor, title="足球"))
    declined.status, declined.response_note = CourseRequest.Status.DECLINED, "教练已排满"
    declined.decided_at = declined.created_at
    declined.save()
    client.force_login(world.admin.user)
    html = client.get(reverse("portal:school_home", args=[world.school.pk])).content.decode()
    assert 'data-testid="school-requests"' in html
    assert "少儿篮球" in html and 'data-status="requested"' in html
    assert "足球" in html and 'data-status="declined"' in html and "教练已排满" in html
    assert reverse("purchases:school_requests", args=[world.school.pk]) in html


# --- the vendor answers ---------------------------------------------------------------------


def test_the_vendor_lists_open_requests_and_sees_availability_on_the_detail(client, world):
    course_request = request_for(world)
    client.force_login(world.vendor_member.user)
    html = client.get(vendor_url("vendor_requests", world)).content.decode()
    assert "少儿篮球" in html and world.school.name in html
    assert vendor_url("vendor_request", world, course_request.pk) in html

    response = client.get(vendor_url("vendor_request", world, course_request.pk))
    assert response.status_code == 200
    fits = {fit.instructor.name: fit.fits for fit in response.context["fits"]}
    assert fits == {"李强": True, "张敏": False, "王芳": False}
    html = response.content.decode()
    assert 'data-testid="accept-form"' in html and 'data-testid="decline-form"' in html
    assert reverse("vendors:instructor_edit", args=[world.vendor.pk, world.zhang.pk]) in html
    assert "赵六" not in html  # another vendor's instructor is no choice


def test_the_vendor_accepts_and_the_activities_exist(client, world):
    course_request = request_for(world, groups=2, meetings_per_week=1)
    client.force_login(world.vendor_member.user)
    response = client.post(
        vendor_url("request_accept", world, course_request.pk),
        {"accept-instructors": [world.li.pk, world.zhang.pk], "accept-note": "可以"},
        follow=True,
    )
    assert response.redirect_chain == [(vendor_url("vendor_request", world, course_request.pk), 302)]
    course_request.refresh_from_db()
    assert course_request.status == CourseRequest.Status.ACCEPTED and course_request.response_note == "可以"
    activities = Activity.objects.filter(course_request=course_request)
    assert activities.count() == 2
    assert {a.vendor_instructor for a in activities} == {world.li, world.zhang}
    html = response.content.decode()
    assert 'data-testid="accept-form"' not in html and html.count('data-testid="activity-row"') == 2


def test_accepting_with_an_instructor_who_does_not_fit_says_who_and_why(client, world):
    course_request = request_for(world)
    client.force_login(world.vendor_member.user)
    response = client.post(
        vendor_url("request_accept", world, course_request.pk), {"accept-instructors": [world.zhang.pk]}
    )
    assert response.status_code == 400
    errors = response.context["accept_form"].errors["instructors"]
    assert any("张敏" in e for e in errors)
    assert "张敏" in response.content.decode() and 'data-testid="field-errors"' in response.content.decode()
    assert not Activity.objects.exists()
    course_request.refresh_from_db()
    assert course_request.status == CourseRequest.Status.REQUESTED


def test_accepting_without_an_instructor_is_refused(client, world):
    course_request = request_for(world)
    client.force_login(world.vendor_member.user)
    response = client.post(vendor_url("request_accept", world, course_request.pk), {})
    assert response.status_code == 400
    assert response.context["accept_form"].errors["instructors"]
    assert not Activity.objects.exists()


def test_a_suspended_vendor_cannot_accept(english, client, world):
    course_request = request_for(world)
    Vendor.objects.filter(pk=world.vendor.pk).update(status=Vendor.Status.SUSPENDED)
    client.force_login(world.vendor_member.user)
    page = client.get(vendor_url("vendor_request", world, course_request.pk)).content.decode()
    assert 'data-testid="vendor-not-approved"' in page
    response = client.post(
        vendor_url("request_accept", world, course_request.pk), {"accept-instructors": [world.li.pk]}
    )
    assert response.status_code == 400
    assert any("cannot accept" in e for e in response.context["accept_form"].non_field_errors())
    assert not Activity.objects.exists()


def test_declining_needs_a_reason_and_then_records_it(client, world):
    course_request = request_for(world)
    client.force_login(world.vendor_member.user)
    url = vendor_url("request_decline", world, course_request.pk)
    response = client.post(url, {"decline-reason": "  "})
    assert response.status_code == 400
    assert response.context["decline_form"].errors["reason"]
    course_request.refresh_from_db()
    assert course_request.status == CourseRequest.Status.REQUESTED

    response = client.post(url, {"decline-reason": "本学期教练已排满"}, follow=True)
    course_request.refresh_from_db()
    assert course_request.status == CourseRequest.Status.DECLINED
    assert course_request.response_note == "本学期教练已排满"
    assert 'data-status="declined"' in response.content.decode()


def test_an_answered_request_cannot_be_answered_again(english, client, world):
    course_request = request_for(world)
    course_request_accept(
        course_request=course_request, user=world.vendor_member.user, instructors=[world.li]
    )
    client.force_login(world.vendor_member.user)
    response = client.post(
        vendor_url("request_decline", world, course_request.pk), {"decline-reason": "改主意"}
    )
    assert response.status_code == 400
    assert any("no longer awaiting" in e for e in response.context["decline_form"].non_field_errors())
    course_request.refresh_from_db()
    assert course_request.status == CourseRequest.Status.ACCEPTED


def test_another_vendor_cannot_see_or_answer_the_request(client, world):
    course_request = request_for(world)
    client.force_login(world.other_vendor_member.user)
    own = world.other_vendor
    # Through the request's vendor's address: that vendor is not theirs.
    assert client.get(vendor_url("vendor_requests", world)).status_code == 404
    assert client.get(vendor_url("vendor_request", world, course_request.pk)).status_code == 404
    # Through their own vendor's address: the request does not exist for them.
    assert client.get(vendor_url("vendor_request", world, course_request.pk, vendor=own)).status_code == 404
    assert (
        client.post(
            vendor_url("request_accept", world, course_request.pk, vendor=own),
            {"accept-instructors": [world.stranger.pk]},
        ).status_code
        == 404
    )
    assert (
        client.post(
            vendor_url("request_decline", world, course_request.pk, vendor=own), {"decline-reason": "x"}
        ).status_code
        == 404
    )
    assert "少儿篮球" not in client.get(vendor_url("vendor_requests", world, vendor=own)).content.decode()
    course_request.refresh_from_db()
    assert course_request.status == CourseRequest.Status.REQUESTED


def test_a_school_administrator_cannot_answer(client, world):
    course_request = request_for(world)
    client.force_login(world.admin.user)
    assert client.get(vendor_url("vendor_request", world, course_request.pk)).status_code == 404
    assert (
        client.post(
            vendor_url("request_accept", world, course_request.pk), {"accept-instructors": [world.li.pk]}
        ).status_code
        == 404
    )
    assert not Activity.objects.exists()


def test_the_vendor_home_shows_the_open_requests(client, world):
    request_for(world)
    request_for(
        world, course=f.CourseFactory(vendor=world.vendor, title="足球", price_per_session=Decimal("20"))
    )
    client.force_login(world.vendor_member.user)
    html = client.get(reverse("vendors:vendor_home", args=[world.vendor.pk])).content.decode()
    assert 'data-testid="vendor-requests"' in html
    assert '<b data-testid="open-request-count">2</b>' in html
    assert "少儿篮球" in html and "足球" in html
    assert vendor_url("vendor_requests", world) in html
