"""The vendor services: registration, profile, instructors, documents, submission and every
officer decision, with their refusals (nothing written) and the ``vendor_changed`` signal."""

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import AppendOnlyError
from marketplace.vendors import services
from marketplace.vendors.models import (
    Instructor,
    InstructorAvailability,
    Vendor,
    VendorDecision,
    VendorDocument,
)
from marketplace.vendors.services import VendorError
from people.roles.access import vendor_ids_for
from people.roles.models import Membership, Role
from tests import factories as f
from tests.vendors import PDF, PNG, T, complete, pdf, png, profile, with_status

pytestmark = pytest.mark.django_db

S = Vendor.Status


def messages(error) -> str:
    return " ".join(error.value.messages)


def field_messages(error, field) -> str:
    return " ".join(error.value.message_dict[field])


def media_files(settings) -> list:
    """The stored document files (private: outside MEDIA_ROOT)."""
    root = settings.PRIVATE_MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- registration ---------------------------------------------------------------------------


def test_register_creates_a_draft_vendor_and_the_clerk_membership(world, changed):
    user = world.newcomer
    vendor = services.vendor_register(user=user, **profile(world.category, world.district))
    assert vendor.status == S.DRAFT
    assert vendor.name == "星火体育培训中心"
    assert vendor.name_en == "Spark Sports Centre"
    assert vendor.licence_number == "教民1234567号"
    membership = Membership.objects.get(user=user, vendor=vendor)
    assert membership.role == Role.VENDOR_MEMBER
    assert vendor_ids_for(user) == {vendor.pk}  # the cache was refreshed
    assert not vendor.decisions.exists()
    assert changed == [vendor.pk]


def test_register_normalises_the_credit_code(world):
    code = f.credit_code(77).lower()
    vendor = services.vendor_register(
        user=world.newcomer, **profile(world.category, world.district, credit_code=f"  {code} ")
    )
    assert vendor.credit_code == f.credit_code(77)


@pytest.mark.parametrize(
    "code, expected, reason",
    [
        ("91330100MA0000001", "18 characters", "length"),
        ("91330100MA000000IX", "capital letters other than I, O, S, V and Z", "alphabet"),
        (f.credit_code(5)[:17] + ("0" if f.credit_code(5)[17] != "0" else "1"), "check character", "check"),
    ],
)
def test_register_refuses_a_bad_credit_code_and_writes_nothing(world, changed, code, expected, reason):
    before = (Vendor.objects.count(), Membership.objects.count())
    with pytest.raises(VendorError) as error:
        services.vendor_register(
            user=world.newcomer, **profile(world.category, world.district, credit_code=code)
        )
    assert error.value.code == reason  # the credit code's own check (``validate_credit_code``)
    assert expected in field_messages(error, "credit_code")
    assert (Vendor.objects.count(), Membership.objects.count()) == before
    assert changed == []


def test_register_refuses_a_duplicate_credit_code(world, changed):
    taken = world.other_vendor.credit_code
    before = (Vendor.objects.count(), Membership.objects.count())
    with pytest.raises(VendorError) as error:
        services.vendor_register(
            user=world.newcomer, **profile(world.category, world.district, credit_code=taken)
        )
    assert error.value.code == "credit_code_taken"
    assert f"{taken} is already registered" in field_messages(error, "credit_code")
    assert (Vendor.objects.count(), Membership.objects.count()) == before
    assert changed == []


def test_register_refuses_an_academic_category(world):
    with pytest.raises(VendorError) as error:
        services.vendor_register(user=world.newcomer, **profile(world.academic, world.district))
    assert error.value.code == "category_academic"
    assert "academic subject tutoring" in field_messages(error, "category")
    assert not Vendor.objects.filter(name="星火体育培训中心").exists()
    assert not Membership.objects.filter(user=world.newcomer).exists()


