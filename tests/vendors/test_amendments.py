"""An approved vendor's changes that matter — a new instructor, a new document, new contact
details — go to the officer as amendments; the vendor stays approved meanwhile, and a new
instructor cannot be named on a course until the amendment is approved."""

import pytest

from marketplace.courses.services import CourseError, course_create
from marketplace.vendors import services
from marketplace.vendors.models import Instructor, Vendor, VendorAmendment, VendorDocument
from marketplace.vendors.services import VendorError
from tests import factories as f
from tests.vendors import T, complete, pdf, with_status

S = Vendor.Status


@pytest.fixture
def approved(world):
    complete(world)
    return with_status(world.vendor, S.APPROVED)


def add_instructor(world, name="新教练"):
    return services.instructor_save(
        vendor=world.vendor,
        user=world.clerk,
        name=name,
        qualifications="国家二级运动员",
        windows=[(0, T(15, 0), T(17, 0))],
    )


def test_a_new_instructor_of_an_approved_vendor_waits_for_the_officer(world, approved):
    instructor = add_instructor(world)
    assert not instructor.vetted
    amendment = VendorAmendment.objects.get(vendor=approved)
    assert (amendment.kind, amendment.status, amendment.instructor) == ("instructor", "pending", instructor)
    assert Vendor.objects.get(pk=approved.pk).status == S.APPROVED


def test_an_instructor_not_yet_checked_cannot_be_named_on_a_course(world, approved):
    instructor = add_instructor(world)
    fields = {
        "title": "少儿篮球",
        "category": approved.category,
        "subject": f.SubjectFactory(),
        "grade_min": 1,
        "grade_max": 3,
        "sessions": 2,
        "price_per_session": "30.00",
    }
    with pytest.raises(CourseError) as excinfo:
        course_create(vendor=approved, user=world.clerk, instructors=[instructor], **fields)
    assert excinfo.value.code == "instructor_not_vetted"
    assert "instructors" in excinfo.value.message_dict
    services.amendment_decide(
        amendment=VendorAmendment.objects.get(instructor=instructor), officer=world.officer, approve=True
    )
    assert Instructor.objects.get(pk=instructor.pk).vetted
    course = course_create(
        vendor=approved, user=world.clerk, instructors=[Instructor.objects.get(pk=instructor.pk)], **fields
    )
    assert list(course.instructors.all()) == [instructor]


def test_an_approved_vendor_files_a_renewed_licence_as_an_amendment(world, approved):
    document = services.document_add(
        vendor=approved, user=world.clerk, kind="licence", title="新许可证", file=pdf()
    )
    assert not document.accepted
    amendment = VendorAmendment.objects.get(document=document)
    services.amendment_decide(amendment=amendment, officer=world.officer, approve=True)
    assert VendorDocument.objects.get(pk=document.pk).accepted
    assert VendorAmendment.objects.get(pk=amendment.pk).status == "approved"
    with pytest.raises(VendorError) as caught:  # the approved record's documents are kept
        services.document_delete(document=document, user=world.clerk)
    assert caught.value.code == "not_editable"


def test_a_contact_change_is_applied_only_when_approved(world, approved):
    amendment = services.vendor_contact_change(vendor=approved, user=world.clerk, contact_phone="13911112222")
    assert Vendor.objects.get(pk=approved.pk).contact_phone == "13900000000"
    assert amendment.changes == {"contact_phone": "13911112222"}
    with pytest.raises(VendorError) as excinfo:
        services.vendor_contact_change(vendor=approved, user=world.clerk, contact_phone="13933334444")
    assert excinfo.value.code == "amendment_pending"
    services.amendment_decide(amendment=amendment, officer=world.officer, approve=True)
    assert Vendor.objects.get(pk=approved.pk).contact_phone == "13911112222"


def test_a_rejection_needs_a_reason_and_changes_nothing(world, approved):
    amendment = services.vendor_contact_change(vendor=approved, user=world.clerk, contact_name="赵六")
    with pytest.raises(VendorError) as excinfo:
        services.amendment_decide(amendment=amendment, officer=world.officer, approve=False)
    assert excinfo.value.code == "reason_required"
    services.amendment_decide(
        amendment=amendment, officer=world.officer, approve=False, reason="未提供授权书"
    )
    vendor = Vendor.objects.get(pk=approved.pk)
    assert (vendor.contact_name, vendor.status) == ("王经理", S.APPROVED)
    with pytest.raises(VendorError) as excinfo:
        services.amendment_decide(amendment=amendment, officer=world.officer, approve=True)
    assert excinfo.value.code == "amendment_decided"


def test_only_an_officer_of_the_district_decides(world, approved):
    amendment = services.vendor_contact_change(vendor=approved, user=world.clerk, contact_name="赵六")
    with pytest.raises(VendorError) as excinfo:
        services.amendment_decide(amendment=amendment, officer=world.foreign_officer, approve=True)
    assert excinfo.value.code == "not_officer"


def test_a_draft_vendors_instructors_are_part_of_the_application(world):
    instructor = add_instructor(world)
    assert instructor.vetted and not VendorAmendment.objects.exists()


def test_the_officer_decides_on_the_pages(client, world, approved):
    instructor = add_instructor(world)
    client.force_login(world.officer)
    assert "新教练" in client.get("/vendors/review/").content.decode()
    page = client.get(f"/vendors/review/{approved.pk}/").content.decode()
    amendment = VendorAmendment.objects.get(instructor=instructor)
    assert f'data-amendment-id="{amendment.pk}"' in page
    response = client.post(
        f"/vendors/review/{approved.pk}/amendments/{amendment.pk}/", {"decision": "approve"}
    )
    assert response.status_code == 302
    assert Instructor.objects.get(pk=instructor.pk).vetted
    client.force_login(world.foreign_officer)
    response = client.post(
        f"/vendors/review/{approved.pk}/amendments/{amendment.pk}/", {"decision": "reject"}
    )
    assert response.status_code == 404


def test_the_clerk_changes_contact_details_on_a_page(client, world, approved):
    client.force_login(world.clerk)
    url = f"/vendors/{approved.pk}/contact/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "contact_name": "王经理",
            "contact_phone": "13955556666",
            "contact_email": "",
            "address": "文二路 1 号",
        },
    )
    assert response.status_code == 302
    assert VendorAmendment.objects.get(vendor=approved).changes == {"contact_phone": "13955556666"}
