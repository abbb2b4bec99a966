"""A rejected institution may apply again after a waiting period the bureau sets (data); an
officer can reopen a decision with a reason; revoking asks to confirm and names what it does."""

import datetime

import pytest
from django.db import models
from django.utils import timezone

from marketplace.course_requests.models import CourseRequest
from marketplace.courses.models import Course
from marketplace.enrolment.models import Enrolment
from marketplace.vendors import selectors, services
from marketplace.vendors.models import Vendor, VendorDecision, VendorPolicy
from marketplace.vendors.services import VendorError
from portal.selectors import revocation_consequences
from tests import factories as f
from tests.vendors import complete

S = Vendor.Status


def rejected(world, days_ago=0):
    complete(world)
    services.vendor_submit(vendor=world.vendor, user=world.clerk)
    services.vendor_reject(vendor=world.vendor, officer=world.officer, reason="资质不符")
    # Decisions are append-only: back-dating one goes through a plain queryset.
    models.QuerySet(model=VendorDecision).filter(vendor=world.vendor, action="rejected").update(
        created_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    return world.vendor


def test_a_rejected_institution_must_wait_before_applying_again(world):
    vendor = rejected(world, days_ago=30)
    with pytest.raises(VendorError) as excinfo:
        services.vendor_reapply(vendor=vendor, user=world.clerk)
    assert excinfo.value.code == "reapply_too_soon"
    assert Vendor.objects.get(pk=vendor.pk).status == S.REJECTED


def test_after_the_waiting_period_it_applies_again_as_a_draft(world):
    vendor = rejected(world, days_ago=91)
    decision = services.vendor_reapply(vendor=vendor, user=world.clerk)
    assert (decision.action, decision.from_status, decision.to_status) == ("reapplied", "rejected", "draft")
    assert Vendor.objects.get(pk=vendor.pk).status == S.DRAFT
    services.vendor_submit(vendor=vendor, user=world.clerk)  # the same record, the same credit code
    assert Vendor.objects.get(pk=vendor.pk).status == S.SUBMITTED


def test_the_waiting_period_is_data(world):
    policy = selectors.vendor_policy()
    assert policy.reapply_after_days == 90
    assert not VendorPolicy.objects.exists()  # reading the defaults writes nothing
    services.vendor_policy_save(user=world.city_officer, reapply_after_days=10)
    vendor = rejected(world, days_ago=11)
    services.vendor_reapply(vendor=vendor, user=world.clerk)
    assert Vendor.objects.get(pk=vendor.pk).status == S.DRAFT


def test_only_the_institutions_own_clerk_reapplies_and_only_when_rejected(world):
    vendor = rejected(world, days_ago=100)
    with pytest.raises(VendorError) as caught:
        services.vendor_reapply(vendor=vendor, user=world.other_clerk)
    assert caught.value.code == "not_member"
    Vendor.objects.filter(pk=vendor.pk).update(status=S.REVOKED)
    with pytest.raises(VendorError) as excinfo:
        services.vendor_reapply(vendor=vendor, user=world.clerk)
    assert excinfo.value.code == "state"


def test_an_officer_reopens_a_mistaken_rejection_with_a_reason(world):
    vendor = rejected(world)
    with pytest.raises(VendorError) as excinfo:
        services.vendor_reopen(vendor=vendor, officer=world.officer, reason=" ")
    assert excinfo.value.code == "reason_required"
    with pytest.raises(VendorError) as caught:
        services.vendor_reopen(vendor=vendor, officer=world.foreign_officer, reason="误驳回")
    assert caught.value.code == "not_officer"
    decision = services.vendor_reopen(vendor=vendor, officer=world.officer, reason="误驳回")
    assert (decision.action, decision.from_status, decision.to_status, decision.reason) == (
        "reopened",
        "rejected",
        "submitted",
        "误驳回",
    )
    assert list(vendor.decisions.values_list("action", flat=True)) == ["submitted", "rejected", "reopened"]
    services.vendor_approve(vendor=vendor, officer=world.officer)
    assert Vendor.objects.get(pk=vendor.pk).status == S.APPROVED


def test_an_approved_vendor_cannot_be_reopened(world):
    complete(world)
    Vendor.objects.filter(pk=world.vendor.pk).update(status=S.APPROVED)
    with pytest.raises(VendorError) as excinfo:
        services.vendor_reopen(vendor=world.vendor, officer=world.officer, reason="x")
    assert excinfo.value.code == "state"


def test_reopen_and_reapply_are_on_the_pages(client, world):
    vendor = rejected(world)
    client.force_login(world.officer)
    page = client.get(f"/vendors/review/{vendor.pk}/").content.decode()
    assert 'data-testid="decide-reopened"' in page
    response = client.post(f"/vendors/review/{vendor.pk}/decide/", {"action": "reopened", "reason": "误驳回"})
    assert response.status_code == 302
    assert Vendor.objects.get(pk=vendor.pk).status == S.SUBMITTED


# --- revocation ---------------------------------------------------------------------------------


@pytest.fixture
def busy_vendor(world):
    complete(world)
    vendor = world.vendor
    Vendor.objects.filter(pk=vendor.pk).update(status=S.APPROVED)
    vendor.refresh_from_db()
    course = f.CourseFactory(vendor=vendor, title="少儿篮球")
    f.CourseFactory(vendor=vendor, title="在审课程", review_status=Course.ReviewStatus.SUBMITTED)
    activity = f.ActivityFactory(course=course)
    today = timezone.localdate()
    term = activity.term
    term.start, term.end = today - datetime.timedelta(days=10), today + datetime.timedelta(days=60)
    term.save()
    for _ in range(3):
        child = f.ChildFactory(school=activity.school)
        Enrolment.objects.create(
            child=child, activity=activity, status="placed", source="allocation", joined_on=term.start
        )
    CourseRequest.objects.create(
        school=activity.school,
        term=term,
        course=course,
        vendor=vendor,
        grade_min=1,
        grade_max=3,
        max_size=20,
        room_kind=activity.room_kind,
        price_per_session="30.00",
        requested_by=world.officer,
    )
    return vendor


def test_the_consequences_of_revoking_are_computed(busy_vendor):
    consequences = revocation_consequences(vendor=busy_vendor)
    assert [c.title for c in consequences.catalogue_courses] == ["少儿篮球"]
    assert consequences.open_requests == 1
    assert consequences.pupils == 3


def test_revoke_asks_to_confirm_and_names_its_consequences(client, world, busy_vendor):
    client.force_login(world.officer)
    response = client.post(
        f"/vendors/review/{busy_vendor.pk}/decide/", {"action": "revoked", "reason": "吊销"}
    )
    assert response.status_code == 302
    assert response.url == f"/vendors/review/{busy_vendor.pk}/revoke/"
    assert Vendor.objects.get(pk=busy_vendor.pk).status == S.APPROVED  # nothing happened yet
    page = client.get(response.url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "少儿篮球" in text
    assert 'data-testid="open-requests">1<' in text
    assert 'data-testid="pupils">3<' in text
    response = client.post(response.url, {"reason": "吊销办学许可", "confirm": "yes"})
    assert response.status_code == 302
    assert Vendor.objects.get(pk=busy_vendor.pk).status == S.REVOKED


def test_the_revoke_page_needs_the_confirmation_and_a_reason(client, world, busy_vendor):
    client.force_login(world.officer)
    url = f"/vendors/review/{busy_vendor.pk}/revoke/"
    assert client.post(url, {"reason": "吊销"}).status_code == 400
    assert client.post(url, {"reason": "", "confirm": "yes"}).status_code == 400
    assert Vendor.objects.get(pk=busy_vendor.pk).status == S.APPROVED
    client.force_login(world.foreign_officer)
    assert client.get(url).status_code == 404


def test_only_a_city_officer_sets_the_waiting_period_in_the_application(client, world):
    from django.urls import reverse

    url = reverse("vendors:policy_settings")
    client.force_login(world.officer)  # a district officer
    assert client.get(url).status_code == 404
    assert client.post(url, {"reapply_after_days": "5"}).status_code == 404
    with pytest.raises(VendorError) as excinfo:
        services.vendor_policy_save(user=world.officer, reapply_after_days=5)
    assert excinfo.value.code == "not_city_officer"

    client.force_login(world.city_officer)
    assert client.get(url).status_code == 200
    bad = client.post(url, {"reapply_after_days": "-3"})
    assert bad.status_code == 400
    assert not VendorPolicy.objects.exists()
    assert client.post(url, {"reapply_after_days": "30"}).status_code == 302
    assert selectors.vendor_policy().reapply_after_days == 30
    with pytest.raises(VendorError) as excinfo:
        services.vendor_policy_save(user=world.city_officer, reapply_after_days=99999)
    assert excinfo.value.code == "reapply_days_invalid"