def test_register_refuses_a_user_who_already_belongs_to_a_vendor(world):
    with pytest.raises(VendorError) as error:
        services.vendor_register(user=world.clerk, **profile(world.category, world.district))
    assert error.value.code == "already_member"
    assert "already belongs to an institution" in messages(error)
    assert not Vendor.objects.filter(name="星火体育培训中心").exists()


def test_register_reports_every_bad_field_at_once(world):
    with pytest.raises(VendorError) as error:
        services.vendor_register(
            user=world.newcomer,
            **profile(
                world.academic, world.district, credit_code="123", contact_email="not-an-email", name=""
            ),
        )
    assert error.value.code == "length"
    assert {"credit_code", "category", "contact_email", "name"} <= set(error.value.message_dict)


def test_register_rejects_unknown_fields(world):
    with pytest.raises(TypeError):
        services.vendor_register(
            user=world.newcomer, status=S.APPROVED, **profile(world.category, world.district)
        )


# --- profile --------------------------------------------------------------------------------


def test_update_changes_the_profile_of_a_draft(world, changed):
    services.vendor_update(vendor=world.vendor, user=world.clerk, address="新地址 8 号", name_en="New name")
    world.vendor.refresh_from_db()
    assert world.vendor.address == "新地址 8 号"
    assert world.vendor.name_en == "New name"
    assert changed == [world.vendor.pk]


def test_update_is_allowed_when_changes_are_requested(world):
    with_status(world.vendor, S.CHANGES_REQUESTED)
    services.vendor_update(vendor=world.vendor, user=world.clerk, address="改后地址")
    assert Vendor.objects.get(pk=world.vendor.pk).address == "改后地址"


@pytest.mark.parametrize("status", [S.SUBMITTED, S.APPROVED, S.REJECTED, S.SUSPENDED, S.REVOKED])
def test_update_is_refused_outside_draft_and_changes_requested(world, changed, status):
    with_status(world.vendor, status)
    with pytest.raises(VendorError) as error:
        services.vendor_update(vendor=world.vendor, user=world.clerk, address="不许改")
    assert error.value.code == "not_editable"
    assert "can be changed only as a draft" in messages(error)
    assert Vendor.objects.get(pk=world.vendor.pk).address == "文二路 1 号"
    assert changed == []


def test_update_refuses_another_vendors_clerk(world):
    with pytest.raises(VendorError) as caught:
        services.vendor_update(vendor=world.vendor, user=world.other_clerk, address="别人改")
    assert caught.value.code == "not_member"
    assert Vendor.objects.get(pk=world.vendor.pk).address == "文二路 1 号"


def test_update_refuses_a_duplicate_credit_code_and_an_academic_category(world):
    with pytest.raises(VendorError) as error:
        services.vendor_update(
            vendor=world.vendor,
            user=world.clerk,
            credit_code=world.other_vendor.credit_code,
            category=world.academic,
        )
    assert error.value.code == "credit_code_taken"
    assert set(error.value.message_dict) == {"credit_code", "category"}
    stored = Vendor.objects.get(pk=world.vendor.pk)
    assert stored.credit_code != world.other_vendor.credit_code
    assert stored.category == world.category


def test_update_keeps_its_own_credit_code(world):
    services.vendor_update(vendor=world.vendor, user=world.clerk, credit_code=world.vendor.credit_code)


# --- instructors ----------------------------------------------------------------------------


def test_instructor_save_adds_an_instructor_with_subjects_and_windows(world, changed):
    subject = f.SubjectFactory()
    instructor = services.instructor_save(
        vendor=world.vendor,
        user=world.clerk,
        name=" 陈教练 ",
        subjects=[subject],
        qualifications="国家二级运动员",
        max_sessions=6,
        windows=[(2, T(15, 0), T(17, 0)), (0, T(15, 0), T(16, 0)), (0, T(16, 0), T(18, 0))],
    )
    assert instructor.vendor == world.vendor
    assert instructor.name == "陈教练"
    assert list(instructor.subjects.all()) == [subject]
    assert instructor.max_sessions == 6
    assert [(w.weekday, w.start, w.end) for w in instructor.availability.order_by("weekday", "start")] == [
        (0, T(15, 0), T(16, 0)),
        (0, T(16, 0), T(18, 0)),
        (2, T(15, 0), T(17, 0)),
    ]
    assert changed == [world.vendor.pk]


