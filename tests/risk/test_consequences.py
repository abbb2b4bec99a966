"""A D vendor takes no new course requests and is left out of new timetables."""

import pytest
from django.utils import translation

from marketplace.course_requests.models import CourseRequest
from marketplace.course_requests.services import PurchaseError, course_refusal, course_request_accept
from marketplace.risk.services import risk_grade_vendor
from marketplace.vendors.models import Vendor
from marketplace.vendors.services import vendor_suspend
from scheduling.timetables.assembly import checklist, checklist_activities, problem_assemble
from tests import factories as f
from tests.course_requests import build_world, request_for
from tests.timetables import build_school

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def make_d(vendor):
    """Grade D from the factors (an individual-run vendor with three open complaints under
    a policy where that is above C), not by writing the column."""
    from marketplace.risk.models import RiskPolicy
    from marketplace.risk.services import complaint_record
    from schools.selectors import today

    policy = RiskPolicy.current()
    policy.band_a_max, policy.band_b_max, policy.band_c_max = 0, 1, 2
    policy.save()
    Vendor.objects.filter(pk=vendor.pk).update(institution_type=Vendor.InstitutionType.INDIVIDUAL)
    officer = f.BureauOfficerFactory().user
    complaint_record(vendor=vendor, officer=officer, received_on=today(), summary="多次投诉")
    vendor.refresh_from_db()
    assert vendor.risk_grade == "D"


def test_a_d_vendor_is_refused_a_course_request():
    world = build_world()
    assert course_refusal(school=world.school, course=world.course) is None
    make_d(world.vendor)
    world.course.vendor.refresh_from_db()
    message = course_refusal(school=world.school, course=world.course)
    assert "risk grade D" in message and "星火体育" in message
    with pytest.raises(PurchaseError) as refused:
        request_for(world)
    assert refused.value.code == "vendor_high_risk"
    assert "risk grade D" in " ".join(refused.value.messages)
    assert not CourseRequest.objects.exists()


def test_a_vendor_below_d_may_still_be_asked():
    world = build_world()
    Vendor.objects.filter(pk=world.vendor.pk).update(institution_type=Vendor.InstitutionType.INDIVIDUAL)
    risk_grade_vendor(vendor=world.vendor)
    world.vendor.refresh_from_db()
    assert world.vendor.risk_grade == "B"  # the default policy: 2 points
    assert request_for(world).status == CourseRequest.Status.REQUESTED


def test_a_vendor_graded_d_after_the_request_cannot_accept_it():
    world = build_world()
    course_request = request_for(world, meetings_per_week=1)
    make_d(world.vendor)
    with pytest.raises(PurchaseError) as refused:
        course_request_accept(
            course_request=course_request, user=world.vendor_member.user, instructors=[world.li]
        )
    assert refused.value.code == "vendor_high_risk"
    assert "risk grade D" in " ".join(refused.value.messages)
    course_request.refresh_from_db()
    assert course_request.status == CourseRequest.Status.REQUESTED
    assert not course_request.activities.exists()


def test_a_d_vendors_activities_are_left_out_of_the_timetable_and_named_in_the_checklist():
    world = build_school()
    vendor = f.VendorFactory()
    other = f.VendorFactory()
    risky = f.ActivityFactory(school=world.school, term=world.term, course__vendor=vendor, name="危险篮球")
    safe = f.ActivityFactory(school=world.school, term=world.term, course__vendor=other)
    ids = {row["id"] for row in problem_assemble(school=world.school, term=world.term)["activities"]}
    assert {f"a{risky.pk}", f"a{safe.pk}"} <= ids

    vendor_suspend(vendor=vendor, officer=f.BureauOfficerFactory().user, reason="停业整顿")
    vendor.refresh_from_db()
    assert vendor.risk_grade == "D"
    problem = problem_assemble(school=world.school, term=world.term)
    ids = {row["id"] for row in problem["activities"]}
    assert f"a{risky.pk}" not in ids and f"a{safe.pk}" in ids
    assert f"v{vendor.pk}" not in {v["id"] for v in problem["vendors"]}
    items = [
        i for i in checklist(school=world.school, term=world.term) if i.code == "activity_vendor_high_risk"
    ]
    assert len(items) == 1 and "危险篮球" in items[0].message and "risk grade D" in items[0].message
    assert not items[0].blocking
    assert f"a{risky.pk}" not in {a.id for a in checklist_activities(school=world.school, term=world.term)}
