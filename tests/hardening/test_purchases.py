"""A school cannot tell that a vendor's unapproved course exists; an approved course it may
not buy says why; an accepted request lists the school on the instructors' profiles."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from cms import sync
from cms.models import TeacherProfile
from marketplace.course_requests.models import CourseRequest
from marketplace.course_requests.services import PurchaseError, course_request_accept
from marketplace.courses.models import Course
from marketplace.vendors.models import Vendor
from tests import factories as f
from tests.course_requests import build_world, request_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def create_url(world, course, school=None):
    return reverse("purchases:request_create", args=[(school or world.school).pk, course.pk])


def form_data(world, **overrides):
    data = {
        "term": world.term.pk,
        "grade_min": 3,
        "grade_max": 4,
        "groups": 1,
        "meetings_per_week": 1,
        "max_size": 25,
        "min_size": 8,
        "room_kind": world.sports.pk,
        "slots": [world.slots["mon"].pk],
    }
    data.update(overrides)
    return data


# --- a vendor's course that is not approved is not found ------------------------------------


@pytest.mark.parametrize(
    "status", [Course.ReviewStatus.DRAFT, Course.ReviewStatus.SUBMITTED, Course.ReviewStatus.REJECTED]
)
def test_a_course_that_is_not_approved_is_not_found_by_a_school(client, world, status):
    course = f.CourseFactory(vendor=world.vendor, review_status=status, title="未公开的课程")
    client.force_login(world.admin.user)
    response = client.get(create_url(world, course))
    assert response.status_code == 404
    assert "未公开的课程" not in response.content.decode()
    assert client.post(create_url(world, course), form_data(world)).status_code == 404
    assert not CourseRequest.objects.exists()


def test_the_same_course_once_approved_can_be_requested(client, world):
    course = f.CourseFactory(vendor=world.vendor, review_status=Course.ReviewStatus.DRAFT)
    client.force_login(world.admin.user)
    assert client.get(create_url(world, course)).status_code == 404
    Course.objects.filter(pk=course.pk).update(review_status=Course.ReviewStatus.APPROVED)
    response = client.get(create_url(world, course))
    assert response.status_code == 200 and response.context["refusal"] is None
    assert 'data-testid="request-form"' in response.content.decode()


# --- an approved course the school may not buy says why --------------------------------------


@pytest.mark.parametrize("status", [Vendor.Status.SUSPENDED, Vendor.Status.REVOKED])
def test_an_approved_course_of_a_suspended_or_revoked_vendor_says_why(client, world, status):
    Vendor.objects.filter(pk=world.vendor.pk).update(status=status)
    client.force_login(world.admin.user)
    response = client.get(create_url(world, world.course))
    assert response.status_code == 200
    refusal = response.context["refusal"]
    assert "is not on the approved vendor list" in refusal
    html = response.content.decode()
    assert 'data-testid="request-refused"' in html and escape(refusal) in html
    assert 'data-testid="request-form"' not in html
    assert client.post(create_url(world, world.course), form_data(world)).status_code == 400
    assert not CourseRequest.objects.exists()


def test_an_approved_course_above_the_cap_says_why(client, world):
    # 江北's cap is ¥25 a session; the course costs ¥30.
    client.force_login(world.north_admin.user)
    response = client.get(create_url(world, world.course, school=world.north))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="cap-refused"' in html and "25.00" in html and "30.00" in html
    response = client.post(
        create_url(world, world.course, school=world.north),
        form_data(world, slots=[world.north_slot.pk]),
    )
    assert response.status_code == 400
    assert any("25.00" in e for e in response.context["form"].non_field_errors())
    assert not CourseRequest.objects.exists()


# --- the teacher pool follows a purchase ------------------------------------------------------


def test_accepting_a_request_lists_the_school_on_the_instructors_profiles(world, home):
    sync.sync_all()
    profile = TeacherProfile.objects.get(instructor=world.li)
    assert world.school not in profile.schools.all()

    course_request = request_for(world, groups=2, meetings_per_week=1)
    course_request_accept(
        course_request=course_request, user=world.vendor_member.user, instructors=[world.li, world.zhang]
    )
    for instructor in (world.li, world.zhang, world.idle):  # every instructor of the vendor
        profile = TeacherProfile.objects.get(instructor=instructor)
        assert list(profile.schools.all()) == [world.school], instructor.name
    # Another vendor's instructor does not teach there.
    assert world.school not in TeacherProfile.objects.get(instructor=world.stranger).schools.all()


def test_a_refused_acceptance_changes_no_profile(world, home):
    sync.sync_all()
    course_request = request_for(world)
    Vendor.objects.filter(pk=world.vendor.pk).update(status=Vendor.Status.SUSPENDED)
    with pytest.raises(PurchaseError, match="cannot accept requests") as caught:
        course_request_accept(
            course_request=course_request, user=world.vendor_member.user, instructors=[world.li]
        )
    assert caught.value.code == "vendor_not_approved"
    assert not TeacherProfile.objects.get(instructor=world.li).schools.exists()