def test_instructor_save_replaces_the_windows_of_an_instructor(world):
    instructor = f.InstructorFactory(vendor=world.vendor)
    f.InstructorAvailabilityFactory(instructor=instructor, weekday=4)
    services.instructor_save(
        vendor=world.vendor,
        user=world.clerk,
        instructor=instructor,
        name="改名",
        windows=[(1, T(14, 0), T(15, 0))],
    )
    instructor.refresh_from_db()
    assert instructor.name == "改名"
    assert list(instructor.availability.values_list("weekday", flat=True)) == [1]


@pytest.mark.parametrize(
    "windows, expected, code",
    [
        ([(0, T(16, 0), T(15, 0))], "must end after it starts", "window_end_before_start"),
        ([(0, T(16, 0), T(16, 0))], "must end after it starts", "window_end_before_start"),
        ([(0, T(15, 0), T(17, 0)), (0, T(16, 30), T(18, 0))], "overlap", "windows_overlap"),
        ([(3, T(15, 0), T(18, 0)), (3, T(15, 30), T(16, 0))], "overlap", "windows_overlap"),
        ([(9, T(15, 0), T(16, 0))], "not a weekday", "window_day_unknown"),
    ],
)
def test_instructor_save_refuses_bad_windows_and_writes_nothing(world, changed, windows, expected, code):
    instructor = f.InstructorFactory(vendor=world.vendor, name="原名")
    f.InstructorAvailabilityFactory(instructor=instructor, weekday=4)
    with pytest.raises(VendorError) as error:
        services.instructor_save(
            vendor=world.vendor, user=world.clerk, instructor=instructor, name="新名", windows=windows
        )
    assert error.value.code == code
    assert expected in messages(error)
    instructor.refresh_from_db()
    assert instructor.name == "原名"
    assert list(instructor.availability.values_list("weekday", flat=True)) == [4]
    assert changed == []


def test_instructor_save_refuses_an_empty_name(world):
    with pytest.raises(VendorError) as error:
        services.instructor_save(vendor=world.vendor, user=world.clerk, name="  ")
    assert error.value.code == "blank"
    assert "name" in error.value.message_dict
    assert not world.vendor.instructors.exists()


def test_instructor_save_is_allowed_for_an_approved_vendor(world):
    """Schools plan with the instructors' current availability, so it stays editable."""
    with_status(world.vendor, S.APPROVED)
    instructor = services.instructor_save(
        vendor=world.vendor, user=world.clerk, name="新讲师", windows=[(1, T(15, 0), T(16, 0))]
    )
    assert instructor.pk


@pytest.mark.parametrize("status", [S.SUBMITTED, S.REJECTED, S.SUSPENDED, S.REVOKED])
def test_instructor_changes_are_refused_in_other_statuses(world, status):
    instructor = f.InstructorFactory(vendor=world.vendor, name="原名")
    with_status(world.vendor, status)
    with pytest.raises(VendorError) as error:
        services.instructor_save(vendor=world.vendor, user=world.clerk, name="新讲师")
    assert error.value.code == "instructors_locked"
    assert "cannot be changed now" in messages(error)
    with pytest.raises(VendorError) as caught:
        services.instructor_save(vendor=world.vendor, user=world.clerk, instructor=instructor, name="改")
    assert caught.value.code == "instructors_locked"
    with pytest.raises(VendorError) as caught:
        services.instructor_delete(instructor=instructor, user=world.clerk)
    assert caught.value.code == "instructors_locked"
    assert list(world.vendor.instructors.values_list("name", flat=True)) == ["原名"]


