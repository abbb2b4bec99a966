"""The CMS follows the database: vendor pages, course pages and teacher profiles (``cms.sync``)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from wagtail.models import Page
from wagtail.rich_text import RichText

from cms.models import (
    CourseLibraryPage,
    CoursePage,
    TeacherPoolPage,
    TeacherProfile,
    VendorCataloguePage,
    VendorPage,
)
from cms.sync import CmsSyncError, course_page_sync, sync_all, teacher_profiles_sync, vendor_page_sync
from marketplace.courses.models import Course
from marketplace.vendors.models import Vendor
from tests import factories as f
from tests.cms.conftest import set_course, set_vendor

pytestmark = pytest.mark.django_db

S = Vendor.Status
R = Course.ReviewStatus


def vendor_page(vendor) -> VendorPage:
    return VendorPage.objects.get(vendor=vendor)


def course_page(course) -> CoursePage:
    return CoursePage.objects.get(course=course)


def draft_vendor(**fields):
    defaults = {
        "name": "宁波启航体育培训有限公司",
        "name_en": "Qihang Sports",
        "description": "专注青少年篮球训练十年。",
        "description_en": "Ten years of youth basketball.",
    }
    return f.VendorFactory(status=S.SUBMITTED, **{**defaults, **fields})


# --- Vendor catalogue ---------------------------------------------------------------------------


def test_a_vendor_in_review_has_no_page(home):
    vendor = set_vendor(draft_vendor(), status=S.SUBMITTED)
    assert not VendorPage.objects.filter(vendor=vendor).exists()
    set_vendor(vendor, status=S.CHANGES_REQUESTED)
    set_vendor(vendor, status=S.REJECTED)
    assert not VendorPage.objects.exists()


def test_approval_creates_and_publishes_the_page_under_the_catalogue(home, client):
    vendor = set_vendor(draft_vendor(), status=S.APPROVED)

    page = vendor_page(vendor)
    assert page.live and not page.has_unpublished_changes
    assert page.live_revision is not None
    assert page.title == "宁波启航体育培训有限公司"
    assert page.slug == f"vendor-{vendor.pk}"
    catalogue = page.get_parent().specific
    assert isinstance(catalogue, VendorCataloguePage)
    assert catalogue.get_parent().pk == home.pk and catalogue.live

    response = client.get(page.url)
    assert response.status_code == 200
    html = response.text
    assert "宁波启航体育培训有限公司" in html
    assert "专注青少年篮球训练十年。" in html
    assert vendor.category.name in html and vendor.district.name in html


def test_editing_an_approved_vendor_updates_and_republishes_its_page(home, client):
    vendor = set_vendor(draft_vendor(), status=S.APPROVED)
    page = vendor_page(vendor)
    revisions = page.revisions.count()

    set_vendor(vendor, name="宁波远航体育有限公司", description="新的机构介绍。", risk_grade="C")

    page = vendor_page(vendor)
    assert page.title == "宁波远航体育有限公司" and page.live
    assert page.revisions.count() == revisions + 1
    assert page.live_revision.object_str == "宁波远航体育有限公司"
    html = client.get(page.url).text
    assert "宁波远航体育有限公司" in html and "新的机构介绍。" in html
    assert "专注青少年篮球训练十年。" not in html
    assert 'data-testid="risk-grade"' in html


@pytest.mark.parametrize("status", [S.SUSPENDED, S.REVOKED])
def test_suspension_or_revocation_unpublishes_the_page_and_keeps_it(home, client, status):
    vendor = set_vendor(draft_vendor(), status=S.APPROVED)
    page = vendor_page(vendor)
    url = page.url

    set_vendor(vendor, status=status)

    page = vendor_page(vendor)
    assert not page.live
    assert client.get(url).status_code == 404
    assert Page.objects.filter(pk=page.pk).exists()


def test_reinstatement_republishes_the_same_page_with_the_editors_content(home, client):
    vendor = set_vendor(draft_vendor(), status=S.APPROVED)
    page = vendor_page(vendor)
    page.body = [("text", RichText("<p>编辑补充的场地照片说明</p>"))]
    page.save_revision().publish()
    url = page.url

    set_vendor(vendor, status=S.SUSPENDED)
    assert client.get(url).status_code == 404
    set_vendor(vendor, status=S.APPROVED)

    again = vendor_page(vendor)
    assert again.pk == page.pk and again.live
    response = client.get(url)
    assert response.status_code == 200
    assert "编辑补充的场地照片说明" in response.text


def test_a_sync_never_publishes_an_editors_unpublished_draft(home, client):
    vendor = set_vendor(draft_vendor(), status=S.APPROVED)
    page = vendor_page(vendor)
    page.body = [("text", RichText("<p>尚未审核的草稿</p>"))]
    page.save_revision()

    set_vendor(vendor, description="资料更新。")

    html = client.get(vendor_page(vendor).url).text
    assert "资料更新。" in html
    assert "尚未审核的草稿" not in html


def test_the_vendor_page_lists_only_approved_courses(home, client):
    vendor = set_vendor(draft_vendor(), status=S.APPROVED)
    f.CourseFactory(vendor=vendor, title="篮球启蒙班", sessions=12, price_per_session="45.00")
    f.CourseFactory(vendor=vendor, title="尚在审核的课", review_status=R.SUBMITTED)
    f.CourseFactory(title="别家的课")

    html = client.get(vendor_page(vendor).url).text
    assert "篮球启蒙班" in html and "¥45.00" in html
    assert "尚在审核的课" not in html
    assert "别家的课" not in html


def test_pages_of_vendors_with_the_same_name_get_distinct_slugs(home):
    a = set_vendor(draft_vendor(), status=S.APPROVED)
    b = set_vendor(draft_vendor(), status=S.APPROVED)
    assert vendor_page(a).slug != vendor_page(b).slug


def test_without_a_home_page_signals_change_nothing(db):
    vendor = draft_vendor()
    f.InstructorFactory(vendor=vendor)
    set_vendor(vendor, status=S.APPROVED)
    course = set_course(f.CourseFactory(vendor=vendor))
    assert vendor_page_sync(vendor) is None
    assert course_page_sync(course) is None
    assert not VendorPage.objects.exists() and not CoursePage.objects.exists()
    assert not VendorCataloguePage.objects.exists()
    assert not TeacherProfile.objects.exists()


# --- Course library -----------------------------------------------------------------------------


def test_course_review_publishes_and_unpublishes_its_library_page(home, school_client):
    course = f.CourseFactory(review_status=R.DRAFT, objectives="掌握运球与传球。")
    set_course(course, review_status=R.SUBMITTED, submitted_at=course.created_at)
    assert not CoursePage.objects.filter(course=course).exists()

    set_course(course, review_status=R.APPROVED)
    page = course_page(course)
    assert page.live and page.slug == f"course-{course.pk}"
    assert isinstance(page.get_parent().specific, CourseLibraryPage)
    response = school_client.get(page.url)
    assert response.status_code == 200 and "掌握运球与传球。" in response.text

    set_course(course, review_status=R.REJECTED)
    assert not course_page(course).live
    assert school_client.get(page.url).status_code == 404

    set_course(course, review_status=R.SUBMITTED)
    assert not course_page(course).live

    set_course(course, review_status=R.APPROVED, title="篮球提高班")
    page = course_page(course)
    assert page.live and page.title == "篮球提高班"
    assert school_client.get(page.url).status_code == 200


def test_a_school_made_course_is_published_without_review(home, school_client):
    course = set_course(f.SchoolCourseFactory(title="校园足球队", review_status=R.DRAFT))
    page = course_page(course)
    assert page.live
    html = school_client.get(page.url).text
    assert "校园足球队" in html and course.school.name in html


def test_a_suspended_vendors_courses_leave_the_library_and_come_back(home):
    vendor = set_vendor(draft_vendor(), status=S.APPROVED)
    course = set_course(f.CourseFactory(vendor=vendor))
    assert course_page(course).live

    set_vendor(vendor, status=S.SUSPENDED)
    assert not course_page(course).live
    set_vendor(vendor, status=S.APPROVED)
    assert course_page(course).live


def test_an_approved_course_of_a_vendor_not_approved_stays_out(home):
    vendor = draft_vendor()
    course = set_course(f.CourseFactory(vendor=vendor))
    assert not CoursePage.objects.filter(course=course).exists()


# --- Teacher pool -------------------------------------------------------------------------------


def test_teacher_profiles_follow_staff_and_instructors(home):
    art, music = f.SubjectFactory(), f.SubjectFactory()
    staff = f.StaffMemberFactory(name="王丽", subjects=[art])
    vendor = f.VendorFactory()
    instructor = f.InstructorFactory(
        vendor=vendor, name="徐丹丹", subjects=[music], qualifications="古筝十级"
    )
    activity = f.ActivityFactory(course=f.CourseFactory(vendor=vendor))
    hidden = f.InstructorFactory(vendor=f.VendorFactory(status=S.SUBMITTED))
    inactive = f.StaffMemberFactory(active=False)

    counts = teacher_profiles_sync()

    assert counts == {"profiles": 4, "created": 4, "changed": 4}
    of_staff = TeacherProfile.objects.get(staff=staff)
    assert of_staff.name == "王丽" and of_staff.listed
    assert set(of_staff.subjects.all()) == {art}
    assert set(of_staff.schools.all()) == {staff.school}
    of_instructor = TeacherProfile.objects.get(instructor=instructor)
    assert of_instructor.qualifications == "古筝十级"
    assert set(of_instructor.subjects.all()) == {music}
    assert set(of_instructor.schools.all()) == {activity.school}
    assert not TeacherProfile.objects.get(instructor=hidden).listed
    assert not TeacherProfile.objects.get(staff=inactive).listed


def test_teacher_profiles_sync_is_idempotent_and_keeps_the_editors_fields(home):
    art, music = f.SubjectFactory(), f.SubjectFactory()
    staff = f.StaffMemberFactory(name="王丽", subjects=[art])
    teacher_profiles_sync()
    profile = TeacherProfile.objects.get(staff=staff)
    profile.bio, profile.qualifications = "二十年美术教学经验。", "高级教师"
    profile.save()

    assert teacher_profiles_sync() == {"profiles": 1, "created": 0, "changed": 0}

    staff.name = "王丽华"
    staff.save()
    staff.subjects.set([music])
    assert teacher_profiles_sync()["changed"] == 1
    profile.refresh_from_db()
    assert profile.name == "王丽华"
    assert set(profile.subjects.all()) == {music}
    assert (profile.bio, profile.qualifications) == ("二十年美术教学经验。", "高级教师")


def test_teacher_profiles_sync_takes_a_fixed_number_of_queries(home, django_assert_max_num_queries):
    subject = f.SubjectFactory()
    school = f.SchoolFactory()
    for _ in range(30):
        f.StaffMemberFactory(school=school, subjects=[subject])
    vendor = f.VendorFactory()
    for _ in range(10):
        f.InstructorFactory(vendor=vendor, subjects=[subject])
    with django_assert_max_num_queries(40):
        assert teacher_profiles_sync()["created"] == 40
    with django_assert_max_num_queries(12):
        assert teacher_profiles_sync()["changed"] == 0


def test_an_instructor_leaves_the_pool_when_the_vendor_is_suspended(home):
    vendor = set_vendor(draft_vendor(), status=S.APPROVED)
    instructor = f.InstructorFactory(vendor=vendor)
    set_vendor(vendor, description="更新")
    assert TeacherProfile.objects.get(instructor=instructor).listed
    set_vendor(vendor, status=S.SUSPENDED)
    assert not TeacherProfile.objects.get(instructor=instructor).listed


@pytest.mark.parametrize("both", [True, False])
def test_a_profile_is_of_exactly_one_person(db, both):
    staff = f.StaffMemberFactory()
    instructor = f.InstructorFactory() if both else None
    with pytest.raises(IntegrityError), transaction.atomic():
        TeacherProfile.objects.create(staff=staff if both else None, instructor=instructor, name="x")


# --- Everything ---------------------------------------------------------------------------------


def build_city():
    approved = f.VendorFactory(name="甲机构")
    suspended = f.VendorFactory(name="乙机构", status=S.SUSPENDED)
    f.VendorFactory(name="丙机构", status=S.SUBMITTED)
    courses = {
        "approved": f.CourseFactory(vendor=approved),
        "in_review": f.CourseFactory(vendor=approved, review_status=R.SUBMITTED),
        "of_suspended": f.CourseFactory(vendor=suspended),
        "school": f.SchoolCourseFactory(review_status=R.DRAFT),
    }
    f.StaffMemberFactory()
    f.InstructorFactory(vendor=approved)
    return approved, courses


def test_sync_all_builds_the_index_pages_and_every_page(home):
    approved, courses = build_city()

    counts = sync_all()

    assert counts["vendor_pages"] == counts["live_vendor_pages"] == 1
    assert counts["course_pages"] == counts["live_course_pages"] == 2
    assert counts["teacher_profiles"] == 2
    for model in (VendorCataloguePage, CourseLibraryPage, TeacherPoolPage):
        index = model.objects.get()
        assert index.live and index.get_parent().pk == home.pk
    assert vendor_page(approved).live
    assert set(CoursePage.objects.values_list("course", flat=True)) == {
        courses["approved"].pk,
        courses["school"].pk,
    }


def test_sync_all_is_idempotent(home):
    build_city()
    sync_all()
    pages = Page.objects.count()
    revisions = {page.pk: page.revisions.count() for page in Page.objects.all()}
    profiles = TeacherProfile.objects.count()

    sync_all()

    assert Page.objects.count() == pages
    assert {page.pk: page.revisions.count() for page in Page.objects.all()} == revisions
    assert TeacherProfile.objects.count() == profiles


def test_sync_all_catches_up_with_changes_made_without_signals(home):
    approved, courses = build_city()
    sync_all()
    Vendor.objects.filter(pk=approved.pk).update(status=S.SUSPENDED)
    Course.objects.filter(pk=courses["in_review"].pk).update(review_status=R.APPROVED)

    sync_all()

    assert not vendor_page(approved).live
    assert not course_page(courses["approved"]).live
    # Approved now, but its vendor is not: it gets no page.
    assert not CoursePage.objects.filter(course=courses["in_review"]).exists()
    assert course_page(courses["school"]).live


def test_sync_all_keeps_index_pages_an_editor_moved_or_renamed(home):
    sync_all()
    library = CourseLibraryPage.objects.get()
    library.title = "共享课程库"
    library.save_revision().publish()
    sync_all()
    assert CourseLibraryPage.objects.get().title == "共享课程库"


def test_sync_all_needs_a_home_page(db):
    with pytest.raises(CmsSyncError) as caught:
        sync_all()
    assert caught.value.code == "no_home_page"


def test_the_sync_cms_command(home):
    build_city()
    out = io.StringIO()
    call_command("sync_cms", stdout=out)
    assert "vendor_pages 1" in out.getvalue()
    assert "course_pages 2" in out.getvalue()


def test_the_sync_cms_command_without_a_home_page(db):
    with pytest.raises(CommandError, match="HomePage"):
        call_command("sync_cms", stdout=io.StringIO())


def test_deleting_a_vendor_deletes_its_pages(home):
    vendor = set_vendor(draft_vendor(), status=S.APPROVED)
    course = set_course(f.CourseFactory(vendor=vendor))
    other = set_course(f.SchoolCourseFactory())
    pages = [vendor_page(vendor).pk, course_page(course).pk]

    vendor.delete()

    assert not Page.objects.filter(pk__in=pages).exists()
    assert course_page(other).live


def test_sync_all_deletes_pages_whose_record_is_gone(home):
    vendor = set_vendor(draft_vendor(), status=S.APPROVED)
    course = set_course(f.SchoolCourseFactory())
    page = vendor_page(vendor)
    # A delete the CMS did not hear of (a queryset update bypasses every signal).
    VendorPage.objects.filter(pk=page.pk).update(vendor=None)
    CoursePage.objects.filter(course=course).update(course=None)

    sync_all()

    assert not Page.objects.filter(pk=page.pk).exists()
    assert VendorPage.objects.get().vendor == vendor  # a fresh page for the vendor
    assert CoursePage.objects.get().course == course