def test_instructor_of_another_vendor_is_refused(world):
    foreign = f.InstructorFactory(vendor=world.other_vendor, name="别家")
    with pytest.raises(VendorError) as caught:
        services.instructor_save(vendor=world.vendor, user=world.clerk, instructor=foreign, name="抢来")
    assert caught.value.code == "not_own_instructor"
    with pytest.raises(VendorError) as caught:
        services.instructor_delete(instructor=foreign, user=world.clerk)
    assert caught.value.code == "not_member"
    foreign.refresh_from_db()
    assert foreign.name == "别家"


def test_instructor_delete_removes_the_instructor_and_their_documents(
    world, changed, settings, django_capture_on_commit_callbacks
):
    instructor = f.InstructorFactory(vendor=world.vendor)
    f.InstructorAvailabilityFactory(instructor=instructor)
    document = services.document_add(
        vendor=world.vendor,
        user=world.clerk,
        kind="qualification",
        title="证书",
        file=pdf(),
        instructor=instructor,
    )
    path = document.file.path
    changed.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.instructor_delete(instructor=instructor, user=world.clerk)
    assert not Instructor.objects.filter(pk=instructor.pk).exists()
    assert not InstructorAvailability.objects.filter(instructor_id=instructor.pk).exists()
    assert not VendorDocument.objects.filter(pk=document.pk).exists()
    assert not Path(path).exists()
    assert changed == [world.vendor.pk]


def test_instructor_named_on_an_activity_cannot_be_deleted(world):
    with_status(world.vendor, S.APPROVED)
    instructor = f.InstructorFactory(vendor=world.vendor, name="在岗")
    course = f.CourseFactory(vendor=world.vendor)
    f.ActivityFactory(course=course, vendor_instructor=instructor)
    with pytest.raises(VendorError) as error:
        services.instructor_delete(instructor=instructor, user=world.clerk)
    assert error.value.code == "instructor_in_use"
    assert "在岗" in messages(error)
    assert Instructor.objects.filter(pk=instructor.pk).exists()


# --- documents ------------------------------------------------------------------------------


def test_document_add_stores_the_file_with_its_type_and_size(world, changed, settings):
    instructor = f.InstructorFactory(vendor=world.vendor)
    document = services.document_add(
        vendor=world.vendor,
        user=world.clerk,
        kind="qualification",
        title=" 证书 ",
        file=png(),
        instructor=instructor,
    )
    document.refresh_from_db()
    assert document.content_type == "image/png"
    assert document.size == len(PNG)
    assert document.title == "证书"
    assert document.instructor == instructor
    assert document.uploaded_by == world.clerk
    with document.file.open("rb") as handle:
        assert handle.read() == PNG
    assert str(settings.PRIVATE_MEDIA_ROOT) in document.file.path
    assert str(settings.MEDIA_ROOT) not in document.file.path
    assert changed == [world.vendor.pk]


@pytest.mark.parametrize(
    "upload, expected, code",
    [
        (lambda: pdf("licence.exe"), "“licence.exe” is not an accepted file type", "document_type"),
        (
            lambda: pdf("licence.txt", b"just text"),
            "“licence.txt” is not an accepted file type",
            "document_type",
        ),
        (
            lambda: pdf("fake.pdf", b"MZ\x90\x00 not really a pdf"),
            "“fake.pdf” is not a valid PDF or image",
            "document_content",
        ),
        (lambda: png("photo.pdf"), "“photo.pdf” is not a valid PDF or image", "document_content"),
        (lambda: pdf("empty.pdf", b""), "“empty.pdf” is empty", "document_empty"),
    ],
)
def test_document_add_refuses_bad_files_and_writes_nothing(world, changed, settings, upload, expected, code):
    with pytest.raises(VendorError) as error:
        services.document_add(
            vendor=world.vendor, user=world.clerk, kind="licence", title="许可证", file=upload()
        )
    assert error.value.code == code
    assert expected in field_messages(error, "file")
    assert not VendorDocument.objects.exists()
    assert media_files(settings) == []
    assert changed == []


def test_document_add_refuses_an_oversize_file(world, settings):
    settings.DOCUMENT_MAX_BYTES = 40
    with pytest.raises(VendorError) as error:
        services.document_add(
            vendor=world.vendor,
            user=world.clerk,
            kind="licence",
            title="许可证",
            file=pdf("big.pdf", PDF + b"x" * 64),
        )
    assert error.value.code == "document_size"
    assert "“big.pdf” is" in field_messages(error, "file")
    assert "the largest accepted file is 40" in field_messages(error, "file")
    assert not VendorDocument.objects.exists()
    assert media_files(settings) == []


def test_document_add_refuses_a_bad_kind_without_leaving_a_file(world, settings):
    with pytest.raises(VendorError) as error:
        services.document_add(vendor=world.vendor, user=world.clerk, kind="diploma", title="x", file=pdf())
    assert error.value.code == "invalid_choice"
    assert "kind" in error.value.message_dict
    assert media_files(settings) == []


def test_document_add_refuses_another_vendors_instructor(world, settings):
    foreign = f.InstructorFactory(vendor=world.other_vendor)
    with pytest.raises(VendorError) as error:
        services.document_add(
            vendor=world.vendor,
            user=world.clerk,
            kind="qualification",
            title="x",
            file=pdf(),
            instructor=foreign,
        )
    assert error.value.code == "not_own_instructor"
    assert "instructor" in error.value.message_dict
    assert not VendorDocument.objects.exists()


def test_a_failing_receiver_leaves_no_row_and_no_file(world, settings):
    from marketplace.vendors.signals import vendor_changed

    def boom(sender, vendor, **kwargs):
        raise RuntimeError("receiver failed")

    vendor_changed.connect(boom, dispatch_uid="tests.vendors.boom")
    try:
        with pytest.raises(RuntimeError):
            services.document_add(
                vendor=world.vendor, user=world.clerk, kind="licence", title="x", file=pdf()
            )
    finally:
        vendor_changed.disconnect(dispatch_uid="tests.vendors.boom")
    assert not VendorDocument.objects.exists()
    assert media_files(settings) == []


# An approved vendor may add documents, as amendments (tests/vendors/test_amendments.py).
@pytest.mark.parametrize("status", [S.SUBMITTED, S.REJECTED, S.SUSPENDED, S.REVOKED])
def test_documents_are_locked_outside_draft_and_changes_requested(world, settings, status):
    complete(world)
    document = world.vendor.documents.get()
    with_status(world.vendor, status)
    with pytest.raises(VendorError) as caught:
        services.document_add(vendor=world.vendor, user=world.clerk, kind="other", title="x", file=pdf())
    assert caught.value.code == "not_editable"
    with pytest.raises(VendorError) as caught:
        services.document_delete(document=document, user=world.clerk)
    assert caught.value.code == "not_editable"
    assert list(world.vendor.documents.all()) == [document]
    assert len(media_files(settings)) == 1


def test_document_delete_removes_row_and_file(world, changed, settings, django_capture_on_commit_callbacks):
    document = services.document_add(
        vendor=world.vendor, user=world.clerk, kind="licence", title="x", file=pdf()
    )
    assert len(media_files(settings)) == 1
    changed.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.document_delete(document=document, user=world.clerk)
        # The file stays until the deletion is committed (a rollback keeps both).
        assert len(media_files(settings)) == 1
    assert callbacks
    assert not VendorDocument.objects.exists()
    assert media_files(settings) == []
    assert changed == [world.vendor.pk]


def test_document_services_refuse_another_vendors_clerk(world, settings):
    document = services.document_add(
        vendor=world.vendor, user=world.clerk, kind="licence", title="x", file=pdf()
    )
    with pytest.raises(VendorError) as caught:
        services.document_add(
            vendor=world.vendor, user=world.other_clerk, kind="licence", title="y", file=pdf()
        )
    assert caught.value.code == "not_member"
    with pytest.raises(VendorError) as caught:
        services.document_delete(document=document, user=world.other_clerk)
    assert caught.value.code == "not_member"
    assert list(VendorDocument.objects.all()) == [document]


# --- submission -----------------------------------------------------------------------------


def test_submit_refuses_an_incomplete_application_and_says_what_is_missing(world, changed):
    with pytest.raises(VendorError) as error:
        services.vendor_submit(vendor=world.vendor, user=world.clerk)
    assert error.value.code == "incomplete"
    text = messages(error)
    assert "Add at least one instructor" in text
    assert "school-running licence" in text
    assert Vendor.objects.get(pk=world.vendor.pk).status == S.DRAFT
    assert not VendorDecision.objects.exists()
    assert changed == []


def test_submit_names_each_missing_profile_field(world):
    complete(world)
    Vendor.objects.filter(pk=world.vendor.pk).update(licence_number="", address="", contact_phone="")
    world.vendor.refresh_from_db()
    with pytest.raises(VendorError) as error:
        services.vendor_submit(vendor=world.vendor, user=world.clerk)
    assert error.value.code == "incomplete"
    text = messages(error)
    assert "licence number" in text
    assert "address" in text
    assert "contact phone" in text
    assert "instructor" not in text


def test_submit_refuses_a_vendor_whose_category_became_academic(world):
    complete(world)
    world.category.is_academic = True
    world.category.save()
    with pytest.raises(VendorError) as error:
        services.vendor_submit(vendor=world.vendor, user=world.clerk)
    assert error.value.code == "incomplete"
    assert "Academic subject tutoring" in messages(error)


def test_submit_writes_a_decision_and_sends_the_signal(world, changed):
    complete(world)
    decision = services.vendor_submit(vendor=world.vendor, user=world.clerk)
    assert world.vendor.status == S.SUBMITTED
    assert Vendor.objects.get(pk=world.vendor.pk).status == S.SUBMITTED
    assert (decision.action, decision.from_status, decision.to_status, decision.actor, decision.reason) == (
        "submitted",
        S.DRAFT,
        S.SUBMITTED,
        world.clerk,
        "",
    )
    assert changed == [world.vendor.pk]


def test_submit_refuses_another_vendors_clerk_and_an_officer(world):
    complete(world)
    for user in (world.other_clerk, world.officer):
        with pytest.raises(VendorError) as caught:
            services.vendor_submit(vendor=world.vendor, user=user)
        assert caught.value.code == "not_member"
    assert Vendor.objects.get(pk=world.vendor.pk).status == S.DRAFT


@pytest.mark.parametrize("status", [S.SUBMITTED, S.APPROVED, S.REJECTED, S.SUSPENDED, S.REVOKED])
def test_submit_is_refused_in_other_statuses(world, status):
    complete(world)
    with_status(world.vendor, status)
    with pytest.raises(VendorError) as error:
        services.vendor_submit(vendor=world.vendor, user=world.clerk)
    assert error.value.code == "state"
    assert "cannot be submitted" in messages(error)
    assert not VendorDecision.objects.exists()


def test_submit_locks_the_vendor_row(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks")
    complete(world)
    with CaptureQueriesContext(connection) as queries:
        services.vendor_submit(vendor=world.vendor, user=world.clerk)
    assert any("FOR UPDATE" in q["sql"] and "vendors_vendor" in q["sql"] for q in queries.captured_queries)


# --- officer decisions ----------------------------------------------------------------------


def submitted(world):
    complete(world)
    services.vendor_submit(vendor=world.vendor, user=world.clerk)
    return world.vendor


def test_the_whole_review_path_is_logged(world, changed):
    vendor = submitted(world)
    services.vendor_request_changes(vendor=vendor, officer=world.officer, reason="许可证照片不清晰")
    assert vendor.status == S.CHANGES_REQUESTED
    services.vendor_update(vendor=vendor, user=world.clerk, address="补充地址")
    services.vendor_submit(vendor=vendor, user=world.clerk)
    services.vendor_approve(vendor=vendor, officer=world.city_officer)
    services.vendor_suspend(vendor=vendor, officer=world.officer, reason="安全检查未通过")
    services.vendor_reinstate(vendor=vendor, officer=world.officer, reason="整改完成")
    services.vendor_revoke(vendor=vendor, officer=world.officer, reason="吊销办学许可")
    assert Vendor.objects.get(pk=vendor.pk).status == S.REVOKED
    rows = list(
        vendor.decisions.order_by("created_at", "pk").values_list(
            "action", "from_status", "to_status", "actor", "reason"
        )
    )
    assert rows == [
        ("submitted", "draft", "submitted", world.clerk.pk, ""),
        ("changes_requested", "submitted", "changes_requested", world.officer.pk, "许可证照片不清晰"),
        ("submitted", "changes_requested", "submitted", world.clerk.pk, ""),
        ("approved", "submitted", "approved", world.city_officer.pk, ""),
        ("suspended", "approved", "suspended", world.officer.pk, "安全检查未通过"),
        ("reinstated", "suspended", "approved", world.officer.pk, "整改完成"),
        ("revoked", "approved", "revoked", world.officer.pk, "吊销办学许可"),
    ]
    # submit, request changes, update, submit, approve, suspend, reinstate, revoke
    assert changed == [vendor.pk] * 8


def test_reject_is_final(world):
    vendor = submitted(world)
    decision = services.vendor_reject(vendor=vendor, officer=world.officer, reason="资质不符")
    assert (decision.action, decision.to_status, decision.reason) == ("rejected", "rejected", "资质不符")
    assert Vendor.objects.get(pk=vendor.pk).status == S.REJECTED
    for call in (
        lambda: services.vendor_approve(vendor=vendor, officer=world.officer),
        lambda: services.vendor_submit(vendor=vendor, user=world.clerk),
        lambda: services.vendor_suspend(vendor=vendor, officer=world.officer, reason="x"),
        lambda: services.vendor_reinstate(vendor=vendor, officer=world.officer),
    ):
        with pytest.raises(VendorError) as caught:
            call()
        assert caught.value.code == "state"
    assert vendor.decisions.count() == 2


def test_a_suspended_vendor_can_be_revoked(world):
    with_status(world.vendor, S.SUSPENDED)
    services.vendor_revoke(vendor=world.vendor, officer=world.officer, reason="屡次违规")
    assert Vendor.objects.get(pk=world.vendor.pk).status == S.REVOKED


INVALID = [
    ("approve", S.DRAFT, "Only a submitted application can be approved"),
    ("approve", S.CHANGES_REQUESTED, "Only a submitted application can be approved"),
    ("approve", S.APPROVED, "Only a submitted application can be approved"),
    ("reject", S.APPROVED, "Only a submitted application can be rejected"),
    ("request_changes", S.DRAFT, "Changes can be requested only of a submitted application"),
    ("suspend", S.REJECTED, "Only an approved vendor can be suspended"),
    ("suspend", S.SUBMITTED, "Only an approved vendor can be suspended"),
    ("suspend", S.SUSPENDED, "Only an approved vendor can be suspended"),
    ("revoke", S.SUBMITTED, "Only an approved or suspended vendor can be revoked"),
    ("revoke", S.REVOKED, "Only an approved or suspended vendor can be revoked"),
    ("reinstate", S.APPROVED, "Only a suspended vendor can be reinstated"),
    ("reinstate", S.REVOKED, "Only a suspended vendor can be reinstated"),
]


@pytest.mark.parametrize("verb, status, expected", INVALID)
def test_invalid_transitions_are_refused_and_write_nothing(world, changed, verb, status, expected):
    with_status(world.vendor, status)
    with pytest.raises(VendorError) as error:
        getattr(services, f"vendor_{verb}")(vendor=world.vendor, officer=world.officer, reason="理由")
    assert error.value.code == "state"
    assert expected in messages(error)
    assert Vendor.objects.get(pk=world.vendor.pk).status == status
    assert not VendorDecision.objects.exists()
    assert changed == []


@pytest.mark.parametrize(
    "verb, status",
    [
        ("reject", S.SUBMITTED),
        ("request_changes", S.SUBMITTED),
        ("suspend", S.APPROVED),
        ("revoke", S.APPROVED),
    ],
)
@pytest.mark.parametrize("reason", ["", "   \n "])
def test_decisions_that_need_a_reason_refuse_without_one(world, changed, verb, status, reason):
    with_status(world.vendor, status)
    with pytest.raises(VendorError) as error:
        getattr(services, f"vendor_{verb}")(vendor=world.vendor, officer=world.officer, reason=reason)
    assert error.value.code == "reason_required"
    assert "Give a reason" in field_messages(error, "reason")
    assert Vendor.objects.get(pk=world.vendor.pk).status == status
    assert not VendorDecision.objects.exists()
    assert changed == []


@pytest.mark.parametrize("who", ["foreign_officer", "clerk", "newcomer"])
def test_only_officers_over_the_district_decide(world, who):
    vendor = submitted(world)
    with pytest.raises(VendorError) as error:
        services.vendor_approve(vendor=vendor, officer=getattr(world, who))
    assert error.value.code == "not_officer"
    assert "bureau officer of the vendor's district" in messages(error)
    assert Vendor.objects.get(pk=vendor.pk).status == S.SUBMITTED
    assert vendor.decisions.count() == 1


def test_unknown_decision_is_refused(world):
    with pytest.raises(VendorError) as caught:
        services.vendor_decide(vendor=world.vendor, officer=world.officer, action="submitted")
    assert caught.value.code == "unknown_action"


def test_a_stale_vendor_object_cannot_be_decided_twice(world):
    """The service reads the status from the locked row, not from the caller's object."""
    vendor = submitted(world)
    stale = Vendor.objects.get(pk=vendor.pk)
    services.vendor_approve(vendor=vendor, officer=world.officer)
    with pytest.raises(VendorError) as caught:
        services.vendor_reject(vendor=stale, officer=world.city_officer, reason="晚了")
    assert caught.value.code == "state"
    assert stale.status == S.APPROVED
    assert list(vendor.decisions.values_list("action", flat=True)) == ["submitted", "approved"]


def test_decision_rows_are_append_only(world):
    vendor = submitted(world)
    decision = vendor.decisions.get()
    with pytest.raises(AppendOnlyError) as caught:
        decision.save()
    assert caught.value.code == "append_only"
    with pytest.raises(AppendOnlyError) as caught:
        decision.delete()
    assert caught.value.code == "append_only"


def test_officer_actions_follow_the_status(world):
    cases = {
        S.DRAFT: [],
        S.SUBMITTED: ["approved", "rejected", "changes_requested"],
        S.APPROVED: ["suspended", "revoked"],
        S.SUSPENDED: ["revoked", "reinstated"],
        S.REJECTED: ["reopened"],
        S.REVOKED: ["reopened"],
    }
    for status, actions in cases.items():
        with_status(world.vendor, status)
        assert sorted(services.officer_actions(world.vendor)) == sorted(actions), status


def test_an_approved_vendors_instructor_with_documents_cannot_be_removed(world):
    instructor = f.InstructorFactory(vendor=world.vendor, name="持证")
    services.document_add(
        vendor=world.vendor,
        user=world.clerk,
        kind="qualification",
        title="证书",
        file=pdf(),
        instructor=instructor,
    )
    with_status(world.vendor, S.APPROVED)
    with pytest.raises(VendorError) as error:
        services.instructor_delete(instructor=instructor, user=world.clerk)
    assert error.value.code == "instructor_documented"
    assert "持证" in messages(error)
    assert Instructor.objects.filter(pk=instructor.pk).exists()
    assert instructor.documents.count() == 1
